"""Hugging Face: ``Trainer(..., callbacks=[TraindocCallback(logdir="runs")])``.

The Trainer does not hand the per-step loss to callbacks, so a forward hook keeps the
model output's ``loss`` (and the batch's inputs and labels) of the last training forward;
``on_step_end`` then steps the watcher once per optimiser step. Gradients are sampled by the
watcher's optimiser hook, before the Trainer zeroes them.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from ..watch import Watch, watch


class TraindocCallback(TrainerCallback):
    """Live diagnosis of a Hugging Face Trainer run."""

    def __init__(self, *, loss_fn: Any = None, logdir: str | None = None, every: int | None = None,
                 on_finding=None, report: str | None = None, quiet: bool = False) -> None:
        self.kwargs = dict(loss_fn=loss_fn, logdir=logdir, every=every, on_finding=on_finding, report=report,
                           quiet=quiet)
        self.doc: Watch | None = None
        self._handles: list = []
        self._loss = None
        self._inputs = None
        self._labels = None

    @property
    def findings(self) -> list:
        return self.doc.findings if self.doc is not None else []

    def on_train_begin(self, args, state, control, model=None, optimizer=None, **kwargs) -> None:
        if model is None:
            return
        accel = getattr(kwargs.get("trainer", None), "accelerator", None)
        scaler = getattr(accel, "scaler", None)
        self.doc = watch(model, optimizer, scaler=scaler, name=f"hf-{type(model).__name__}", **self.kwargs)
        self.doc.start()
        self.doc.guard.call("checks", self._run_length, args, state)
        self._handles = [model.register_forward_pre_hook(self._pre, with_kwargs=True),
                         model.register_forward_hook(self._post)]

    def _run_length(self, args, state) -> None:
        """The steps, epochs and batch size trainer_state.json records, into the watch log too, so
        `diagnose` of either file knows how many rows an epoch holds (a tiny training set)."""
        facts = {"max_steps": getattr(state, "max_steps", None), "num_train_epochs": getattr(state, "num_train_epochs", None),
                 "train_batch_size": getattr(state, "train_batch_size", None)}
        # The label smoothing the Trainer applies sets the honest loss's own floor (rules/softmax_twice.py).
        facts["label_smoothing_factor"] = getattr(args, "label_smoothing_factor", None)
        facts = {k: v for k, v in facts.items() if isinstance(v, (int, float)) and v > 0}
        if facts:
            self.doc.store.meta.hparams.update(facts)
            if self.doc.writer is not None:
                self.doc.writer.meta({"hparams": facts})

    def _pre(self, module, args, kwargs) -> None:
        if module.training:
            self._labels = kwargs.get("labels")
            named = kwargs.get("input_ids", kwargs.get("pixel_values"))
            if named is None:
                named = next((v for k, v in kwargs.items() if k != "labels" and hasattr(v, "dtype")),
                             args[0] if args else None)
            self._inputs = named

    def _post(self, module, args, out) -> None:
        if not module.training:
            return
        loss = getattr(out, "loss", None)
        if loss is None and isinstance(out, dict):
            loss = out.get("loss")
        if loss is not None:
            self._loss = loss.detach()

    def on_step_end(self, args, state, control, **kwargs) -> None:
        if self.doc is not None:
            self.doc.step(self._loss, inputs=self._inputs, targets=self._labels)
            self._loss = self._inputs = self._labels = None

    def on_log(self, args, state, control, logs=None, **kwargs) -> None:
        if self.doc is None or not logs:
            return
        evals = {k: v for k, v in logs.items() if k.startswith("eval_") and isinstance(v, (int, float))
                 and k not in ("eval_runtime", "eval_samples_per_second", "eval_steps_per_second")}
        if evals:
            self.doc.log(evals, step=state.global_step)

    def on_train_end(self, args, state, control, **kwargs) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        if self.doc is not None:
            self.doc.close()
