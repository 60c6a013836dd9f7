"""Distributions of the zig-zag statistics over every dev run: healthy vs oscillation / loss-spikes labels.

Prints, for each group (H healthy, O labelled oscillation, S labelled loss-spikes), the percentiles of
scale-free statistics of each run's primary validation loss and metric, and how often the guard of
the short training-loss zig-zag (``stability._weights_improved_steadily``: the held-out loss fell
steadily) holds on 8-30-point training losses. Boundaries are chosen from both distributions, never
from the cases studied. Dev split only (never the test split).

    PYTHONPATH=src python bench/zigzag_distributions.py [--until REV | --since REV]
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy as A  # noqa: E402


def eval_stats(y: np.ndarray, loss: bool) -> dict | None:
    """R: median deviation of a point from its neighbours' midpoint (log units for a loss), the
    swing with the local trend removed; Q: R over the range of the 3x3 running median (swing
    relative to the run's total change); rho: lag-1 autocorrelation of the centred differences
    (-0.5 for white noise, -1 for a pure zig-zag, above 0 for a smooth trend)."""
    if y.size < 6 or (loss and not np.all(y > 0)):
        return None
    t = np.log(y) if loss else y
    mid = t[1:-1] - (t[:-2] + t[2:]) / 2
    r = float(np.median(np.abs(mid)))
    s = t.copy()
    for _ in range(2):
        s = np.concatenate([[s[0]], np.median(np.lib.stride_tricks.sliding_window_view(s, 3), axis=1), [s[-1]]])
    d = np.diff(t) - np.mean(np.diff(t))
    rho = float(np.sum(d[1:] * d[:-1]) / np.sum(d * d)) if np.sum(d * d) > 0 else 0.0
    return {"R": r, "Q": r / (float(s.max() - s.min()) or 1e-12), "rho": rho}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until")
    ap.add_argument("--since")
    args = ap.parse_args(argv)
    import traindoc
    from traindoc.rules import stability
    from traindoc.rules._common import curve
    from traindoc.run import Role

    cases = []
    for name, idx in (("shared", A.SHARED_INDEX), ("realdev", A.REALDEV_INDEX)):
        if args.since and idx == A.SHARED_INDEX:
            continue
        rows = A.load_index(idx, name)
        if args.until and idx != A.SHARED_INDEX:
            rows = [c for c in rows if c.case_id in A._case_ids_at(idx, args.until)]
        if args.since:
            old = A._case_ids_at(idx, args.since)
            rows = [c for c in rows if c.case_id not in old]
        cases += [c for c in rows if c.split == "dev" and c.kind != "ambiguous"]

    def on_alarm(_sig, _frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, on_alarm)
    stats: dict[tuple[str, str], list[dict]] = defaultdict(list)
    guard: dict[str, list[bool]] = defaultdict(list)
    for c in cases:
        group = "H" if c.kind == "healthy" else "O" if "oscillation" in c.label else \
            "S" if "loss-spikes" in c.label else None
        if group is None:
            continue
        try:
            signal.alarm(20)
            runs = traindoc.load(c.path).runs
        except Exception:  # noqa: BLE001 - an unreadable case is left out of the distributions
            continue
        finally:
            signal.alarm(0)
        for run in runs[:3]:
            for role in (Role.VAL_LOSS, Role.VAL_METRIC):
                s = run.primary(role)
                if s is None:
                    continue
                cv = curve(s)
                st = eval_stats(cv.y if cv.n <= 300 else cv.yb, role is Role.VAL_LOSS)
                if st:
                    stats[(role.name, group)].append(st)
            t = run.primary(Role.TRAIN_LOSS)
            if t is not None and 8 <= curve(t).n <= 30:
                guard[group].append(stability._weights_improved_steadily(run, curve(t)))
    for (role, group), rows in sorted(stats.items()):
        for k in ("R", "Q", "rho"):
            v = np.array([r[k] for r in rows])
            q = ", ".join(f"p{p}={x:.3g}" for p, x in zip((50, 75, 90, 95, 100), np.percentile(v, [50, 75, 90, 95, 100])))
            print(f"{role:10s} {group} {k:3s} n={v.size:3d} {q}")
    for group, held in sorted(guard.items()):
        print(f"short training loss, validation fell steadily: {group} {sum(held)}/{len(held)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
