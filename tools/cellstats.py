"""Size of the exported code cells of the notebooks (the grain issue 14 asks for).

Prints, over every `#| export` cell of nbs/*.ipynb: how many there are, the median and largest size in
characters, how many are over the limit, and the largest cells with their notebook and cell id.
Usage: python tools/cellstats.py [--limit 2500] [--top 10] [--check MEDIAN_MAX]
"""
import argparse, json, statistics, sys
from pathlib import Path

def exported_cells(nbs:Path):
    for p in sorted(nbs.glob('*.ipynb')):
        for c in json.loads(p.read_text())['cells']:
            src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
            if c['cell_type'] == 'code' and src.lstrip().startswith('#| export'):
                yield p.name, c.get('id', '?'), len(src)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--nbs', default=str(Path(__file__).resolve().parent.parent / 'nbs'))
    ap.add_argument('--limit', type=int, default=2500, help='a cell over this many characters is counted as too large')
    ap.add_argument('--top', type=int, default=10, help='list this many of the largest cells')
    ap.add_argument('--check', type=int, default=0, help='exit 1 if the median exceeds this or any cell exceeds --limit')
    a = ap.parse_args()
    cells = list(exported_cells(Path(a.nbs)))
    sizes = [n for _, _, n in cells]
    over = [c for c in cells if c[2] > a.limit]
    med = statistics.median(sizes) if sizes else 0
    print(f'{len(cells)} exported cells; median {med:.0f} characters; {len(over)} over {a.limit}; largest {max(sizes, default=0)}')
    for nb, cid, n in sorted(cells, key=lambda c: -c[2])[:a.top]: print(f'  {n:6d}  {nb} #{cid}')
    if a.check and (med > a.check or over): sys.exit(1)

if __name__ == '__main__': main()
