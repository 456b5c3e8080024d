"""Where inference time goes (issue 12): wall time per stage, before and after, and the forward pass's operators.

On simulated events of the default mix (written to Pandora CSVs first, so reading is real), for the
package's model (or a random U-Net of the given size with --random): reading the CSVs, building the tile
images, densifying, the float32 forward pass, back-projection to hits and writing the prediction CSVs.
The forward stage is timed two ways on the same tiles:
  before - whole 256 x 256 tiles in batches of 16, contiguous memory (what `predict` did);
  windows - each tile on its exact receptive-field window, one at a time, channels-last (commit 33b8404);
  hits   - tiles computed only where their hits reach and their outputs read, 16 per call (`HitUNet`, what it does now;
           the points' bookkeeping is also timed on its own).
Then `torch.profiler`'s top operators of each. Also prints the populated tiles per event, the windows'
share of a tile, and the machine's float32 matmul peak measured in the same run. Run it alone: two torch
jobs on these 2 cores slow each other down many times over. Per-event latency side by side, and the
Pandora-like loop, are in `bench/infer_bench.py`.

Usage: .venv/bin/python bench/infer_profile.py [--events 200] [--threads 2] [--random --nf 8 --depth 4]
"""
import argparse, copy, tempfile, time, warnings
import numpy as np, torch
from infer_bench import matmul_peak   # the same peak as the benchmark

def forward_stage(model, si, windows, channels_last:bool)->tuple:
    "Densify and forward every image of `si` (whole images in batches of 16 if `windows` is None): (densify s, forward s, outputs at hits)"
    from trackshower.images import dense
    offs, (H, W) = si.pixel_offsets(), si.shape
    t_d = t_f = 0.; outs = []
    steps = range(si.n_images) if windows is not None else range(0, si.n_images, 16)
    with torch.inference_mode():
        for i0 in steps:
            i1 = i0 + 1 if windows is not None else min(i0 + 16, si.n_images)
            win = windows[i0] if windows is not None else (0, H, 0, W)
            h, w = win[1] - win[0], win[3] - win[2]
            t0 = time.perf_counter()
            x = torch.from_numpy(dense(si, np.arange(i0, i1), offs, mask=False, window=win)[0]).view(i1 - i0, 1, h, w)
            if channels_last: x = x.contiguous(memory_format=torch.channels_last)
            t1 = time.perf_counter(); y = model(x); t2 = time.perf_counter()
            t_d += t1 - t0; t_f += t2 - t1
            lo, hi = offs[i0], offs[i1]
            rc = si.pix_rc[lo:hi]; r, c = rc // W - win[0], rc % W - win[2]
            outs.append(y.reshape(i1 - i0, 3, h * w)[torch.from_numpy(si.pix_image[lo:hi] - i0), :, torch.from_numpy(r * w + c)].numpy())
    return t_d, t_f, np.concatenate(outs)

