"""Per-event inference latency, float32, for the package's model (issue 12): before and after, side by side.

In one run on this machine's CPU: the float32 matmul peak; the populated Pandora tiles per event and the
share of each tile `predict` computes (its `exact_window`); then, per event (hits in -> per-hit
probabilities out: imaging, network, back-projection), taking the ways in turn on each event so that
machine noise hits them alike:
  before  - the exported (dense) TorchScript files through `predict_views`, whole tiles in batches of 16
            (what `trackshower_predict` / `trackshower_evaluate` ran until this change);
  full    - the eager model on whole tiles, channels-last (the windows switched off);
  windows - `load_models`' eager twins of the same files, each tile computed on its exact window,
            the decoder on the hits' box (what the commands ran from commit 33b8404);
  after   - the same twins, each tile computed only where its hits need it (`HitUNet`: points at the
            full and half resolution levels, rectangles below; what the commands run now);
then the Pandora-like loop: a fresh process that `torch.jit.load`s the exported W files, dense (traced) and sparse
(`SparseUNet`, scripted), and runs one 256 x 256 tile at a time through each, float32, as LArContent does. Prints median and 95th percentile per event, the
largest difference of any hit's probability between before and after, and (with --evaluate N) the wall
time of `trackshower_evaluate` on N events in a fresh process. Run it alone.

Usage: .venv/bin/python bench/infer_bench.py [--events 200] [--threads 2] [--evaluate 400]
"""
import argparse, json, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np, torch

PANDORA_LOOP = r'''
import sys, time, json, numpy as np, torch, warnings
warnings.simplefilter('ignore')
torch.set_num_threads(int(sys.argv[3]))
ms = [torch.jit.load(f) for f in sys.argv[1].split(',')]
for m in ms: m.eval()
d = np.load(sys.argv[2])
tiles, event_of = d['tiles'], d['event_of']
lat = [[] for _ in ms]
with torch.no_grad():
    for m in ms: m(torch.from_numpy(tiles[:1]))           # warm-up
    for e in np.unique(event_of):                          # the files in turn on each event
        for m, l in zip(ms, lat):
            t = time.perf_counter()
            for i in np.flatnonzero(event_of == e): m(torch.from_numpy(tiles[i:i + 1]))
            l.append(time.perf_counter() - t)
print(json.dumps(lat))
'''

def matmul_peak(n=2048, reps=5):
    a, b = torch.randn(n, n), torch.randn(n, n); a @ b
    t = time.perf_counter()
    for _ in range(reps): a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t)

