"""A network with no bias anywhere, on classes that differ by the inputs' magnitude.

Linear and conv layers without biases, joined by ReLU (or LeakyReLU, pooling, dropout), give a
positively homogeneous network: f(a * x) = a * f(x) for a > 0, so its argmax depends only on the
input's direction. Often harmless (bias=False is usual before a normalisation layer), it is a bug
when the classes differ by how far the input is from the origin (distance bands, intensity
levels): such a network cannot tell them apart. The evidence is in the rows the watcher already
samples: the input norm explains most of the label while the direction alone says nothing
(nearest neighbours of the unit-length rows share labels at chance). Judged once at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 64
NORM_EXPLAINS = 0.5  # share of the input norm's variance explained by the class


def homogeneous_layers(model: Any) -> list[str] | None:
    """The weighted layers of a bias-free, positively homogeneous network (None when it is not one)."""
    from torch import nn

    weighted = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
    passive = (nn.ReLU, nn.LeakyReLU, nn.Identity, nn.Dropout, nn.Flatten, nn.MaxPool1d, nn.MaxPool2d,
               nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
    names = []
    for n, m in model.named_modules():
        if any(True for _ in m.children()):
            continue
        if isinstance(m, weighted):
            if m.bias is not None:
                return None
            names.append(n)
        elif not isinstance(m, passive):
            return None
    return names if len(names) >= 2 else None


def bias_free_finding(model: Any, rows: Any, step: float) -> Finding | None:
    """missing-bias as a warning: a homogeneous network whose classes follow the input norm, not its direction."""
    from .label_link import label_link

    layers = homogeneous_layers(model)
    if layers is None or rows is None or rows.off or not rows.xs:
        return None
    import torch

    x = torch.cat(rows.xs).float().cpu().numpy()
    y = torch.cat(rows.ys).cpu().numpy()
    x, first = np.unique(x, axis=0, return_index=True)
    y = y[first]
    if len(x) < MIN_ROWS or len(np.unique(y)) < 2:
        return None
    r = np.linalg.norm(x, axis=1)
    total = float(((r - r.mean()) ** 2).sum())
    if total <= 0:
        return None
    between = sum(float((y == k).sum()) * (float(r[y == k].mean()) - float(r.mean())) ** 2 for k in np.unique(y))
    explained = between / total
    if explained < NORM_EXPLAINS:
        return None
    link = label_link(x / np.maximum(r[:, None], 1e-12), y)
    if link is None or not link.at_chance:
        return None
    return Finding("missing-bias", Severity.WARNING,
                   f"no layer has a bias ({len(layers)} bias-free layers, ReLU between them), and the classes differ by "
                   f"the inputs' magnitude: the input norm explains {explained:.0%} of the label, the direction alone "
                   "nothing",
                   steps=[step], evidence={"subject": "bias-free-network", CAUSE: True, "layers": layers[:20],
                                            "norm_explains": round(explained, 3),
                                            "direction_agreement": link.agreement, "chance": link.chance},
                   causes=["a network with no biases and ReLU activations scales with its input (f(2x) = 2 f(x)), so "
                           "its predicted class depends only on the input's direction: classes told apart by distance "
                           "from the origin (or by intensity) cannot be separated"],
                   fixes=["Use bias=True on the Linear/Conv layers (the default); bias=False belongs only before a "
                          "normalisation layer."])
