"""Experiment (not run by `make bench`: an hour or more of training): does the package's network gain from a fifth level
grown below its bottom, fine-tuned on simulated events?

Depth 5 trained from scratch led depth 4 by 0.1-0.15 point in earlier sessions (08b), but training the package's
network again at depth 5 takes many hours in float32 here. This script instead grows the trained network with a
residual branch below its bottom that leaves its outputs unchanged at the start:

- `deep`: the bottom features (after the tile-wide context) go through a `DownBlock` (stride 2, `--deep` kernels),
  a [ConvTranspose2d, ReLU, BatchNorm] back to the bottom's resolution and a 1x1 convolution that starts at zero;
  the result is added to the bottom features. Receptive field and capacity at 1/32 of the tile, as a fifth level
  would give, without a second skip concatenation (so the trained decoder reads what it read before).

Fine-tunes with fastai (`get_learner(dls, pretrained=True)`, 128-pixel crops, one-cycle) on the events of a ROOT file
(`trackshower_simulate --format root`), then scores the network on fresh events with Pandora's tiles and decision
(whole-tile forward passes: `HitUNet` does not know the branch).

Result (1 December 2026, AVX2 EPYC, float32, one thread each, the two runs side by side; 08b records it): no gain. On the
9,000 events of `trackshower_simulate --n_events 9000 --seed 44 --format root --out runs/sim44`, one epoch at 1e-3 (55 min
for deep=128, 61 min for deep=256), then 1000 fresh events of seed 558: 0.9591 (deep=128) and 0.9593 (deep=256) against
0.9592 for the package's network and 0.9591 for the same epoch without the branch (seed 43). A second epoch of the
deep=256 network on 9,000 other fresh events (`--data runs/sim42.root --init runs/deep256/final_state.pth --seed 46`,
44 min at two threads): 0.9590. The package therefore has
no such branch, and the script keeps its own `DeepUNet`.

Usage: .venv/bin/python bench/experiments/deep_finetune.py --data runs/sim44.root --deep 256 --epochs 1 --lr 1e-3 --out runs/deep256
"""
import argparse, json, os, time, warnings
import torch, torch.nn as nn
from trackshower.model import UNet, DownBlock, init_kaiming
from context_finetune import score, eval_sets       # this directory's sibling experiment (run as a script, it is on the path)

class DeepUNet(UNet):
    "`UNet` with a residual branch one level below its bottom (`deep` kernels; its last convolution starts at zero)"
    def __init__(self, deep:int=256, **kwargs):
        super().__init__(**kwargs)
        c = min(self.config['nf'] * 2 ** self.depth, self.config['max_nf'])
        self.deep_down = DownBlock(c, deep, stride=2)
        self.deep_up = nn.Sequential(nn.ConvTranspose2d(deep, c, 2, stride=2), nn.ReLU(inplace=True), nn.BatchNorm2d(c), nn.Conv2d(c, c, 1))
        for m in (self.deep_down, self.deep_up): init_kaiming(m)
        nn.init.zeros_(self.deep_up[-1].weight)
        self.config = dict(self.config, deep=deep)
        # `UNet.forward` unchanged: the branch acts on what the first up block reads, the bottom after the tile-wide context
        self.up[0].register_forward_pre_hook(lambda blk, args: (self.bottom(args[0]), *args[1:]))
    def bottom(self, x):
        "`x` plus the branch's output (odd sides give the transposed convolution a row/column more: cut)"
        y = self.deep_up(self.deep_down(x))
        return x + y[..., :x.shape[-2], :x.shape[-1]]

def grown(base:UNet, deep:int)->DeepUNet:
    "`base` with the branch (same outputs)"
    net = DeepUNet(deep=deep, **base.config)
    missing = net.load_state_dict(base.state_dict(), strict=False).missing_keys
    assert all(k.startswith(('deep_down.', 'deep_up.')) for k in missing), missing
    return net.train(base.training)

def splitter(m):
    from fastai.torch_core import params
    return [params(m.down) + params(m.ctx) + params(m.deep_down) + params(m.deep_up), params(m.up) + params(m.refine), params(m.head)]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='ROOT file of simulated events to fine-tune on')
    ap.add_argument('--deep', type=int, default=256, help='kernels of the branch')
    ap.add_argument('--epochs', type=int, default=1); ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=44, help='of the split and the training')
    ap.add_argument('--out', required=True, help='run directory (checkpoints, final_state.pth, scores.json)')
    ap.add_argument('--eval', type=eval_sets, default='558:1000', help='SEED:EVENTS,... of the fresh evaluation sets')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--init', default='', help='a final_state.pth of an earlier run of this script (same --deep) to continue from')
    ap.add_argument('--check', action='store_true', help='only check that the grown network has the package network\'s outputs')
    a = ap.parse_args()
    if a.deep < 1 or a.epochs < 1 or not a.lr > 0 or a.threads < 1: ap.error('--deep, --epochs, --threads at least 1, --lr positive')
    if not os.path.isfile(a.data): ap.error(f'--data {a.data}: no such file')
    if a.init and not os.path.isfile(a.init): ap.error(f'--init {a.init}: no such file')
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    from trackshower.learner import get_learner
    from trackshower.data import get_dls
    from trackshower.io import read_root, atomic_path
    from trackshower.sim.events import simulate
    from trackshower.inference import predict
    from trackshower.pretrained import load
    base = load().model.eval()
    net = grown(base, a.deep).eval()
    x = torch.randn(2, 1, 256, 256)
    with torch.no_grad(): diff = (net(x) - base(x)).abs().max().item()
    print(f'grown with deep={a.deep}: max |output difference| {diff:.2e}, {sum(p.numel() for p in net.parameters())} parameters '
          f'({sum(p.numel() for p in base.parameters())} before)', flush=True)
    assert diff == 0, diff
    if a.check: return
    if a.init:
        try: net.load_state_dict(torch.load(a.init, map_location='cpu', weights_only=True))
        except Exception as e: raise SystemExit(f'--init {a.init}: not a final_state.pth of this script with --deep {a.deep} ({str(e).splitlines()[0][:150]})')
        print('continuing from', a.init, flush=True)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time(); ev = read_root(a.data)
    print(f'read {len(ev)} events in {time.time() - t0:.0f} s', flush=True)
    dls = get_dls(ev, views='UVW', bs=16, crop=128, valid_pct=0.02, seed=a.seed)
    learn = get_learner(dls, pretrained=True, path=a.out, checkpoint=True)
    learn.model = net.train(); learn.splitter = splitter
    t1 = time.time(); learn.fit_one_cycle(a.epochs, a.lr)
    print(f'trained in {time.time() - t1:.0f} s', flush=True)
    learn.model.float().eval()
    with atomic_path(os.path.join(a.out, 'final_state.pth')) as tmp: torch.save(learn.model.state_dict(), tmp)
    scores = []
    for es, en in a.eval:
        fresh = simulate(en, seed=es, progress=False)
        t2 = time.time(); s = score(fresh, predict(learn, fresh, crop=False))
        print(f'seed {es} ({en} events) this network: {json.dumps(s)} ({time.time() - t2:.0f} s)', flush=True)
        scores.append(dict(seed=es, events=en, **s))
    with atomic_path(os.path.join(a.out, 'scores.json')) as tmp:
        with open(tmp, 'w') as f: json.dump(dict(deep=a.deep, epochs=a.epochs, lr=a.lr, data=a.data, init=a.init, scores=scores), f, indent=1)

if __name__ == '__main__': main()
