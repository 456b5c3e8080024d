"""What the README's `learn.lr_find()` costs on a CPU, with the defaults and with the seed's set-up.

Simulates `--events` events (seed 40), then for each set-up builds `get_dls` and `get_learner` (the default
network, bf16 where the CPU has it natively) and times fastai's `lr_find` (its default 100 steps, or
`--num_it`), whole process time of that call only (data and learner built before the clock starts):
  defaults - `get_dls(events)`: views UVW, 128-pixel training crops, batches of 16 (`config.DEFAULTS`);
  seed     - `get_dls(events, views='W', crop=None, bs=48)`: whole 256 x 256 tiles of the W view, batches of 48
             (what `get_dls` defaulted to before December 2026).
Prints seconds per set-up and the suggested valley. Run it alone.

Usage: .venv/bin/python bench/lrfind_bench.py [--events 200] [--num_it 100] [--threads 2] [--only defaults|seed]
"""
import argparse, time, warnings
import torch

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--num_it', type=int, default=100)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--only', default='')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from trackshower.sim.events import simulate_parallel
    from trackshower.data import get_dls
    from trackshower.learner import get_learner, native_bf16
    from fastai.torch_core import set_seed
    events = simulate_parallel(a.events, seed=40)
    setups = dict(defaults={}, seed=dict(views='W', crop=None, bs=48))
    print(f'{a.events} events, lr_find with num_it={a.num_it}, {a.threads} threads, bf16 native: {native_bf16()}')
    for name, kw in setups.items():
        if a.only and name != a.only: continue
        dls = get_dls(events, seed=0, **kw); set_seed(0); learn = get_learner(dls)
        with warnings.catch_warnings(), learn.no_bar():
            warnings.simplefilter('ignore')
            t = time.perf_counter(); sug = learn.lr_find(num_it=a.num_it, show_plot=False); dt = time.perf_counter() - t
        b = dls.one_batch()[0]
        print(f'{name:9s} {dict(kw) or "get_dls(events)"}: batches {tuple(b.shape)}, {len(dls.train)} per epoch; '
              f'lr_find {dt:.1f} s ({len(learn.recorder.losses)} steps), valley {sug.valley:.2e}')

if __name__ == '__main__': main()
