"""Image building, back-projection and DataLoader throughput (issue 4).

Prints hits/s for hits -> sparse images (each geometry) and for back-projection on one core, and the
DataLoader's batches/s next to training steps/s of the default model on 2 cores, all in one run.
Usage: .venv/bin/python bench/images_bench.py [--events 2000]
"""
import argparse, time, warnings
import numpy as np, torch
from trackshower.core import Events, Hits
from trackshower.sim.events import simulate
from trackshower.images import TileGeometry, FullExtentGeometry, CropGeometry, events_images, back_project
from trackshower.data import get_dls
from trackshower.learner import get_learner

def best_of(f, n=3):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t)
    return min(ts), r

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=2000, help='events (100 simulated ones repeated)')
    ap.add_argument('--batches', type=int, default=30, help='DataLoader batches to time')
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    torch.set_num_threads(1)
    base = simulate(100, seed=7)
    evs = Events.from_list([Hits(**base[i % 100].columns(), event=i) for i in range(a.events)])
    print(f'{evs} ({evs.n_hits / a.events:.0f} hits per event), 1 thread')
    for g in (TileGeometry(), FullExtentGeometry(), CropGeometry()):
        dt, (si, used) = best_of(lambda: events_images(evs, g, warn=False))
        H, W = g.shape
        hp = np.maximum(si.hit_pixel, 0)
        pix = np.where(si.hit_pixel >= 0, si.pix_image[hp] * H * W + si.pix_rc[hp], -1)
        n_img = min(si.n_images, 400)          # a probability stack for the first 400 images
        probs = np.random.default_rng(0).random((n_img, 3, H, W), dtype=np.float32)
        pix = np.where(pix < n_img * H * W, pix, -1)
        db, _ = best_of(lambda: back_project(probs, pix))
        print(f'{type(g).__name__:>18}: hits->images {len(used) / dt:.3g} hits/s ({si.n_images} images, '
              f'{si.n_outside} hits outside); back-projection {len(pix) / db:.3g} hits/s')
    # DataLoader vs training, the configuration trackshower_train uses
    dls = get_dls(evs[:400], views='UVW', bs=48, crop=128)
    it = iter(dls.train)
    next(it)
    t = time.perf_counter(); n = 0
    for _ in range(a.batches):
        try: next(it); n += 1
        except StopIteration: it = iter(dls.train)
    dl_rate = n / (time.perf_counter() - t)
    torch.set_num_threads(2)
    learn = get_learner(dls, path='/tmp/trackshower_bench', checkpoint=False)
    xb, yb = dls.one_batch()
    learn.model.train()
    from trackshower.learner import CPUSpeedup
    opt = torch.optim.Adam(learn.model.parameters(), 1e-3)
    model = learn.model.to(memory_format=torch.channels_last)
    x = xb.as_subclass(torch.Tensor).contiguous(memory_format=torch.channels_last); y = yb.as_subclass(torch.Tensor)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16): out = model(x)
        loss = learn.loss_func(out.float(), y); opt.zero_grad(); loss.backward(); opt.step()
    step()
    dt, _ = best_of(lambda: [step() for _ in range(2)], 1)
    tr_rate = 2 / dt
    print(f'DataLoader (1 process, bs 48, 128x128 crops, augmentation on): {dl_rate:.2f} batches/s; '
          f'training the default U-Net on the same batches (2 threads, bf16, channels-last): {tr_rate:.3f} steps/s '
          f'-> the loader is {dl_rate / tr_rate:.0f}x faster than training')

if __name__ == '__main__': main()
