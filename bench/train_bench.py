"""Training throughput and time to a fixed validation accuracy (issue 5).

In one run, on this machine's CPU: images/s of a training step of the default U-Net with each CPU
option (fp32, channels-last, bf16 autocast, both; 1 and 2 threads), the same for fastai's
`unet_learner` on a ResNet-34 body (pretrained=False), and the wall time each needs to reach a fixed
validation balanced accuracy on the same simulated data.
With --steps-only: just the training-step throughput of the package's network (the shipped model's
architecture) and of the default U-Net, with each CPU option, and whether this CPU has native bfloat16
(`learner.native_bf16`; without it bf16 autocast is emulated and `CPUSpeedup` leaves it off).
Usage: .venv/bin/python bench/train_bench.py [--events 300] [--target 0.85] [--budget 420] [--steps-only]
"""
import argparse, time, warnings, tempfile
import numpy as np, torch
from fastai.torch_core import set_seed
from fastai.vision.learner import unet_learner
from fastai.vision.models import resnet34
from trackshower.sim.events import simulate
from trackshower.data import get_dls
from trackshower.learner import get_learner, HitMetric, SegLoss, class_weights, CPUSpeedup, native_bf16
from trackshower.model import model_cost

def step_rate(model, loss_func, x, y, bf16, cl, threads, n=3):
    torch.set_num_threads(threads)
    model = model.train().to(memory_format=torch.channels_last if cl else torch.contiguous_format)
    x = x.contiguous(memory_format=torch.channels_last if cl else torch.contiguous_format)
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): out = model(x)
        loss = loss_func(out.float(), y); opt.zero_grad(); loss.backward(); opt.step()
    step()
    t = time.perf_counter()
    for _ in range(n): step()
    return n * len(x) / (time.perf_counter() - t)

def time_to_target(learn, target, budget, lr, epochs):
    "One one-cycle schedule of `epochs`; stop at the first epoch whose balanced accuracy >= target (or over budget)"
    from fastai.callback.core import Callback, CancelFitException
    hist, t0 = [], time.perf_counter()
    class Stop(Callback):
        order = 70
        def after_epoch(self):
            names = self.recorder.metric_names[1:-1]
            bal = dict(zip(names, self.recorder.log[1:len(names) + 1]))['balanced_acc']
            hist.append((round(time.perf_counter() - t0), round(float(bal), 3)))
            if bal >= target or time.perf_counter() - t0 > budget: raise CancelFitException()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr, cbs=Stop())
    return time.perf_counter() - t0, hist[-1][1], hist

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=300); ap.add_argument('--target', type=float, default=0.85)
    ap.add_argument('--budget', type=float, default=420., help='seconds of training per model at most')
    ap.add_argument('--epochs', type=int, default=8, help='length of the one-cycle schedule')
    ap.add_argument('--bs', type=int, default=16); ap.add_argument('--crop', type=int, default=128)
    ap.add_argument('--steps-only', action='store_true', help="only the step throughput (the package's network and the default U-Net)")
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    print(f'CPU capability {torch.backends.cpu.get_cpu_capability()}, native bfloat16: {native_bf16()}, torch {torch.__version__}')
    if a.steps_only: return steps_only(a)
    dls = get_dls(simulate(a.events, seed=40), views='UVW', bs=a.bs, crop=a.crop, seed=0)
    print(f"data: {a.events} simulated events, {len(dls.train_ds)} training / {len(dls.valid_ds)} validation tiles, "
          f"train crops {a.crop}x{a.crop}, validation on whole 256x256 tiles, bs {a.bs}")
    xb, yb = dls.one_batch(); x, y = xb.as_subclass(torch.Tensor), yb.as_subclass(torch.Tensor)
    loss = SegLoss(class_weights(dls.hit_config.class_counts))
    set_seed(0)
    ours = get_learner(dls, path=tempfile.mkdtemp(), checkpoint=False)
    c = model_cost(ours.model, (1, 256, 256))
    print(f"default U-Net: {c['params'] / 1e6:.2f} M parameters, {c['flops'] / 1e9:.2f} GFLOP per 256x256 tile (forward)")
    rn = unet_learner(dls, resnet34, pretrained=False, n_in=1, n_out=3, loss_func=loss, path=tempfile.mkdtemp(),
                      metrics=[HitMetric(k) for k in ('accuracy', 'track_eff', 'shower_eff', 'balanced_acc')])
    crn = model_cost(rn.model, (1, 256, 256))
    print(f"ResNet-34 U-Net: {crn['params'] / 1e6:.2f} M parameters, {crn['flops'] / 1e9:.2f} GFLOP per tile")
    print('\ntraining step throughput (images/s):')
    for name, m in (('ours', ours.model), ('resnet34 unet', rn.model)):
        for bf16, cl, th in ((False, False, 1), (False, False, 2), (False, True, 2), (True, False, 2), (True, True, 2)):
            r = step_rate(m, loss, x, y, bf16, cl, th)
            print(f"  {name:>14}  threads={th} channels_last={cl!s:5} bf16={bf16!s:5}: {r:7.1f}")
    torch.set_num_threads(2)
    print(f'\ntime to validation balanced accuracy >= {a.target} (2 threads, bf16 + channels-last, one-cycle epochs):')
    for name, learn, lr in (('ours', ours, 1e-2), ('resnet34 unet', rn, 1e-3)):
        set_seed(0)
        if name != 'ours': learn.add_cb(CPUSpeedup())
        dt, bal, hist = time_to_target(learn, a.target, a.budget, lr, a.epochs)
        status = 'reached' if bal >= a.target else 'NOT reached within budget'
        print(f"  {name:>14}: {status} after {dt:.0f} s (balanced accuracy {bal:.3f}); (s, bal) per epoch: {hist}")

def steps_only(a):
    "Step throughput of the package's network and the default U-Net on one batch of simulated crops"
    from trackshower.model import UNet
    from trackshower.pretrained import load
    dls = get_dls(simulate(max(a.events // 10, 20), seed=40), views='UVW', bs=a.bs, crop=a.crop, seed=0)
    xb, yb = dls.one_batch(); x, y = xb.as_subclass(torch.Tensor), yb.as_subclass(torch.Tensor)
    loss = SegLoss(class_weights(dls.hit_config.class_counts))
    print(f'training step throughput (images/s, batches of {len(x)} crops of {a.crop}x{a.crop}):')
    for name, cfg in (("package's network", load().model.config), ('default U-Net', dict(n_in=1, n_out=3))):
        for bf16 in (False, True):
            for cl in (False, True):
                set_seed(0); r = step_rate(UNet(**cfg), loss, x, y, bf16, cl, 2)
                print(f"  {name:>18}  threads=2 channels_last={cl!s:5} bf16={bf16!s:5}: {r:7.1f}", flush=True)

if __name__ == '__main__': main()
