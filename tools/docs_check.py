"""Check the offline documentation site in a real browser (headless Chromium).

Loads pages with `chromium --headless --dump-dom` at two window widths (scripts run, images decode, the
page's own measuring script writes its findings into the DOM) and checks:
- every page, at 1300 and at 800 pixels: nothing in the content column is wider than the column (or the
  window), the page does not scroll sideways, and the sidebar does not cover the content (it collapses
  into a block of links above the page in narrow windows);
- index.html: the README text is there; learner.html: the API card of `get_learner` with its signature
  and a source note instead of a link to a repository that does not exist;
- tutorial.html: its plots are images that the browser decoded, and its metric table is an HTML table.
Screenshots of index, tutorial and learner at both widths go to `<site>/.check/` (printed), inside the
built site, which is not part of the repository; nothing is left in /tmp.
Usage: python tools/docs_check.py [--site _docs]
"""
import argparse, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1300, 800)

def browser():
    for b in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(b): return shutil.which(b)
    sys.exit("docs_check: no Chromium found (Debian: apt-get install chromium)")

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--hide-scrollbars',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

def run(b, *args, profile):
    return subprocess.run([b, *FLAGS, f'--user-data-dir={profile}', *args], capture_output=True, text=True, timeout=120)

def dom(b, page, width, profile):
    r = run(b, f'--window-size={width},1600', '--dump-dom', page.as_uri(), profile=profile)
    if r.returncode: raise RuntimeError(f'chromium failed on {page}: {r.stderr[-500:]}')
    return r.stdout

def measured(d):
    "The data attributes the page's script set on <body>"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', re.search(r'<body[^>]*>', d).group(0)))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--site', default=str(ROOT / '_docs'))
    a = ap.parse_args()
    site, b = Path(a.site), browser()
    for name in ('index', 'learner', 'tutorial'):
        if not (site / f'{name}.html').exists(): sys.exit(f'docs_check: {site}/{name}.html is missing: run make docs')
    shots = site / '.check'; shutil.rmtree(shots, ignore_errors=True); shots.mkdir()
    fails = []
    def check(ok, what):
        print(('PASS ' if ok else 'FAIL ') + what)
        if not ok: fails.append(what)
    with tempfile.TemporaryDirectory(prefix='trackshower_chromium_') as profile:   # removed on exit
        doms = {}
        for page in sorted(site.glob('*.html')):
            for w in WIDTHS:
                d = dom(b, page, w, profile); m = measured(d); doms[page.stem, w] = d
                narrow = w < 900   # the sidebar must have collapsed above the page: the column takes the window's width
                ok = (m.get('overflow-count') == '0' and int(m.get('page-overflow', 1)) <= 0 and m.get('nav-covers') == '0'
                      and (not narrow or int(m.get('main-width', 0)) >= 0.9 * w))
                check(ok, f'{page.name} at {w} px: content fits its column ({m.get("main-width")} px of {m.get("viewport")}), '
                          f'no sideways scroll, sidebar ' + ('collapsed' if narrow else 'clear') + ('' if ok else f' [{m}]'))
        d = doms['index', 1300]
        check('trackshower' in d and 'make demo' in d, 'index.html shows the README (mentions make demo)')
        d = doms['learner', 1300]
        check(re.search(r'get_learner', d) is not None and 'dls' in d and 'arch' in d, 'learner.html has the API card of get_learner (dls, arch)')
        check('#LNone' not in d and 'source: trackshower/learner.py, line' in d, 'learner.html: source notes name the file and line, no dead links')
        d = doms['tutorial', 1300]; m = measured(d)
        total, loaded = int(m.get('images-total', 0)), int(m.get('images-loaded', -1))
        check(total >= 3 and loaded == total, f'tutorial.html: {loaded} of {total} plots decoded by the browser')
        check('<table' in d and '| view |' not in d, 'tutorial.html: the metric table is an HTML table, not raw markdown')
        check('test_eq' not in d and 'catch_warnings' not in d, 'tutorial.html: no test code on the page')
        for name in ('index', 'tutorial', 'learner'):
            for w in WIDTHS:
                run(b, f'--screenshot={shots / f"{name}_{w}.png"}', f'--window-size={w},1600', (site / f'{name}.html').as_uri(), profile=profile)
    print(f'screenshots: {shots}')
    sys.exit(1 if fails else 0)

if __name__ == '__main__': main()
