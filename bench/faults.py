"""Fault injection for every writer and reader (issue 13).

1. SIGKILL: each writer (simulated-hits CSV set, ROOT file, prediction CSV set, Pandora export set,
   training checkpoint) first writes a complete "old" output, then a real process writing a "new" one is
   killed with SIGKILL at a random moment of its write (after it says it starts writing). The output is
   then read with our readers (which finish an interrupted set commit) and every member is compared
   with the complete old and the complete new output: all old or all new, never mixed or truncated.
2. Disk full: the same writers under RLIMIT_FSIZE smaller than their output (the kernel's "file too
   large", as a full disk would be): the old output must stay whole, no temporary may stay behind, and
   the commands (`trackshower_export`, `trackshower_simulate`) must say so in one line with exit 2.
3. Read-only output: a read-only filesystem (a tmpfs mounted read-only, where mounting is allowed):
   one-line error, exit 2.
4. Fuzzing: mangled CSV lines and ROOT files with bad values: each is read right or rejected with
   `HitIOError`, and hits in = hits out + hits of the events reported skipped.
5. Concurrency: two processes writing one CSV set at the same moment (100 times; 20 with --quick): the set is
   one writer's, whole, and both succeed; a reader reading the set over and over while a writer rewrites it
   400 times (80): every read is one whole version, never a mix, never a false "replaced", and the writer
   never fails.
6. Journal attacks: set journals planted with members outside the set (absolute paths, `../`), or of the wrong
   shape: refused in one line naming the journal (also through `trackshower_evaluate`), no file touched.

Prints a summary table and, with --json, writes the figures. `--quick` is the subset `make test` runs.
Usage: .venv/bin/python bench/faults.py [--quick] [--kills 50] [--sections kills,disk,...] [--json FILE]
"""
import argparse, hashlib, json, os, random, resource, signal, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np

WRITERS = ('csv', 'root', 'predcsv', 'export', 'checkpoint')
SECTIONS = ('kills', 'disk', 'readonly', 'concurrency', 'journal', 'fuzz')

# ---------------------------------------------------------------------------------------------- content
def synth_events(seed:int, n:int=150):
    "Random but deterministic events (fast: no simulation), with truth"
    from trackshower.core import Hits, Events
    rng = np.random.default_rng(seed)
    evs = []
    for i in range(n):
        k = int(rng.integers(20, 200))
        evs.append(Hits(view=rng.integers(0, 3, k), x=rng.random(k) * 300, z=rng.random(k) * 1000, adc=rng.random(k) * 500,
                        tag=rng.integers(1, 3, k), event=i))
    return Events.from_list(evs)

def members(kind:str, out:Path)->list:
    "The files that make up one output of writer `kind` under `out`"
    if kind in ('csv', 'predcsv'): return [out / f'ev_CaloHitList{v}.csv' for v in 'UVW']
    if kind == 'root': return [out / 'ev.root']
    if kind == 'export': return [out / f'ts_{v}.pt' for v in 'UVW'] + [out / 'ts_weights.pth', out / 'ts.json']
    return [out / 'models' / 'last.pth']

def _model(seed:int):
    import torch
    from trackshower.model import UNet
    torch.manual_seed(seed)
    return UNet(depth=3, nf=8).eval()

def write(kind:str, out:Path, variant:int):
    "Write output `variant` of writer `kind` into `out` (the driver a killed process runs)"
    import torch
    random.seed(variant); np.random.seed(variant)   # a checkpoint holds the random states: the same for the same variant
    if kind == 'csv':
        from trackshower.io import write_pandora_csv
        ev = synth_events(variant); say(); write_pandora_csv(ev, out / 'ev', timestamp='t')
    elif kind == 'root':
        from trackshower.io import write_root
        ev = synth_events(variant); say(); write_root(ev, out / 'ev.root')
    elif kind == 'predcsv':
        from trackshower.inference import write_predictions_csv, HitPredictions
        ev = synth_events(variant); p = np.random.default_rng(variant).random(ev.n_hits)
        say(); write_predictions_csv(ev, HitPredictions(p, 1 - p), out / 'ev', timestamp='t')
    elif kind == 'export':
        from types import SimpleNamespace
        from trackshower.export import export_pandora
        lrn = SimpleNamespace(model=_model(variant), hit_config=dict(mean=0.01, std=0.05, views='UVW'))
        say(); export_pandora(lrn, out / 'ts')
    elif kind == 'checkpoint':
        from types import SimpleNamespace
        from trackshower.learner import save_checkpoint
        m = _model(variant)
        lrn = SimpleNamespace(model=m, opt=None, hit_config=dict(variant=variant))
        say(); save_checkpoint(out / 'models' / 'last.pth', lrn, epoch=variant)

