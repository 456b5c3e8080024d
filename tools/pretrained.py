"""Ship a trained run as the package's default model (the last step of `make pretrained`).

Reads the run's best checkpoint (`RUN/models/best.pth`, weights only), evaluates it per hit on freshly
simulated events it never saw (default mix, all views, a seed of its own), and writes
`trackshower/models/<name>_weights.pth` (a plain state dict) and `<name>.json` (the card: data, recipe,
where it was trained, git commit, held-out figures per view and per event kind) as one set.

Usage: .venv/bin/python tools/pretrained.py [--run runs/pretrained] [--events 1000] [--seed 20261130] [--where "..."]

With --weights W.pth --made-by CARD.json instead of --run: ship a state dict trained outside trackshower_train (by
bench/experiments/context_finetune.py, from the package's current model): its architecture is the package model's
plus the additions the state dict holds, its normalisation the package model's, and the card keeps the package
model's stages and adds CARD.json's commands.
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

def evaluate_fresh(pm, n:int, seed:int)->tuple:
    "Per-hit figures of `pm` on `n` freshly simulated events of `seed`: (events, predictions, metrics, per kind)"
    from trackshower.sim.events import simulate
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics, metrics_table
    t = time.time(); ev = simulate(n, seed=seed, progress=False)
    print(f'simulated {n} fresh events (seed {seed}) in {time.time() - t:.0f} s', flush=True)
    t = time.time(); pred = predict(pm, ev); dt = time.time() - t
    m = hit_metrics(ev, pred, 'UVW')
    print(metrics_table(m)); print(f'predict: {dt:.1f} s for {n} events ({1e3 * dt / n:.0f} ms per event, {torch.get_num_threads()} threads)')
    kinds = per_kind(ev, pred, hit_metrics)
    print(metrics_table(kinds))
    return ev, pred, m, kinds

def check_shipped(name, out, ev, pred, wp, cp):
    "What users get loads and predicts the same"
    from trackshower.pretrained import load
    from trackshower.inference import predict
    again = predict(load(name, out), ev[:20]).p_track
    assert np.allclose(again, pred.p_track[:ev.offsets[20]], equal_nan=True, atol=1e-6)
    print(f'wrote {wp} ({wp.stat().st_size / 1e6:.1f} MB) and {cp}')

def ship_weights(a):
    "Ship `a.weights` (the package's model grown with `UNet`'s additions and trained further) with a card"
    from dataclasses import replace
    from trackshower.model import UNet, additions_of
    from trackshower.pretrained import PretrainedModel, save_pretrained, load
    if not a.made_by: sys.exit('tools/pretrained.py: error: --weights needs --made-by (the commands that trained it, for the card)')
    for f in (a.weights, a.made_by):
        if not Path(f).is_file(): sys.exit(f'tools/pretrained.py: error: no file {f}')
    base = load()                                                    # the package's current default: what the weights grew from
    if base.model.config.get('context') or base.model.config.get('refine'):
        sys.exit("tools/pretrained.py: error: the package's model already has the additions (restore the one they grew from first)")
    try: sd = torch.load(a.weights, map_location='cpu', weights_only=True)
    except Exception as e: sys.exit(f'tools/pretrained.py: error: {a.weights}: not a weights-only state dict ({type(e).__name__})')
    net = UNet(**dict(base.model.config, **additions_of(sd)))
    try: net.load_state_dict(sd)
    except RuntimeError as e: sys.exit(f'tools/pretrained.py: error: {a.weights} does not fit {net.config} ({str(e).splitlines()[0][:200]})')
    made = json.loads(Path(a.made_by).read_text())
    if a.seed in [x['seed'] for x in base.card.get('stages', [])] + [x.get('seed') for x in made.get('trained', [])]:
        sys.exit(f'--seed {a.seed} is a training seed: the held-out events must be fresh')
    pm = PretrainedModel(net.eval(), replace(base.hit_config, arch_kwargs=dict(net.config), pretrained=a.name), {})
    ev, pred, m, kinds = evaluate_fresh(pm, a.events, a.seed)
    more = [dict(command=x['command'], seconds=x.get('seconds'), threads=x.get('threads'), seed=x.get('seed'), n_events=x.get('n_events'))
            for x in made['trained']]
    card = dict(
        summary=f"UNet {net.config}: the previous default ({base.card.get('summary', '').split(';')[0]}) grown with tile-wide context "
                f"and a refinement block, fine-tuned {len(more)} times on fresh events; held-out balanced per-hit accuracy {m['all']['balanced_acc']:.4f}",
        data=dict(base.card.get('data', {}), fine_tune_runs=[dict(seed=x['seed'], n_events=x['n_events']) for x in more]),
        stages=base.card.get('stages', []) + more,
        recipe=dict(base.card.get('recipe', {}), additions=dict(context=net.config['context'], refine=net.config['refine']), fine_tune=more),
        trained_on=a.where, git=git_hash(), torch=torch.__version__, weights_from=str(a.weights),
        previous=dict(summary=base.card.get('summary'), held_out=base.card.get('held_out', {}).get('all')),
        held_out=dict(n_events=a.events, seed=a.seed, **m), held_out_by_kind=kinds,
        run_test=baseline_test(ev, m, made['trained'][-1]['seed'], a.baseline_events))
    wp, cp = save_pretrained(pm, a.name, a.out, **card)
    check_shipped(a.name, a.out, ev, pred, wp, cp)

def baseline_test(ev, m:dict, seed:int, n:int)->dict:
    "The network's figures on the held-out events `ev` beside the cut-based baseline's, its cuts tuned on `n` events of training seed `seed`"
    from trackshower.sim.events import simulate
    from trackshower.baseline import CutBaseline
    from trackshower.evaluate import hit_metrics
    t = time.time(); bl = CutBaseline(views='UVW').fit(simulate(n, seed=seed, progress=False))
    b = hit_metrics(ev, bl.predict(ev), 'UVW')
    print(f"cut-based baseline (cuts tuned on {n} events of seed {seed} in {time.time() - t:.0f} s): balanced {b['all']['balanced_acc']:.4f} "
          f"on the same held-out events, against {m['all']['balanced_acc']:.4f}", flush=True)
    return dict(n_events=len(ev), tuned_on=f'{n} simulated events of seed {seed} (the last fine-tune\'s training seed)', network=m, baseline=b,
                baseline_cuts=dict(eps=bl.eps, min_hits=bl.min_hits, min_linearity=bl.min_linearity, max_width=bl.max_width))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', default='runs/pretrained', help='the training run directory')
    ap.add_argument('--events', type=int, default=1000, help='freshly simulated held-out events')
    ap.add_argument('--seed', type=int, default=20261130, help='their seed (not the training seed)')
    ap.add_argument('--name', default='default', help='model name in the package')
    ap.add_argument('--out', default=None, help='directory (default: the package models/)')
    ap.add_argument('--where', default=f'CPU ({platform.processor() or platform.machine()}), {torch.get_num_threads()} threads',
                    help='where it was trained, for the card')
    ap.add_argument('--weights', default='', help="a state dict to ship instead of --run's best network (with --made-by)")
    ap.add_argument('--baseline-events', type=int, default=1500, help="with --weights: events of the last fine-tune's training seed to tune the cut-based baseline on")
    ap.add_argument('--made-by', default='', help="with --weights: a JSON file whose 'trained' list gives the commands that made it")
    ap.add_argument('--run-test-only', action='store_true',
                    help="only add the run's own held-out comparison with the baseline (its metrics.json) to the shipped card")
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    from trackshower.learner import checkpoint_model
    from trackshower.pretrained import save_pretrained
    if a.weights: return ship_weights(a)
    run = Path(a.run)
    for f in (run / 'models' / 'best.pth', run / 'run_config.json'):
        if not f.exists(): sys.exit(f'tools/pretrained.py: error: no {f} (train first: make pretrained, or trackshower_train --out {run})')
    if a.run_test_only: return add_run_test(run, a.name, a.out)
    pm = checkpoint_model(run / 'models' / 'best.pth')
    cfg, rc = pm.hit_config, json.loads((run / 'run_config.json').read_text())
    st_all = stages(run)
    if a.seed in [x['seed'] for x in st_all]: sys.exit(f'--seed {a.seed} is a training seed: the held-out events must be fresh')
    ev, pred, m, kinds = evaluate_fresh(pm, a.events, a.seed)
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
    check_shipped(a.name, a.out, ev, pred, wp, cp)

if __name__ == '__main__': main()
