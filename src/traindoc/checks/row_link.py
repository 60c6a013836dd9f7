"""Do the rows a torch loop trains on still belong to their labels? Read from the batches ``watch`` samples.

The nearest-neighbour test of checks/label_link.py needs only rows and labels, and ``doc.step``
hands both over. A few hundred distinct rows are kept (on the device, no sync; small flat inputs
only) and judged once at the end: neighbours that share their label no more often than random
rows do, while the training loss barely fell, say each row lost its label. The usual ways: x and y
shuffled or sorted separately, or a (features, samples) array turned into rows with ``reshape`` or
``view`` where a transpose was meant, which puts values of different samples into one row.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .label_link import MAX_ROWS, LabelLink, label_link
from .loss_progress import loss_kept

MAX_FEATURES = 256  # wider inputs (images, sequences) are left alone: kept rows would cost memory
KEEP_ROWS = 2 * MAX_ROWS  # rows kept before de-duplication (epochs repeat the same rows)
LITTLE_PROGRESS = 0.75  # the training loss ended at 75% or more of where it started


class RowSample:
    """Rows and integer labels from sampled steps, kept on their device until the end."""

    def __init__(self) -> None:
        self.xs: list = []
        self.ys: list = []
        self.rows = 0
        self.off = False

    def add(self, inputs: Any, targets: Any) -> None:
        import torch

        if self.off or self.rows >= KEEP_ROWS:
            return
        if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
            self.off = True
            return
        if (not inputs.is_floating_point() or targets.is_floating_point() or targets.dim() != 1
                or inputs.dim() < 2 or inputs.shape[0] != targets.shape[0]
                or inputs[0].numel() > MAX_FEATURES):
            self.off = True
            return
        self.xs.append(inputs.detach().reshape(inputs.shape[0], -1).clone())
        self.ys.append(targets.detach().clone())
        self.rows += int(inputs.shape[0])

    def link(self) -> LabelLink | None:
        if self.off or not self.xs:
            return None
        import torch

        x = torch.cat(self.xs).float().cpu().numpy()
        y = torch.cat(self.ys).cpu().numpy()
        x, first = np.unique(x, axis=0, return_index=True)  # an epoch's rows again are not neighbours
        return label_link(x, y[first])


def little_progress(losses: list[float]) -> tuple[float, float] | None:
    """(start, end) means of the first and last tenth of the loss when it ended at 75% of its start or more."""
    vals = [v for v in losses if math.isfinite(v)]
    if len(vals) < 20:
        return None
    return loss_kept(vals, LITTLE_PROGRESS, part=10, least=2)


def unrelated_rows_finding(link: LabelLink | None, losses: list[float], step: float):
    """label-problem when neighbours share labels at chance and the training loss barely fell."""
    from ..findings import Finding, Severity

    if link is None or not link.at_chance:
        return None
    little = little_progress(losses)
    if little is None:
        return None
    start, end = little
    return Finding(
        "label-problem", Severity.WARNING,
        f"the inputs look unrelated to their labels: a row's nearest neighbour shares its label {link.agreement:.0%} "
        f"of the time, as two random rows do ({link.chance:.0%}), and the training loss only went from "
        f"{start:.3g} to {end:.3g}",
        steps=[step], evidence={"subject": "label-alignment", "rows": link.rows,
                                "neighbour_agreement": link.agreement, "chance_agreement": link.chance,
                                "z": link.z, "loss_start": start, "loss_end": end, "cause": True},
        causes=["each row no longer matches its label: the inputs were rearranged with reshape/view where a "
                "transpose was meant (a features x samples array reshaped to samples x features puts values of "
                "different samples in one row), x and y were shuffled, sorted or joined separately, or the labels "
                "were read offset from their rows (a header line skipped in one file and not the other, then both "
                "cut to one length: every label shifted by one row); the model can only memorise"],
        fixes=["Turn a (features, samples) array into rows with x.T (or .permute), never .reshape/.view; then check "
               "a few rows by hand against their labels.",
               "Shuffle x and y with one permutation (p = torch.randperm(len(x)); x, y = x[p], y[p]).",
               "Read features and labels the same way (the same skiprows/header handling in both files) and check "
               "that the first rows of x and y belong together."])
