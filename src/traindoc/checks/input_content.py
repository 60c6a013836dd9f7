"""What the input arrays themselves say, beyond "are they normalised": four preprocessing slips.

Each reads a sample of the rows given to training (and, for the split check, to validation) and
names the exact change:

- every input row identical (scaled values cast back to an integer type truncate to 0);
- every *row* standardised on its own (mean/std taken along axis=1), which leaves each feature
  nearly constant across samples;
- validation inputs on another scale than the training inputs (the scaler applied to one only);
- inputs beyond float16's range fed to layers that compute in float16 (inf on the first cast).

They are right on their own (no run can learn from inputs like these), so they need no symptom.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 32
ROW_EXACT = 1e-3  # a row's mean within this of 0 and its std within this of 1: standardised along the row
ROW_SHARE = 0.99  # ...for this share of the rows
SQUASHED = 0.3  # and the features' median std across samples below this (a column scaler gives ~1)
SHIFT_SIGMAS = 3.0  # the typical (median) validation feature's mean this many training stds away...
SCALE_RATIO = 4.0  # ...or its spread this many times larger or smaller: the two sets were scaled differently
FLOAT16_MAX = 65504.0


def _matrix(x: Any) -> np.ndarray | None:
    try:
        a = np.asarray(x)
    except Exception:
        return None
    if a.dtype.kind not in "biuf" or a.ndim < 2 or len(a) < MIN_ROWS:
        return None
    return a.reshape(len(a), -1).astype("float64")


def _finding(title: str, why: str, fixes: list[str], subject: str, sev: Severity = Severity.WARNING,
             id: str = "unnormalized-input", **evidence) -> Finding:
    return Finding(id, sev, title, evidence={"subject": subject, CAUSE: True, **evidence},
                   causes=[why], fixes=fixes)


def constant_inputs_finding(x: Any, token_ids: bool = False) -> Finding | None:
    """Every sampled input row is the same: nothing distinguishes one sample from another.

    ``token_ids``: the model starts with an embedding, so whole-number inputs are token ids, and one id
    everywhere is a vocabulary lookup that found no word (checks/embedding_ids.py), not a broken scaling.
    """
    a = _matrix(x)
    if a is None or not np.all(np.isfinite(a)) or np.any(a != a[0]):
        return None
    value = float(a[0, 0]) if np.all(a[0] == a[0, 0]) else None
    if token_ids and value is not None and value == int(value):
        from .embedding_ids import one_id_finding

        return one_id_finding(int(value), "the embedding", int(a.size))
    shown = f"every input value is {value:g}" if value is not None else "every input row is identical"
    return _finding(f"{shown} on all {len(a)} sampled rows: the inputs carry no signal",
                    "the inputs were destroyed in preprocessing: values scaled into [0, 1) or (-1, 1) and then cast "
                    "to an integer dtype, which truncates every one of them to 0 ((x / 255).astype('uint8'); "
                    "keras.utils.pad_sequences, whose dtype defaults to 'int32', on float sequences), or the wrong "
                    "array passed as x",
                    ["Keep the scaled inputs floating point: x = x.astype('float32') / 255 (cast to float first; never "
                     "cast scaled values back to uint8/int), and pad float sequences with "
                     "pad_sequences(..., dtype='float32'). Then check x.min(), x.max()."],
                    "input-values", Severity.ERROR, rows=len(a), value=value)


def row_standardised_finding(x: Any) -> Finding | None:
    """Each row standardised against itself (axis=1), leaving the features nearly constant across rows."""
    a = _matrix(x)
    if a is None or a.shape[1] < 3 or not np.all(np.isfinite(a)):
        return None
    mean, std = a.mean(axis=1), a.std(axis=1)
    share = float(np.mean((np.abs(mean) < ROW_EXACT) & (np.abs(std - 1.0) < ROW_EXACT)))
    if share < ROW_SHARE:
        return None
    col_std = a.std(axis=0)
    squashed = float(np.median(col_std))
    if squashed >= SQUASHED:
        return None  # per-sample normalisation that keeps the features varying (a z-normalised signal)
    return _finding(f"every input row has mean 0 and std 1, and the features barely vary across samples (median "
                    f"std {squashed:.2g}): the inputs were standardised along the rows (axis=1), not per feature",
                    "x.mean(axis=1) / x.std(axis=1) standardises each sample against itself: one large-valued "
                    "feature dominates every row and the others are squashed to nearly the same value in all rows",
                    ["Standardise each feature (column) over the samples: (x - x.mean(axis=0)) / x.std(axis=0), with "
                     "the training set's mean and std (axis=0, not axis=1)."],
                    "input-axis", rows=len(a), row_standardised_share=share, median_feature_std=squashed)


def split_scale_finding(train_x: Any, val_x: Any) -> Finding | None:
    """Validation features on another scale than the training features: one of them was not preprocessed."""
    t, v = _matrix(train_x), _matrix(val_x)
    if t is None or v is None or t.shape[1] != v.shape[1]:
        return None
    t, v = t[np.all(np.isfinite(t), axis=1)], v[np.all(np.isfinite(v), axis=1)]
    if len(t) < MIN_ROWS or len(v) < MIN_ROWS:
        return None
    tm, ts, vm, vs = t.mean(0), t.std(0), v.mean(0), v.std(0)
    varying = ts > 1e-12 * max(float(ts.max()), 1e-300)
    if varying.sum() < 1:
        return None
    tm, ts, vm, vs = tm[varying], ts[varying], vm[varying], vs[varying]
    shift = np.abs(vm - tm) / ts
    ratio = np.maximum(vs, 1e-300) / ts
    off = (shift > SHIFT_SIGMAS) | (ratio > SCALE_RATIO) | (ratio < 1 / SCALE_RATIO)
    share = float(off.mean())
    # The typical feature must be off, not a tail of them: sparse features (pixels that are rarely
    # lit) differ between two small samples by chance, a scaler applied to one set moves them all.
    mid_shift, mid_ratio = float(np.median(shift)), float(np.median(ratio))
    if not (mid_shift > SHIFT_SIGMAS or mid_ratio > SCALE_RATIO or mid_ratio < 1 / SCALE_RATIO):
        return None
    return _finding(f"the validation inputs are on another scale than the training inputs: {int(off.sum())} of "
                    f"{off.size} features differ (typical mean {float(np.median(vm)):.3g} vs {float(np.median(tm)):.3g}, "
                    f"spread {float(np.median(vs)):.3g} vs {float(np.median(ts)):.3g}; the validation means sit "
                    f"{mid_shift:.3g} training stds away)",
                    "the training features were scaled (standardised, divided by 255...) but the validation "
                    "features were not, or were scaled with their own statistics: the model is evaluated on inputs "
                    "unlike anything it was trained on, so the validation loss says nothing about it",
                    ["Apply the same scaler to the validation (and test) features: fit it on the training features "
                     "and transform both, e.g. x_val = (x_val - train_mean) / train_std (scaler.transform(x_val)); "
                     "never pass the raw validation set."],
                    "validation-inputs", share=share, median_shift_sigmas=mid_shift, median_scale_ratio=mid_ratio,
                    explains=["overfitting", "val-without-train", "both-rising", "divergence", "stalled",
                              "loss-metric-mismatch"])


def float16_inputs_finding(x: Any, float16_layers: list[str]) -> Finding | None:
    """Inputs beyond float16's largest value fed to layers that compute in float16: inf, then NaN."""
    if not float16_layers:
        return None
    try:
        a = np.asarray(x)
    except Exception:
        return None
    if a.dtype.kind not in "biuf" or a.size == 0:
        return None
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a.reshape(-1)
    if finite.size == 0:
        return None
    top = float(np.max(np.abs(finite.astype("float64"))))
    if top < FLOAT16_MAX:
        return None
    names = ", ".join(float16_layers[:3])
    return _finding(f"inputs reach {top:.3g}, beyond float16's largest value ({FLOAT16_MAX:g}), and layers {names} "
                    "compute in float16 (mixed precision): those values become inf on the first cast",
                    "a float16 (mixed_float16) layer casts its inputs to float16, whose range ends at 65504; raw "
                    "readings this large overflow to inf and the loss turns NaN at once",
                    ["Standardise the inputs before the model (subtract the training mean, divide by the std), or "
                     "keep the first layers in float32 (dtype='float32')."], "float16-inputs", Severity.ERROR,
                    max_abs=top, float16_layers=float16_layers[:10])


