"""Run `nbdev_test` and close with one line `N passed, N failed` counting notebooks.

Usage: python tools/nbtest.py [extra nbdev_test args, e.g. --flags slow]
nbdev_test's own output is passed through unchanged; the count is read from it
(`--do_print` announces every notebook, the failure block names the failed ones).
Notebooks run two at a time, so each gets one thread (OMP_NUM_THREADS=1, unless the caller set it): two
torch processes with two threads each on two cores slow each other down several times over.
Before the count it lists the slowest notebooks: seconds from "Starting" to "Completed" as seen here
(notebooks run two at a time, so each figure includes the other worker's share of the CPU).
"""
import os, re, subprocess, sys, time

def main(argv):
    cmd = ['nbdev_test', '--do_print', '--timing', *argv]
    t0 = time.monotonic()
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env)
    started, failed, in_fail_block, took = {}, set(), False, {}
    for line in proc.stdout:
        sys.stdout.write(line); sys.stdout.flush()
        now = time.monotonic()
        for m in re.findall(r'Starting (\S+?\.ipynb)', line):   # parallel workers can print two on one line
            started[m.rsplit('/', 1)[-1]] = now
        for m in re.findall(r'Completed (\S+?\.ipynb)', line):
            name = m.rsplit('/', 1)[-1]
            if name in started: took[name] = now - started[name]
        if 'nbdev Tests Failed On The Following Notebooks' in line: in_fail_block = True
        elif in_fail_block and line.startswith('\t'): failed.add(line.strip())
    rc = proc.wait()
    if rc != 0 and not failed: failed.add('<nbdev_test itself>')
    slow = sorted(took.items(), key=lambda kv: -kv[1])[:5]
    print(f'wall time {time.monotonic() - t0:.0f} s; slowest: ' + ', '.join(f'{k} {v:.0f} s' for k, v in slow))
    n_fail = len(failed)
    n_pass = len(set(started) - failed)
    print(f'{n_pass} passed, {n_fail} failed')
    return 1 if (rc != 0 or n_fail) else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
