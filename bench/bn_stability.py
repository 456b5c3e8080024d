"""The unstable early epochs of the demo recipe (issue 11: "epoch 2: balanced 0.53, track recall 0.06"):
is the network broken there, or only its BatchNorm running statistics?

Trains `make demo`'s run (500 simulated events, seed 0, same split and seeds as `trackshower_train`)
with the demo's arguments (without the LR finder's pass that `trackshower_train` makes for its plot, so
the trajectory is not bit-identical to the demo's), keeps a copy of the network after every epoch, and evaluates each copy per
hit on the run's held-out events twice:
  saved        - as fastai validates it: BatchNorm with the running averages kept during training
                 (momentum 0.1, i.e. roughly the last ten batches);
  recalibrated - the same weights with every BatchNorm's statistics re-estimated (plain average, no
                 gradient step) over whole Pandora tiles of `--cal` training events.
If the recalibrated copy is good where the saved one collapses, the weights were fine and only the
running averages lagged behind weights that moved fast at the peak of one-cycle.

Usage: .venv/bin/python bench/bn_stability.py [--args "--nf 8 --epochs 8 --lr 1e-2"] [--cal 100] [--threads 1]
"""
import argparse, copy, shlex, tempfile, time, warnings
import numpy as np, torch

def recalibrated(pm, si, bs=16):
    "A copy of `pm` whose BatchNorm statistics are the plain average over the images of `si` (train-mode forward, no gradients)"
    from trackshower.images import dense
    pm2 = copy.deepcopy(pm); net = pm2.model
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d): m.reset_running_stats(); m.momentum = None
    net.train()
    with torch.no_grad():
        for i in range(0, si.n_images, bs):
            img = dense(si, np.arange(i, min(i + bs, si.n_images)), mask=False)[0]
            net((torch.from_numpy(img)[:, None] - pm.hit_config.mean) / pm.hit_config.std)
    net.eval(); return pm2

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--args', default='--nf 8 --epochs 8 --lr 1e-2', help="trackshower_train options of the run (the demo's)")
    ap.add_argument('--cal', type=int, default=100, help='training events whose tiles re-estimate the statistics')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from fastai.callback.core import Callback
    from trackshower.core import parse_configs
    from trackshower.train import TrainConfig, load_split, make_learner
    from trackshower.pretrained import PretrainedModel
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics
    from trackshower.images import events_images, TileGeometry
    from trackshower.learner import quietly
    cfg, = parse_configs('bn_stability', __doc__, [TrainConfig], shlex.split(a.args))
    if cfg.lr <= 0: ap.error('--args must give the rate (--lr): the study compares epochs of one fixed schedule')
    t = time.time(); _, trainval, test = load_split(cfg, workers=1)
    print(f'{len(trainval)} training/validation and {len(test)} held-out events (seed {cfg.seed}) in {time.time() - t:.0f} s', flush=True)

    class KeepEpochs(Callback):
        "A copy of the network's state after every epoch"
        order = 100
        def before_fit(self): self.states = []
        def after_epoch(self): self.states.append({k: v.detach().clone() for k, v in self.learn.model.state_dict().items()})

    with tempfile.TemporaryDirectory() as out:
        learn = make_learner(cfg, trainval, out); keep = KeepEpochs()
        t = time.time()
        with quietly(learn): learn.fit_one_cycle(cfg.epochs, cfg.lr, cbs=[keep])
        print(f'trained {cfg.epochs} epochs of one-cycle at {cfg.lr:g} in {time.time() - t:.0f} s', flush=True)
        hist = [list(map(float, v)) for v in learn.recorder.values]; names = list(learn.recorder.metric_names[1:-1])
    si, _ = events_images(trainval[:a.cal], TileGeometry(), warn=False)
    base = PretrainedModel(copy.deepcopy(learn.model).float().eval(), learn.dls.hit_config, {})
    print(f'\n| epoch | fastai valid loss | fastai valid balanced | held-out balanced, saved BN (track / shower eff) | '
          f'held-out balanced, BN re-estimated on {si.n_images} tiles (track / shower eff) |\n|---|---|---|---|---|')
    vl, vb = names.index('valid_loss'), names.index('balanced_acc')
    for e, st in enumerate(keep.states):
        pm = copy.deepcopy(base); pm.model.load_state_dict(st); pm.model.eval()
        row = []
        for p in (pm, recalibrated(pm, si)):
            m = hit_metrics(test, predict(p, test), 'UVW')['all']
            row.append(f"{m['balanced_acc']:.4f} ({m['track_eff']:.3f} / {m['shower_eff']:.3f})")
        print(f'| {e + 1} | {hist[e][vl]:.3f} | {hist[e][vb]:.3f} | {row[0]} | {row[1]} |', flush=True)

if __name__ == '__main__': main()