CONSTANT_SHARE = 0.5  # at least half of the columns never vary...
MIN_TABLE_ROWS = 64  # ...over this many sampled rows of a table (rows, features)


def _table(x: Any, min_columns: int) -> np.ndarray | None:
    """A finite float64 table (rows, features) of enough rows and columns, or None."""
    try:
        a = np.asarray(x)
    except Exception:
        return None
    if a.ndim != 2 or a.dtype.kind not in "biuf" or len(a) < MIN_TABLE_ROWS or a.shape[1] < min_columns:
        return None
    a = a.astype("float64")
    return a if np.all(np.isfinite(a)) else None


def constant_columns_finding(x: Any, poor_fit: bool) -> Finding | None:
    """Most columns of a table hold one value on every sampled row, in a run that fit poorly.

    Why: a preprocessing step that flattens columns (outliers clipped at bounds every raw value lies
    beyond, then a scaler that maps the now-constant column to 0) leaves the model a fraction of its
    features; the loss stops high and nothing in the curves says why. A healthy table rarely has half
    its columns constant over hundreds of rows, and on a run that learned they cost nothing, so the
    finding waits for a poor fit.
    """
    a = _table(x, 3) if poor_fit else None
    if a is None:
        return None
    flat = np.all(a == a[0], axis=0)
    n_flat, d = int(flat.sum()), a.shape[1]
    if n_flat < 2 or n_flat == d or n_flat < CONSTANT_SHARE * d:
        return None
    values = sorted({float(v) for v in a[0, flat]})
    shown = f"{values[0]:g}" if len(values) == 1 else ", ".join(f"{v:g}" for v in values[:4])
    varying = ~flat
    scaled = bool(np.all(np.abs(a[:, varying].mean(0)) < 0.5) and np.all(np.abs(a[:, varying].std(0) - 1) < 0.5))
    after = (" The other columns are standardised (mean ~0, std ~1) and the flat ones sit at the scaler's 0: they "
             "were already constant when the scaler saw them." if scaled and values == [0.0] else "")
    return _finding(f"{n_flat} of {d} input features have one value ({shown}) on every one of the {len(a)} sampled "
                    f"rows: the model learns from {d - n_flat} of them",
                    "a preprocessing step flattened those columns before training: outliers clipped at fixed bounds "
                    "in raw units (np.clip(x, -3, 3) meant for standardised values but run before the scaler turns "
                    "every value of a column in the hundreds into 3, and the scaler then maps it to 0), a fill value "
                    "or a merge that left the columns empty, or the wrong columns selected." + after,
                    ["Clip after standardising (np.clip(scaler.transform(x), -3, 3)), or clip each raw column at its "
                     "own quantiles; check x.std(axis=0) for zeros before training."],
                    "input-columns", rows=len(a), constant_columns=int(n_flat), columns=d,
                    constant_values=values[:10], explains=["stalled", "stuck-at-chance", "no-learning",
                                                           "cannot-overfit-batch"])


