"""Simulation throughput: events/s on one core for the default mix, peak memory, and where the time goes.

Usage: python bench/sim_bench.py [--events 200] [--seed 0]
Runs single-threaded (numpy with one BLAS thread; the simulation itself is single-process).
"""
import argparse, os, resource, time
os.environ.setdefault('OMP_NUM_THREADS', '1'); os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import numpy as np
from trackshower.core import View, HitClass, Hits
from trackshower.geometry import Geometry
from trackshower.sim.events import generate_primaries, transport_event, detector_response, DEFAULT_MIX
from trackshower.sim.detector import Readout

def run(n, seed):
    geom, ro = Geometry.preset(), Readout()
    kinds = list(DEFAULT_MIX); w = np.array([DEFAULT_MIX[k] for k in kinds]); w = w / w.sum()
    t_tr = t_det = 0.; per_kind = {k: [0, 0.] for k in kinds}; hits = []
    t0 = time.perf_counter()
    for e in range(n):
        rng = np.random.default_rng([seed, e]); kind = kinds[int(rng.choice(len(kinds), p=w))]
        a0 = time.perf_counter()
        dep = transport_event(rng, generate_primaries(rng, kind, geom), geom)
        a1 = time.perf_counter()
        h = detector_response(rng, dep, geom, ro, event=e)
        a2 = time.perf_counter()
        t_tr += a1 - a0; t_det += a2 - a1; per_kind[kind][0] += 1; per_kind[kind][1] += a2 - a0; hits.append(h)
    return time.perf_counter() - t0, t_tr, t_det, per_kind, hits

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    total, t_tr, t_det, per_kind, hits = run(a.events, a.seed)
    allh = Hits.concat(hits)
    print(f'{a.events} events (default mix) in {total:.1f} s: {a.events / total:.1f} events/s on one core')
    print(f'time: transport (tracks + EM cascades) {t_tr / total * 100:.0f}%, detector response and hit finding {t_det / total * 100:.0f}%')
    for k, (n, t) in per_kind.items():
        if n: print(f'  {k:8s} {n:4d} events, {t / n * 1000:6.1f} ms/event')
    print('mean hits per event: ' + ', '.join(f'{v.name} {(allh.view == v).sum() / a.events:.0f}' for v in View))
    print(f'shower fraction of hits: {(allh.tag == HitClass.SHOWER).mean():.3f}')
    print(f'peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB')
