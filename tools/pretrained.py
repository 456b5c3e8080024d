"""Ship a trained run as the package's default model (the last step of `make pretrained`).

Reads the run's best checkpoint (`RUN/models/best.pth`, weights only), evaluates it per hit on freshly
simulated events it never saw (default mix, all views, a seed of its own), and writes
`trackshower/models/<name>_weights.pth` (a plain state dict) and `<name>.json` (the card: data, recipe,
where it was trained, git commit, held-out figures per view and per event kind) as one set.

Usage: .venv/bin/python tools/pretrained.py [--run runs/pretrained] [--events 1000] [--seed 20261130] [--where "..."]
"""
import argparse, json, platform, subprocess, sys, time, warnings
from pathlib import Path
import numpy as np, torch

def git_hash()->str:
    try: return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, timeout=5).stdout.strip() or 'unknown'
    except Exception: return 'unknown'

def per_kind(events, pred, metrics_fn)->dict:
    "Per-hit metrics of the events of each simulated kind"
    from trackshower.inference import HitPredictions
    ev_of_hit = np.repeat(np.arange(len(events)), np.diff(events.offsets))
    out = {}
    for k in sorted(set(events.kinds)):
        idx = np.flatnonzero(events.kinds == k)
        hits = np.isin(ev_of_hit, idx)
        sub = HitPredictions(pred.p_track[hits], pred.p_shower[hits])
        out[k] = dict(n_events=len(idx), **metrics_fn(events.select(idx), sub)['all'])
    return out

def stages(run:Path)->list:
    "The training runs that made `run`'s network, first to last: each run's configuration and rate (a run started with --init from another run follows it)"
    out = []
    while True:
        rc = json.loads((run / 'run_config.json').read_text())
        out.insert(0, dict(rc['config'], run=str(run), lr=rc.get('lr'), n_trainval=rc.get('data', {}).get('n_trainval')))
        init = rc['config'].get('init') or ''
        if init in ('', 'default'): return out                    # random weights, or the package's model
        run = Path(init) if Path(init).is_dir() else Path(init).parent.parent      # a run directory, or its models/best.pth
        if not (run / 'run_config.json').exists(): return out

def run_test(run:Path)->dict:
    "The training run's own held-out comparison with the cut-based baseline (None until its metrics.json exists)"
    if not (run / 'metrics.json').exists(): return None
    m = json.loads((run / 'metrics.json').read_text())
    return dict(n_events=m['data'].get('n_test'), network=m.get('network'), baseline=m.get('baseline'), baseline_cuts=m.get('baseline_cuts'))

def add_run_test(run:Path, name:str, out):
    "Rewrite the shipped set with the run's held-out comparison in its card (same weights)"
    from trackshower.pretrained import load, save_pretrained
    rt = run_test(run)
    if rt is None: sys.exit(f'{run}/metrics.json does not exist yet: the run has not finished')
    pm = load(name, out)
    card = {k: v for k, v in pm.card.items() if k not in ('name', 'format', 'arch', 'hit_config')}
    card['run_test'] = rt
    wp, cp = save_pretrained(pm, name, out, **card)
    print(f"added the run's comparison on {rt['n_events']} held-out events to {cp}: network {rt['network']['all']['balanced_acc']:.4f}, "
          f"baseline {rt['baseline']['all']['balanced_acc']:.4f}")

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', default='runs/pretrained', help='the training run directory')
    ap.add_argument('--events', type=int, default=1000, help='freshly simulated held-out events')
    ap.add_argument('--seed', type=int, default=20261130, help='their seed (not the training seed)')
    ap.add_argument('--name', default='default', help='model name in the package')
    ap.add_argument('--out', default=None, help='directory (default: the package models/)')
    ap.add_argument('--where', default=f'CPU ({platform.processor() or platform.machine()}), {torch.get_num_threads()} threads',
                    help='where it was trained, for the card')
    ap.add_argument('--run-test-only', action='store_true',
                    help="only add the run's own held-out comparison with the baseline (its metrics.json) to the shipped card")
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    from trackshower.learner import checkpoint_model
    from trackshower.pretrained import save_pretrained, load
    from trackshower.sim.events import simulate
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics, metrics_table
    run = Path(a.run)
    for f in (run / 'models' / 'best.pth', run / 'run_config.json'):
        if not f.exists(): sys.exit(f'tools/pretrained.py: error: no {f} (train first: make pretrained, or trackshower_train --out {run})')
    if a.run_test_only: return add_run_test(run, a.name, a.out)
    pm = checkpoint_model(run / 'models' / 'best.pth')
    cfg, rc = pm.hit_config, json.loads((run / 'run_config.json').read_text())
    st_all = stages(run)
    if a.seed in [x['seed'] for x in st_all]: sys.exit(f'--seed {a.seed} is a training seed: the held-out events must be fresh')
    t = time.time(); ev = simulate(a.events, seed=a.seed, progress=False)
    print(f'simulated {a.events} fresh events (seed {a.seed}) in {time.time() - t:.0f} s', flush=True)
    t = time.time(); pred = predict(pm, ev); dt = time.time() - t
    m = hit_metrics(ev, pred, 'UVW')
    print(metrics_table(m)); print(f'predict: {dt:.1f} s for {a.events} events ({1e3 * dt / a.events:.0f} ms per event, {torch.get_num_threads()} threads)')
    kinds = per_kind(ev, pred, hit_metrics)
    print(metrics_table(kinds))
    card = dict(
        summary=f"UNet {cfg.arch_kwargs} trained on {sum(x['n_trainval'] or 0 for x in st_all)} simulated events"
                + (f" in {len(st_all)} runs" if len(st_all) > 1 else '') + f"; held-out balanced per-hit accuracy {m['all']['balanced_acc']:.4f}",
        data=dict(simulator='trackshower.sim (default mix)', n_events=rc['data'].get('n_events', cfg.n_events), seed=rc['config']['seed'],
                  views=cfg.views, n_train_images=cfg.n_train_images, n_valid_images=cfg.n_valid_images,
                  all_runs=[dict(seed=x['seed'], n_events=x['n_events'], n_trainval=x['n_trainval']) for x in st_all]),
        stages=st_all,
        recipe=dict(rc['config'], lr=rc.get('lr'), best_epoch=pm.card['epoch'], best_valid=pm.card['best']),
        trained_on=a.where, git=git_hash(), torch=torch.__version__, run=str(run),
        held_out=dict(n_events=a.events, seed=a.seed, **m), held_out_by_kind=kinds,
        run_test=run_test(run))
    wp, cp = save_pretrained(pm, a.name, a.out, **card)
    back = load(a.name, a.out)                                    # what users get loads and predicts the same
    again = predict(back, ev[:20]).p_track
    assert np.allclose(again, pred.p_track[:ev.offsets[20]], equal_nan=True, atol=1e-6)
    print(f'wrote {wp} ({wp.stat().st_size / 1e6:.1f} MB) and {cp}')

if __name__ == '__main__': main()
