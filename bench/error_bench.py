"""Where does a model's balanced per-hit error sit?

Runs a model (default: the package's) on freshly simulated events and splits 1 - balanced accuracy into
additive parts: a track hit called shower costs 1 / (2 * track hits), a shower hit called track
1 / (2 * shower hits), so the "share of 1 - balanced" column of each table sums to 1 - balanced. Tables:
by event kind and truth class; shower hits by how many shower hits of their view lie within --radius cm
(themselves included: 1 is a lone shower hit, e.g. a low-energy delta ray on a muon); track hits by charge
quintile (Bragg peaks and overlaps are the bright ones); all hits by distance to the nearest edge of their
Pandora tile (the network sees one 128 cm tile at a time, so hits near an edge have context on one side only).
It also prints the pixel ceiling: the best balanced accuracy any network could reach on Pandora's tiles, where
all hits of one pixel get one answer.

Usage: .venv/bin/python bench/error_bench.py [--events 300] [--seed 555] [--model default[,RUN...]] [--threads 2] [--radius 3]
"""
import argparse, time, warnings
import numpy as np, torch

def table(title, rows, cost):
    "Print `rows` [(label, hit mask, error mask)] as markdown; `cost` maps an error mask to its part of 1 - balanced"
    print(f'\n{title}\n\n| hits | count | error | share of 1 - balanced |\n|---|---|---|---|')
    for label, sel, err in rows:
        n = int(sel.sum())
        print(f'| {label} | {n} | {(err & sel).sum() / max(n, 1):.4f} | {cost(err & sel):.4f} |')

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=300); ap.add_argument('--seed', type=int, default=555)
    ap.add_argument('--model', default='default', help="the package's model name, or a run directory / checkpoint; "
                    "several, comma-separated: the mean of their per-hit probabilities (an ensemble)")
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--radius', type=float, default=3., help='cm, for counting neighbouring shower hits')
    a = ap.parse_args()
    if a.events < 1 or a.radius <= 0: ap.error('--events and --radius must be positive')
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from pathlib import Path
    from scipy.spatial import cKDTree
    from trackshower.core import HitClass, is_track
    from trackshower.pretrained import load
    from trackshower.learner import checkpoint_model
    from trackshower.sim.events import simulate
    from trackshower.inference import predict, HitPredictions
    from trackshower.images import events_images, TileGeometry
    pms = []
    for name in a.model.split(','):
        try: pms.append(checkpoint_model(name) if Path(name).exists() else load(name))
        except (OSError, ValueError) as e: ap.error(f'--model {name}: {e}')
    t0 = time.time(); ev = simulate(a.events, seed=a.seed, progress=False); preds = [predict(pm, ev) for pm in pms]
    pred = HitPredictions(*(np.mean([getattr(p, k) for p in preds], 0) for k in ('p_track', 'p_shower')))   # one model: itself
    h = ev.hits; ok = ~np.isnan(pred.p_track)
    track, call = (h.tag == HitClass.TRACK) & ok, is_track(pred.p_shower, pred.p_track) & ok   # Pandora's decision
    shower = (h.tag == HitClass.SHOWER) & ok
    wrong = (track & ~call) | (shower & call)
    nt, ns = int(track.sum()), int(shower.sum())
    cost = lambda err: ((err & track).sum() / nt + (err & shower).sum() / ns) / 2
    kind = np.repeat(np.asarray(ev.kinds), np.diff(ev.offsets)); evt = np.repeat(np.arange(len(ev)), np.diff(ev.offsets))
    print(f'{a.model}: {len(ev)} events (seed {a.seed}), {ok.sum()} hits ({nt} track, {ns} shower; '
          f'{(~ok).sum()} not predicted), in {time.time() - t0:.0f} s')
    print(f'balanced accuracy {1 - cost(wrong):.4f} (track eff {1 - (wrong & track).sum() / nt:.4f}, shower eff {1 - (wrong & shower).sum() / ns:.4f})')
    geom = TileGeometry(); si, used = events_images(ev, geom, warn=False)   # Pandora's tiles
    px = np.full(len(h), -1, np.int64); px[used] = si.hit_pixel; npx = int(px.max()) + 1; inside = px >= 0   # each hit's pixel
    ct, cs = (np.bincount(px[m & inside], minlength=npx) for m in (track, shower))
    best = np.zeros(len(h), bool); best[inside] = (ct / nt >= cs / ns)[px[inside]]   # the pixel's best single answer
    print(f'pixel ceiling {1 - cost((track & ~best) | (shower & best)):.4f} '
          f'({((ct > 0) & (cs > 0))[px[inside]].mean():.4f} of the hits share a pixel with a hit of the other class)')
    table('By event kind and truth', [(f'{k} {c}', (kind == k) & m, wrong) for k in sorted(set(ev.kinds))
                                      for c, m in (('track', track), ('shower', shower))], cost)
    near = np.zeros(len(h), int)                       # shower hits of the same event and view within the radius
    for e in range(len(ev)):
        for v in np.unique(h.view[evt == e]):
            s = np.flatnonzero((evt == e) & (h.view == v) & shower)
            if len(s): near[s] = [len(n) for n in cKDTree(np.c_[h.x[s], h.z[s]]).query_ball_point(np.c_[h.x[s], h.z[s]], a.radius)]
    bins = ((1, 1), (2, 3), (4, 8), (9, 20), (21, None))
    table(f'Shower hits by shower hits of their view within {a.radius:g} cm (themselves included)',
          [(f'{lo}' + ('' if hi == lo else f'-{hi}' if hi else '+'), shower & (near >= lo) & (near <= (hi or near.max())), wrong)
           for lo, hi in bins], cost)
    q = np.quantile(h.adc[track], [0, .2, .4, .6, .8, 1])
    table('Track hits by charge quintile (adc)',
          [(f'{q[i]:.0f}-{q[i + 1]:.0f}', track & (h.adc >= q[i]) & ((h.adc < q[i + 1]) | (i == 4)), wrong) for i in range(5)], cost)
    H, W = si.shape; rc = np.where(inside, si.pix_rc[np.maximum(px, 0)], -1); row, col = rc // W, rc % W
    edge = np.where(inside, np.minimum.reduce([row, H - 1 - row, col, W - 1 - col]) * geom.tile_cm / W, np.inf)
    table('Hits by distance to the nearest edge of their Pandora tile (cm)',
          [(f'{lo}-{hi}' if hi else f'{lo}+', (track | shower) & (edge >= lo) & (edge < (hi or np.inf)), wrong)
           for lo, hi in ((0, 2), (2, 5), (5, 10), (10, 20), (20, None))], cost)

if __name__ == '__main__': main()