def hit_stage(model, si)->tuple:
    "Every image of `si` through `HitUNet`, 16 at a time as `predict` does: (forward s, of which the points' bookkeeping s, outputs at hits)"
    from trackshower.inference import _hit_unet, _sparse_outputs
    offs, (H, W) = si.pixel_offsets(), si.shape
    hn = _hit_unet(model, model.model, None, (H, W))
    outs, t_f = [], 0.
    with torch.inference_mode():
        for i in range(0, si.n_images, 16):
            lo, hi = offs[i], offs[min(i + 16, si.n_images)]
            t0 = time.perf_counter()
            outs.append(_sparse_outputs(model, model.model, hn, si.value[lo:hi], None, si.pix_rc[lo:hi] // W, si.pix_rc[lo:hi] % W, si.pix_image[lo:hi] - i))
            t_f += time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(0, si.n_images, 16):
        lo, hi = offs[i], offs[min(i + 16, si.n_images)]
        hn.points(si.pix_image[lo:hi] - i, si.pix_rc[lo:hi] // W, si.pix_rc[lo:hi] % W)
    return t_f, time.perf_counter() - t0, np.concatenate(outs)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--random', action='store_true', help='a random U-Net instead of the package model')
    ap.add_argument('--nf', type=int, default=8); ap.add_argument('--depth', type=int, default=4)
    ap.add_argument('--seed', type=int, default=50)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from trackshower.sim.events import simulate
    from trackshower.io import write_pandora_csv
    from trackshower.data import load_events
    from trackshower.images import TileGeometry, events_images, dense
    from trackshower.inference import write_predictions_csv, pandora_probs, HitPredictions, exact_window, unet_receptive_field
    from trackshower.model import UNet, model_cost
    from trackshower.export import PandoraModule
    from trackshower.pretrained import load
    peak = matmul_peak()
    if a.random: torch.manual_seed(0); net, mean, std, what = UNet(depth=a.depth, nf=a.nf).eval(), 0.01, 0.05, f'random UNet(depth={a.depth}, nf={a.nf})'
    else: pm = load(); net, mean, std, what = pm.model, pm.hit_config.mean, pm.hit_config.std, repr(pm)
    before = PandoraModule(copy.deepcopy(net), mean, std).eval()
    after = PandoraModule(copy.deepcopy(net), mean, std).eval().to(memory_format=torch.channels_last)
    flops = model_cost(net)['flops']
    with tempfile.TemporaryDirectory() as d:
        evs = simulate(a.events, seed=a.seed)
        write_pandora_csv(evs, f'{d}/in')
        t = {}
        t0 = time.perf_counter(); ev = load_events(f'{d}/in'); t['read CSV'] = time.perf_counter() - t0
        t0 = time.perf_counter(); si, used = events_images(ev, TileGeometry(), 'UVW', warn=False); t['images'] = time.perf_counter() - t0
        offs, (H, W) = si.pixel_offsets(), si.shape
        field, m = unet_receptive_field(net.depth, net.config['res'], net.config.get('refine', 0)), 2 ** net.depth
        t0 = time.perf_counter()
        wins = [exact_window(si.pix_rc[offs[i]:offs[i + 1]] // W, si.pix_rc[offs[i]:offs[i + 1]] % W, (H, W), field, m) for i in range(si.n_images)]
        if net.config.get('context'): wins = [(0, H, 0, W)] * si.n_images    # tile-wide context: no smaller window is exact
        t_win = time.perf_counter() - t0
        area = np.array([(w[1] - w[0]) * (w[3] - w[2]) / (H * W) for w in wins])
        with torch.inference_mode(): before(torch.zeros(1, 1, H, W)); after(torch.zeros(1, 1, H, W).contiguous(memory_format=torch.channels_last))
        d_b, f_b, out_b = forward_stage(before, si, None, False)
        d_a, f_a, out_a = forward_stage(after, si, wins, True)
        f_h, f_pts, out_h = hit_stage(after, si)
        t0 = time.perf_counter()
        p_pix = pandora_probs(out_h)[0]
        p = np.full(ev.n_hits, np.nan); ok = si.hit_pixel >= 0; p[used[ok]] = p_pix[si.hit_pixel[ok]]
        t['back-project'] = time.perf_counter() - t0
        t0 = time.perf_counter(); write_predictions_csv(ev, HitPredictions(p, 1 - p), f'{d}/out'); t['write CSV'] = time.perf_counter() - t0
        n_tiles = np.bincount(si.image_group // 3, minlength=len(ev))
        ms = lambda s: f'{s / len(ev) * 1e3:.1f}'
        print(f'{a.threads} threads; fp32 matmul peak {peak / 1e9:.0f} GFLOP/s; {what}: {flops / 1e9:.2f} GFLOP per whole tile')
        print(f'{len(ev)} events, {ev.n_hits / len(ev):.0f} hits and {n_tiles.mean():.2f} populated tiles per event '
              f'(median {np.median(n_tiles):.0f}, p90 {np.quantile(n_tiles, .9):.0f}, max {n_tiles.max()}); windows {area.mean():.0%} of a tile')
        common = ', '.join(f'{k} {ms(v)}' for k, v in t.items())
        print(f'stages, ms per event ({common}):')
        print(f'  before: densify {ms(d_b)}, forward {ms(f_b)} (whole tiles, batches of 16); total {ms(sum(t.values()) + d_b + f_b)}')
        print(f'  windows: windows {ms(t_win)}, densify {ms(d_a)}, forward {ms(f_a)} (exact windows, channels-last); total {ms(sum(t.values()) + t_win + d_a + f_a)}')
        print(f'  hits:   forward {ms(f_h)} (HitUNet, 16 tiles per call, of which the points {ms(f_pts)}); total {ms(sum(t.values()) + f_h)}')
        print(f'  forward rate: before {flops * si.n_images / f_b / 1e9:.0f} GFLOP/s ({flops * si.n_images / f_b / peak:.0%} of peak); '
              f'after {flops * area.sum() / f_a / 1e9:.0f} GFLOP/s of window work')
        diff = np.abs(pandora_probs(out_a)[0] - pandora_probs(out_b)[0]).max(); dh = np.abs(pandora_probs(out_h)[0] - pandora_probs(out_b)[0]).max()
        print(f'  largest |p_track difference| at the {len(out_a)} hit pixels vs before: windows {diff:.1e}, hits {dh:.1e}')
        from torch.profiler import profile, ProfilerActivity
        for name, mod, x in (('before: 16 whole tiles', before, torch.from_numpy(dense(si, np.arange(min(16, si.n_images)), offs, mask=False)[0]).view(-1, 1, H, W)),
                             ('windows: their 16 windows', after, None), ('hits: the same 16 tiles through HitUNet', after, 'hits')):
            with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU]) as prof:
                if isinstance(x, torch.Tensor): mod(x)
                elif x == 'hits':
                    n16 = min(16, si.n_images)
                    hn = __import__('trackshower.inference', fromlist=['_hit_unet'])._hit_unet(mod, mod.model, None, (H, W))
                    lo, hi = 0, offs[n16]
                    hn(si.pix_rc[lo:hi] // W, si.pix_rc[lo:hi] % W, mod.pre(torch.from_numpy(si.value[lo:hi].astype(np.float32))), si.pix_image[lo:hi])
                else:
                    for i in range(min(16, si.n_images)):
                        w = wins[i]; img = dense(si, [i], offs, mask=False, window=w)[0]
                        mod(torch.from_numpy(img).view(1, 1, *img.shape[1:]).contiguous(memory_format=torch.channels_last))
            print(f'\n{name}:\n' + prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=8))

if __name__ == '__main__': main()
