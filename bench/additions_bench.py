"""What `UNet`'s additions (tile-wide context, the full-resolution refinement block) cost per event, float32.

The package's model with its additions against the same network without them (the additions' weights dropped:
the architecture of the previous default, whose cost is what matters here), in one run, the two taken in turn on
each event so that machine noise hits them alike: per event (hits in -> per-hit probabilities out), through
`predict` as the commands run it (`HitUNet`: computed only where the hits need it) and on whole tiles (eager,
channels-last, as Pandora's per-tile loop computes it). Also GFLOP per 256 x 256 tile and the weights' size. Run it
alone.

--variant adds an untrained (Kaiming-initialised) network of the package's architecture with some arguments
changed, e.g. `--variant depth=5 --variant depth=5,max_nf=128`: what a larger network would cost per event
(latency does not depend on the weights).

Usage: .venv/bin/python bench/additions_bench.py [--events 200] [--threads 2] [--weights W.pth] [--variant K=V,... ...]
  (--weights: a state dict with the additions, when the package's model has none yet)
"""
import argparse, io, time, warnings
import numpy as np, torch

def q(x)->str:
    x = 1e3 * np.asarray(x)
    return f'median {np.median(x):6.1f} ms, p95 {np.quantile(x, .95):6.1f} ms'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=4242, help='of the simulated events')
    ap.add_argument('--weights', default='', help='a state dict of the package model grown with the additions')
    ap.add_argument('--variant', action='append', default=[], metavar='K=V,...', help="also an untrained network of the package's architecture with these integer arguments changed")
    a = ap.parse_args()
    if a.events < 2 or a.threads < 1: ap.error('--events must be at least 2 and --threads at least 1')
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from trackshower.model import UNet, model_cost, additions_of
    from trackshower.pretrained import load
    from trackshower.inference import predict
    from trackshower.images import TileGeometry
    from trackshower.export import PandoraModule
    from trackshower.sim.events import simulate
    pm = load(); cfg = dict(pm.model.config); sd = pm.model.state_dict()
    if a.weights:
        try: sd = torch.load(a.weights, map_location='cpu', weights_only=True)
        except Exception as e: ap.error(f'--weights {a.weights}: not a weights-only state dict ({type(e).__name__})')
        cfg.update(additions_of(sd))
    if not (cfg.get('context') or cfg.get('refine')): ap.error("the package's model has no additions: give --weights")
    nets = {}
    for name, c in (('with', cfg), ('without', dict(cfg, context=False, refine=0))):
        n = UNet(**c)
        try: n.load_state_dict(sd, strict=name == 'with')
        except RuntimeError as e: ap.error(f"--weights {a.weights}: does not fit {c} ({str(e).splitlines()[0][:150]})")
        nets[name] = n.eval()
    for v in a.variant:
        try: change = {k: int(x) for k, x in (kv.split('=') for kv in v.split(','))}
        except ValueError: ap.error(f'--variant {v!r}: expected KEY=INTEGER[,KEY=INTEGER...]')
        try: nets[v] = UNet(**dict(cfg, **change)).eval()   # UNet starts Kaiming-initialised
        except (TypeError, ValueError) as e: ap.error(f'--variant {v!r}: {e}')
    for name, n in nets.items():
        buf = io.BytesIO(); torch.save(n.state_dict(), buf)
        print(f"{name:8s} the additions: context={n.config['context']}, refine={n.config['refine']}; {model_cost(n)['flops'] / 1e9:.3f} GFLOP per tile; "
              f"weights {buf.tell() / 1e6:.2f} MB")
    wrap = {k: PandoraModule(n, pm.hit_config.mean, pm.hit_config.std).eval() for k, n in nets.items()}
    ev = simulate(a.events, seed=a.seed, progress=False)
    ways = {f'{k} {w}': (lambda e, m=m, w=w: predict(m, e, norm=None, geom=TileGeometry(), crop=w == 'HitUNet'))
            for w in ('HitUNet', 'whole tiles') for k, m in wrap.items()}
    lat = {k: [] for k in ways}
    for f in ways.values(): f(ev[0:1])                           # warm-up (and each HitUNet built once)
    for e in range(len(ev)):
        one = ev[e:e + 1]
        for k, f in ways.items():
            t = time.perf_counter(); f(one); lat[k].append(time.perf_counter() - t)
    print(f'per event, float32, {a.threads} threads, {len(ev)} events of the default mix (seed {a.seed}), the ways taken in turn on each event:')
    for k, v in lat.items(): print(f'  {k:22s} {q(v)}')
    for w in ('HitUNet', 'whole tiles'):
        print(f'  cost of the additions ({w}): {np.median(lat[f"with {w}"]) / np.median(lat[f"without {w}"]):.2f}x (medians)')
        for v in a.variant: print(f'  cost of {v} against the package model ({w}): {np.median(lat[f"{v} {w}"]) / np.median(lat[f"with {w}"]):.2f}x (medians)')

if __name__ == '__main__': main()
