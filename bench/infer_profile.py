"""Where inference time goes (issue 12): wall time per stage and the operators of the forward pass.

On simulated events of the default mix (written to Pandora CSVs first, so reading is real), for one
model: reading the CSVs, building the tile images, the float32 forward pass (batched like `predict`),
back-projection to hits, and writing the prediction CSVs; then `torch.profiler`'s top operators of the
forward pass; then the Pandora-like loop: a fresh process that `torch.jit.load`s the exported file and
runs one 256 x 256 tile at a time, float32, as LArContent does. Also prints the populated tiles per
event and the machine's float32 matmul peak measured in the same run. Run it alone: two torch jobs on
these 2 cores slow each other down many times over.

Usage: .venv/bin/python bench/infer_profile.py [--events 200] [--threads 2] [--nf 16] [--depth 4] [--charge minmax]
"""
import argparse, json, os, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np, torch

from infer_bench import matmul_peak, PANDORA_LOOP   # the same peak and the same Pandora-like loop as the benchmark

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--nf', type=int, default=16); ap.add_argument('--depth', type=int, default=4)
    ap.add_argument('--charge', default='minmax'); ap.add_argument('--seed', type=int, default=50)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from types import SimpleNamespace
    from trackshower.sim.events import simulate
    from trackshower.io import write_pandora_csv
    from trackshower.data import load_events
    from trackshower.images import TileGeometry, events_images, dense, back_project
    from trackshower.inference import predict, write_predictions_csv, pandora_probs
    from trackshower.model import UNet, model_cost
    from trackshower.export import export_pandora, PandoraModule
    peak = matmul_peak()
    torch.manual_seed(0)
    net = UNet(depth=a.depth, nf=a.nf, charge=a.charge).eval()
    wrapped = PandoraModule(net, 0.01, 0.05).eval()
    flops = model_cost(net)['flops']
    with tempfile.TemporaryDirectory() as d:
        evs = simulate(a.events, seed=a.seed)
        write_pandora_csv(evs, f'{d}/in')
        t = {}
        t0 = time.perf_counter(); ev = load_events(f'{d}/in'); t['read CSV'] = time.perf_counter() - t0
        t0 = time.perf_counter(); si, used = events_images(ev, TileGeometry(), 'UVW', warn=False); t['images'] = time.perf_counter() - t0
        offs = si.pixel_offsets(); H, W = si.shape
        t['forward'] = t['densify'] = 0.; outs = []
        with torch.inference_mode():
            wrapped(torch.zeros(1, 1, H, W))
            for i0 in range(0, si.n_images, 16):
                i1 = min(i0 + 16, si.n_images)
                t0 = time.perf_counter(); x = torch.from_numpy(dense(si, np.arange(i0, i1), offs, mask=False)[0]).view(i1 - i0, 1, H, W)
                t['densify'] += time.perf_counter() - t0
                t0 = time.perf_counter(); y = wrapped(x); t['forward'] += time.perf_counter() - t0
                lo, hi = offs[i0], offs[i1]
                outs.append(y.reshape(i1 - i0, 3, H * W)[torch.from_numpy(si.pix_image[lo:hi] - i0), :, torch.from_numpy(si.pix_rc[lo:hi])].numpy())
        t0 = time.perf_counter()
        p_pix = pandora_probs(np.concatenate(outs))[0]
        p = np.full(ev.n_hits, np.nan); ok = si.hit_pixel >= 0; p[used[ok]] = p_pix[si.hit_pixel[ok]]
        t['back-project'] = time.perf_counter() - t0
        from trackshower.inference import HitPredictions
        t0 = time.perf_counter(); write_predictions_csv(ev, HitPredictions(p, 1 - p), f'{d}/out'); t['write CSV'] = time.perf_counter() - t0
        n_tiles = np.bincount(si.image_group // 3, minlength=len(ev))
        total = sum(t.values())
        print(f'{a.threads} threads; fp32 matmul peak {peak / 1e9:.0f} GFLOP/s; UNet(depth={a.depth}, nf={a.nf}, charge={a.charge}): '
              f'{flops / 1e9:.2f} GFLOP/tile')
        print(f'{len(ev)} events, {ev.n_hits / len(ev):.0f} hits and {n_tiles.mean():.2f} populated tiles per event '
              f'(median {np.median(n_tiles):.0f}, p90 {np.quantile(n_tiles, .9):.0f}, max {n_tiles.max()})')
        print(f'stages (ms per event): ' + ', '.join(f'{k} {v / len(ev) * 1e3:.1f}' for k, v in t.items()) + f'; total {total / len(ev) * 1e3:.1f}')
        print(f'forward: {flops * si.n_images / t["forward"] / 1e9:.0f} GFLOP/s = {flops * si.n_images / t["forward"] / peak:.0%} of the fp32 peak')
        # operators of the forward pass
        from torch.profiler import profile, ProfilerActivity
        x = torch.from_numpy(dense(si, np.arange(min(16, si.n_images)), offs, mask=False)[0]).view(-1, 1, H, W)
        with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU]) as prof: wrapped(x)
        print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=8))
        # per-event latency: our predict, and Pandora's loop on the exported file in a fresh process
        lat = []
        for e in range(len(ev)):
            t0 = time.perf_counter(); predict(wrapped, ev[e:e + 1], norm=None, geom=TileGeometry()); lat.append(time.perf_counter() - t0)
        paths = export_pandora(SimpleNamespace(model=net, hit_config=dict(mean=0.01, std=0.05, views='UVW')), f'{d}/ts', views='W')
        tiles = dense(si, None, offs, mask=False)[0][:, None]
        np.savez(f'{d}/tiles.npz', tiles=tiles, event_of=si.image_group // 3)
        r = subprocess.run([sys.executable, '-c', PANDORA_LOOP, str(paths['W']), f'{d}/tiles.npz', str(a.threads)],
                           capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr[-2000:])
        plat = np.array(json.loads(r.stdout.strip().splitlines()[-1]))
        print(f'per event, float32: our predict median {np.median(lat) * 1e3:.0f} ms (p95 {np.quantile(lat, .95) * 1e3:.0f}); '
              f'Pandora-like loop (fresh process, jit.load, one tile at a time) median {np.median(plat) * 1e3:.0f} ms '
              f'(p95 {np.quantile(plat, .95) * 1e3:.0f})')

if __name__ == '__main__': main()