def say(): print('WRITING', flush=True)

def read(kind:str, out:Path):
    "Read an output the way a user would (this finishes an interrupted set commit)"
    if kind in ('csv', 'predcsv'):
        from trackshower.io import read_pandora_csv
        if kind == 'csv': return read_pandora_csv(out / 'ev')
        from trackshower.io import check_set, csv_set   # six columns per hit: our reader checks the set only
        return check_set(csv_set(out / 'ev'))
    if kind == 'root':
        from trackshower.io import read_root
        return read_root(out / 'ev.root')
    if kind == 'export':
        from trackshower.export import load_exported
        return [load_exported(out / f'ts_{v}.pt') for v in 'UVW']
    from trackshower.learner import load_checkpoint
    return load_checkpoint(out / 'models' / 'last.pth')

def digest(files)->tuple:
    return tuple(hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None for f in files)

def signature(kind:str, out:Path)->tuple:
    "What identifies an output's content: file digests, except for the export, whose TorchScript files differ byte-wise"
    if kind == 'root':               # a ROOT file carries its own creation time and UUID: compare what it holds
        from trackshower.io import read_root
        f = members(kind, out)[0]
        if not f.exists(): return (None,)
        ev = read_root(f)
        return (hashlib.sha256(b''.join(np.ascontiguousarray(a).tobytes() for a in
                                        [ev.offsets, ev.event_ids, *ev.hits.columns().values()])).hexdigest(),)
    if kind != 'export': return digest(members(kind, out))
    import torch                      # ... between two traces of the same model, and whose card has a creation time
    fs = members(kind, out)
    sig = []
    for f in fs:
        if not f.exists(): sig.append(None)
        elif f.suffix == '.pt':
            sd = torch.jit.load(str(f)).state_dict()
            sig.append(hashlib.sha256(b''.join(v.numpy().tobytes() for v in sd.values())).hexdigest())
        elif f.suffix == '.json':    # the card, less when and from which commit it was written
            sig.append(json.dumps({k: v for k, v in json.loads(f.read_text()).items() if k not in ('created', 'git')}, sort_keys=True))
        else: sig.append(hashlib.sha256(f.read_bytes()).hexdigest())
    return tuple(sig)

def driver_cmd(kind, out, variant): return [sys.executable, __file__, '--driver', kind, str(out), str(variant)]

def tmp_files(d:Path)->list: return [p for p in d.rglob('.*.tmp')]

