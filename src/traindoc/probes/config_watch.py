"""The watcher's configuration checks: read once at start, once at the first step, applied once at the end.

Kept apart from watch.py so the loop-side code stays a few calls: ``start`` reads the model,
optimizer and loss (checks/torch_config.py), ``first_step`` judges the first step's loss,
outputs and targets (checks/first_step.py), ``finish`` lets a risky setting lead the symptom it
explains. Each runs under the watcher's guard: a failure loses the check, never the loop.
"""

from __future__ import annotations

from typing import Any


class ConfigWatch:
    """Per-watcher state: the suspects found at start and the recurrent layers' first input shapes."""

    def __init__(self) -> None:
        self.suspects: list = []
        self.rnn_shapes: dict[str, tuple] = {}
        self.handles: list = []
        self.hidden_ran: set[str] = set()  # plain containers whose layers ran with gradients on
        from ..checks.row_link import RowSample

        self.rows = RowSample()

    def start(self, doc: Any, hooks: bool) -> None:
        from ..checks.first_step import record_rnn_inputs
        from ..checks.torch_config import config_findings, suspects

        from ..checks.model_view import is_keras

        if is_keras(doc.model):
            self.rows.off = True  # the Keras callback runs its own label link on the arrays fit was given
        opt = doc._inner_opt()
        for f in config_findings(doc.model, opt):
            doc._record_check(f)
        self.suspects = suspects(doc.model, opt, doc.loss_fn)
        if hooks:
            wrap = lambda f: doc.guard.wrap_hook("checks", f)  # noqa: E731
            self.rnn_shapes, self.handles = record_rnn_inputs(doc.model, wrap)
            self._hook_hidden(doc.model, wrap)

    def _hook_hidden(self, model: Any, wrap: Any) -> None:
        """One-shot forward hooks on layers held in plain containers: do they run, with gradients on?"""
        import torch

        from ..checks.torch_config import hidden_containers

        for where, _, mods, _ in hidden_containers(model):
            def hook(mod, args, out, _where=where):
                if torch.is_grad_enabled():
                    self.hidden_ran.add(_where)

            self.handles += [m.register_forward_hook(wrap(hook)) for m in mods]

    def first_step(self, doc: Any, loss: Any, targets: Any, outputs: Any) -> None:
        from ..checks.first_step import class_weight_findings, rnn_layout_findings, softmax_axis_findings

        from ..checks.torch_config import unregistered_findings

        self.remove()
        found = unregistered_findings(doc.model, doc._inner_opt(), self.hidden_ran) if self.hidden_ran else []
        found += softmax_axis_findings(loss, outputs, targets, doc.loss_fn)
        found += class_weight_findings(doc.loss_fn, targets)
        found += rnn_layout_findings(self.rnn_shapes, targets)
        for f in found:
            f.steps = [float(doc._step)]
            doc._record_check(f)

    def sample(self, inputs: Any, targets: Any) -> None:
        """A sampled step's rows and labels (kept on the device; judged once at the end)."""
        self.rows.add(inputs, targets)

    def finish(self, doc: Any) -> None:
        from ..checks.row_link import RowSample, unrelated_rows_finding
        from ..checks.torch_config import attribute

        self.remove()
        if not any(f.id == "label-problem" for f in doc.findings):
            loss = doc.store.series.get("train_loss")
            f = unrelated_rows_finding(self.rows.link(), list(loss.values) if loss is not None else [],
                                       float(doc._step))
            self.rows = RowSample()  # released
            if f is not None:
                doc._raise(f)
        attribute(doc.findings, self.suspects)

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
