"""Pandora's loop over the exported files, dense (`torch.jit.trace`) against sparse (`SparseUNet`), per tile occupancy.

Exports the package's model both ways, builds Pandora's min-max tiles of `--events` simulated events of the default mix
(seed 50, as bench/infer_bench.py), then in a fresh process at `--threads` threads (1: as LArContent runs) loads both
files with `torch.jit.load` and runs every tile through each, one tile at a time, the two files taken in turn on each
tile (machine noise hits both alike). Prints, per decile of the tiles' hit-pixel count: its range, milliseconds per
tile (median) for dense and sparse, and their ratio; then per event (the sum over its tiles, what Pandora's loop pays
for an event): median and 95th percentile, and the largest difference of p_track between the files at any hit pixel.
Run it alone.

Usage: .venv/bin/python bench/export_bench.py [--events 200] [--threads 1] [--seed 50]
"""
import argparse, json, subprocess, sys, tempfile, warnings
from pathlib import Path
import numpy as np

LOOP = r'''
import sys, json, time, numpy as np, torch, warnings
warnings.simplefilter('ignore')
torch.set_num_threads(int(sys.argv[3]))
d = np.load(sys.argv[1]); offs, rc, val = d['offs'], d['rc'], d['val']
ms = {k: torch.jit.load(p) for k, p in json.loads(sys.argv[2]).items()}
for m in ms.values(): m.eval()
lat = {k: [] for k in ms}; p = {k: [] for k in ms}
with torch.no_grad():
    for i in range(len(offs) - 1):
        x = torch.zeros(1, 1, 256 * 256); k = torch.from_numpy(rc[offs[i]:offs[i + 1]])
        x[0, 0, k] = torch.from_numpy(val[offs[i]:offs[i + 1]]); x = x.view(1, 1, 256, 256)
        if i == 0:
            for m in ms.values(): m(x)                       # warm-up
        for name, m in ms.items():
            t = time.perf_counter(); o = m(x); lat[name].append(time.perf_counter() - t)
            o = o.view(3, -1)[:, k].double(); p[name].append(torch.sigmoid(o[2] - o[1]).numpy())
np.savez(sys.argv[4], **{f'lat_{k}': np.array(v) for k, v in lat.items()}, **{f'p_{k}': np.concatenate(v) for k, v in p.items()})
'''

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=50)
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    from trackshower.sim.events import simulate
    from trackshower.images import TileGeometry, events_images
    from trackshower.export import export_pandora
    from trackshower.pretrained import load
    ev = simulate(a.events, seed=a.seed, progress=False)
    si, _ = events_images(ev, TileGeometry(), 'UVW', warn=False)
    offs = si.pixel_offsets(); n_hit = np.diff(offs); event_of = si.image_group // 3
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); pm = load()
        files = {k: str(export_pandora(pm, d / k, views='W', sparse=k == 'sparse')['W']) for k in ('dense', 'sparse')}
        np.savez(d / 'tiles.npz', offs=offs, rc=si.pix_rc.astype(np.int64), val=si.value.astype(np.float32))
        r = subprocess.run([sys.executable, '-c', LOOP, str(d / 'tiles.npz'), json.dumps(files), str(a.threads), str(d / 'out.npz')],
                           capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr[-3000:])
        o = dict(np.load(d / 'out.npz'))
    dense, sparse = o['lat_dense'] * 1e3, o['lat_sparse'] * 1e3
    print(f'{len(ev)} events of the default mix (seed {a.seed}): {si.n_images} tiles, {a.threads} thread(s), the package model '
          f'({pm.model.config}); ms per tile, median')
    print(f"{'decile':>6s} {'hit pixels':>12s} {'tiles':>6s} {'dense':>8s} {'sparse':>8s} {'dense/sparse':>13s}")
    edges = np.quantile(n_hit, np.linspace(0, 1, 11))
    for k in range(10):
        sel = (n_hit >= edges[k]) & ((n_hit < edges[k + 1]) if k < 9 else (n_hit <= edges[k + 1]))
        if not sel.any(): continue
        dm, sm = np.median(dense[sel]), np.median(sparse[sel])
        print(f'{k + 1:6d} {int(n_hit[sel].min()):5d}-{int(n_hit[sel].max()):<6d} {int(sel.sum()):6d} {dm:8.2f} {sm:8.2f} {dm / sm:13.2f}')
    per_ev = lambda lat: np.bincount(event_of, lat, minlength=len(ev))[np.bincount(event_of, minlength=len(ev)) > 0]
    q = lambda x: f'median {np.median(x):6.1f} ms, p95 {np.quantile(x, .95):6.1f} ms'
    print(f'per event (the sum over its tiles): dense {q(per_ev(dense))}; sparse {q(per_ev(sparse))}; '
          f'{np.median(per_ev(dense)) / np.median(per_ev(sparse)):.2f}x')
    print(f"largest |p_track(sparse) - p_track(dense)| over {len(o['p_dense'])} hit pixels: {np.abs(o['p_sparse'] - o['p_dense']).max():.2e}")

if __name__ == '__main__': main()
