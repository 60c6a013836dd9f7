"""The deciding statistics of the live bug-class checks, on every program of every bug set, buggy and fixed.

    KERAS_BACKEND=torch PYTHONPATH=src python bench/bug_kind_stats.py [--sets main heldout ... devkinds6]

A class check is only as good as the gap between the programs that have the bug and the correct ones. This
builds each program (no training) and prints, per program and twin, the statistic each check decides on:
the spread ratio of a Keras model's own scaling layers on the arrays given to fit (growth > 1: wider),
the number of weight matrices initialised all of one sign, and the distinct label values under a binary
cross-entropy. The lines are sorted by statistic so the buggy and fixed distributions can be read side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from bench_keras_bugs import load_set  # noqa: E402

SETS = ("main", "heldout", *(f"heldout{i}" for i in range(2, 20)), "devkinds", *(f"devkinds{i}" for i in range(2, 7)))


def _growth(model, x) -> float | None:
    """Median ratio of each feature's std after / before the model's own leading scaling layers."""
    from traindoc.checks.input_scalers import input_scaler

    scaler = input_scaler(model)
    if scaler is None or scaler.batch_norm or not scaler.layers or not isinstance(x, np.ndarray):
        return None
    a = np.asarray(x[:256], dtype="float64").reshape(min(256, len(x)), -1)
    b = np.asarray(scaler.apply(np.asarray(x[:256], dtype="float32")), dtype="float64").reshape(len(a), -1)
    before, after = a.std(0), b.std(0)
    varying = before > 1e-12
    return float(np.median(after[varying] / before[varying])) if varying.any() else None


def _one_signed(model) -> int:
    from traindoc.checks.constant_init import _one_signed, _weight_tensors

    return sum(_one_signed(w) is not None for _, w in _weight_tensors(model))


def _binary_labels(model, loss_fn, y) -> str | None:
    from traindoc.checks.model_view import BINARY_CE, loss_view

    lv = loss_view(loss_fn, model)
    if lv is None or lv.kind != BINARY_CE:
        return None
    v = np.unique(np.asarray(y if isinstance(y, np.ndarray) else y.detach().cpu().numpy(), dtype="float64"))
    return f"{len(v)} values in [{v.min():.3g}, {v.max():.3g}]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    args = ap.parse_args()
    rows = []
    for name in args.sets:
        for case in load_set(name):
            for fixed in (False, True):
                keras.utils.set_random_seed(0)
                try:
                    prog = case.build(fixed)
                except Exception as exc:  # a program that cannot be built here is listed, not scored
                    rows.append((name, case.name, fixed, f"build error {type(exc).__name__}", None, None))
                    continue
                model = prog["model"]
                x, y = prog.get("x"), prog.get("y")
                loss = prog.get("loss_fn", getattr(model, "loss", None))
                stats = []
                for f in (lambda: _growth(model, x), lambda: _one_signed(model), lambda: _binary_labels(model, loss, y)):
                    try:
                        stats.append(f())
                    except Exception:
                        stats.append(None)
                rows.append((name, case.name, fixed, "", *stats))
    for title, k in (("scaling growth (keras leading scalers)", 4), ("one-signed weight matrices", 5),
                     ("label values under a binary cross-entropy", 6)):
        print(f"## {title}")
        for r in sorted((r for r in rows if len(r) > k and r[k] not in (None, 0)), key=lambda r: str(r[k])):
            print(f"  {'fixed' if r[2] else 'buggy'} {r[k]!s:>28}  {r[0]}/{r[1]}")
    errors = [r for r in rows if r[3]]
    print(f"{len(rows)} programs built, {len(errors)} build errors")


if __name__ == "__main__":
    main()
