"""The table `stalled` on a training-only loss is calibrated on: for every dev run with a training
loss of 40+ points and no validation series (the runs ``outcome._nothing_after_opening`` reads), the
shortest opening (in tenths of the run, 1 to 9) after which the loss fell under 2% and under one
standard error (``outcome.flat_after_opening``), split by label: healthy / stalled / other never
learned (no-learning, stuck-at-chance) / other problems / ambiguous; only runs that learned in the
opening (last tenth 10%+ below the start, but above a twentieth of it: converged) can read `stalled`.

Selection rule, stated before the table was read: "stalled" means the improvement stopped long
before the end, so the plateau must cover at least half the run (an opening of at most 5 tenths);
within that, the latest opening that adds at most one healthy run with an alarm per 300 healthy runs
of the whole dev set over the first tenth alone, and no alarm on the prefixes of healthy runs
(``bench/real_prefixes.py``, healthy runs too). Until 0b9c7f88: 5 tenths adds no full healthy run
but two prefixes (read flat only after 5 tenths; one of them a loss at 1/8,500 of its start, now
excluded as converged whatever the opening), so the reading stops at 4 tenths. Printed as a small ROC table: for each latest
opening, how many runs of each group read flat after some opening up to it (later openings are shown
for the record: until 0b9c7f88 they add healthy and other-problem runs and no stalled one).

    PYTHONPATH=src python bench/stalled_distributions.py [--until REV]

Never reads the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from never_learned_distributions import group as never_learned_group  # noqa: E402
from short_run_distributions import dev_runs  # noqa: E402

from traindoc.rules._common import curve  # noqa: E402
from traindoc.rules.outcome import flat_after_opening  # noqa: E402
from traindoc.rules.stability import CONVERGED_SHARE  # noqa: E402
from traindoc.run import Role  # noqa: E402

GROUPS = ("healthy", "stalled", "never learned", "other", "ambiguous")


def group(case) -> str:
    """never_learned_distributions' groups, with `stalled` apart."""
    return "stalled" if case.kind == "problem" and "stalled" in case.label else never_learned_group(case)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    args = ap.parse_args()
    rows = []
    for c, run in dev_runs(args.until):
        if run.by_role(Role.VAL_LOSS) or run.by_role(Role.VAL_METRIC):
            continue
        main_s = run.primary(Role.TRAIN_LOSS)
        if main_s is None:
            continue
        cv = curve(main_s)
        if cv.n < 40 or not np.all(np.isfinite(cv.y)) or not np.all(cv.y > 0):
            continue
        first = max(float(cv.head), float(cv.y[0]))
        last = float(np.mean(cv.y[-max(3, cv.n // 10):]))
        learned = CONVERGED_SHARE * first < last <= 0.9 * first  # learned, but not converged
        opening = next((t for t in range(1, 10) if flat_after_opening(cv.y, t) is not None), None)
        rows.append((group(c), c.case_id, cv.n, learned, opening))
    print(f"{len(rows)} training-only losses of 40+ points; runs that learned in the opening and read flat after "
          "an opening of at most N tenths")
    print("| latest opening | " + " | ".join(f"{g} (of {sum(r[0] == g and r[3] for r in rows)})" for g in GROUPS) + " |")
    print("|---|" + "---:|" * len(GROUPS))
    for t in range(1, 10):
        print(f"| {t} | " + " | ".join(str(sum(r[0] == g and r[3] and r[4] is not None and r[4] <= t for r in rows))
                                       for g in GROUPS) + " |")
    print("\nruns that learned and read flat (the opening in tenths):")
    for r in sorted(rows, key=lambda r: (GROUPS.index(r[0]), r[4] or 99)):
        if r[3] and r[4] is not None:
            print(f"  {r[0]:13} opening={r[4]} n={r[2]} {r[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
