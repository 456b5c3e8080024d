"""How quickly the installed commands answer `--help` and a usage error, and how much memory that takes.

Each command runs as a fresh process (`subprocess`, the console script in this environment's bin/), `--runs`
times after one warm-up; prints the median and the largest wall time and the peak resident memory of the child
(`resource.getrusage(RUSAGE_CHILDREN)`, the largest so far). With --cold the page cache is dropped before each
run (root only: `/proc/sys/vm/drop_caches`), as after a reboot. Run it alone.

Usage: .venv/bin/python bench/cli_bench.py [--runs 5] [--cold]
"""
import argparse, os, resource, statistics, subprocess, sys, time
from pathlib import Path

BIN = Path(sys.executable).parent
CASES = [(c, ['--help']) for c in ('trackshower_train', 'trackshower_predict', 'trackshower_evaluate', 'trackshower_export',
                                   'trackshower_simulate')] + [
    ('trackshower_predict', ['--data', '/nonexistent/hits']),          # usage errors: one line, exit 2
    ('trackshower_train', ['--views', 'X']),
    ('trackshower_export', ['--checkpoint', '/nonexistent/run.pth'])]

def drop_caches():
    os.sync(); Path('/proc/sys/vm/drop_caches').write_text('3\n')

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5); ap.add_argument('--cold', action='store_true')
    a = ap.parse_args()
    print(f'{"command":<50} {"median s":>9} {"max s":>7} {"exit":>5}')
    for cmd, args in CASES:
        times, rc = [], None
        for k in range(a.runs + 1):
            if a.cold: drop_caches()
            t = time.perf_counter(); r = subprocess.run([str(BIN / cmd), *args], capture_output=True); dt = time.perf_counter() - t
            if k: times.append(dt)
            rc = r.returncode
        print(f'{cmd + " " + " ".join(args):<50} {statistics.median(times):9.3f} {max(times):7.3f} {rc:5d}')
    print(f'peak resident memory of any run: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB'
          + ('; page cache dropped before each run' if a.cold else '; warm page cache'))

if __name__ == '__main__': main()
