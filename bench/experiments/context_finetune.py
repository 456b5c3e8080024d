"""Experiment (not run by `make bench`: about an hour of training): does the package's network gain from two
additions that leave its outputs unchanged at the start, fine-tuned on fresh simulated events?

- ctx: at the bottom of the U, the features plus a 1x1 convolution of their maximum over the tile (zero-initialised),
  so every pixel sees what the whole tile holds (a long muon, a shower elsewhere);
- refine: a residual [Conv2d 3x3 -> 16, ReLU, BatchNorm][Conv2d 3x3] block at full resolution before the head
  (its last convolution zero-initialised): more capacity where delta rays leave tracks.

Trains with fastai (`get_learner(dls, pretrained=True)`, 128-pixel crops, one-cycle), then scores the network on
fresh events with Pandora's tiles and decision (whole-tile forward passes: `HitUNet` knows only the plain `UNet`),
and on the first evaluation seed also the package's network through the same path.

Usage: .venv/bin/python bench/experiments/context_finetune.py --events 8000 --epochs 4 --lr 1.5e-3 --seed 25 --out runs/ctx/both
"""
import argparse, json, os, time, warnings
import numpy as np, torch, torch.nn as nn

def build(parts:str):
    from trackshower.model import UNet, conv_relu_bn
    class CtxUNet(UNet):
        "`UNet` with the optional global-context and full-resolution refinement additions"
        def __init__(self, *a, ctx=True, refine=True, **k):
            super().__init__(*a, **k)
            C, nf = self.down[-1].convs[-1][0].out_channels, self.head.in_channels
            self.use_ctx, self.use_refine = ctx, refine
            self.ctx = nn.Conv2d(C, C, 1); nn.init.zeros_(self.ctx.weight); nn.init.zeros_(self.ctx.bias)
            self.refine = nn.Sequential(conv_relu_bn(nf, 16), nn.Conv2d(16, nf, 3, padding=1))
            nn.init.kaiming_normal_(self.refine[0][0].weight, nonlinearity='relu'); nn.init.zeros_(self.refine[0][0].bias)
            nn.init.zeros_(self.refine[1].weight); nn.init.zeros_(self.refine[1].bias)
        def forward(self, x):
            x = self.stem(x); skips = []
            for blk in self.down: x = blk(x); skips.append(x)
            x = skips.pop()
            if self.use_ctx: x = x + self.ctx(x.amax(dim=(-2, -1), keepdim=True))
            for blk in self.up: x = blk(x, skips.pop())
            if self.use_refine: x = x + self.refine(x)
            return self.head(x)
    return lambda cfg: CtxUNet(**cfg, ctx=parts in ('ctx', 'both'), refine=parts in ('refine', 'both'))

def score(ev, pred)->dict:
    "Balanced per-hit accuracy (Pandora's decision), track/shower efficiency and per view"
    from trackshower.core import HitClass, is_track
    h = ev.hits; ok = ~np.isnan(pred.p_track)
    track, shower = (h.tag == HitClass.TRACK) & ok, (h.tag == HitClass.SHOWER) & ok
    call = is_track(pred.p_shower, pred.p_track) & ok
    bal = lambda m: ((track & m & call).sum() / (track & m).sum() + (shower & m & ~call).sum() / (shower & m).sum()) / 2
    out = dict(balanced=bal(ok), track=(track & call).sum() / track.sum(), shower=(shower & ~call).sum() / shower.sum())
    out.update({v: bal(h.view == i) for i, v in enumerate('UVW') if (track & (h.view == i)).any()})
    return {k: round(float(v), 4) for k, v in out.items()}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=8000, help='fresh events to fine-tune on')
    ap.add_argument('--epochs', type=int, default=4); ap.add_argument('--lr', type=float, default=1.5e-3)
    ap.add_argument('--seed', type=int, default=25, help='of the training events and the split')
    ap.add_argument('--out', required=True, help='run directory (checkpoints, final_state.pth)')
    ap.add_argument('--parts', choices=('ctx', 'refine', 'both'), default='both')
    ap.add_argument('--init', default='', help="a final_state.pth of an earlier run of this script to continue from")
    ap.add_argument('--eval', default='556:800,558:1000', help='SEED:EVENTS,... of the fresh evaluation sets')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    from fastai.torch_core import params
    from trackshower.learner import get_learner
    from trackshower.data import get_dls
    from trackshower.sim.events import simulate
    from trackshower.distributed import simulate_parallel
    from trackshower.inference import predict
    from trackshower.pretrained import load
    t0 = time.time(); ev = simulate_parallel(a.events, a.seed, workers=a.threads)
    print(f'simulated {a.events} events in {time.time() - t0:.0f} s', flush=True)
    dls = get_dls(ev, views='UVW', bs=16, crop=128, valid_pct=0.05, seed=a.seed)
    learn = get_learner(dls, pretrained=True, path=a.out, checkpoint=True)
    net = build(a.parts)(learn.model.config)
    print('added:', net.load_state_dict(learn.model.state_dict(), strict=False).missing_keys, flush=True)
    if a.init: net.load_state_dict(torch.load(a.init, weights_only=True)); print('continuing from', a.init, flush=True)
    learn.model = net
    learn.splitter = lambda m: [params(m.down) + params(m.ctx), params(m.up) + params(m.refine), params(m.head)]
    learn.fit_one_cycle(a.epochs, a.lr)
    print(f'trained in {time.time() - t0:.0f} s', flush=True)
    learn.model.float().eval(); os.makedirs(a.out, exist_ok=True)
    torch.save(learn.model.state_dict(), os.path.join(a.out, 'final_state.pth'))
    for i, item in enumerate(a.eval.split(',')):
        s, n = map(int, item.split(':')); fresh = simulate(n, seed=s, progress=False)
        print(f'seed {s} ({n} events) this network: {json.dumps(score(fresh, predict(learn, fresh, crop=False)))}', flush=True)
        if i == 0: print(f'seed {s} ({n} events) package network: {json.dumps(score(fresh, predict(load(), fresh, crop=False)))}', flush=True)

if __name__ == '__main__': main()
