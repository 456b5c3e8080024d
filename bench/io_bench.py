"""Read throughput of trackshower.io for a 1e6-hit Pandora CSV set and ROOT file.

Usage: python bench/io_bench.py [--hits 1000000] [--events 1000]
Prints hits/s for reading (and writing) each format, best of 3, on one core (torch/BLAS threads play no
part here; the readers are single-threaded numpy/uproot).
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
from trackshower.core import Hits, Events
from trackshower.io import read_pandora_csv, write_pandora_csv, read_root, write_root

def make_events(n_hits, n_events, seed=0):
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_hits, np.ones(n_events) / n_events)
    evs = []
    for i, k in enumerate(counts):
        evs.append(Hits(view=rng.integers(0, 3, k), x=np.round(rng.random(k) * 350, 3), z=np.round(rng.random(k) * 1394, 3),
                        adc=np.round(rng.gamma(2, 60, k), 2), tag=rng.integers(1, 3, k), pdg=rng.choice([11, 13, 22, 2212], k),
                        width=rng.random(k).astype(np.float32), event=i))
    return Events.from_list(evs)

def best(f, n=3):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t0)
    return min(ts), out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--hits', type=int, default=1_000_000); ap.add_argument('--events', type=int, default=1000)
    a = ap.parse_args()
    evs = make_events(a.hits, a.events)
    with tempfile.TemporaryDirectory() as d:
        t_wc, _ = best(lambda: write_pandora_csv(evs, Path(d)/'b', timestamp='11/28/26_12:00:00'), 1)
        t_rc, back = best(lambda: read_pandora_csv(Path(d)/'b'))
        assert back.n_hits == evs.n_hits
        t_wr, _ = best(lambda: write_root(evs, Path(d)/'b.root'), 1)
        t_rr, back = best(lambda: read_root(Path(d)/'b.root'))
        assert back.equals(evs)
        size_csv = sum(p.stat().st_size for p in Path(d).glob('b_*.csv')); size_root = (Path(d)/'b.root').stat().st_size
    n = evs.n_hits
    print(f'{n} hits in {len(evs)} events')
    print(f'CSV  write {n / t_wc:12.3e} hits/s   read {n / t_rc:12.3e} hits/s   ({size_csv / 1e6:.1f} MB, 3 files)')
    print(f'ROOT write {n / t_wr:12.3e} hits/s   read {n / t_rr:12.3e} hits/s   ({size_root / 1e6:.1f} MB)')
