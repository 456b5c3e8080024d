"""Recipe study for the default model (issue 11): one fixed simulated set, the same CPU-time budget per
configuration, one factor at a time from today's default.

Every configuration trains on the same events (simulated once with a fixed seed and cached as ROOT),
with one-cycle spread over a budget of *process CPU seconds* (not epochs, not wall time: CPU time is
what a configuration costs and it does not change when other work shares the machine), then is
evaluated per hit, in float32 with Pandora's 256 x 256 tiles, on held-out events it never saw:
balanced accuracy per view, track/shower efficiency, ECE, GFLOP per tile and per event, and the
float32 latency per event of `predict` measured in the same run (noisy when the machine is shared:
GFLOP per event is the stable figure).

Results are added to a JSON file after each configuration (atomically, under a lock, so that two studies at one
thread each can share the machine's two cores and one file), so the study resumes where it stopped; `--table`
prints the table from that file.

A CPU-time budget buys a different number of steps on another CPU, so configurations are compared within
one results file, measured on one machine (each result records its CPU): `bench/results/recipe.json` is the
first study (November 2026), `bench/results/recipe_avx2.json` its second part on an AVX2 AMD EPYC without
native bfloat16, with `base` and `nf8` measured again there as the reference.

Usage:
  OMP_NUM_THREADS=1 .venv/bin/python bench/recipe_bench.py [--configs base,relative,...] [--budget 600] [--results FILE]
  .venv/bin/python bench/recipe_bench.py --table [--results FILE]
"""
import argparse, json, os, sys, time, warnings
from pathlib import Path
import numpy as np, torch

# One factor at a time from today's default (depth 4, nf 16, 128-pixel crops, inverse-frequency weights,
# cross-entropy, bs 16, one-cycle at 1e-2: the rate today's lr_find valley clip lands on most often).
BASE = dict(depth=4, nf=16, res=False, crop=128, weights='inverse', gamma=0., dice=0., lr=1e-2, bs=16, charge='minmax')
CONFIGS = {
    'base': {},
    'relative': dict(charge='relative'),
    'nf8': dict(nf=8),
    'sqrt_w': dict(weights='sqrt'),
    'lr3e-2': dict(lr=3e-2),
    'lr3e-3': dict(lr=3e-3),
    'res': dict(res=True),
    'depth5': dict(depth=5),
    'crop256': dict(crop=None, bs=4),
    'dice': dict(dice=1.),
    'focal': dict(gamma=2.),
    'nf12': dict(nf=12),
    'depth3': dict(depth=3),
    'no_w': dict(weights=None),
    # combinations of what the one-factor runs favoured (the smaller net trains more epochs in the same budget)
    'nf8_rel': dict(nf=8, charge='relative'),
    # the best one-factor configuration at three times the budget (relative charge did not add to nf8: 0.9256 against 0.9261)
    'nf8_long': dict(nf=8, budget=1800.),
}

def cpu_name()->str:
    "The CPU's model name (a CPU-time budget buys a different number of steps on another CPU)"
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    import platform
    return platform.processor() or platform.machine()

def record(path, name:str, r:dict)->dict:
    "Add result `r` as `name` to the results file (read, add, write atomically, under a lock: two studies may share it); all results"
    import fcntl
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)                # the lock is on the results' directory: no lock file left behind
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        results = json.loads(path.read_text()) if path.exists() else {}
        results[name] = r; atomic_json(path, results)
    finally: os.close(fd)
    return results

def atomic_json(path, obj):
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    tmp.write_text(json.dumps(obj, indent=1, default=float)); os.replace(tmp, path)

def load_data(cache:Path, n_events:int, seed:int):
    "The study's events: simulated once (fixed seed) and cached as a ROOT file"
    from trackshower.io import read_root, write_root
    from trackshower.sim.events import simulate
    if cache.exists():
        ev = read_root(cache)
        if len(ev) == n_events: return ev
    t = time.time(); ev = simulate(n_events, seed=seed, progress=False)
    cache.parent.mkdir(parents=True, exist_ok=True); write_root(ev, cache)
    print(f'simulated {n_events} events (seed {seed}) in {time.time() - t:.0f} s -> {cache}', flush=True)
    return ev

def budget_cb(seconds:float):
    "A fastai callback spreading the schedule over `seconds` of process CPU time, then stopping the fit"
    from fastai.callback.core import Callback, CancelFitException
    class CPUBudget(Callback):
        order = -5   # after TrainEvalCallback (which advances pct_train), before ParamScheduler reads it
        def before_fit(self): self.t0 = time.process_time(); self.n_batches = 0
        def before_batch(self):
            if not self.training: return
            pct = (time.process_time() - self.t0) / seconds
            if pct >= 1: raise CancelFitException
            self.learn.pct_train = pct; self.n_batches += 1
    return CPUBudget()

