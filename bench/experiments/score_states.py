"""Score state dicts of the package's architecture (and their weight average) on freshly simulated events.

Each network is scored per hit with Pandora's tiles and decision through `predict` (`HitUNet`): balanced
accuracy overall and per view, track and shower efficiency; with --average, also the plain mean of all the
given state dicts (BatchNorm statistics averaged too), the "model soup" of fine-tuning rounds from one start; with
--recalibrate N, also each network with its BatchNorm statistics re-estimated over the whole Pandora tiles of N other
fresh events (seed --cal_seed; `bench/bn_stability.py`'s `recalibrated`), since it trains on 128-pixel crops.

Usage: .venv/bin/python bench/experiments/score_states.py A.pth[,B.pth...] [--seed 558] [--events 1000] [--average] [--recalibrate 300]
"""
import argparse, os, time, warnings
import torch

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('states', help='comma-separated state dicts (weights_only) of the package model\'s architecture')
    ap.add_argument('--seed', type=int, default=558); ap.add_argument('--events', type=int, default=1000)
    ap.add_argument('--average', action='store_true', help='also score the mean of the state dicts')
    ap.add_argument('--recalibrate', type=int, default=0, metavar='N', help='also score each network with BatchNorm statistics re-estimated on the tiles of N fresh events')
    ap.add_argument('--cal_seed', type=int, default=31, help='seed of the --recalibrate events')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    files = a.states.split(',')
    for f in files:
        if not os.path.isfile(f): ap.error(f'no such file {f}')
    if a.events < 1 or a.recalibrate < 0: ap.error('--events must be at least 1, --recalibrate not negative')
    if a.recalibrate and a.cal_seed == a.seed: ap.error('--cal_seed must differ from --seed (the scored events)')
    warnings.simplefilter('ignore'); torch.set_num_threads(a.threads)
    from trackshower.model import UNet
    from trackshower.pretrained import load
    from trackshower.inference import predict
    from trackshower.sim.events import simulate
    from trackshower.evaluate import hit_metrics
    pm = load()
    sds = []
    for f in files:
        try: sds.append(torch.load(f, map_location='cpu', weights_only=True))
        except Exception as e: ap.error(f'{f}: not a weights-only state dict ({type(e).__name__})')
    ev = simulate(a.events, seed=a.seed, progress=False)
    if a.recalibrate:
        import sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
        from bn_stability import recalibrated
        from trackshower.images import events_images, TileGeometry
        cal, _ = events_images(simulate(a.recalibrate, seed=a.cal_seed, progress=False), TileGeometry(), warn=False)
    def score(sd, tag):
        net = UNet(**pm.model.config)
        try: net.load_state_dict(sd)
        except RuntimeError as e: raise SystemExit(f'{tag}: does not fit the package model\'s architecture ({str(e).splitlines()[0][:150]})')
        pm.model = net.eval()
        t = time.time(); m = hit_metrics(ev, predict(pm, ev), 'UVW')
        print(f"{tag}: balanced {m['all']['balanced_acc']:.4f} (U {m['U']['balanced_acc']:.4f} V {m['V']['balanced_acc']:.4f} W {m['W']['balanced_acc']:.4f}; "
              f"track {m['all']['track_eff']:.4f} shower {m['all']['shower_eff']:.4f}) [{time.time() - t:.0f} s]", flush=True)
        if a.recalibrate:
            pr = recalibrated(pm, cal); t = time.time(); m = hit_metrics(ev, predict(pr, ev), 'UVW')
            print(f"{tag}, BatchNorm re-estimated on {cal.n_images} tiles of {a.recalibrate} events (seed {a.cal_seed}): balanced {m['all']['balanced_acc']:.4f} "
                  f"(track {m['all']['track_eff']:.4f} shower {m['all']['shower_eff']:.4f}) [{time.time() - t:.0f} s]", flush=True)
    print(f'{a.events} fresh events, seed {a.seed}, {a.threads} threads')
    for f, sd in zip(files, sds): score(sd, f)
    if a.average and len(sds) > 1:
        score({k: sum(s[k].float() for s in sds).div(len(sds)).to(v.dtype) if v.is_floating_point() else v for k, v in sds[0].items()}, 'average')

if __name__ == '__main__': main()
