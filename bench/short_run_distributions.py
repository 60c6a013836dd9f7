"""Print, on every dev run with a training and a validation loss, the statistics the short-run
readings of session 15 decide on, split by label (healthy / labelled with the kind / other), so a
boundary is chosen from both distributions and not from the cases studied.

    PYTHONPATH=src python bench/short_run_distributions.py [--until REV]

Per run: late_above_best on validation and on training's level per evaluation (both-rising), the
order p of worse_than_before with training's level fall p (overfitting), the last-point blow-up
of divergence, and the info note's end/best ratio with training's fall. Never reads the test split.

Also, on every dev run with both losses (any length): how many evaluations in a row the validation
loss fell at its end, and whether ``still_falling_every_evaluation`` holds (the `stalled` exemption),
split by healthy / labelled no-learning|stalled / other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy as A  # noqa: E402

import traindoc  # noqa: E402
from traindoc.run import Role  # noqa: E402
from traindoc.rules._common import loss_curve  # noqa: E402
from traindoc.stats.exact import fall_p  # noqa: E402
from traindoc.stats.late_level import late_above_best, risen  # noqa: E402
from traindoc.stats.per_eval import levels_at  # noqa: E402
from traindoc.stats.worse_than_before import order_p  # noqa: E402
from traindoc.rules.generalization import still_falling_every_evaluation  # noqa: E402


def dev_cases(until: str | None) -> list:
    out = []
    for name, index in (("shared", A.SHARED_INDEX), ("realdev", A.REALDEV_INDEX)):
        rows = A.load_index(index, name)
        if until and index != A.SHARED_INDEX:
            then = A._case_ids_at(index, until)
            rows = [c for c in rows if c.case_id in then]
        out += [c for c in rows if c.split == "dev"]
    return out


def dev_runs(until: str | None):
    """(case, run) for every run of every dev file that loads (a file that does not has no statistics)."""
    for c in dev_cases(until):
        try:
            res = traindoc.load(c.path)
        except Exception:  # noqa: BLE001 - a file that does not load has no statistics
            continue
        for run in res.runs:
            yield c, run


def group(case, kind_ids: set[str]) -> str:
    if case.kind == "healthy":
        return "healthy"
    return "labelled" if kind_ids & set(case.label) else ("ambiguous" if case.kind == "ambiguous" else "other")


def run_stats(run) -> dict | None:
    t, v = loss_curve(run, Role.TRAIN_LOSS, 2), loss_curve(run, Role.VAL_LOSS, 4)
    if t is None or v is None or v.n > 30:
        return None
    tl = levels_at(t.x, t.y, v.x)
    out: dict = {"n": v.n}
    lv = late_above_best(v.y)
    lt = late_above_best(tl) if np.all(np.isfinite(tl)) else None
    out["both_late"] = risen(lv) and risen(lt)
    ib = int(np.argmin(v.y))
    after = v.y[ib + 1:]
    if ib >= 2 and after.size >= 3 and v.n >= 6 and float(np.min(after)) > float(np.max(v.y[:ib + 1])):
        ts = tl[ib:][np.isfinite(tl[ib:])]
        out["worse_than_before"] = (order_p(v.n, ib), fall_p(ts) if ts.size >= 3 else 1.0)
    if np.all(v.y > 0) and ib < v.n - 1 and np.isfinite(tl[ib]) and np.isfinite(tl[-1]) and tl[ib] > 0:
        out["end_over_best"] = (float(v.y[-1] / v.y[ib]), float(tl[-1] / tl[ib]))
    return out


def trailing_falls(y: np.ndarray) -> int:
    """How many evaluations in a row, counted back from the last, were lower than the one before."""
    d = np.diff(y)
    n = 0
    for step in d[::-1]:
        if not step < 0:
            break
        n += 1
    return n


def stalled_rows(runs) -> None:
    print("\n## stalled: validation falling at each of its last evaluations (trailing falls)")
    tally: dict[str, list[int]] = {}
    for c, run in runs:
        t, v = loss_curve(run, Role.TRAIN_LOSS, 2), loss_curve(run, Role.VAL_LOSS, 4)
        if t is None or v is None:
            continue
        g = group(c, {"stalled", "no-learning"})
        tally.setdefault(g, []).append(trailing_falls(v.y))
        if still_falling_every_evaluation(v):
            print(f"  {g:9} still falling: {trailing_falls(v.y)} falls of {v.n - 1} {c.case_id}")
    for g, falls in sorted(tally.items()):
        f = np.asarray(falls)
        print(f"  {g:9} runs {f.size:4d}: trailing falls >= 4 in {int(np.sum(f >= 4))}, max {int(f.max())}")


def drift_rows(runs) -> None:
    """The drift after the best (``generalization._drift_turn``): the order p of the evaluations after
    the validation best (the best left out, ``rise_after_best``), the late level over the best (GL of
    the median of the last third) and training's fall at validation's pace since the best."""
    from traindoc.rules.generalization import _drift_turn
    from traindoc.stats.earlystop import rise_after_best

    print("\n## overfitting drift: evaluations after the best trend up (p), late level / best, training fall")
    for c, run in runs:
        t, v = loss_curve(run, Role.TRAIN_LOSS, 2), loss_curve(run, Role.VAL_LOSS, 8)
        if t is None or v is None or v.n > 60 or not np.all(v.y > 0):
            continue
        ov = rise_after_best(v.x, v.y, p_max=0.2, gl_threshold=3.0)
        if ov is None:
            continue
        ib = int(np.argmin(v.y))
        from traindoc.stats.exact import rise_p

        p = rise_p(v.y[ib + 1:])
        lv = levels_at(t.x, t.y, v.x)
        lv = np.where(np.isfinite(lv), lv, np.interp(v.x, t.x, t.y))
        fall = 1.0 - float(lv[-1]) / float(lv[ib]) if lv[ib] > 0 else float("nan")
        fires = "DRIFT" if _drift_turn(t, v.x, v.y) is not None else "     "
        print(f"  {group(c, {'overfitting'}):9} {fires} p={p:.4f} late/best={1 + ov.final_gl / 100:.3f} "
              f"train fall={fall:+.2f} n={v.n} {c.case_id}")


def rise_rows(runs) -> None:
    """Every dev training loss that rises after its minimum (``rising_after_min`` at 5%, its size
    guards included): whether divergence's readings hold, the 2-noise "above the start" and the
    rank reading of the closing fifth against the opening fifth (``stability._ends_above_opening``)."""
    from traindoc.rules._common import rel, rising_after_min
    from traindoc.rules.stability import _ends_above_opening, divergence_of

    print("\n## rising training loss: rises after its minimum; ends above the start by noise / by rank")
    for c, run in runs:
        t = loss_curve(run, Role.TRAIN_LOSS)
        if t is None:
            continue
        up = rising_after_min(t, 0.2, p=0.05)
        if up is None:
            continue
        by_noise = up["end"] > t.head + 2 * t.noise and rel(up["end"], t.head) > 0.05
        by_rank = _ends_above_opening(t) and rel(up["end"], t.head) > 0.05
        print(f"  {group(c, {'divergence', 'both-rising', 'lr-too-high'}):9} p={up['p']:.1e} "
              f"end/start={up['end'] / t.head if t.head > 0 else float('nan'):.2f} above start by noise={by_noise} "
              f"by rank={by_rank} divergence={divergence_of(t) is not None} {c.case_id}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    args = ap.parse_args()
    rows = []
    runs = list(dev_runs(args.until))
    for c, run in runs:
        s = run_stats(run)
        if s is not None:
            rows.append((c, s))
    print(f"{len(rows)} runs with both losses and 4-30 evaluations")
    for title, ids in (("both-rising: late levels above the best on both losses", {"both-rising"}),
                       ("overfitting: every later evaluation worse than all before", {"overfitting"}),
                       ("overfitting note: last evaluation / best, training end / at best", {"overfitting"})):
        print(f"\n## {title}")
        for c, s in rows:
            g = group(c, ids)
            if title.startswith("both") and s["both_late"]:
                print(f"  {g:9} {c.case_id}")
            elif title.startswith("overfitting: every") and "worse_than_before" in s:
                p, tp = s["worse_than_before"]
                print(f"  {g:9} order p={p:.4f} train fall p={tp:.3f} {c.case_id}")
        if title.startswith("overfitting note"):
            for g in ("healthy", "labelled", "other"):
                vals = [s["end_over_best"] for c, s in rows if "end_over_best" in s and group(c, ids) == g]
                hit = sum(1 for r, tr in vals if r >= 1.10 and tr <= 0.95)
                print(f"  {g:9} runs {len(vals):4d}, last >= 1.10 x best with training 5%+ lower: {hit}")
    stalled_rows(runs)
    drift_rows(runs)
    rise_rows(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
