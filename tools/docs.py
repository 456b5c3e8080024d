"""Offline documentation site (no Quarto): nbs/*.ipynb -> _docs/*.html.

Quarto cannot be installed here, so this renders the notebooks with pure-Python tools:
- for each module notebook, exported source is replaced by nbdev's `show_doc` of every function and
  class it defines (the same API cards `nbdev_docs` shows), prose and example cells are kept, cells
  marked `#| hide` are dropped and `#|` directives are stripped;
- the tutorial and the index are executed (nbclient) so their plots and outputs are on the page;
- nbconvert turns each notebook into HTML; a sidebar (order of `nbs/`, titles from the notebooks)
  and a small load-check script are added.
Usage: python tools/docs.py [--out _docs] [--no-execute]
"""
import argparse, ast, importlib, json, re, sys, tempfile, os
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
EXECUTE = {'index.ipynb', 'tutorial.ipynb'}
CHECK_JS = """<script>
// measurements docs_check.py reads back from the DOM: decoded images, and anything wider than the content column
window.addEventListener('load', () => {
  const imgs = Array.from(document.images), b = document.body.dataset;
  b.imagesTotal = imgs.length;
  b.imagesLoaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const main = document.getElementById('ts-main'), nav = document.getElementById('ts-nav');
  const edge = Math.min(main.getBoundingClientRect().right, window.innerWidth) + 1;
  const scrolls = e => { for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  const wide = Array.from(main.querySelectorAll('*')).filter(e => e.getBoundingClientRect().right > edge && !scrolls(e));
  b.overflowCount = wide.length;
  b.overflowFirst = wide.length ? wide[0].tagName + '.' + wide[0].className + ' right=' + Math.round(wide[0].getBoundingClientRect().right) : '';
  b.pageOverflow = document.documentElement.scrollWidth - window.innerWidth;
  const n = nav.getBoundingClientRect(), m = main.getBoundingClientRect();
  b.navCovers = (n.right > m.left + 1 && n.bottom > m.top + 1 && getComputedStyle(nav).position === 'fixed') ? 1 : 0;
  b.mainWidth = Math.round(m.width); b.viewport = window.innerWidth;
});
</script>"""
CSS = """<style>
body { margin: 0; }
#ts-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; background: #f6f8fa;
          border-right: 1px solid #ddd; padding: 12px; font-family: sans-serif; font-size: 14px; box-sizing: border-box; }
#ts-nav a { display: block; padding: 3px 0; color: #0366d6; text-decoration: none; }
#ts-nav a.current { font-weight: bold; color: #000; }
#ts-nav .site { font-weight: bold; color: #000; font-size: 16px; padding-bottom: 8px; }
#ts-main { margin-left: 250px; max-width: 1000px; padding: 0 20px; box-sizing: border-box; }
/* nbconvert's classic template sizes its containers for a 1140-pixel page: let them follow the column instead */
#ts-main .container, #ts-main #notebook-container, #ts-main #notebook, #ts-main .cell, #ts-main .inner_cell,
#ts-main .output_wrapper, #ts-main .output, #ts-main .output_area, #ts-main .text_cell_render, #ts-main .input_area {
  width: auto !important; max-width: 100%; min-width: 0; box-sizing: border-box; padding-left: 0; padding-right: 0;
  margin-left: 0; margin-right: 0; box-shadow: none; }
#ts-main .prompt { display: none; }
#ts-main pre, #ts-main .highlight { overflow-x: auto; max-width: 100%; }
#ts-main table { display: block; overflow-x: auto; max-width: 100%; }
#ts-main img { max-width: 100%; height: auto; }
#ts-main .source { float: right; font-size: smaller; color: #666; }
/* narrow windows: the sidebar becomes a block of links above the page */
@media (max-width: 900px) {
  #ts-nav { position: static; width: auto; height: auto; border-right: 0; border-bottom: 1px solid #ddd; }
  #ts-nav a { display: inline-block; padding: 2px 10px 2px 0; }
  #ts-nav .site { display: block; }
  #ts-main { margin-left: 0; padding: 0 10px; }
}
</style>"""

def directives(src):
    return {m.group(1).strip() for m in re.finditer(r'^#\|\s*([^\n]+)$', src, re.M)}

def strip_directives(src): return re.sub(r'^#\|[^\n]*\n?', '', src, flags=re.M).strip()

