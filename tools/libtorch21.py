"""Every export variant checked in LibTorch 2.1's generation (torch 2.1.2, what LArSoft's Pandora is built against).

With the current torch, exports the package's model and two small networks (a plain U-Net; one with tile-wide
context and a refinement block), each dense (`torch.jit.trace`) and sparse (`SparseUNet`, scripted), and a
relative-charge network dense only (the sparse export takes min-max networks); builds Pandora's tiles of `--events`
simulated events of the default mix (plus an empty tile and one with hits on every border). Then, in a fresh process
of each interpreter (the side environment's torch 2.1.2 and the current torch), loads every file with
`torch.jit.load`, runs the tiles one at a time as LArContent does, and keeps the outputs at the hit pixels.
Checks, per file: it loads and runs under torch 2.1.2; its outputs are finite; its p_track (Pandora's rule) under 2.1.2
equals the current torch's within 1e-5; a sparse file's p_track (Pandora's rule) equals its dense twin's within 1e-5 at every hit
pixel, under both. Prints a table; exit status 1 on any failure.

Usage: .venv/bin/python tools/libtorch21.py [--side .venv-lt21/bin/python] [--events 200] [--threads 2]
(`make libtorch21` makes the side environment: `pip install torch==2.1.2 'numpy<2'` in .venv-lt21)
"""
import argparse, json, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np

RUN = r'''
import sys, json, time, numpy as np, torch, warnings
warnings.simplefilter('ignore')
torch.set_num_threads(int(sys.argv[3]))
d = np.load(sys.argv[1]); files = json.loads(sys.argv[2])
offs, rc, val = d['offs'], d['rc'], d['val']
out = {'torch': torch.__version__}
for name, path in files.items():
    m = torch.jit.load(path); m.eval(); got = []; t = time.perf_counter()
    with torch.no_grad():
        for i in range(len(offs) - 1):
            x = torch.zeros(1, 1, 256 * 256); k = torch.from_numpy(rc[offs[i]:offs[i + 1]])
            x[0, 0, k] = torch.from_numpy(val[offs[i]:offs[i + 1]])
            got.append(m(x.view(1, 1, 256, 256)).view(3, -1)[:, k].T.numpy())
    np.save(sys.argv[4] + '_' + name.replace('/', '_') + '.npy', np.concatenate(got)); out[name] = time.perf_counter() - t
print(json.dumps(out))
'''

def tiles(n_events:int):
    "Pandora's min-max tiles of `n_events` simulated events, plus an empty tile and one with hits on every border: (offsets, flat pixel, value)"
    from trackshower.sim.events import simulate
    from trackshower.images import TileGeometry, events_images
    si, _ = events_images(simulate(n_events, seed=2101), TileGeometry(), 'UVW', warn=False)
    offs = si.pixel_offsets()
    border = np.unique(np.r_[np.arange(256), 255 * 256 + np.arange(256), np.arange(256) * 256, np.arange(256) * 256 + 255])
    rc = np.r_[si.pix_rc, border].astype(np.int64); val = np.r_[si.value, np.linspace(.1, 1, len(border))].astype(np.float32)
    return np.r_[offs, offs[-1], offs[-1] + len(border)], rc, val

def exports(d:Path)->dict:
    "name -> file: the variants, written with the current torch"
    import torch
    from types import SimpleNamespace
    from trackshower.core import HitConfig
    from trackshower.model import UNet
    from trackshower.pretrained import load
    from trackshower.export import export_pandora
    def rand(net):
        g = torch.Generator().manual_seed(21)
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-.5, .5, generator=g); m.running_var.uniform_(.5, 2, generator=g); m.bias.uniform_(-.3, .3, generator=g)
            for p in ([net.ctx.weight, net.ctx.bias] if net.ctx is not None else []) + ([net.refine[1].weight] if net.refine is not None else []):
                p.normal_(0, .1, generator=g)
        return SimpleNamespace(model=net.eval(), hit_config=HitConfig(mean=.0005, std=.0137, views='UVW'))
    torch.manual_seed(0)
    nets = dict(package=load(), plain=rand(UNet(depth=3, nf=4)), context_refine=rand(UNet(depth=4, nf=8, context=True, refine=8)),
                relative=rand(UNet(depth=3, nf=4, charge='relative')))
    files = {}
    for name, lrn in nets.items():
        for sparse in ((False,) if name == 'relative' else (False, True)):
            kind = 'sparse' if sparse else 'dense'
            files[f'{name}/{kind}'] = str(export_pandora(lrn, d / f'{name}_{kind}', views='W', sparse=sparse)['W'])
    return files

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--side', default=str(Path(__file__).resolve().parent.parent / '.venv-lt21' / 'bin' / 'python'))
    ap.add_argument('--events', type=int, default=200); ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    if not Path(a.side).exists(): sys.exit(f'libtorch21: no side environment at {a.side} (make libtorch21 makes it)')
    warnings.simplefilter('ignore')
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); files = exports(d)
        offs, rc, val = tiles(a.events); np.savez(d / 'tiles.npz', offs=offs, rc=rc, val=val)
        print(f'{len(offs) - 1} tiles ({a.events} simulated events of the default mix, an empty tile, a tile with hits on every border), '
              f'{len(rc)} hit pixels; {len(files)} files')
        res, times = {}, {}
        for env, py in (('side', a.side), ('current', sys.executable)):
            r = subprocess.run([py, '-c', RUN, str(d / 'tiles.npz'), json.dumps(files), str(a.threads), str(d / env)], capture_output=True, text=True)
            if r.returncode: sys.exit(f'libtorch21: the {env} interpreter failed:\n{r.stderr[-3000:]}')
            times[env] = json.loads(r.stdout.strip().splitlines()[-1])
            res[env] = {name: np.load(d / f'{env}_{name.replace("/", "_")}.npy') for name in files}
    p = lambda o: 1 / (1 + np.exp(np.clip(o[:, 1].astype(np.float64) - o[:, 2], -700, 700)))
    print(f"side torch {times['side']['torch']}, current torch {times['current']['torch']}")
    print(f"{'file':24s} {'finite':>7s} {'|p 2.1 - p current|':>20s} {'|p sparse - p dense| 2.1':>25s} {'current':>9s} {'s/tile 2.1':>11s}")
    fails = []
    for name in files:
        s, c = res['side'][name], res['current'][name]
        fin = bool(np.isfinite(s).all() and np.isfinite(c).all()); env_diff = float(np.abs(p(s) - p(c)).max())
        row = f'{name:24s} {str(fin):>7s} {env_diff:20.2e}'
        if not fin or env_diff > 1e-5: fails.append(f'{name}: finite {fin}, 2.1 vs current {env_diff:.2e}')
        if name.endswith('/sparse'):
            twin = name.replace('/sparse', '/dense')
            ds, dc = (float(np.abs(p(res[e][name]) - p(res[e][twin])).max()) for e in ('side', 'current'))
            row += f' {ds:25.2e} {dc:9.2e}'
            if max(ds, dc) > 1e-5: fails.append(f'{name}: p_track differs from the dense export by {max(ds, dc):.2e}')
        else: row += f" {'':25s} {'':9s}"
        print(row + f" {times['side'][name] / (len(offs) - 1) * 1e3:9.2f}ms")
    for f in fails: print('FAIL ' + f)
    print('libtorch21: ' + ('every file loads and runs in torch 2.1.2 and agrees' if not fails else f'{len(fails)} failures'))
    sys.exit(1 if fails else 0)

if __name__ == '__main__': main()
