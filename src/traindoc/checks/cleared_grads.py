"""Gradients cleared between ``backward()`` and ``optimizer.step()``: every step applies nothing.

``optimizer.zero_grad()`` placed after ``loss.backward()`` (instead of before it) leaves every
``.grad`` None when ``step()`` runs (``set_to_none=True``, the default), so the optimizer skips
every parameter and the weights never move. The watcher sees it without any device sync: a
gradient hook on one parameter says backward reached it, and the optimizer's pre-step hook finds
that parameter's ``.grad`` gone. Legitimate loops never do this (gradient accumulation keeps the
gradients until the step), so a few sampled steps that all show it are enough.
"""

from __future__ import annotations

from ..findings import Finding, Severity

MIN_STEPS = 3  # sampled steps, all cleared, before the finding is raised


class ClearedGrads:
    """Counts sampled optimizer steps whose gradients were cleared after backward."""

    def __init__(self) -> None:
        self.cleared = 0
        self.kept = 0
        self.first: float | None = None
        self.said = False

    def see(self, grad_gone: bool, step: float) -> Finding | None:
        """One sampled step; the finding once MIN_STEPS steps were all cleared (and none kept)."""
        if grad_gone:
            self.cleared += 1
            self.first = step if self.first is None else self.first
        else:
            self.kept += 1
        if self.said or self.kept or self.cleared < MIN_STEPS:
            return None
        self.said = True
        return cleared_finding(self.first or step, step, self.cleared)


def cleared_finding(first: float, last: float, count: int) -> Finding:
    return Finding(
        "frozen-parameters", Severity.ERROR,
        "the optimizer steps with no gradients: they are cleared between backward() and step(), so no weight moves",
        steps=[first, last],
        evidence={"subject": "optimizer", "steps_seen": count, "cause": True,
                  "how": "backward computed the gradients, but .grad was None when optimizer.step() ran"},
        causes=["optimizer.zero_grad() (or model.zero_grad()) is called after loss.backward() and before "
                "optimizer.step(), so every step finds no gradient and skips every parameter."],
        fixes=["Call optimizer.zero_grad() before loss.backward() (at the top of the step), then backward(), "
               "then optimizer.step()."])