def defined_names(src):
    "Top-level public functions and classes of an exported cell"
    try: tree = ast.parse(src)
    except SyntaxError: return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith('_')]

def title_of(nb, fallback):
    for c in nb.cells:
        if c.cell_type == 'markdown':
            m = re.search(r'^#\s+(.+)$', c.source, re.M)
            if m: return m.group(1).strip()
    return fallback

def source_note(obj):
    "Where `obj` is defined, as 'trackshower/learner.py, line 250' (the site links to no repository: there is none online)"
    import inspect
    try:
        f = Path(inspect.getsourcefile(inspect.unwrap(obj))).resolve(); line = inspect.getsourcelines(inspect.unwrap(obj))[1]
        return f'<span class="source">source: {f.relative_to(ROOT)}, line {line}</span>'
    except (TypeError, OSError, ValueError): return ''

def api_markdown(module, name):
    "nbdev's API card of `module.name`, its GitHub source link replaced by the file and line"
    from nbdev.showdoc import show_doc
    obj = getattr(module, name, None)
    if obj is None: return None
    try: md = show_doc(obj)._repr_markdown_()
    except Exception as e: return f'**{name}** (no documentation card: {type(e).__name__})'
    return re.sub(r'\[source\]\([^)]*\)(\{[^}]*\})?', lambda m: source_note(obj), md, count=1)

def process(path, execute):
    nb = nbformat.read(path, as_version=4)
    mod_name = None
    for c in nb.cells:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', c.source, re.M) if c.cell_type == 'code' else None
        if m: mod_name = 'trackshower.' + m.group(1)
    module = importlib.import_module(mod_name) if mod_name else None
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        d = directives(c.source) if c.cell_type == 'code' else set()
        if any(x.startswith('hide') or x.startswith('default_exp') for x in d): continue
        if c.cell_type == 'code' and any(x.startswith('export') for x in d):
            for name in defined_names(strip_directives(c.source)):
                md = api_markdown(module, name) if module else None
                if md: cells.append(nbformat.v4.new_markdown_cell(md))
            continue
        if c.cell_type == 'code':
            c.source = strip_directives(c.source)
            if 'slow' in ' '.join(d): c.source = '# (a long-running cell: not executed for the docs)\n' + c.source
            c.outputs = []
        cells.append(c)
    nb.cells = cells
    if execute:
        with tempfile.TemporaryDirectory() as d:
            NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': d}}).execute()
        for c in nb.cells:   # library warnings on stderr are noise on a docs page
            if c.cell_type == 'code': c.outputs = [o for o in c.outputs if not (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
    return nb

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(ROOT / '_docs')); ap.add_argument('--no-execute', action='store_true')
    a = ap.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    nbs = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    nbs = [p for p in nbs if p.name == 'index.ipynb'] + [p for p in nbs if p.name == 'tutorial.ipynb'] + \
          [p for p in nbs if p.name not in ('index.ipynb', 'tutorial.ipynb')]
    pages = []
    for p in nbs:
        print(f'rendering {p.name}', flush=True)
        nb = process(p, execute=not a.no_execute and p.name in EXECUTE)
        stem = re.sub(r'^\d+[a-z]?_', '', p.stem)   # nbdev's page names: 07_learner -> learner
        pages.append((stem, title_of(nb, stem), nb))
    exporter = HTMLExporter(template_name='classic'); exporter.exclude_input_prompt = True; exporter.exclude_output_prompt = True
    for stem, title, nb in pages:
        body, _ = exporter.from_notebook_node(nb)
        nav = '<div id="ts-nav"><a class="site" href="index.html">trackshower</a>' + ''.join(   # the home page is the site's name
            f'<a href="{s}.html"{" class=current" if s == stem else ""}>{t}</a>' for s, t, _ in pages if s != 'index') + '</div>'
        body = body.replace('<body>', '<body>' + nav + '<div id="ts-main">', 1).replace('</body>', '</div>' + CHECK_JS + '</body>', 1)
        meta = '<meta name="viewport" content="width=device-width, initial-scale=1">'
        body = body.replace('</head>', meta + CSS + f'<title>{title} – trackshower</title></head>', 1)
        tmp = out / f'.{stem}.html.tmp'; tmp.write_text(body); os.replace(tmp, out / f'{stem}.html')
    print(f'wrote {len(pages)} pages to {out}/ (open {out}/index.html)')

if __name__ == '__main__': main()
