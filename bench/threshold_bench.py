"""Is Pandora's decision (shower when pShower > pTrack) the best cut for balanced per-hit accuracy?

Runs a model (default: the package's) on freshly simulated events and moves the decision along the
log-odds: a hit is called track when log(pTrack / pShower) > shift. Prints track and shower efficiency
and balanced accuracy for each shift, and the best one. A model trained with inverse-frequency class
weights should already sit at the top (shift 0); a clear optimum elsewhere would mean the class balance
of the training data does not match the events.

Usage: .venv/bin/python bench/threshold_bench.py [--events 300] [--seed 555] [--model default] [--threads 2]
"""
import argparse, time, warnings
import numpy as np, torch

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=300); ap.add_argument('--seed', type=int, default=555)
    ap.add_argument('--model', default='default', help="the package's model name, or a run directory / checkpoint")
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from pathlib import Path
    from trackshower.core import HitClass, hit_rates
    from trackshower.pretrained import load
    from trackshower.learner import checkpoint_model
    from trackshower.sim.events import simulate
    from trackshower.inference import predict
    try: pm = checkpoint_model(a.model) if Path(a.model).exists() else load(a.model)
    except (OSError, ValueError) as e: ap.error(f'--model {a.model}: {e}')
    t = time.time(); ev = simulate(a.events, seed=a.seed, progress=False); pred = predict(pm, ev)
    ok = ~np.isnan(pred.p_track); truth = ev.hits.tag[ok] == HitClass.TRACK
    tiny = np.finfo(np.float64).tiny
    logodds = np.log(np.maximum(pred.p_track[ok], tiny)) - np.log(np.maximum(pred.p_shower[ok], tiny))
    print(f'{a.model}: {len(ev)} events (seed {a.seed}), {ok.sum()} hits, in {time.time() - t:.0f} s\n')
    print('| shift of log(pTrack/pShower) | track eff | shower eff | balanced |\n|---|---|---|---|')
    best = None
    for s in np.round(np.arange(-1.0, 1.001, 0.1), 1) + 0.0:    # + 0.0: no "-0.0"
        call = logodds > s
        r = hit_rates(int((call & truth).sum()), int((call & ~truth).sum()), int((~call & ~truth).sum()), int((~call & truth).sum()))
        te, se, b = r['track_eff'], r['shower_eff'], r['balanced_acc']
        if best is None or b > best[1]: best = (s, b)
        print(f'| {s:+.1f}{" (Pandora)" if s == 0 else ""} | {te:.4f} | {se:.4f} | {b:.4f} |')
    print(f'\nbest shift {best[0]:+.1f}: balanced {best[1]:.4f}')

if __name__ == '__main__': main()
