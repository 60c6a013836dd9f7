"""The overfitting score (``rules/overfit_score.py``) on every labelled dev run: its distribution on
runs whose accept holds `overfitting`, on healthy runs and on runs with other problems, and a ROC
table (threshold -> positives reaching it, healthy runs reaching it).

    PYTHONPATH=src python bench/overfit_score_distributions.py --until 0b9c7f88 [--json OUT]

A file's score is the largest over its runs (labels are per file). Load errors are left out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import accuracy  # noqa: E402


def cases(until: str | None) -> list:
    out = [c for c in accuracy.load_index(accuracy.SHARED_INDEX, "shared") if c.split == "dev"]
    rows = accuracy.load_index(accuracy.REALDEV_INDEX, "realdev")
    if until:
        then = accuracy._case_ids_at(accuracy.REALDEV_INDEX, until)
        rows = [c for c in rows if c.case_id in then]
    return out + [c for c in rows if c.split == "dev"]


def score_file(path: Path) -> dict | None:
    import traindoc
    from traindoc.rules.overfit_score import overfit_score

    best = None
    for run in traindoc.load(path).runs:
        s = overfit_score(run)
        if s is not None and (best is None or s["score"] > best["score"]):
            best = s
    return best


def prefix_scores(path: Path) -> list[tuple[str, float]]:
    """(variant, score) of a file's runs cut at 40/60/80% and read at half rate, where readable."""
    import traindoc
    from real_prefixes import FRACTIONS, half_rate, prefix
    from traindoc.rules.overfit_score import overfit_score

    out = []
    for run in traindoc.load(path).runs:
        for frac in (*FRACTIONS, None):
            s = overfit_score(half_rate(run) if frac is None else prefix(run, frac))
            if s is not None:
                out.append(("half rate" if frac is None else f"{frac:.0%}", s["score"]))
    return out


def prefixes(args) -> int:
    scores = []
    for c in cases(args.until):
        if c.kind != "healthy":
            continue
        try:
            got = accuracy._with_timeout(args.timeout, prefix_scores, c.path)
        except Exception:  # noqa: BLE001 - a file that does not load is left out
            continue
        scores += [(s, c.case_id, v) for v, s in got]
    s = np.array([v for v, _, _ in scores])
    print(f"healthy variants scored: {s.size}; quantiles 50/90/99/99.9%: "
          + ", ".join(f"{np.quantile(s, p):.2f}" for p in (0.5, 0.9, 0.99, 0.999)))
    print("highest:", ", ".join(f"{v:.2f} ({cid} {var})" for v, cid, var in sorted(scores, reverse=True)[:8]))
    for th in (0.5, 1, 1.5, 2, 2.5, 3, 4):
        print(f"threshold {th}: {int(np.sum(s >= th))} variants reach it")
    return 0


def group(c) -> str:
    if c.kind == "healthy":
        return "healthy"
    if c.kind == "ambiguous":
        return "ambiguous"
    return "overfitting" if any("overfitting" in g for g in c.groups) else "other"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--until", default=None)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--prefixes", action="store_true", help="also score every healthy file cut at 40/60/80%% and "
                    "logged half as often (bench/real_prefixes.py's variants): healthy at every point of its life")
    args = ap.parse_args()
    if args.prefixes:
        return prefixes(args)
    rows = []
    for c in cases(args.until):
        try:
            s = accuracy._with_timeout(args.timeout, score_file, c.path)
        except Exception as exc:  # noqa: BLE001 - a file that does not load is left out
            s = {"error": f"{type(exc).__name__}: {exc}"}
        rows.append({"case": c.case_id, "group": group(c), "accept": "+".join("|".join(sorted(g)) for g in c.groups),
                     "s": s})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    table(rows)
    return 0


def table(rows: list[dict]) -> None:
    groups = ("overfitting", "healthy", "other")
    scores = {g: [r["s"]["score"] if r["s"] and "score" in r["s"] else None for r in rows if r["group"] == g]
              for g in groups}
    print("| group | files | scored | q50 | q75 | q90 | q95 | q99 | max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for g in groups:
        s = np.array([v for v in scores[g] if v is not None])
        q = [f"{np.quantile(s, p):.2f}" if s.size else "-" for p in (0.5, 0.75, 0.9, 0.95, 0.99, 1.0)]
        print(f"| {g} | {len(scores[g])} | {s.size} | " + " | ".join(q) + " |")
    print("\n| threshold | overfitting files reaching it | healthy files reaching it | other-problem files |")
    print("|---:|---:|---:|---:|")
    for th in (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20):
        cnt = [sum(1 for v in scores[g] if v is not None and v >= th) for g in groups]
        print(f"| {th} | {cnt[0]} | {cnt[1]} | {cnt[2]} |")


if __name__ == "__main__":
    raise SystemExit(main())
