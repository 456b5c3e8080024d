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
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  document.body.dataset.imagesTotal = imgs.length;
  document.body.dataset.imagesLoaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
});
</script>"""
CSS = """<style>
body { margin: 0; }
#ts-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; background: #f6f8fa;
          border-right: 1px solid #ddd; padding: 12px; font-family: sans-serif; font-size: 14px; }
#ts-nav a { display: block; padding: 3px 0; color: #0366d6; text-decoration: none; }
#ts-nav a.current { font-weight: bold; color: #000; }
#ts-main { margin-left: 260px; max-width: 1000px; padding: 0 20px; }
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

def api_markdown(module, name):
    from nbdev.showdoc import show_doc
    obj = getattr(module, name, None)
    if obj is None: return None
    try: return re.sub(r'\{target="_blank"[^}]*\}', '', show_doc(obj)._repr_markdown_())   # Quarto-only link attributes
    except Exception as e: return f'**{name}** (no documentation card: {type(e).__name__})'

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
        nav = '<div id="ts-nav"><b>trackshower</b>' + ''.join(
            f'<a href="{s}.html"{" class=current" if s == stem else ""}>{t}</a>' for s, t, _ in pages) + '</div>'
        body = body.replace('<body>', '<body>' + nav + '<div id="ts-main">', 1).replace('</body>', '</div>' + CHECK_JS + '</body>', 1)
        body = body.replace('</head>', CSS + f'<title>{title} – trackshower</title></head>', 1)
        tmp = out / f'.{stem}.html.tmp'; tmp.write_text(body); os.replace(tmp, out / f'{stem}.html')
    print(f'wrote {len(pages)} pages to {out}/ (open {out}/index.html)')

if __name__ == '__main__': main()
