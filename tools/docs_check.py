"""Check the offline documentation site in a real browser (headless Chromium).

Loads pages with `chromium --headless --dump-dom` (scripts run, images decode) and checks:
- index.html: the README text is there;
- learner.html: the API card of `get_learner` with its signature;
- tutorial.html: its plots are images that the browser decoded (every <img> has a natural width).
Screenshots go to a temporary folder outside the repository (printed), never into it.
Usage: python tools/docs_check.py [--site _docs]
"""
import argparse, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def browser():
    for b in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(b): return shutil.which(b)
    sys.exit("docs_check: no Chromium found (Debian: apt-get install chromium)")

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--hide-scrollbars']

def dom(b, page):
    r = subprocess.run([b, *FLAGS, '--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=120)
    if r.returncode: raise RuntimeError(f'chromium failed on {page}: {r.stderr[-500:]}')
    return r.stdout

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--site', default=str(ROOT / '_docs'))
    a = ap.parse_args()
    site, b = Path(a.site), browser()
    shots = Path(tempfile.mkdtemp(prefix='trackshower_docs_'))
    fails = []
    def check(ok, what):
        print(('PASS ' if ok else 'FAIL ') + what)
        if not ok: fails.append(what)
    for name in ('index', 'learner', 'tutorial'):
        if not (site / f'{name}.html').exists(): sys.exit(f'docs_check: {site}/{name}.html is missing: run make docs')
    d = dom(b, site / 'index.html')
    check('trackshower' in d and 'make demo' in d, 'index.html shows the README (mentions make demo)')
    d = dom(b, site / 'learner.html')
    check(re.search(r'get_learner', d) is not None and 'dls' in d and 'arch' in d, 'learner.html has the API card of get_learner (dls, arch)')
    d = dom(b, site / 'tutorial.html')
    m = re.search(r'data-images-total="(\d+)" data-images-loaded="(\d+)"', d)
    total, loaded = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    check(total >= 3 and loaded == total, f'tutorial.html: {loaded} of {total} plots decoded by the browser')
    for name in ('index', 'learner', 'tutorial'):
        subprocess.run([b, *FLAGS, f'--screenshot={shots / (name + ".png")}', '--window-size=1280,2000', (site / f'{name}.html').as_uri()],
                       capture_output=True, timeout=120)
    print(f'screenshots: {shots}')
    sys.exit(1 if fails else 0)

if __name__ == '__main__': main()
