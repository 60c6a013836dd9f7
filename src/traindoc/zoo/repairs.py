"""Verified repairs: apply the mechanical fix a finding names, re-run, and check it worked.

The repair is chosen from what traindoc *found* on the faulty run (most severe first), never
from the case's expected ids: it acts on the diagnosed cause, edits the config the way a person
would edit their script, and is judged by whether the case's expected finding cleared and the
final loss (validation loss, else training loss) went down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from .cases import Case
from .config import Config
from .runner import Outcome, _num, run_config


IMPROVEMENT = 0.95  # the final loss must fall by at least 5% to count as improved


@dataclass(frozen=True)
class Repair:
    name: str
    ids: tuple[str, ...]
    applies: Callable[[Config], bool]
    apply: Callable[[Config], Config]
    ladder: bool = False  # a step of a search (LR x/÷ 10): kept when it does not make things worse


def _nonlinear(cfg: Config) -> str:
    return "xavier" if cfg.activation in ("tanh", "sigmoid") else "he"


REPAIRS: tuple[Repair, ...] = (
    Repair("normalise inputs", ("unnormalized-input",), lambda c: not c.normalize_inputs,
           lambda c: c.but(normalize_inputs=True)),
    Repair("remove the output activation", ("wrong-output-activation", "double-softmax"),
           lambda c: c.output_activation is not None, lambda c: c.but(output_activation=None)),
    Repair("call zero_grad every step", ("grad-not-zeroed",), lambda c: not c.zero_grad, lambda c: c.but(zero_grad=True)),
    Repair("give every parameter to the optimizer", ("frozen-parameters",), lambda c: not c.train_all_layers,
           lambda c: c.but(train_all_layers=True)),
    Repair("restore the optimizer state on resume", ("resume-spike",),
           lambda c: c.resume_at is not None and not c.restore_optimizer_state,
           lambda c: c.but(restore_optimizer_state=True)),
    Repair("shuffle the training data", ("unshuffled-data",), lambda c: not c.shuffle, lambda c: c.but(shuffle=True)),
    Repair("sample batches balanced across classes", ("class-imbalance", "misleading-accuracy"),
           lambda c: c.imbalance is not None and not c.balanced_sampling, lambda c: c.but(balanced_sampling=True)),
    Repair("LeakyReLU for ReLU", ("dead-relu",), lambda c: c.activation == "relu", lambda c: c.but(activation="leaky_relu")),
    Repair("variance-scaling initialisation", ("poor-initialization",), lambda c: c.init not in ("he", "xavier"),
           lambda c: c.but(init=_nonlinear(c))),
    Repair("ReLU with He initialisation for saturating units", ("saturated-activation", "vanishing-gradients", "late-start"),
           lambda c: c.activation in ("sigmoid", "tanh"), lambda c: c.but(activation="relu", init="he")),
    Repair("slow the learning-rate decay 100x", ("lr-decay-too-fast",), lambda c: c.lr_decay is not None and c.lr_decay < 1,
           lambda c: c.but(lr_decay=c.lr_decay ** 0.01)),
    Repair("learning rate / 10", ("nonfinite", "nonfinite-origin", "divergence", "lr-too-high", "loss-spikes",
                                  "exploding-gradients", "oscillation"),
           lambda c: c.lr > 1e-5, lambda c: c.but(lr=c.lr / 10), ladder=True),
    Repair("learning rate x 10", ("no-learning", "update-ratio"), lambda c: c.lr < 1.0, lambda c: c.but(lr=c.lr * 10),
           ladder=True),
    Repair("weight decay 1e-3 and dropout 0.2", ("overfitting",), lambda c: c.weight_decay == 0 and c.dropout == 0,
           lambda c: c.but(weight_decay=1e-3, dropout=0.2)),
)


def candidates(outcome: Outcome, cfg: Config) -> list[tuple[str, Repair]]:
    """Every applicable (finding, repair) pair, most severe finding first, each repair once."""
    out: list[tuple[str, Repair]] = []
    for finding in outcome.problems + [f for f in outcome.findings if f not in outcome.problems]:
        for repair in REPAIRS:
            if finding.id in repair.ids and repair.applies(cfg) and all(r is not repair for _, r in out):
                out.append((finding.id, repair))
    return out


def plan(outcome: Outcome, cfg: Config) -> tuple[str, Repair] | None:
    """The first mechanical repair for the most severe finding that has one."""
    found = candidates(outcome, cfg)
    return found[0] if found else None


def _rank(outcome: Outcome) -> tuple[int, float]:
    return len(outcome.problems), outcome.result.final_loss()


def _worse(new: Outcome, old: Outcome) -> bool:
    b, a = old.result.final_loss(), new.result.final_loss()
    return not math.isfinite(a) or (math.isfinite(b) and a > b)


def _better(new: Outcome, old: Outcome) -> bool:
    b, a = old.result.final_loss(), new.result.final_loss()
    return math.isfinite(a) and (not math.isfinite(b) or a < IMPROVEMENT * b)


@dataclass
class RepairReport:
    case: Case
    before: Outcome
    after: Outcome | None
    steps: list[dict[str, Any]] = field(default_factory=list)  # the repairs kept, in order
    tried: list[dict[str, Any]] = field(default_factory=list)  # every repair run, kept or not

    @property
    def attempted(self) -> bool:
        return bool(self.tried)

    @property
    def cleared(self) -> bool:
        if self.after is None:
            return False
        targeted = {s["finding"] for s in self.steps}
        return not any(i in self.after.ids for i in (*self.case.expect, *targeted))

    @property
    def improved(self) -> bool:
        return self.after is not None and _better(self.after, self.before)

    @property
    def fixes_the_bug(self) -> bool:
        """Whether the kept repairs edit a field the fixed twin differs in: the bug itself, not a symptom."""
        if self.after is None:
            return False
        bug = {f.name for f in fields(Config) if getattr(self.case.config, f.name) != getattr(self.case.fixed, f.name)}
        edited = {f.name for f in fields(Config) if getattr(self.case.config, f.name) != getattr(self.after.config, f.name)}
        return bool(bug & edited)

    @property
    def success(self) -> bool:
        return self.cleared and self.improved

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case.name, "repairs": self.steps, "tried": self.tried, "attempted": self.attempted, "cleared": self.cleared,
                "fixes_the_bug": self.fixes_the_bug,
                "improved": self.improved, "success": self.success,
                "loss_before": _num(self.before.result.final_loss()),
                "loss_after": _num(self.after.result.final_loss()) if self.after else None,
                "found_after": self.after.ids if self.after else None}


def repair_case(case: Case, before: Outcome | None = None, *, rounds: int = 4, tries: int = 6,
                use_watch: bool = True) -> RepairReport:
    """Diagnose, fix, re-run, verify: up to ``rounds`` rounds, each trying the candidate repairs in order.

    A round runs every candidate and keeps, among those that lower the final loss, the one that
    leaves the fewest warnings and errors, then the lowest loss (a ladder step such as LR x 10 also counts when it does not raise the loss,
    so the search can go on). While the run is still broken
    (non-finite loss) and nothing helps yet, it keeps the first repair anyway, so that a ladder
    such as LR / 10, LR / 10 can go on. It stops when the run is clean (no warning or error),
    when no repair helps, or after ``rounds`` rounds.
    """
    before = before or run_config(case.config, use_watch=use_watch)
    report = RepairReport(case, before, None)
    cfg, current = case.config, before
    for _ in range(rounds):
        options = candidates(current, cfg)[:tries]
        kept = None
        first = None
        for fid, repair in options:
            trial_cfg = repair.apply(cfg)
            trial = run_config(trial_cfg, use_watch=use_watch)
            report.tried.append({"finding": fid, "repair": repair.name, "final_loss": _num(trial.result.final_loss())})
            first = first or (fid, repair, trial_cfg, trial)
            if _better(trial, current) or (repair.ladder and not _worse(trial, current)):
                # Greedy: of the repairs that help, keep the one leaving the fewest problems, then the lowest loss.
                if kept is None or _rank(trial) < _rank(kept[3]):
                    kept = (fid, repair, trial_cfg, trial)
        if kept is None and first is not None and not math.isfinite(current.result.final_loss()):
            kept = first
        if kept is None:
            break
        fid, repair, cfg, current = kept
        report.after = current
        report.steps.append({"finding": fid, "repair": repair.name})
        if current.clean:
            break
    return report