DUPLICATE_SHARE = 0.25  # a quarter of the columns (or more) repeat others exactly...
MIN_DUPLICATES = 2  # ...and at least this many: one repeated column may be a deliberate copy


def duplicate_columns_finding(x: Any, poor_fit: bool) -> Finding | None:
    """Whole columns of a table equal to other columns on every sampled row, in a run that fit poorly.

    Why: features stacked from several sources (np.hstack of two files, a merge on two tables) repeat a
    block when one source is loaded twice (a copy-pasted line still naming the first file): the model
    gets the first source twice and never the second, and the curves say only "stuck". Exact equality
    of non-constant columns over hundreds of rows does not happen by chance; judged on a poor fit, as a
    deliberate copy costs a run that learned nothing.
    """
    a = _table(x, 4) if poor_fit else None
    if a is None:
        return None
    d = a.shape[1]
    varying = ~np.all(a == a[0], axis=0)
    _, first, inverse = np.unique(a.T, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    copies = [(int(first[inverse[j]]), j) for j in range(d) if varying[j] and first[inverse[j]] != j]
    if len(copies) < MIN_DUPLICATES or len(copies) < DUPLICATE_SHARE * d:
        return None
    shown = ", ".join(f"{j} = {i}" for i, j in copies[:6]) + (" ..." if len(copies) > 6 else "")
    return _finding(f"{len(copies)} of {d} input columns repeat other columns exactly on every one of the {len(a)} "
                    f"sampled rows (column {shown}): the same source was stacked twice",
                    "features stacked from several sources repeat a block when one source is loaded twice (a "
                    "copy-pasted np.hstack / concat line that still names the first file): the model sees the "
                    "first source twice and the second never, so whatever the label takes from the second "
                    "cannot be learned",
                    ["Load the right source for each block (the second file, not the first again), then check that "
                     "no two columns are identical: the duplicated columns (np.unique(x, axis=1)) must be none."],
                    "input-duplicates", id="stalled", rows=len(a), duplicated_columns=len(copies), columns=d,
                    pairs=[list(p) for p in copies[:20]],
                    explains=["stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch", "label-problem"])
