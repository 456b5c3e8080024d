"""Experiment (not run by `make bench`: about an hour of training): does the package's network gain from two
additions that leave its outputs unchanged at the start, fine-tuned on fresh simulated events?

Both are now `UNet(context=True, refine=16)` in the package (nb 06); this script grows the package's network
with `with_additions` and fine-tunes it.

- ctx: at the bottom of the U, the features plus a 1x1 convolution of their maximum over the tile (zero-initialised),
  so every pixel sees what the whole tile holds (a long muon, a shower elsewhere);
- refine: a residual [Conv2d 3x3 -> 16, ReLU, BatchNorm][Conv2d 3x3] block at full resolution before the head
  (its last convolution zero-initialised): more capacity where delta rays leave tracks.

Trains with fastai (`get_learner(dls, pretrained=True)`, 128-pixel crops or whole tiles, one-cycle), then scores the network on
fresh events with Pandora's tiles and decision (whole-tile forward passes),
and on the first evaluation seed also the package's network through the same path.

Usage: .venv/bin/python bench/experiments/context_finetune.py --events 8000 --epochs 4 --lr 1.5e-3 --seed 25 --out runs/ctx/both
"""
import argparse, json, os, time, warnings
import torch
from trackshower.model import with_additions

def score(ev, pred)->dict:
    "Balanced per-hit accuracy (Pandora's decision, `evaluate.hit_metrics`) overall and per view, track/shower efficiency"
    from trackshower.evaluate import hit_metrics
    m = hit_metrics(ev, pred)
    out = dict(balanced=m['all']['balanced_acc'], track=m['all']['track_eff'], shower=m['all']['shower_eff'])
    out.update({v: m[v]['balanced_acc'] for v in 'UVW'})
    return {k: round(float(v), 4) for k, v in out.items()}

def eval_sets(text:str)->list:
    "'SEED:EVENTS,...' -> [(seed, events)]"
    try: sets = [tuple(int(t) for t in item.split(':')) for item in text.split(',')]
    except ValueError: sets = []
    if not sets or any(len(t) != 2 or t[0] < 0 or t[1] < 1 for t in sets): raise argparse.ArgumentTypeError(f"expected SEED:EVENTS[,SEED:EVENTS...], got {text!r}")
    return sets

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=8000, help='fresh events to fine-tune on')
    ap.add_argument('--epochs', type=int, default=4); ap.add_argument('--lr', type=float, default=1.5e-3)
    ap.add_argument('--seed', type=int, default=25, help='of the training events and the split')
    ap.add_argument('--out', required=True, help='run directory (checkpoints, final_state.pth)')
    ap.add_argument('--parts', choices=('ctx', 'refine', 'both'), default='both')
    ap.add_argument('--init', default='', help="a final_state.pth of an earlier run of this script to continue from")
    ap.add_argument('--eval', type=eval_sets, default='556:800,558:1000', help='SEED:EVENTS,... of the fresh evaluation sets')
    ap.add_argument('--crop', type=int, default=128, help='training window in pixels (0: whole 256-pixel tiles, as Pandora scores them)')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    if a.events < 10 or a.epochs < 1 or not a.lr > 0 or a.threads < 1 or a.crop < 0: ap.error('--events must be at least 10, --epochs and --threads at least 1, --lr positive, --crop not negative')
    if a.init and not os.path.isfile(a.init): ap.error(f'--init {a.init}: no such file')
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    from trackshower.learner import get_learner
    from trackshower.data import get_dls
    from trackshower.sim.events import simulate
    from trackshower.sim.events import simulate_parallel
    from trackshower.inference import predict
    from trackshower.pretrained import load
    from trackshower.io import atomic_path
    base = load().model                                  # the package's network
    grown = base.config.get('context') or base.config.get('refine')      # the package's model has them since December 2026
    net = base if grown else with_additions(base, context=a.parts in ('ctx', 'both'), refine=16 if a.parts in ('refine', 'both') else 0)
    print('added:', sorted({k.split('.')[0] for k in net.state_dict()} - {k.split('.')[0] for k in base.state_dict()}), flush=True)
    if a.init:
        try: net.load_state_dict(torch.load(a.init, weights_only=True))
        except Exception as e: raise SystemExit(f'--init {a.init}: not a final_state.pth of this script with --parts {a.parts} ({str(e).splitlines()[0]})')
        print('continuing from', a.init, flush=True)
    t0 = time.time(); ev = simulate_parallel(a.events, a.seed, workers=a.threads)
    print(f'simulated {a.events} events in {time.time() - t0:.0f} s', flush=True)
    dls = get_dls(ev, views='UVW', bs=16 if a.crop else 8, crop=a.crop or None, valid_pct=0.05, seed=a.seed)
    learn = get_learner(dls, pretrained=True, path=a.out, checkpoint=True)   # the package's statistics and normalisation
    learn.model = net                                   # `unet_splitter` puts the additions with the down and up paths
    learn.fit_one_cycle(a.epochs, a.lr)
    print(f'trained in {time.time() - t0:.0f} s', flush=True)
    learn.model.float().eval()
    with atomic_path(os.path.join(a.out, 'final_state.pth')) as tmp: torch.save(learn.model.state_dict(), tmp)
    for i, (s, n) in enumerate(a.eval):
        fresh = simulate(n, seed=s, progress=False)
        print(f'seed {s} ({n} events) this network: {json.dumps(score(fresh, predict(learn, fresh, crop=False)))}', flush=True)
        if i == 0: print(f'seed {s} ({n} events) package network: {json.dumps(score(fresh, predict(load(), fresh, crop=False)))}', flush=True)

if __name__ == '__main__': main()
