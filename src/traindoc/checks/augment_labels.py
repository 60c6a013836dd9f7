"""An augmentation that changes the class: a horizontal flip of images whose class is left vs right.

Augmentation must keep the label. When the class depends on the very thing an augmentation
changes (direction for a flip, orientation for a rotation, position for a shift), every altered
sample carries the wrong label for what it now shows, and the model is trained on contradictions.
The evidence is in the sampled rows, without training: apply the model's own augmentation layers
(training mode, on copies) and ask of each row the augmentation altered whether its nearest
unaugmented row has its label. For a label-keeping augmentation that holds as often as for the
unaltered rows; for a label-changing one it collapses. Named when the run agrees (the model did
not fit its training data).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..findings import Finding, Severity

AUGMENTERS = ("RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomCrop")
MIN_ROWS = 64
MIN_ALTERED = 24
DROP = 0.2  # altered rows agree with their nearest neighbour's label this much less often than unaltered ones
Z_DROP = 3.0


def augmentation_layers(model: Any) -> list[Any]:
    """The geometric augmentation layers at the input end of a Keras model (before any trained layer)."""
    out = []
    for lay in getattr(model, "layers", None) or []:
        kind = type(lay).__name__
        if kind in AUGMENTERS:
            out.append(lay)
        elif kind in ("InputLayer", "Rescaling", "Normalization", "RandomContrast", "RandomBrightness"):
            continue
        else:
            break
    return out


def _standardise(ref: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    mean, std = ref.mean(0), ref.std(0)
    keep = std > 1e-12
    return [(a[:, keep] - mean[keep]) / std[keep] for a in (ref, *others)]


def _nearest(query: np.ndarray, ref: np.ndarray, exclude: np.ndarray | None) -> np.ndarray:
    d = (query * query).sum(1)[:, None] + (ref * ref).sum(1)[None, :] - 2.0 * query @ ref.T
    if exclude is not None:
        d[np.arange(len(query)), exclude] = np.inf  # never the row it was made from
    return d.argmin(1)


def label_agreement(x: np.ndarray, aug: np.ndarray, y: np.ndarray) -> dict | None:
    """Nearest-unaugmented-neighbour label agreement of the rows the augmentation altered vs the others."""
    x = np.asarray(x, dtype="float64").reshape(len(x), -1)
    aug = np.asarray(aug, dtype="float64").reshape(len(aug), -1)
    y = np.asarray(y).reshape(-1)
    if len(x) < MIN_ROWS or x.shape != aug.shape or len(y) != len(x):
        return None
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(aug))):
        return None
    altered = np.any(np.abs(aug - x) > 1e-6 * (1.0 + np.abs(x)), axis=1)
    if altered.sum() < MIN_ALTERED or (~altered).sum() < MIN_ALTERED:
        return None
    xs, augs = _standardise(x, aug)
    rows = np.arange(len(x))
    same_plain = y[_nearest(xs[~altered], xs, rows[~altered])] == y[~altered]
    same_aug = y[_nearest(augs[altered], xs, rows[altered])] == y[altered]
    p1, p2 = float(same_plain.mean()), float(same_aug.mean())
    n1, n2 = int(same_plain.size), int(same_aug.size)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-6) * (1 / n1 + 1 / n2))
    return {"unaltered_agreement": p1, "altered_agreement": p2, "unaltered": n1, "altered": n2,
            "z": (p1 - p2) / se}


def augmentation_finding(model: Any, x: np.ndarray | None, y: np.ndarray | None, poor_fit: bool, moved: str,
                         step: float) -> Finding | None:
    """label-problem when the model's augmentation makes training rows look like another class, and it fit poorly."""
    if x is None or y is None or not poor_fit:
        return None
    layers = augmentation_layers(model)
    if not layers:
        return None
    import keras
    import torch

    with torch.no_grad():
        out = keras.ops.convert_to_tensor(np.asarray(x, dtype="float32"))
        for lay in layers:
            out = lay(out, training=True)
        aug = np.asarray(keras.ops.convert_to_numpy(out))
    if aug.shape != np.asarray(x).shape:
        return None  # a crop or zoom that changes the size: rows cannot be compared
    ev = label_agreement(x, aug, y)
    if ev is None or ev["unaltered_agreement"] - ev["altered_agreement"] < DROP or ev["z"] < Z_DROP:
        return None
    names = ", ".join(type(lay).__name__ for lay in layers)
    from .structure import CAUSE

    return Finding(
        "label-problem", Severity.WARNING,
        f"the augmentation ({names}) changes what class an image looks like: of the sampled training rows it "
        f"altered, {ev['altered_agreement']:.0%} have a nearest unaugmented row of their own label, against "
        f"{ev['unaltered_agreement']:.0%} of the rows it left alone; and {moved}",
        steps=[1.0, step], evidence={"subject": "augmentation", "layers": names, **ev, CAUSE: True},
        causes=["the class depends on what the augmentation changes (left vs right under a horizontal flip, "
                "orientation under a rotation, position under a shift): every altered image keeps a label that no "
                "longer matches what it shows, so the model is trained on contradicting examples"],
        fixes=[f"Remove {names} for this data (or use only augmentations that keep the label): augment only with "
               "transforms under which the class stays the same."])
