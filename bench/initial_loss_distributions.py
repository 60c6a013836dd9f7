"""Print, on every dev run with a training loss, what high-initial-loss decides on when no class count
gives ln(C) (rules/off_scale_start.py), split by label (healthy / labelled high-initial-loss / other
problem / ambiguous), so the bounds are read off both distributions and not off the cases studied.

    PYTHONPATH=src python bench/initial_loss_distributions.py [--until REV] [--top N]

Per run: the first logged training point over the next (``first/next``) and over the held-out loss
measured by the end of that first interval (``first/val``), the largest of each per group, and the
runs with a first point above ln(262,144) (the Trainer's token bound) with where they settle. Never
reads the test split.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from short_run_distributions import dev_runs  # noqa: E402

from traindoc.run import Role  # noqa: E402
from traindoc.rules._common import curve  # noqa: E402
from traindoc.rules.off_scale_start import OFF_SCALE, SETTLED, TOKEN_CEILING, _trainer_loss  # noqa: E402

ID = "high-initial-loss"


def group(case) -> str:
    if case.kind == "healthy":
        return "healthy"
    if case.kind == "ambiguous":
        return "ambiguous"
    return "labelled" if ID in case.label else "other"


def run_stats(run) -> dict | None:
    s = run.primary(Role.TRAIN_LOSS)
    if s is None:
        return None
    c = curve(s)
    if c.n < 2 or not float(c.y[0]) > 0:
        return None
    first, nxt = float(c.y[0]), float(c.y[1])
    out = {"series": s.name, "n": c.n, "first": first, "next": nxt,
           "first_next": first / nxt if nxt > 0 else math.inf, "first_val": None,
           "trainer": _trainer_loss(run), "settled": float(np.min(c.y[1:]))}
    v = run.primary(Role.VAL_LOSS)
    if v is not None:
        vc = curve(v)
        by_then = vc.y[vc.x <= c.x[1]] if vc.n else vc.y
        if by_then.size and float(by_then[0]) > 0:
            out["first_val"] = first / float(by_then[0])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    ap.add_argument("--top", type=int, default=8, help="largest first/next ratios listed per group")
    args = ap.parse_args()
    rows = []
    for case, run in dev_runs(args.until):
        st = run_stats(run)
        if st is not None:
            rows.append((group(case), case.case_id, st))
    print(f"{len(rows)} runs with a positive first training loss and a second point\n")
    print(f"## first/next (the first logged point over the next; fires at >= {OFF_SCALE:g} with first/val too)\n")
    for g in ("healthy", "labelled", "other", "ambiguous"):
        mine = [(cid, st) for gg, cid, st in rows if gg == g]
        finite = [st["first_next"] for _, st in mine if math.isfinite(st["first_next"])]
        if not finite:
            continue
        q = np.percentile(finite, [50, 90, 99])
        print(f"- {g}: {len(mine)} runs; median {q[0]:.3g}, p90 {q[1]:.3g}, p99 {q[2]:.3g}, max {max(finite):.3g}")
        for cid, st in sorted(mine, key=lambda t: -t[1]["first_next"] if math.isfinite(t[1]["first_next"]) else 0)[:args.top]:
            fv = f"{st['first_val']:.3g}" if st["first_val"] is not None else "-"
            print(f"    {st['first_next']:9.3g}  first/val {fv:>7}  {cid} ({st['series']}, {st['n']} points: "
                  f"{st['first']:.4g} -> {st['next']:.4g})")
    print(f"\n## a Trainer's first loss above ln(262,144) = {TOKEN_CEILING:.2f} (fires when it settles <= {SETTLED:.2f})\n")
    for g, cid, st in sorted(rows, key=lambda t: t[0]):
        if st["trainer"] and st["first"] > TOKEN_CEILING:
            print(f"- {g}: {cid} first {st['first']:.4g}, lowest later {st['settled']:.4g}")
    trainer = [st["first"] for g, _, st in rows if st["trainer"] and g == "healthy"]
    if trainer:
        print(f"\nhealthy Trainer runs: {len(trainer)}, highest first logged loss {max(trainer):.4g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
