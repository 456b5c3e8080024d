"""Print the simulation's validation figures (ranges, MIP dE/dx, 1 GeV shower, per-kind hit counts) at full statistics.

Usage: python bench/sim_validation.py   (about a minute on one core)
The same quantities are asserted, on fewer events, in nbs/03_sim.physics.ipynb and nbs/03b_sim.events.ipynb.
"""
import numpy as np, math, time
from trackshower.sim.physics import *
from trackshower.sim.events import kind_summary
from trackshower.geometry import LAR
for (who, T0), ref in {('mu', 500.): 303.5 / 1.396, ('mu', 1000.): 616.3 / 1.396, ('p', 100.): 10.92 / 1.396, ('p', 300.): 71.44 / 1.396}.items():
    got = float(range_table(MMU if who == 'mu' else MP).range(T0)); print(f'range {who} {T0:.0f} MeV: {got:.2f} cm vs PDG/NIST {ref:.2f} cm ({(got/ref-1)*100:+.1f}%)')
rng=np.random.default_rng(1); T_mu=np.full(400_000,1000.); vis,didx,dT=step_losses(rng,T_mu,MMU,0.3)
h,e=np.histogram(vis/0.3,bins=np.linspace(0.5,4,141)); mpv=0.5*(e[h.argmax()]+e[h.argmax()+1]); dp,xi=landau_params(1000.,MMU,0.3)
print(f'MIP (1 GeV mu, 0.3 cm): MPV {mpv:.3f} MeV/cm (PDG Landau-Vavilov {dp/0.3:.3f}); mean {(vis.sum()+dT.sum())/(0.3*len(T_mu)):.3f} (Bethe {float(bethe_dedx(1000.,MMU)):.3f}); min-ionising Bethe {bethe_dedx(np.geomspace(10,1e5,4000),MMU).min():.3f}')
t=time.time(); prof=shower_profile(np.random.default_rng(7),1000.,n=50)
print(f"1 GeV e- x50: t_max(gamma fit) {prof['t_max']:.2f} X0, peak bin {prof['t_peak_bin']:.2f} X0 (expected {math.log(1000/LAR.critical_energy)-0.5:.2f}); within 2 R_M {prof['frac_2rm']*100:.1f}%; visible {prof['visible_fraction']*100:.1f}%  ({time.time()-t:.0f}s)")
s=kind_summary(100, seed=2)
for k,v in s.items(): print(f"{k:8s} hits/view " + ', '.join(f'{a} {b:.0f}' for a,b in v['hits_per_view'].items()) + f"; shower fraction {v['shower_fraction']:.3f}")