def q(lat): return f'median {np.median(lat) * 1e3:6.1f} ms, p95 {np.quantile(lat, .95) * 1e3:6.1f} ms'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=50)
    ap.add_argument('--evaluate', type=int, default=400, help='events for the trackshower_evaluate timing (0: skip)')
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from trackshower.sim.events import simulate
    from trackshower.images import TileGeometry, events_images
    from trackshower.inference import predict, predict_views, exact_window, unet_receptive_field
    from trackshower.export import export_pandora, load_models, load_exported, PandoraModule
    from trackshower.pretrained import load
    from trackshower.model import model_cost
    from trackshower.io import write_root
    pm = load()
    net = pm.model
    flops = model_cost(net)['flops']
    peak = matmul_peak()
    print(f"{a.threads} threads; float32 matmul peak {peak / 1e9:.0f} GFLOP/s; model: {pm!r}; {flops / 1e9:.2f} GFLOP per 256x256 tile")
    ev = simulate(a.events, seed=a.seed, progress=False)
    si, _ = events_images(ev, TileGeometry(), 'UVW', warn=False)
    n_tiles = np.bincount(si.image_group // 3, minlength=len(ev))
    field, m = unet_receptive_field(net.depth, net.config['res'], net.config.get('refine', 0)), 2 ** net.depth
    offs, (H, W) = si.pixel_offsets(), si.shape
    area = []
    for i in range(si.n_images):
        rc = si.pix_rc[offs[i]:offs[i + 1]]; r0, r1, c0, c1 = exact_window(rc // W, rc % W, (H, W), field, m)
        area.append((r1 - r0) * (c1 - c0) / (H * W))
    print(f'{len(ev)} events of the default mix (seed {a.seed}): {ev.n_hits / len(ev):.0f} hits and {n_tiles.mean():.2f} populated '
          f'tiles per event (median {np.median(n_tiles):.0f}, p90 {np.quantile(n_tiles, .9):.0f}, max {n_tiles.max()}); receptive field '
          f'{field[0]} px before, {field[1]} after; windows are {np.mean(area):.0%} of a tile on average ({np.mean(np.array(area) == 1):.0%} whole tiles)'
          + (' (unused: a network with tile-wide context runs on whole tiles)' if net.config.get('context') else ''))
    with tempfile.TemporaryDirectory() as d:
        export_pandora(pm, f'{d}/ts', sparse=False); export_pandora(pm, f'{d}/sp', views='W', sparse=True)
        before = {v: load_exported(f'{d}/ts_{v}.pt') for v in 'UVW'}
        after, _ = load_models(f'{d}/ts', 'UVW')
        assert all(isinstance(x, PandoraModule) for x in after.values())
        full = PandoraModule(net, pm.hit_config.mean, pm.hit_config.std).eval()
        ways = dict(before=lambda e: predict_views(before, e),
                    full=lambda e: predict(full, e, norm=None, geom=TileGeometry(), crop=False),
                    windows=lambda e: predict(after['W'], e, views='UVW', norm=None, geom=TileGeometry(), sparse=False),
                    after=lambda e: predict_views(after, e))
        assert after['U'] is after['W'] is after['V']            # one model for the three views: one pass
        lat = {k: [] for k in ways}; diff = dwin = 0.
        for f in ways.values(): f(ev[0:1])                       # warm-up
        for e in range(len(ev)):
            one = ev[e:e + 1]; got = {}
            for k, f in ways.items():
                t = time.perf_counter(); got[k] = f(one).p_track; lat[k].append(time.perf_counter() - t)
            diff = max(diff, float(np.nanmax(np.abs(got['before'] - got['after']))))
            dwin = max(dwin, float(np.nanmax(np.abs(got['windows'] - got['after']))))
        from trackshower.images import dense
        np.savez(f'{d}/tiles.npz', tiles=dense(si, None, offs, mask=False)[0][:, None], event_of=si.image_group // 3)
        r = subprocess.run([sys.executable, '-c', PANDORA_LOOP, f'{d}/ts_W.pt,{d}/sp_W.pt', f'{d}/tiles.npz', str(a.threads)], capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr[-2000:])
        plat, slat = map(np.array, json.loads(r.stdout.strip().splitlines()[-1]))
        print(f'per event, float32, {a.threads} threads ({len(ev)} events, the ways taken in turn on each event):')
        print(f'  before (TorchScript, whole tiles)       {q(lat["before"])}')
        print(f'  full   (eager, channels-last, whole)    {q(lat["full"])}')
        print(f'  windows (eager twin, exact windows)     {q(lat["windows"])}')
        print(f'  after  (eager twin, HitUNet)            {q(lat["after"])}   <- trackshower_predict / evaluate')
        print(f'  Pandora-like loop, dense export  (fresh process, jit.load, one tile at a time) {q(plat)}')
        print(f'  Pandora-like loop, sparse export (the same process, the files in turn)        {q(slat)}   <- export_pandora default')
        print(f'  speed-up before -> after: {np.median(lat["before"]) / np.median(lat["after"]):.2f}x (medians); '
              f'windows -> after: {np.median(lat["windows"]) / np.median(lat["after"]):.2f}x; '
              f'largest |p_track difference| over {ev.n_hits} hits: before vs after {diff:.2e}, windows vs after {dwin:.2e}')
        if a.evaluate:
            evs = simulate(a.evaluate, seed=a.seed + 1, progress=False); write_root(evs, f'{d}/eval.root')
            exe = Path(sys.executable).parent / 'trackshower_evaluate'
            t = time.perf_counter()
            r = subprocess.run([str(exe), '--model', f'{d}/ts', '--data', f'{d}/eval.root', '--out', f'{d}/evaluation'], capture_output=True, text=True)
            if r.returncode: sys.exit(r.stderr[-2000:])
            print(f'trackshower_evaluate on {a.evaluate} events (fresh process, reading ROOT, all three views, writing outputs): '
                  f'{time.perf_counter() - t:.1f} s')

if __name__ == '__main__': main()