# --------------------------------------------------------------------------------------------- SIGKILL
def kill_trials(kind:str, n:int, work:Path, rng:random.Random)->dict:
    "Kill a writer of `kind` `n` times at random moments of its write; classify what the readers then see"
    ref = {}
    for variant in (1, 2):
        d = work / f'{kind}_ref{variant}'; d.mkdir(parents=True)
        t = time.time(); p = subprocess.run(driver_cmd(kind, d, variant), capture_output=True, text=True)
        assert p.returncode == 0, p.stderr[-2000:]
        ref[variant] = signature(kind, d)
    # how long the write itself takes (after the marker)
    d = work / f'{kind}_timing'; d.mkdir()
    pr = subprocess.Popen(driver_cmd(kind, d, 2), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    pr.stdout.readline(); t0 = time.time(); pr.stdout.readline(); t_write = time.time() - t0; pr.wait()   # WRITING ... DONE
    out = dict(trials=0, old=0, new=0, mixed=0, unreadable=0, tmp_left_after_next_write=0, t_write_s=round(t_write, 3))
    d = work / f'{kind}_kill'; d.mkdir()
    subprocess.run(driver_cmd(kind, d, 1), check=True, capture_output=True)
    cur = 1                                   # the complete output on disk before each trial
    for i in range(n):
        nxt = 3 - cur
        pr = subprocess.Popen(driver_cmd(kind, d, nxt), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        pr.stdout.readline()                  # it starts writing now
        time.sleep(rng.uniform(0, 1.3 * t_write))
        pr.send_signal(signal.SIGKILL); pr.wait()
        out['trials'] += 1
        try: read(kind, d)
        except Exception as e:
            out['unreadable'] += 1; print(f'  {kind} trial {i}: unreadable after kill: {e}', flush=True)
            subprocess.run(driver_cmd(kind, d, 1), check=True, capture_output=True); cur = 1; continue
        got = signature(kind, d)
        if got == ref[cur]: out['old'] += 1
        elif got == ref[nxt]: out['new'] += 1; cur = nxt
        else:
            out['mixed'] += 1; print(f'  {kind} trial {i}: MIXED or TRUNCATED output', flush=True)
            subprocess.run(driver_cmd(kind, d, 1), check=True, capture_output=True); cur = 1
    subprocess.run(driver_cmd(kind, d, 1), check=True, capture_output=True)   # the next write cleans up
    out['tmp_left_after_next_write'] = len(tmp_files(d))
    return out

def run_kills(n:int, work:Path, rng:random.Random)->dict:
    """Kill trackshower_train at random moments: the run directory is then absent, or --resume finishes it with exactly
    the uninterrupted run's weights, or --resume says in one line that the run must start again (no checkpoint yet), or
    that it had finished (killed after its end; its weights are the uninterrupted run's)"""
    import torch
    exe = str(Path(sys.executable).parent / 'trackshower_train')
    opts = ['--n-events', '24', '--views', 'W', '--nf', '4', '--depth', '2', '--crop', '64', '--bs', '4', '--lr', '0.01',
            '--no-bf16', '--quick', '--epochs', '3', '--seed', '4']
    env = dict(os.environ, OMP_NUM_THREADS='1')
    t = time.time(); subprocess.run([exe, *opts, '--out', str(work / 'run_ref')], check=True, capture_output=True, env=env)
    t_run = time.time() - t
    ref = torch.load(work / 'run_ref' / 'models' / 'last.pth', weights_only=True)['model']
    out = dict(trials=0, no_directory=0, resumed_equal=0, restart_needed=0, finished=0, bad=0, t_run_s=round(t_run, 1))
    for i in range(n):
        d = work / f'run_{i}'
        p = subprocess.Popen([exe, *opts, '--out', str(d)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0, t_run)); p.send_signal(signal.SIGKILL); p.wait(); out['trials'] += 1
        if not d.exists(): out['no_directory'] += 1; continue
        r = subprocess.run([exe, '--resume', str(d)], capture_output=True, text=True, env=env)
        if r.returncode == 0:
            got = torch.load(d / 'models' / 'last.pth', weights_only=True)['model']
            ok = all(torch.equal(got[k], ref[k]) for k in ref)
            out['resumed_equal' if ok else 'bad'] += 1
        elif r.returncode == 2 and 'start it again' in r.stderr and len(r.stderr.strip().splitlines()) == 1: out['restart_needed'] += 1
        elif r.returncode == 2 and 'this run finished' in r.stderr and len(r.stderr.strip().splitlines()) == 1:   # killed after the end
            got = torch.load(d / 'models' / 'last.pth', weights_only=True)['model']
            out['finished' if all(torch.equal(got[k], ref[k]) for k in ref) else 'bad'] += 1
        else: out['bad'] += 1; print(f'  run trial {i}: rc {r.returncode}: {r.stderr[-300:]}', flush=True)
    return out

# ------------------------------------------------------------------------------------------- disk full
def _limit(nbytes):
    def f():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return f

def disk_full(work:Path, writers)->dict:
    "Writers and commands under a file-size limit below their output size: old output whole, nothing left behind"
    res = {}
    for kind in list(writers) + (['checkpoint'] if 'checkpoint' not in writers else []):
        d = work / f'{kind}_full'; d.mkdir()
        subprocess.run(driver_cmd(kind, d, 1), check=True, capture_output=True)
        old = signature(kind, d)
        biggest = max(f.stat().st_size for f in members(kind, d))
        p = subprocess.run(driver_cmd(kind, d, 2), capture_output=True, text=True, preexec_fn=_limit(biggest // 2))
        res[kind] = dict(failed=p.returncode != 0, old_intact=signature(kind, d) == old, tmp_left=len(tmp_files(d)),
                         error=(p.stderr.strip().splitlines() or [''])[-1][:120])
    bindir = Path(sys.executable).parent
    d = work / 'cli_full'; d.mkdir()
    ck = work / 'checkpoint_full' / 'models' / 'last.pth'
    # a checkpoint the export command accepts: model config in it
    import torch
    from trackshower.learner import load_checkpoint
    st = load_checkpoint(ck); st['config'] = dict(arch_kwargs=_model(1).config, views='UVW', mean=0.01, std=0.05)
    torch.save(st, d / 'ck.pth')
    for name, cmd, lim in (('trackshower_export', [str(bindir / 'trackshower_export'), '--checkpoint', str(d / 'ck.pth'), '--out', str(d / 'ts')], 200_000),
                           ('trackshower_simulate', [str(bindir / 'trackshower_simulate'), '--n-events', '30', '--out', str(d / 'ev')], 20_000)):
        p = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_limit(lim))
        lines = p.stderr.strip().splitlines()
        res[name] = dict(rc=p.returncode, one_line=len(lines) == 1, says_no_space='no space left' in p.stderr,
                         tmp_left=len(tmp_files(d)), message=lines[-1][:140] if lines else '')
    return res

def read_only(work:Path)->dict:
    "A read-only filesystem as output: one-line error, exit 2 (needs permission to mount a tmpfs)"
    d = work / 'ro'; d.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', str(d)], capture_output=True).returncode:
        return dict(run=False, why='mounting a read-only tmpfs is not permitted here')
    try:
        exe = Path(sys.executable).parent / 'trackshower_simulate'
        p = subprocess.run([str(exe), '--n-events', '2', '--out', str(d / 'ev')], capture_output=True, text=True)
        lines = p.stderr.strip().splitlines()
        return dict(run=True, rc=p.returncode, one_line=len(lines) == 1, message=lines[-1][:140] if lines else '')
    finally: subprocess.run(['umount', str(d)])

# ----------------------------------------------------------------------------------------------- fuzzing
def fuzz_csv(n_lines:int, rng:random.Random)->dict:
    "Mangled lines in real files: read right or rejected by HitIOError; every event is either read or reported skipped"
    from trackshower.io import read_pandora_csv, write_pandora_csv, HitIOError
    out = dict(lines=0, events_read=0, events_skipped=0, rejected_files=0, silent_losses=0, foreign_errors=0)
    with tempfile.TemporaryDirectory() as d:
        per_file = 100
        for f in range(n_lines // per_file):
            ev = synth_events(1000 + f, per_file)
            write_pandora_csv(ev, f'{d}/f', timestamp='t')
            p = Path(f'{d}/f_CaloHitList{rng.choice("UVW")}.csv')
            lines = p.read_text().splitlines(keepends=True)
            for i in range(len(lines)):         # every line of one view file is mangled
                s = lines[i]; k = rng.randrange(len(s))
                s = rng.choice([s[:k] + s[k + 1:], s[:k] + rng.choice('0123456789,.-+eExn') + s[k:],
                                s.replace(',', ',nan,', 1) if rng.random() < .1 else s[:k] + ',1e39' + s[k:],
                                s[:k] + rng.choice(['-', '1e30', 'inf', ',,']) + s[k + 1:]])
                lines[i] = s if s.endswith('\n') else s + '\n'
            p.write_text(''.join(lines))
            Path(f'{d}/.f_CaloHitList.set.json').unlink()   # hand-edited files: accept them as they are
            out['lines'] += per_file
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore'); got = read_pandora_csv(f'{d}/f', strict=False)
            except HitIOError: out['rejected_files'] += 1; continue
            except Exception as e: out['foreign_errors'] += 1; print('  csv fuzz: foreign error', repr(e)[:200]); continue
            skipped = {s[1] - 1 for s in got.skipped}          # 1-based line numbers = event index + 1
            out['events_read'] += len(got); out['events_skipped'] += len(skipped)
            if set(got.event_ids.tolist()) | skipped != set(range(per_file)): out['silent_losses'] += 1
    return out

def fuzz_root(n_files:int, rng:random.Random)->dict:
    "ROOT files with bad values: read right or rejected; hits in = hits out + hits of skipped events"
    from trackshower.io import read_root, write_root, HitIOError
    out = dict(files=0, rejected=0, read=0, invariant_broken=0, foreign_errors=0, corrupt_bytes_rejected=0, corrupt_bytes_read=0)
    with tempfile.TemporaryDirectory() as d:
        for f in range(n_files):
            ev = synth_events(5000 + f, 20)
            h = ev.hits
            for _ in range(rng.randint(0, 3)):
                i = rng.randrange(ev.n_hits); col = rng.choice(['x', 'z', 'adc', 'view', 'tag'])
                bad = {'x': [np.nan, 1e30, -np.inf], 'z': [1e6, np.nan], 'adc': [-1., np.nan], 'view': [3, -1], 'tag': [0, 7]}[col]
                getattr(h, col)[i] = rng.choice(bad)
            write_root(ev, f'{d}/f.root'); out['files'] += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore'); got = read_root(f'{d}/f.root', strict=False)
            except HitIOError: out['rejected'] += 1; continue
            except Exception as e: out['foreign_errors'] += 1; print('  root fuzz: foreign error', repr(e)[:200]); continue
            out['read'] += 1
            lost = sum(int(np.diff(ev.offsets)[s[1]]) for s in got.skipped)
            if got.n_hits + lost != ev.n_hits: out['invariant_broken'] += 1
            # byte corruption of a valid file: our error or a clean read
            b = bytearray(Path(f'{d}/f.root').read_bytes())
            for _ in range(8): b[rng.randrange(len(b))] = rng.randrange(256)
            Path(f'{d}/g.root').write_bytes(bytes(b))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore'); read_root(f'{d}/g.root', strict=False)
                out['corrupt_bytes_read'] += 1
            except HitIOError: out['corrupt_bytes_rejected'] += 1
            except Exception as e: out['foreign_errors'] += 1; print('  root bytes fuzz: foreign error', repr(e)[:200])
    return out


# ----------------------------------------------------------------------------------------- concurrency
GO_WAIT = r"""
import sys, time, warnings, os
from pathlib import Path
warnings.simplefilter('ignore')
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import faults
from trackshower.io import write_pandora_csv
out, variant, go = Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
ev = faults.synth_events(variant)
print('READY', flush=True)
while not go.exists(): time.sleep(0.001)
write_pandora_csv(ev, out / 'ev', timestamp='t')
"""

def _csv_ref(work:Path, variant:int):
    from trackshower.io import write_pandora_csv
    d = work / f'cref{variant}'; d.mkdir(exist_ok=True); write_pandora_csv(synth_events(variant), d / 'ev', timestamp='t')
    return digest(members('csv', d))

def two_writers(n:int, work:Path)->dict:
    "Two processes write the same CSV set at the same moment, `n` times: the set is one writer's, whole, its journal matching"
    from trackshower.io import read_pandora_csv, check_set, csv_set
    ref = {v: _csv_ref(work, v) for v in (1, 2)}
    out = dict(iterations=0, whole=0, mixed=0, failed_writers=0, unreadable=0)
    d = work / 'two'; d.mkdir()
    for i in range(n):
        go = d / 'go'
        ps = [subprocess.Popen([sys.executable, '-c', GO_WAIT, __file__, str(d), str(v), str(go)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for v in (1, 2)]
        for p in ps: p.stdout.readline()          # both have their events and wait
        go.touch()
        errs = [p.communicate()[1] for p in ps]
        go.unlink(); out['iterations'] += 1
        failed = [e for p, e in zip(ps, errs) if p.returncode]
        out['failed_writers'] += len(failed)
        for e in failed[:1]: print(f'  two writers {i}: a writer failed: {e.strip().splitlines()[-1][:200]}', flush=True)
        try: check_set(csv_set(d / 'ev')); read_pandora_csv(d / 'ev')
        except Exception as e:
            out['unreadable'] += 1; print(f'  two writers {i}: unreadable: {str(e)[:200]}', flush=True); continue
        got = digest(members('csv', d))
        if got in ref.values(): out['whole'] += 1
        else: out['mixed'] += 1; print(f'  two writers {i}: MIXED set', flush=True)
    return out

REWRITER = r"""
import sys, warnings, os
from pathlib import Path
warnings.simplefilter('ignore')
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import faults
from trackshower.io import write_pandora_csv
out, n = Path(sys.argv[2]), int(sys.argv[3])
evs = {v: faults.synth_events(v) for v in (1, 2)}
print('READY', flush=True)
for i in range(n): write_pandora_csv(evs[1 + i % 2], out / 'ev', timestamp='t')
"""

def reader_during_rewrite(n_writes:int, work:Path)->dict:
    "A reader reads the set over and over while a writer rewrites it `n_writes` times: every read is one whole version"
    from trackshower.io import read_pandora_csv, write_pandora_csv, HitIOError
    _csv_ref(work, 1); _csv_ref(work, 2)
    ref = {v: read_pandora_csv(work / f'cref{v}' / 'ev') for v in (1, 2)}    # as the reader sees them (6 significant digits)
    d = work / 'rewrite'; d.mkdir(); write_pandora_csv(synth_events(1), d / 'ev', timestamp='t')
    p = subprocess.Popen([sys.executable, '-c', REWRITER, __file__, str(d), str(n_writes)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()
    out = dict(writes=n_writes, reads=0, whole=0, mixed=0, false_replaced=0, other_errors=0, failed_writer=0)
    while True:
        done = p.poll() is not None
        try: ev = read_pandora_csv(d / 'ev')
        except HitIOError as e:
            out['reads'] += 1
            if 'replaced after its set was written' in str(e): out['false_replaced'] += 1   # no file was replaced by anyone else
            else: out['other_errors'] += 1; print(f'  reader: {str(e)[:200]}', flush=True)
        except Exception as e: out['reads'] += 1; out['other_errors'] += 1; print(f'  reader: {e!r}'[:200], flush=True)
        else:
            out['reads'] += 1
            if any(ev.hits.equals(r.hits) and np.array_equal(ev.offsets, r.offsets) for r in ref.values()): out['whole'] += 1
            else: out['mixed'] += 1
        if done: break
    err = p.stderr.read()
    if p.returncode: out['failed_writer'] = 1; print(f'  writer failed: {err.strip().splitlines()[-1][:200]}', flush=True)
    return out

# ------------------------------------------------------------------------------------ journal attacks
def journal_attacks(work:Path)->dict:
    """Set journals planted by an attacker (paths outside the set, `../`, wrong shapes): the readers and commands refuse them
    in one line naming the journal, and no file anywhere is moved, replaced or removed"""
    import hashlib
    from trackshower.io import read_pandora_csv, write_pandora_csv, check_set, csv_set, set_journal, HitIOError
    out = dict(cases=0, refused=0, accepted=0, foreign_errors=0, files_touched=0, cli_cases=0, cli_one_line=0)
    victims = work / 'victims'; victims.mkdir()
    def snapshot(*dirs):
        return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for d in dirs for f in sorted(Path(d).rglob('*')) if f.is_file() and not f.name.endswith('.lock')}
    d = work / 'attack'; d.mkdir(); write_pandora_csv(synth_events(1, 5), d / 'ev', timestamp='t')
    j = set_journal(csv_set(d / 'ev'))
    good = json.loads(j.read_text())
    (victims / 'victim.txt').write_text('precious'); (victims / 'source.txt').write_text('evil')
    m0 = good['members'][0]
    evil = [dict(state='pending', members=[dict(m0, file=str(victims / 'victim.txt'), tmp=str(victims / 'source.txt'))]),
            dict(state='pending', members=[dict(m0, file='../victims/victim.txt', tmp='../victims/source.txt')]),
            dict(state='pending', members=[dict(m0, tmp='../victims/source.txt')]),
            dict(state='pending', members=[dict(m0, file='other_file.csv', tmp='.other_file.csv.1.x.tmp')]),
            dict(state='committed', members=[dict(m0, file='../victims/victim.txt')]),
            dict(state='committed', members=5), dict(state='pending'), [1, 2], 'text', dict(state='pending', members=[dict(file=m0['file'])]),
            dict(state='pending', members=[dict(m0, tmp=None)]), dict(state='done', members=good['members'])]
    bindir = Path(sys.executable).parent
    for k, jn in enumerate(evil):
        before = snapshot(victims, d)
        j.write_text(json.dumps(jn)); out['cases'] += 1
        try: check_set(csv_set(d / 'ev')); read_pandora_csv(d / 'ev'); out['accepted'] += 1; print(f'  journal {k}: accepted', flush=True)
        except HitIOError as e:
            if str(j) in str(e): out['refused'] += 1
            else: out['foreign_errors'] += 1; print(f'  journal {k}: error not naming the journal: {e}', flush=True)
        except Exception as e: out['foreign_errors'] += 1; print(f'  journal {k}: {e!r}'[:200], flush=True)
        after = snapshot(victims, d)
        touched = sum(before.get(f) != after.get(f) for f in set(before) | set(after) if f != str(j))
        out['files_touched'] += touched
        if touched: print(f'  journal {k}: {touched} files touched', flush=True)
        if k < 3:                                   # the same journals through a command
            j.write_text(json.dumps(jn)); before = snapshot(victims, d)
            r = subprocess.run([str(bindir / 'trackshower_evaluate'), '--data', str(d / 'ev'), '--out', str(work / f'ev_out{k}')],
                               capture_output=True, text=True)
            out['cli_cases'] += 1
            out['cli_one_line'] += r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and str(j) in r.stderr
            after = snapshot(victims, d)
            out['files_touched'] += sum(before.get(f) != after.get(f) for f in set(before) | set(after) if f != str(j))
        j.write_text(json.dumps(good))
    return out

# ----------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='the subset make test runs: few kills, less fuzzing')
    ap.add_argument('--kills', type=int, default=None, help='SIGKILL trials per writer (default 50; 6 with --quick)')
    ap.add_argument('--writers', default=','.join(WRITERS))
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--json', default='', help='write the summary here')
    ap.add_argument('--sections', default=','.join(SECTIONS), help=f'which parts to run (default all: {",".join(SECTIONS)})')
    ap.add_argument('--driver', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.driver:
        kind, out, variant = a.driver
        warnings.simplefilter('ignore'); write(kind, Path(out), int(variant)); print('DONE', flush=True); return
    kills = a.kills if a.kills is not None else (4 if a.quick else 50)
    writers = a.writers.split(',') if a.writers != ','.join(WRITERS) or not a.quick else ['csv', 'export']
    sections = set(a.sections.split(','))
    rng = random.Random(a.seed)
    summary = dict(kills={}, disk_full={}, read_only={}, fuzz={})
    with tempfile.TemporaryDirectory() as w:
        w = Path(w)
        for kind in (writers if 'kills' in sections else []):
            summary['kills'][kind] = r = kill_trials(kind, kills, w, rng)
            print(f'SIGKILL {kind:10s} {r}', flush=True)
        if not a.quick and 'kills' in sections:
            summary['kills']['run'] = r = run_kills(max(kills // 5, 2), w, rng); print(f'SIGKILL trackshower_train {r}', flush=True)
        if 'disk' in sections:
            summary['disk_full'] = disk_full(w, writers)
            for k, v in summary['disk_full'].items(): print(f'disk full {k:20s} {v}', flush=True)
        if 'readonly' in sections: summary['read_only'] = read_only(w); print(f'read-only output {summary["read_only"]}', flush=True)
    with tempfile.TemporaryDirectory() as w:
        w = Path(w); n_conc = 20 if a.quick else 100
        if 'concurrency' in sections:
            summary['concurrency'] = dict(two_writers=two_writers(n_conc, w), reader_during_rewrite=reader_during_rewrite(4 * n_conc, w))
            for k, v in summary['concurrency'].items(): print(f'concurrency {k:22s} {v}', flush=True)
        if 'journal' in sections: summary['journal_attacks'] = journal_attacks(w); print(f"journal attacks {summary['journal_attacks']}", flush=True)
    if 'fuzz' in sections:
        summary['fuzz']['csv'] = fuzz_csv(1500 if a.quick else 10_000, rng); print(f'CSV fuzz {summary["fuzz"]["csv"]}', flush=True)
        summary['fuzz']['root'] = fuzz_root(20 if a.quick else 200, rng); print(f'ROOT fuzz {summary["fuzz"]["root"]}', flush=True)
    k = {n: r for n, r in summary['kills'].items() if n != 'run'}
    print(f"\nSIGKILL: {sum(r['trials'] for r in k.values())} trials, {sum(r['old'] for r in k.values())} complete old, "
          f"{sum(r['new'] for r in k.values())} complete new, {sum(r['mixed'] for r in k.values())} mixed or truncated, "
          f"{sum(r['unreadable'] for r in k.values())} unreadable; temporaries left after the next write: "
          f"{sum(r['tmp_left_after_next_write'] for r in k.values())}")
    if a.json: Path(a.json).write_text(json.dumps(summary, indent=1))
    print('SUMMARY ' + json.dumps(summary))

if __name__ == '__main__': main()
