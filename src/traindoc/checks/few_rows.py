"""Batches drawn from a handful of rows: the loader's indices, not the data, are wrong.

Why: ``WeightedRandomSampler(weights, n)`` draws indices from ``range(len(weights))``. Given one
weight per class (the common mistake when balancing classes) it can only return rows 0..C-1, so
every batch repeats those few rows; the loss falls to ~0 at once and the run looks healthy. A
sampler or ``Subset`` built with the wrong length, or a loop that slices the same rows, do the
same. The watcher keeps a two-number signature of each sampled row (a sum and a weighted sum,
computed on the device, no read-back until the end) and counts the distinct ones. A toy data set
of a few rows repeated on purpose (XOR) has more rows than classes and labels of every class;
this is named only when the distinct rows are no more than the classes, or all share one label, and
each distinct row always came with the same label (identical inputs under several labels are many
samples whose inputs collapsed in preprocessing, ``x // 255``, not a loader repeating rows).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 64  # sampled rows needed before a count of distinct ones means anything
MAX_DISTINCT = 16
REPEATS = 8  # each distinct row seen this many times on average
KEEP = 4096  # signatures kept at most
FEATURES = 4096  # a row's signature reads at most about this many of its values, spread over the row


class FewRows:
    """Signatures of the rows of sampled batches, and their labels (kept on the device until the end)."""

    def __init__(self) -> None:
        self.sigs: list = []
        self.labels: list = []
        self.rows = 0
        self.off = False

    def add(self, inputs: Any, targets: Any) -> None:
        import torch

        if self.off or self.rows >= KEEP:
            return
        if not isinstance(inputs, torch.Tensor) or inputs.dim() < 1 or inputs.shape[0] < 2 or inputs.numel() == 0:
            self.off = True
            return
        with torch.no_grad():
            x = inputs.detach().reshape(inputs.shape[0], -1)
            x = x[:, ::max(1, x.shape[1] // FEATURES)].double()  # a strided view: images cost no full copy
            w = (torch.arange(x.shape[1], device=x.device, dtype=torch.float64) % 97 + 1) / 97
            self.sigs.append(torch.stack([x.sum(1), (x * w).sum(1)], 1))
            if isinstance(targets, torch.Tensor) and targets.dim() >= 1 and targets.shape[0] == inputs.shape[0]:
                self.labels.append(targets.detach().reshape(targets.shape[0], -1)[:, :1].double())
        self.rows += int(inputs.shape[0])

    def finding(self, classes: int | None, step: float) -> Finding | None:
        import torch

        if self.off or self.rows < MIN_ROWS or not self.sigs:
            return None
        sig = torch.cat(self.sigs).cpu()
        distinct = int(torch.unique(sig, dim=0).shape[0])
        labels = torch.cat(self.labels).cpu() if self.labels and len(self.labels) == len(self.sigs) else None
        one_label = labels is not None and int(torch.unique(labels).numel()) == 1
        if distinct > MAX_DISTINCT or self.rows < REPEATS * distinct:
            return None
        if not (one_label or (classes is not None and distinct <= classes)):
            return None
        if labels is not None and not one_label:
            pairs = torch.cat([sig, labels], 1)
            if int(torch.unique(pairs, dim=0).shape[0]) > distinct:
                # One input row seen with several labels: the loader does draw many samples, but their inputs are
                # identical (zeroed or collapsed by preprocessing); a sampler repeating rows keeps each row's label.
                return None
        self.sigs, self.labels = [], []  # released
        return Finding("label-problem", Severity.ERROR,
                       f"the batches hold only {distinct} distinct input rows among the {self.rows} sampled"
                       + (" (all with the same label)" if one_label else f" (no more than the {classes} classes)")
                       + ": the loader draws from a few indices, not from the data set",
                       steps=[step], evidence={"subject": "sampled-rows", CAUSE: True, "rows": self.rows,
                                               "distinct": distinct, "one_label": one_label, "classes": classes},
                       causes=["a WeightedRandomSampler given one weight per class: it draws indices from "
                               "range(len(weights)), so only rows 0..C-1 are ever used",
                               "a sampler or Subset built on the wrong length, or a batching loop that slices the "
                               "same rows every step"],
                       fixes=["Give the sampler one weight per sample: WeightedRandomSampler(weights=class_weights"
                              "[labels], num_samples=len(labels)); then check which indices the loader yields."])
