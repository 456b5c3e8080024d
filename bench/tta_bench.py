"""Test-time flip averaging (issue 11's study list): the package's model alone against the mean of its logits
over the four flips of each tile (drift axis, wire axis, both), on the same freshly simulated events.

A flip-averaged module would take Pandora's tile as it is and stay inside the traced-graph contract
(`torch.flip` is an ATen operator, though not yet among those vetted for LibTorch 2.1 in `export`), so
the question is only what it buys against what it costs: held-out balanced accuracy per view and
float32 latency per event, side by side in one run.

Usage: .venv/bin/python bench/tta_bench.py [--events 300] [--threads 2]
"""
import argparse, time, warnings
import numpy as np, torch, torch.nn as nn

class FlipMean(nn.Module):
    "The mean of `m`'s outputs over the four flips of the input (each output flipped back)"
    def __init__(self, m): super().__init__(); self.m = m
    def forward(self, x):
        outs = [self.m(x)]
        for dims in ((-1,), (-2,), (-2, -1)): outs.append(torch.flip(self.m(torch.flip(x, dims)), dims))
        return torch.stack(outs).mean(0)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=300); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=31337)
    a = ap.parse_args()
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from trackshower.sim.events import simulate
    from trackshower.inference import predict
    from trackshower.evaluate import hit_metrics
    from trackshower.export import PandoraModule
    from trackshower.images import TileGeometry
    from trackshower.pretrained import load
    pm = load()
    plain = PandoraModule(pm.model, pm.hit_config.mean, pm.hit_config.std).eval()
    flip = FlipMean(PandoraModule(pm.model, pm.hit_config.mean, pm.hit_config.std).eval()).eval()
    ev = simulate(a.events, seed=a.seed)
    res = {}
    for name, m in (('model', plain), ('flip mean', flip)):
        t = time.perf_counter(); pred = predict(m, ev, norm=None, geom=TileGeometry()); dt = time.perf_counter() - t
        res[name] = (hit_metrics(ev, pred), dt / len(ev))
    print(f'{a.events} fresh events (seed {a.seed}), {a.threads} threads, float32')
    print('| | balanced | U | V | W | track eff | shower eff | ms per event |\n|---|---|---|---|---|---|---|---|')
    for name, (m, dt) in res.items():
        print(f"| {name} | {m['all']['balanced_acc']:.4f} | " + ' | '.join(f"{m[v]['balanced_acc']:.4f}" for v in 'UVW') +
              f" | {m['all']['track_eff']:.4f} | {m['all']['shower_eff']:.4f} | {dt * 1e3:.0f} |")

if __name__ == '__main__': main()
