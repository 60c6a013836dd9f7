"""A model left in eval mode while it trains: dropout off, BatchNorm using frozen running statistics.

``model.eval()`` for a validation pass, with no ``model.train()`` before the next epoch (or a model
put in eval mode after loading a checkpoint), keeps training in inference mode: every Dropout is the
identity (the regularisation is silently gone) and every BatchNorm normalises with its running
statistics and no longer updates them. Nothing errors; the run only behaves worse.

Read from the modules' ``.training`` flags at the watcher's sampled optimizer steps (no forward, no
buffer touched). Only modules whose mode matters count: Dropout with p > 0, and BatchNorm layers
that track running statistics and have trainable parameters. Fine-tuning that freezes BatchNorm on
purpose (``bn.eval()`` on those layers, or their parameters frozen) is told apart: there the model
itself is in training mode, or every BatchNorm's parameters are frozen and no Dropout is active.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_EVAL_SAMPLES = 3  # sampled steps in eval mode before anything is said
DROPOUT = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")


def mode_modules(model: Any) -> list[tuple[str, Any, str]]:
    """(name, module, kind) of the modules whose train/eval mode changes what training does."""
    from torch import nn

    out = []
    for name, m in model.named_modules():
        if type(m).__name__ in DROPOUT and float(getattr(m, "p", 0.0)) > 0:
            out.append((name, m, "dropout"))
        elif isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats and \
                any(p.requires_grad for p in m.parameters(recurse=False)):
            out.append((name, m, "batchnorm"))
    return out


class EvalMode:
    """Counts sampled steps at which the whole model trained in eval mode."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.modules = mode_modules(model)
        self.samples = 0
        self.evals: list[float] = []  # sampled steps in eval mode
        self.trained_before = False  # a sampled step in training mode came before the first eval one
        self.said = False

    def see(self, step: float) -> Finding | None:
        """One sampled step; the finding once the model was seen in eval mode often enough."""
        if not self.modules or self.said:
            return None
        self.samples += 1
        if self.model.training or any(m.training for _, m, _ in self.modules):
            if not self.evals:
                self.trained_before = True
            return None  # training mode (BatchNorm layers frozen on purpose leave the model itself in train)
        self.evals.append(step)
        if len(self.evals) < MIN_EVAL_SAMPLES or 2 * len(self.evals) < self.samples:
            return None
        self.said = True
        return eval_mode_finding(self.modules, self.evals, self.trained_before, step)


def eval_mode_finding(modules: list, evals: list[float], switched: bool, step: float) -> Finding:
    kinds = sorted({k for _, _, k in modules})
    names = [n for n, _, _ in modules]
    effect = {"dropout": "every Dropout is switched off (the regularisation is gone)",
              "batchnorm": "every BatchNorm normalises with frozen running statistics and stops updating them"}
    since = (f"since step {int(evals[0])} (it trained in training mode before: model.eval() for a validation pass "
             "was never undone)" if switched else "from the first step")
    return Finding("eval-mode", Severity.WARNING,
                   f"the model trains in eval mode {since}: " + "; ".join(effect[k] for k in kinds),
                   steps=[evals[0], step],
                   evidence={"subject": "model", CAUSE: True, "eval_steps": len(evals), "layers": names[:10],
                             "kinds": kinds, "switched": switched,
                             "explains": ["overfitting", "stalled", "unnormalized-input", "divergence", "nonfinite",
                                          "loss-spikes", "no-learning", "stuck-at-chance", "both-rising"]},
                   causes=["model.eval() was called (to validate, or after loading a checkpoint) and model.train() "
                           "was not called again before the next training steps."],
                   fixes=["Call model.train() at the start of each epoch (before the batch loop), and model.eval() "
                          "only around evaluation, under torch.no_grad()."])
