"""Inventory of every dev run that logs a loss and a task metric of known direction, split by label,
so the loss-metric-mismatch boundaries are chosen from the distribution and not from the cases studied.

    PYTHONPATH=src python bench/metric_mismatch_distributions.py [--until REV] [--rows]

Per (loss, metric) pair of one split (training loss with training metrics, validation loss with
validation metrics) and per cross pair (validation metric against the training loss where the run
has no validation loss): the metric's direction (``metric_conventions.convention``), and in noise
units (``noise_units``: the robust spread of point-to-point changes) how far the loss improved from
its start to its last third, and how far the metric moved from its start and from its best to its
last third (oriented so that + is better). Never reads the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from short_run_distributions import dev_runs  # noqa: E402

from traindoc.run import Role  # noqa: E402
from traindoc.rules._common import curve, loss_curve  # noqa: E402
from traindoc.rules._loss_accuracy import same_group  # noqa: E402
from traindoc.rules.metric_conventions import convention  # noqa: E402
from traindoc.rules.metrics import opposite_fires, opposite_reading  # noqa: E402

ID = "loss-metric-mismatch"


def group(case) -> str:
    if case.kind == "healthy":
        return "healthy"
    if case.kind == "ambiguous":
        return "ambiguous"
    return "mismatch" if any(ID in g for g in case.label) else "other"


def _loss_state(r: dict) -> str:
    return "improved" if r["loss_gain"] >= 3 else ("worse" if r["loss_gain"] <= -3 else "flat")


def _metric_state(r: dict) -> str:
    if r["below_best"] >= 3 and r["drop"] >= 0.03:
        return "gave back"
    return "improved" if r["metric_worse"] <= -3 else "flat"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    ap.add_argument("--rows", action="store_true", help="print one row per pair of the labelled runs and every "
                    "pair that fires")
    ap.add_argument("--all-rows", action="store_true", help="print one row per pair of every run")
    args = ap.parse_args()
    rows = []
    for c, run in dev_runs(args.until):
        for loss_role, metric_role in ((Role.TRAIN_LOSS, Role.TRAIN_METRIC), (Role.VAL_LOSS, Role.VAL_METRIC),
                                       (Role.TRAIN_LOSS, Role.VAL_METRIC)):
            lc = loss_curve(run, loss_role)
            if lc is None:
                continue
            if loss_role == Role.TRAIN_LOSS and metric_role == Role.VAL_METRIC and loss_curve(run, Role.VAL_LOSS):
                continue  # cross pair only where the split has no loss of its own
            for s in run.by_role(metric_role):
                conv = convention(s, run)
                d = "unknown" if conv.higher_is_better is None else ("up" if conv.higher_is_better else "down")
                r = opposite_reading(run, lc, s) if d != "unknown" and same_group(run, lc.series, s) else None
                if r is not None:
                    r["fires"] = loss_role.value[:3] == metric_role.value[:3] and opposite_fires(s, r)
                rows.append((group(c), c.case_id, f"{loss_role.value}/{metric_role.value}", s.name, d, r))
    groups = ("mismatch", "healthy", "other", "ambiguous")
    print("# loss against task metric: every dev run with both\n")
    print("| group | pairs | runs | direction unknown | pairs judged | runs judged | fires |")
    print("|---|---|---|---|---|---|---|")
    for g in groups:
        gr = [r for r in rows if r[0] == g]
        judged = [r for r in gr if r[5] is not None]
        fires = {r[1] for r in judged if r[5]["fires"]}
        print(f"| {g} | {len(gr)} | {len({r[1] for r in gr})} | {sum(r[4] == 'unknown' for r in gr)} | "
              f"{len(judged)} | {len({r[1] for r in judged})} | {len(fires)} runs |")
    print("\nSame-split pairs by how each moved (loss: improved / flat / worse by 3 noise units from start to last "
          "third; metric: improved from start, gave back its best (3 noise units and 0.03 of its scale), flat):\n")
    states = [(a, b) for a in ("improved", "flat", "worse") for b in ("improved", "gave back", "flat")]
    print("| group | " + " | ".join(f"loss {a} / metric {b}" for a, b in states) + " |")
    print("|---|" + "---|" * len(states))
    for g in groups:
        tally = dict.fromkeys(states, 0)
        for r in rows:
            if r[0] == g and r[5] is not None and r[2][:3] == r[2].split("/")[1][:3]:
                tally[(_loss_state(r[5]), _metric_state(r[5]))] += 1
        print(f"| {g} | " + " | ".join(str(tally[k]) for k in states) + " |")
    for g in groups:
        judged = [r for r in rows if r[0] == g and r[5] is not None]
        if not judged:
            continue
        lg = np.array([r[5]["loss_gain"] for r in judged])
        mw = np.array([r[5]["metric_worse"] for r in judged])
        print(f"\n{g}: loss gain (noise units) quantiles 10/50/90 {np.percentile(lg, [10, 50, 90]).round(1)}; "
              f"metric worse-than-start (noise units) 50/90/99/max {np.percentile(mw, [50, 90, 99, 100]).round(1)}")
    if args.rows or args.all_rows:
        print("\n| group | case | pair | metric | dir | loss gain | metric vs start | metric vs best | "
              "last-third share under best | loss gain after best | drop | n | fires |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for g, cid, pair, name, d, r in sorted(rows, key=lambda r: (groups.index(r[0]), r[1])):
            if not args.all_rows and g != "mismatch" and not (r and r["fires"]):
                continue
            if r is None:
                print(f"| {g} | {cid} | {pair} | {name} | {d} | | | | | | | | |")
                continue
            print(f"| {g} | {cid} | {pair} | {name} | {d} | {r['loss_gain']:.1f} | {-r['metric_worse']:.1f} | "
                  f"{-r['below_best']:.1f} | {r['late_share']:.2f} | {r['loss_gain_after_best']:.1f} | {r['drop']:.3f} | {r['n']} | {'YES' if r['fires'] else ''} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
