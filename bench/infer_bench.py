"""Per-event inference latency and achieved FLOP/s (issue 6).

On this machine's CPU (2 threads), in one run: the CPU's matmul peak (fp32 and bf16), then per-event
latency (three views, all populated 256x256 tiles, hits in -> per-hit probabilities out: imaging,
network, back-projection) median and p95 for the default U-Net and fastai's ResNet-34 U-Net, each in
fp32 and bf16, and the FLOP/s they achieve.
Usage: .venv/bin/python bench/infer_bench.py [--events 60]
"""
import argparse, time, warnings, statistics
import numpy as np, torch
from fastai.vision.learner import unet_learner
from fastai.vision.models import resnet34
from trackshower.sim.events import simulate
from trackshower.data import get_dls
from trackshower.images import TileGeometry, events_images
from trackshower.learner import get_learner, SegLoss
from trackshower.inference import predict
from trackshower.model import model_cost

def matmul_peak(dtype, n=2048, reps=5):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    t = time.perf_counter()
    for _ in range(reps): a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t)

class BF16(torch.nn.Module):
    "Run a model under CPU bf16 autocast with channels-last input"
    def __init__(self, m): super().__init__(); self.m = m.to(memory_format=torch.channels_last)
    def forward(self, x):
        with torch.autocast('cpu', dtype=torch.bfloat16): return self.m(x.contiguous(memory_format=torch.channels_last)).float()

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=60); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--events-resnet', type=int, default=12, help='events timed for the (slow) ResNet-34 U-Net')
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    torch.set_num_threads(a.threads)
    p32, p16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16)
    print(f'{a.threads} threads; matmul peak: fp32 {p32 / 1e9:.0f} GFLOP/s, bf16 {p16 / 1e9:.0f} GFLOP/s')
    evs = simulate(a.events, seed=50)
    si, _ = events_images(evs, TileGeometry())
    print(f'{a.events} simulated events: {evs.n_hits / a.events:.0f} hits and {si.n_images / a.events:.2f} populated tiles per event (3 views)')
    dls = get_dls(evs, views='UVW', bs=4, crop=128)
    ours = get_learner(dls, checkpoint=False, path='/tmp/trackshower_bench').model.eval()
    small = get_learner(dls, checkpoint=False, path='/tmp/trackshower_bench', nf=8).model.eval()
    rn = unet_learner(dls, resnet34, pretrained=False, n_in=1, n_out=3, loss_func=SegLoss(), path='/tmp/trackshower_bench').model.eval()
    norm = (dls.hit_config['mean'], dls.hit_config['std'])
    for name, m in (('ours', ours), ('ours nf=8', small), ('resnet34 unet', rn)):
        flops = model_cost(m, (1, 256, 256))['flops']
        for prec, mm in (('fp32', m), ('bf16', BF16(m))):
            lat = []
            predict(mm, evs[0:1], norm=norm, geom=TileGeometry())          # warm-up
            n_ev = min(a.events_resnet, len(evs)) if name.startswith('resnet') else len(evs)
            for e in range(n_ev):
                t = time.perf_counter(); predict(mm, evs[e:e + 1], norm=norm, geom=TileGeometry(), bs=16)
                lat.append(time.perf_counter() - t)
            lat = np.array(lat)
            n_tiles = sum(events_images(evs[e:e + 1], TileGeometry(), warn=False)[0].n_images for e in range(n_ev))
            rate = flops * n_tiles / lat.sum()
            peak = p32 if prec == 'fp32' else p16
            print(f'  {name:>14} {prec}: median {np.median(lat) * 1e3:6.0f} ms, p95 {np.quantile(lat, .95) * 1e3:6.0f} ms per event; '
                  f'{flops / 1e9:.2f} GFLOP/tile, {rate / 1e9:.0f} GFLOP/s = {rate / peak:.0%} of the {prec} matmul peak')

if __name__ == '__main__': main()
