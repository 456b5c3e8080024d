"""Fine-tuning pays (issue 11): the package's model fine-tuned on 100 events of another detector against
the same network trained from scratch on the same events, at the same budget.

Another detector: MicroBooNE (0.3 cm wire pitch, +-60 degree induction planes; Pandora's tiles stay
256 x 256 at 0.5 cm). 100 training events (80 train / 20 validation, split by event) and a separate set
of held-out events, simulated with their own seeds. Three models, evaluated per hit on the held-out set:
  shipped    - the package's model as it is (no training on MicroBooNE);
  fine-tuned - `get_learner(dls, pretrained=True)` + fastai's `fine_tune(epochs)` (one frozen epoch, then
               `epochs` unfrozen);
  scratch    - the same architecture from Kaiming initialisation, `fit_one_cycle(epochs + 1)` (the same
               number of passes over the data) at the rate of the recipe.
Prints a table (balanced accuracy, per view, track/shower efficiency) and the wall time of each.

Usage: .venv/bin/python bench/finetune_bench.py [--train 100] [--test 300] [--epochs 4] [--threads 2] [--json FILE]
"""
import argparse, json, os, tempfile, time, warnings
import numpy as np, torch

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--train', type=int, default=100); ap.add_argument('--test', type=int, default=300)
    ap.add_argument('--epochs', type=int, default=4); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--detector', default='microboone'); ap.add_argument('--lr', type=float, default=1e-2)
    ap.add_argument('--ft-lr', type=float, default=2e-3, help="fine_tune's base_lr (fastai's default)")
    ap.add_argument('--json', default=None, help='also write the results here')
    ap.add_argument('--model', default='default', help='the shipped model to start from (name)'); ap.add_argument('--model-dir', default=None)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from fastai.torch_core import set_seed
    from trackshower.geometry import Geometry
    from trackshower.sim.events import simulate
    from trackshower.data import get_dls
    from trackshower.learner import get_learner, quietly
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics, metrics_table
    from trackshower.pretrained import load
    geom = Geometry.preset(a.detector)
    t = time.time()
    train = simulate(a.train, seed=7001, geometry=geom); test = simulate(a.test, seed=7002, geometry=geom)
    print(f'{a.detector}: {a.train} training events, {a.test} held-out events simulated in {time.time() - t:.0f} s', flush=True)
    pm = load(a.model, a.model_dir); arch = {k: v for k, v in pm.hit_config.arch_kwargs.items() if k not in ('n_in', 'n_out')}
    res, times = {}, {}
    t = time.time(); res['shipped'] = hit_metrics(test, predict(pm, test)); times['shipped'] = time.time() - t
    with tempfile.TemporaryDirectory() as d:
        for name in ('fine-tuned', 'scratch'):
            set_seed(0)
            dls = get_dls(train, views='UVW', bs=16, crop=128, valid_pct=0.2, seed=0)
            t = time.time()
            if name == 'fine-tuned':
                learn = get_learner(dls, pretrained=pm, path=d, checkpoint=False)
                with quietly(learn): learn.fine_tune(a.epochs, a.ft_lr)
            else:
                learn = get_learner(dls, path=d, checkpoint=False, **arch)
                with quietly(learn): learn.fit_one_cycle(a.epochs + 1, a.lr)
            times[name] = time.time() - t
            res[name] = hit_metrics(test, predict(learn, test))
            print(f'{name}: trained in {times[name]:.0f} s; held-out balanced accuracy {res[name]["all"]["balanced_acc"]:.4f}', flush=True)
    keys = ('balanced_acc', 'track_eff', 'shower_eff')
    print(f'\n| model | balanced | U | V | W | track eff | shower eff | training time |\n|---|---|---|---|---|---|---|---|')
    for k, m in res.items():
        print(f"| {k} | {m['all']['balanced_acc']:.4f} | " + ' | '.join(f"{m[v]['balanced_acc']:.4f}" for v in 'UVW') +
              f" | {m['all']['track_eff']:.4f} | {m['all']['shower_eff']:.4f} | {times[k]:.0f} s |")
    gain = res['fine-tuned']['all']['balanced_acc'] - res['scratch']['all']['balanced_acc']
    print(f'\nfine-tuned - scratch: {100 * gain:+.1f} points of balanced accuracy')
    if a.json:
        with open(a.json + '.tmp', 'w') as f: json.dump(dict(args=vars(a), results=res, seconds=times), f, indent=1, default=float)
        os.replace(a.json + '.tmp', a.json)

if __name__ == '__main__': main()
