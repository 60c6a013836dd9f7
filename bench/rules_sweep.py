"""Wide false-alarm sweep of the curve rules: N seeds per healthy shape (seeds 500000+) and their
20-75% prefixes, counting runs with any warning or error. Usage: PYTHONPATH=src python bench/rules_sweep.py 200"""
import sys, numpy as np, collections, time
sys.path.insert(0, 'tests/rules')
from test_rules_healthy import _prefix
from traindoc.stats.synthetic import healthy, HEALTHY_KINDS, broken
from traindoc.rules import diagnose_run
t0 = time.time()
N = int(sys.argv[1]); runs = alarms = 0; what = collections.Counter(); pruns = palarms = 0
for kind in HEALTHY_KINDS:
    for seed in range(N):
        run = healthy(np.random.default_rng(500_000 + seed), kind)
        runs += 1
        bad = [f.id for f in diagnose_run(run) if f.severity >= 2]
        if bad or run.meta.notes: alarms += 1; what.update((kind, b) for b in bad)
        if seed < N // 4:
            for frac in (0.2, 0.35, 0.5, 0.75):
                pruns += 1
                bad = [f.id for f in diagnose_run(_prefix(run, frac)) if f.severity >= 2]
                if bad: palarms += 1; what.update(("prefix", kind, b) for b in bad)
print(f"healthy runs {runs}, with a warning/error {alarms}; prefixes {pruns}, with a warning/error {palarms}; {time.time()-t0:.0f}s")
print(what.most_common(20))
