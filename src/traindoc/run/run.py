"""A training run: named series plus what is known about how it was trained."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from .roles import Role, infer_role, is_loss_component, names_an_adversary, part_template
from .series import Series

# When a run logs several losses (total plus components), the rules judge one of them.
# Lower rank wins; names are compared after lower-casing.
_PRIMARY_LOSS_NAMES = ("loss", "train_loss", "train/loss", "loss/train", "train_loss_step", "train_loss_epoch",
                       "total_loss", "train/total_loss", "epoch_loss", "val_loss", "eval_loss", "val/loss",
                       "validation_loss", "loss/val", "loss/validation", "valid_loss", "test_loss")


WITHIN_EVAL_AXIS = "eval_batch"  # the axis of values logged per batch inside one evaluation


def batch_counted(s: Series) -> bool:
    """Logged against an evaluation loop's batch counter: on its own axis, at 0, 1, 2, ... exactly."""
    if s.axis != WITHIN_EVAL_AXIS or len(s) < 2:
        return False
    return float(s.steps[0]) == 0.0 and bool(np.all(np.diff(s.steps) == 1.0))


def _typical_size(s: Series) -> float:
    finite = np.abs(s.values[np.isfinite(s.values)])
    return float(np.median(finite)) if finite.size else 0.0


_LOCALISATION = {"box", "bbox", "giou", "reg", "loc", "coord"}


def _localisation(name: str) -> bool:
    return bool(_LOCALISATION & set(re.split(r"[^a-z0-9]+", name.lower())))


def _parts(candidates: list[Series]) -> set[str]:
    """Names of the candidates that are parts of a composite loss: a known part (``box_loss``), or a
    sibling of one under the same name template (``angle_loss`` beside ``box_loss``)."""
    known = {s.name for s in candidates if is_loss_component(s.name)}
    templates = {part_template(n) for n in known} - {None}
    return known | {s.name for s in candidates if part_template(s.name) in templates}


def _constant(s: Series) -> bool:
    finite = s.values[np.isfinite(s.values)]
    return finite.size >= 3 and float(np.ptp(finite)) == 0.0


@dataclass
class RunMeta:
    """Facts about the run that rules use when the log tells them."""

    task: str | None = None  # "classification", "regression", "language-modeling", "detection"…
    num_classes: int | None = None
    vocab_size: int | None = None
    hparams: dict[str, Any] = field(default_factory=dict)
    resume_steps: list[float] = field(default_factory=list)
    # Set when a reader split one file holding several runs (steps restarted): (index, count).
    segment: tuple[int, int] | None = None
    # Set on a segment whose training loss starts where the previous segment's ended: a second
    # training stage (fine-tuning after a head-only stage) or a restart from its checkpoint, so
    # "no better than its own start" says nothing about the level it sits at.
    continues_previous: bool = False
    notes: list[str] = field(default_factory=list)  # reader remarks: splits, repaired quirks, truncation
    # Set when a reader kept only the intact part of a document that does not parse (cut mid-write): a
    # follower holding a complete reading keeps it rather than swap it for the fragment.
    salvaged: bool = False
    # What the watcher said when it raised each model or data check, keyed (id, subject): its title,
    # causes and fixes, so `diagnose` of the log names the same change as the live run did.
    check_texts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Run:
    """Everything downstream (rules, reports) reads only this."""

    name: str
    source: str
    format: str
    series: dict[str, Series] = field(default_factory=dict)
    meta: RunMeta = field(default_factory=RunMeta)

    def add(self, series: Series) -> Series:
        """Add or replace a series by name."""
        self.series[series.name] = series
        return series

    def by_role(self, role: Role) -> list[Series]:
        return [s for s in self.series.values() if s.role == role]

    def primary(self, role: Role) -> Series | None:
        """The one series of a role the rules should judge (the total loss, not its parts)."""
        # A series on the evaluation loop's own batch counter (Lightning's per-batch validation
        # values, see readers._axes: 0, 1, 2, ... with no gap) is passes over the held-out set, not
        # a curve over training.
        candidates = [s for s in self.by_role(role) if len(s) and not batch_counted(s)]
        if not candidates:
            return None

        parts = _parts(candidates)

        def rank(s: Series) -> tuple:
            lname = s.name.lower()
            named = _PRIMARY_LOSS_NAMES.index(lname) if lname in _PRIMARY_LOSS_NAMES else len(_PRIMARY_LOSS_NAMES)
            # The total before a component (loss_cls, box_loss); per-step over per-epoch for train
            # curves (more evidence), then longer series. Among parts with no total logged, a
            # detector's box (localisation) loss by convention: every detector has one and mAP
            # follows it; else the part carrying the largest share of their sum (its typical size),
            # not whichever sorts first by name.
            # A series that never moved (a loss term the model does not use, logged as 0) is
            # never the one judged while another moves.
            part = s.name in parts
            # An adversary's loss (a domain classifier behind gradient reversal, a discriminator) sits
            # at chance by design: the model's own loss is judged before it, whatever their names rank.
            return (_constant(s), names_an_adversary(s.name), named, part, s.axis != "step", -len(s),
                    part and not _localisation(s.name), -_typical_size(s) if part else 0.0, lname)

        return min(candidates, key=rank)

    def set_role(self, name: str, role: Role | str, higher_is_better: bool | None = None) -> None:
        """User override of an inferred role (``--role name=val_loss``)."""
        s = self.series[name]
        s.role = Role(role)
        if higher_is_better is not None:
            s.higher_is_better = higher_is_better

    def names(self) -> list[str]:
        return list(self.series)

    def apply_overrides(self, overrides: dict[str, str]) -> None:
        for name, role in overrides.items():
            if name in self.series:
                self.set_role(name, role)

    @staticmethod
    def from_columns(name: str, source: str, fmt: str, columns: dict[str, tuple[Iterable, Iterable]],
                     axis: str = "step", meta: RunMeta | None = None) -> "Run":
        """Convenience for readers and tests: ``{series_name: (steps, values)}``."""
        run = Run(name=name, source=source, format=fmt, meta=meta or RunMeta())
        for col, (steps, values) in columns.items():
            run.add(Series.named(col, list(steps), list(values), axis=axis, role=infer_role(col)))
        return run