def run_config(name:str, cfg:dict, trainval, test, budget:float, seed:int, valid_pct:float, out:Path)->dict:
    from fastai.torch_core import set_seed
    from trackshower.data import get_dls
    from trackshower.learner import get_learner
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics, reliability
    from trackshower.model import model_cost
    from trackshower.images import TileGeometry, events_images
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    c = dict(BASE, **cfg)
    set_seed(seed)
    dls = get_dls(trainval, views='UVW', bs=c['bs'], crop=c['crop'], valid_pct=valid_pct, seed=seed)
    learn = get_learner(dls, depth=c['depth'], nf=c['nf'], res=c['res'], weights=c['weights'], gamma=c['gamma'],
                        dice=c['dice'], charge=c['charge'], path=out / name, checkpoint=False)
    cb = budget_cb(budget)
    t0, c0 = time.time(), time.process_time()
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn.fit_one_cycle(10_000, c['lr'], cbs=cb)
    train_wall, train_cpu = time.time() - t0, time.process_time() - c0
    names = list(learn.recorder.metric_names[1:-1])
    history = [dict(zip(names, [float(x) for x in v])) for v in learn.recorder.values]
    losses = [float(l) for l in learn.recorder.losses]
    learn.model.float().to(memory_format=torch.contiguous_format)
    t0 = time.perf_counter()
    pred = predict(learn, test, views='UVW', bs=16)
    infer_s = time.perf_counter() - t0
    m = hit_metrics(test, pred, 'UVW')
    ok = ~np.isnan(pred.p_track)
    fig, _, ece = reliability(pred.p_track[ok], (test.hits.tag == 2)[ok]); plt.close(fig)
    n_tiles = events_images(test, TileGeometry(), 'UVW', warn=False)[0].n_images
    cost = model_cost(learn.model, (1, 256, 256))
    torch.save(learn.model.state_dict(), out / name / 'model.pth')
    return dict(name=name, config=c, budget_cpu_s=budget, train_cpu_s=round(train_cpu, 1), train_wall_s=round(train_wall, 1),
                n_batches=cb.n_batches, images_seen=cb.n_batches * c['bs'], epochs=round(cb.n_batches / max(len(dls.train), 1), 2),
                history=history, loss_first_last=[float(np.mean(losses[:20])), float(np.mean(losses[-50:]))] if losses else None,
                max_loss_jump=float(max(np.diff(np.convolve(losses, np.ones(20) / 20, 'valid')).max(), 0)) if len(losses) > 40 else None,
                test=dict(n_events=len(test), n_hits=int(ok.sum()), n_tiles=int(n_tiles),
                          balanced=m['all']['balanced_acc'], accuracy=m['all']['accuracy'],
                          per_view={v: m[v]['balanced_acc'] for v in 'UVW'},
                          track_eff=m['all']['track_eff'], shower_eff=m['all']['shower_eff'], ece=ece),
                params=cost['params'], gflop_tile=cost['flops'] / 1e9, gflop_event=cost['flops'] / 1e9 * n_tiles / len(test),
                latency_ms_event=1e3 * infer_s / len(test), threads=torch.get_num_threads(), torch=torch.__version__, cpu=cpu_name())

def table(results:dict)->str:
    rows = ['| config | change | balanced | U | V | W | track eff | shower eff | ECE | GFLOP/tile | GFLOP/event | ms/event (fp32) | epochs | CPU s |',
            '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for name, r in results.items():
        t = r['test']; pv = t['per_view']
        rows.append(f"| {name} | {json.dumps(CONFIGS.get(name, r['config']))[1:-1] or 'today default'} | {t['balanced']:.4f} | {pv['U']:.4f} | "
                    f"{pv['V']:.4f} | {pv['W']:.4f} | {t['track_eff']:.4f} | {t['shower_eff']:.4f} | {t['ece']:.4f} | "
                    f"{r['gflop_tile']:.2f} | {r['gflop_event']:.1f} | {r['latency_ms_event']:.0f} | {r['epochs']} | {r['train_cpu_s']:.0f} |")
    cpus = sorted({r.get('cpu', 'not recorded') for r in results.values()})
    return '\n'.join(rows) + (f"\n\nCPU: {'; '.join(cpus)}" if cpus else '')

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--configs', default=','.join(CONFIGS), help='comma-separated names of CONFIGS to run (done ones are skipped)')
    ap.add_argument('--events', type=int, default=3000); ap.add_argument('--test', type=int, default=600)
    ap.add_argument('--seed', type=int, default=1); ap.add_argument('--budget', type=float, default=600., help='CPU seconds of training per config')
    ap.add_argument('--valid-pct', type=float, default=0.02, help='validation events (of the training ones) for the per-epoch curve')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='runs/recipe', help='work directory (data cache, per-config weights)')
    ap.add_argument('--results', default='bench/results/recipe.json', help='results file (committed)')
    ap.add_argument('--table', action='store_true', help='only print the table of the results file')
    a = ap.parse_args()
    results = json.loads(Path(a.results).read_text()) if Path(a.results).exists() else {}
    if a.table: print(table(results)); return
    torch.set_num_threads(a.threads)
    out = Path(a.out)
    ev = load_data(out / f'events_{a.events}_seed{a.seed}.root', a.events, a.seed)
    trainval, test = ev[:a.events - a.test], ev[a.events - a.test:]
    for name in a.configs.split(','):
        if name in results: continue
        if name not in CONFIGS: sys.exit(f'recipe_bench: unknown config {name!r}; known: {", ".join(CONFIGS)}')
        print(f'== {name}: {CONFIGS[name] or "today default"}', flush=True)
        (out / name).mkdir(parents=True, exist_ok=True)
        cfg = dict(CONFIGS[name]); budget = cfg.pop('budget', a.budget)   # a longer budget for the final combinations
        r = run_config(name, cfg, trainval, test, budget, a.seed, a.valid_pct, out)
        results = record(a.results, name, r)
        t = r['test']
        print(f"   balanced {t['balanced']:.4f} (U {t['per_view']['U']:.4f} V {t['per_view']['V']:.4f} W {t['per_view']['W']:.4f}), "
              f"track {t['track_eff']:.4f} shower {t['shower_eff']:.4f}, ECE {t['ece']:.4f}, {r['epochs']} epochs, "
              f"{r['gflop_event']:.1f} GFLOP/event, {r['latency_ms_event']:.0f} ms/event", flush=True)
    print(table(results))

if __name__ == '__main__': main()
