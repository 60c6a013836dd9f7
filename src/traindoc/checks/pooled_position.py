"""Global pooling in a task decided by *where* something is: the pooling throws the answer away.

A CNN template (Conv -> GlobalAveragePooling2D -> Dense) reused for a label that is a position
(left or right half, which slot, the order of events in a sequence) cannot learn: after global
pooling every location counts the same, and a convolution's local picture is alike in both
classes. Two cheap readings of the sampled training rows tell this apart from a run that is
simply stuck: a nearest-class-mean rule on the raw positions separates the classes (the label
is in the layout), while the same rule on what survives pooling (each channel's mean, spread,
max and min over the positions) is no better than the majority class. Judged only when the run
itself did not fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 64
LAYOUT_GAIN = 0.2  # the raw layout beats the majority share by this much
POOLED_GAIN = 0.1  # the pooled summary beats it by less than this
MAX_ROWS = 1024
MAX_POSITIONS = 4096


def _centroid_accuracy(f: np.ndarray, y: np.ndarray) -> float | None:
    """Two-fold accuracy of the nearest class mean (each half predicts the other)."""
    n = len(y)
    half = np.arange(n) % 2 == 0
    right = 0
    for train in (half, ~half):
        test = ~train
        classes = np.unique(y[train])
        if len(classes) < 2:
            return None
        means = np.stack([f[train][y[train] == c].mean(0) for c in classes])
        d = ((f[test][:, None, :] - means[None]) ** 2).sum(-1)
        right += int((classes[d.argmin(1)] == y[test]).sum())
    return right / n


def layout_separability(x: Any, y: Any, span: int = 1) -> dict | None:
    """Nearest-class-mean accuracy on the raw positions and on a global-pooling summary, against the majority share.

    ``span``: the widest kernel before the pooling along a sequence. A kernel over k steps sees how each
    step differs from the k - 1 before it, so for sequences the summary also holds the mean and spread of
    those differences: a trend survives pooling when the convolution can see it."""
    a = np.asarray(x)
    ids = np.asarray(y).reshape(-1)
    if a.dtype.kind != "f" or a.ndim < 3 or len(a) != len(ids) or len(a) < MIN_ROWS:
        return None
    a, ids = a[:MAX_ROWS].astype("float64"), ids[:MAX_ROWS]
    ok = np.isfinite(a.reshape(len(a), -1)).all(1)
    a, ids = a[ok], ids[ok]
    if len(a) < MIN_ROWS:
        return None
    _, counts = np.unique(ids, return_counts=True)
    if len(counts) < 2 or counts.min() < 8:
        return None
    majority = float(counts.max() / len(ids))
    channels = a.shape[-1]
    positions = a.reshape(len(a), -1, channels)  # (rows, positions, channels): channels last, as Keras pools
    if positions.shape[1] < 4:
        return None
    raw = positions.reshape(len(a), -1)[:, :MAX_POSITIONS]
    raw = raw - raw.mean(0)
    parts = [positions.mean(1), positions.std(1), positions.max(1), positions.min(1)]
    if a.ndim == 3:
        for lag in range(1, min(span, positions.shape[1] - 1)):
            d = positions[:, lag:, :] - positions[:, :-lag, :]
            parts += [d.mean(1), d.std(1)]
    pooled = np.concatenate(parts, 1)
    sd = pooled.std(0)
    pooled = (pooled[:, sd > 0] - pooled[:, sd > 0].mean(0)) / sd[sd > 0] if (sd > 0).any() else pooled[:, :0]
    layout = _centroid_accuracy(raw, ids)
    summary = _centroid_accuracy(pooled, ids) if pooled.shape[1] else majority
    if layout is None or summary is None:
        return None
    return {"layout_accuracy": layout, "pooled_accuracy": summary, "majority": majority, "rows": len(ids)}


def pooled_position_finding(layer: str, x: Any, y: Any, poor_fit: bool, moved: str, step: float,
                            flatten: str = "Flatten()", pointwise: str | None = None, span: int = 1) -> Finding | None:
    """stalled naming the global pooling layer when the label lies in the layout the pooling discards.

    ``pointwise``: the convolutions before the pooling when every one has a kernel of one step (each
    position seen alone): then the kernel, not the pooling alone, is what to change."""
    if not poor_fit:
        return None
    ev = layout_separability(x, y, span)
    if ev is None:
        return None
    m = ev["majority"]
    if ev["layout_accuracy"] < m + LAYOUT_GAIN or ev["pooled_accuracy"] >= m + POOLED_GAIN:
        return None
    kernel_cause = [f"every convolution before it ({pointwise}) has kernel_size=1: each step is seen on its own, "
                    "so after the pooling nothing of their order remains"] if pointwise else []
    kernel_fix = ["Give the convolution a kernel that spans several steps (kernel_size=3 or more), so the order "
                  "of neighbouring steps survives the pooling."] if pointwise else []
    if pointwise:
        ev["pointwise_convolutions"] = pointwise
    return Finding("stalled", Severity.WARNING,
                   f"{layer} throws away where things are, but the label depends on it: the class means of the raw "
                   f"positions tell {ev['layout_accuracy']:.0%} of the sampled rows apart, a per-channel summary over "
                   f"the positions only {ev['pooled_accuracy']:.0%} (majority class {m:.0%}), and {moved}",
                   steps=[step], evidence={"subject": "pooled-position", CAUSE: True, "layer": layer, **ev,
                                           "explains": ["stuck-at-chance", "no-learning", "cannot-overfit-batch",
                                                        "dead-relu"]},
                   causes=kernel_cause + ["global average (or max) pooling averages every location into one number "
                                          "per channel; a label decided by position (which half, which slot, what "
                                          "comes first) is lost, and the convolution's local pictures look alike in "
                                          "every class"],
                   fixes=kernel_fix + [f"Keep the position: replace {layer} with {flatten} (a Dense over the feature "
                                       "map), or add the coordinates as input channels (CoordConv) before pooling."])
