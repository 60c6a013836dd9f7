"""Print, split by label (healthy / never learned: labelled no-learning, stalled or stuck-at-chance /
other), the distributions of two readings of a run that never learned, so that a boundary is chosen
from both distributions and not from the cases studied:

1. on every dev run with a training accuracy (or F1) of 20+ points, how much of the room left to a
   perfect fit it gained over the second half of the run (``stats.headroom.late_gain_share``): the
   reading `stalled` draws on for an underfitting plateau, training that stopped rising far from
   fitting its own data, with validation no better;
2. on every dev run with a training and a validation accuracy of 6+ points, whether each is no
   higher over its second half than over its first (``outcome.accuracy_no_better``), and whether the
   training loss fell 10%+ meanwhile: the reading of ``unmoved_accuracy`` (predictions that never
   changed while the loss calibrated one guess);
3. on every dev run with a training loss of 40+ points and no validation series, how far the loss
   fell after the first tenth of the run, as a share of its level and in standard errors
   (``stats.after_start.fall_after_opening``): the reading of ``outcome._nothing_after_opening``.

    PYTHONPATH=src python bench/never_learned_distributions.py [--until REV]

Never reads the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from short_run_distributions import dev_runs  # noqa: E402

from traindoc.rules.generalization import UNDERFIT_GAIN, UNDERFIT_LEVEL, UNDERFIT_POINTS, training_scores  # noqa: E402
from traindoc.rules._common import curve, loss_curve  # noqa: E402
from traindoc.rules.outcome import OPENING_SHARE, OPENING_Z, accuracy_no_better, end_level  # noqa: E402
from traindoc.stats.after_start import fall_after_opening  # noqa: E402
from traindoc.rules.unmoved_accuracy import TOP  # noqa: E402
from traindoc.run import Role  # noqa: E402
from traindoc.stats.headroom import late_gain_share  # noqa: E402

NEVER_LEARNED = {"no-learning", "stalled", "stuck-at-chance"}


def group(case) -> str:
    if case.kind == "healthy":
        return "healthy"
    if NEVER_LEARNED & set(case.label):
        return "never learned"
    return "ambiguous" if case.kind == "ambiguous" else "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    args = ap.parse_args()
    rows, flat, opening = [], [], []
    for c, run in dev_runs(args.until):
        for name, y in training_scores(run, UNDERFIT_POINTS):
            rows.append((group(c), c.case_id, name, y.size, end_level(y), late_gain_share(y)))
        both = _both_accuracies(run)
        if both is not None:
            flat.append((group(c), c.case_id, *both))
        after = _after_opening(run)
        if after is not None:
            opening.append((group(c), c.case_id, *after))
    print(f"{len(rows)} training accuracy/F1 curves of {UNDERFIT_POINTS}+ points; second-half gain as a share of "
          "the room left to 1")
    edges = [-np.inf, 0.0, 0.01, 0.02, 0.04, 0.08, 0.16, np.inf]
    for low in (True, False):
        print(f"\n## ended {'below' if low else 'at or above'} {UNDERFIT_LEVEL}")
        print("| group | " + " | ".join(f"<{e:.2f}" for e in edges[1:-1]) + " | more |")
        for g in ("healthy", "never learned", "other", "ambiguous"):
            share = [r[5] for r in rows if r[0] == g and (r[4] < UNDERFIT_LEVEL) == low]
            counts = np.histogram(share, bins=edges)[0] if share else [0] * (len(edges) - 1)
            print(f"| {g} | " + " | ".join(str(int(n)) for n in counts) + " |")
    print(f"\n## below {UNDERFIT_LEVEL} and gain share under {UNDERFIT_GAIN} (what the reading sees)")
    for r in sorted(rows):
        if r[4] < UNDERFIT_LEVEL and r[5] < UNDERFIT_GAIN:
            print(f"  {r[0]:13} {r[1]} {r[2]} n={r[3]} end={r[4]:.3f} share={r[5]:+.3f}")
    print(f"\n## healthy below {UNDERFIT_LEVEL}: the closest (smallest share)")
    for r in sorted((r for r in rows if r[0] == "healthy" and r[4] < UNDERFIT_LEVEL), key=lambda r: r[5])[:10]:
        print(f"  {r[1]} {r[2]} n={r[3]} end={r[4]:.3f} share={r[5]:+.3f}")
    print(f"\n## {len(flat)} runs with a training and a validation accuracy of 6+ points: no higher over the second "
          f"half (validation ended below 0.6, training below {TOP})")
    print("| group | runs | validation flat | training flat | both | both, loss fell 10%+ |")
    for g in ("healthy", "never learned", "other", "ambiguous"):
        mine = [r for r in flat if r[0] == g]
        print(f"| {g} | {len(mine)} | {sum(r[2] for r in mine)} | {sum(r[3] for r in mine)} | "
              f"{sum(r[2] and r[3] for r in mine)} | {sum(r[2] and r[3] and r[4] for r in mine)} |")
    for r in sorted(flat):
        if r[2] and r[3]:
            print(f"  {r[0]:13} {r[1]} loss fell 10%+: {r[4]}")
    print(f"\n## {len(opening)} training-only runs (40+ points, no validation series): fall after the opening tenth")
    print("| group | runs | under 1 standard error | and under 2% of the level | and that error under 1% of it |")
    for g in ("healthy", "never learned", "other", "ambiguous"):
        mine = [r for r in opening if r[0] == g]
        flat = [r for r in mine if r[3] < OPENING_Z and r[2] < OPENING_SHARE]
        print(f"| {g} | {len(mine)} | {sum(r[3] < OPENING_Z for r in mine)} | {len(flat)} | "
              f"{sum(_resolution(r) <= OPENING_SHARE / 2 for r in flat)} |")
    for r in sorted(opening, key=lambda r: r[3]):
        if r[3] < 4 and r[0] != "other":
            print(f"  {r[0]:13} {r[1]} share={r[2]:+.3f} z={r[3]:+.2f} standard error={_resolution(r):.4f}")
    return 0


def _resolution(r) -> float:
    """The standard error of the fall as a share of the level."""
    return abs(r[2] / r[3]) if r[3] and np.isfinite(r[3]) else 0.0


def _after_opening(run) -> tuple[float, float] | None:
    """(fall share, fall in standard errors) of the training loss after its opening tenth, for a run
    without any validation series."""
    if run.by_role(Role.VAL_LOSS) or run.by_role(Role.VAL_METRIC):
        return None
    t = loss_curve(run, Role.TRAIN_LOSS)
    return None if t is None else fall_after_opening(t.y)


def _both_accuracies(run) -> tuple[bool, bool, bool] | None:
    """(validation flat, training flat, training loss fell 10%+), for a run logging both accuracies."""
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        if not any(s.metric == "accuracy" and s.higher_is_better and curve(s).n >= 6 for s in run.by_role(role)):
            return None
    t = loss_curve(run, Role.TRAIN_LOSS)
    fell = t is not None and t.head > 0 and t.tail <= 0.9 * t.head
    return (accuracy_no_better(run, Role.VAL_METRIC, below=0.6) is not None,
            accuracy_no_better(run, Role.TRAIN_METRIC, below=TOP) is not None, fell)


if __name__ == "__main__":
    raise SystemExit(main())
