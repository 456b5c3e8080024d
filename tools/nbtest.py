"""Run `nbdev_test` and close with one line `N passed, N failed` counting notebooks.

Usage: python tools/nbtest.py [extra nbdev_test args, e.g. --flags slow]
nbdev_test's own output is passed through unchanged; the count is read from it
(`--do_print` announces every notebook, the failure block names the failed ones).
"""
import re, subprocess, sys

def main(argv):
    cmd = ['nbdev_test', '--do_print', '--timing', *argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    started, failed, in_fail_block = set(), set(), False
    for line in proc.stdout:
        sys.stdout.write(line); sys.stdout.flush()
        for m in re.findall(r'Starting (\S+?\.ipynb)', line):   # parallel workers can print two on one line
            started.add(m.rsplit('/', 1)[-1])
        if 'nbdev Tests Failed On The Following Notebooks' in line: in_fail_block = True
        elif in_fail_block and line.startswith('\t'): failed.add(line.strip())
    rc = proc.wait()
    if rc != 0 and not failed: failed.add('<nbdev_test itself>')
    n_fail = len(failed)
    n_pass = len(started - failed)
    print(f'{n_pass} passed, {n_fail} failed')
    return 1 if (rc != 0 or n_fail) else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
