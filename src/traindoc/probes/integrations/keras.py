"""Keras 3 (torch backend): ``model.fit(..., callbacks=[TraindocCallback(logdir="runs")])``.

With ``KERAS_BACKEND=torch`` a Keras model is a torch Module whose weights are torch
Parameters, so the watcher measures per-layer gradients, weights and update ratios (Keras
zeroes gradients at the start of each train step, so they are still there at batch end).
Keras layers do not run through torch module hooks, so activation and NaN-origin probes are
off; the loss Keras reports per batch is its running mean over the epoch.
"""

from __future__ import annotations

from typing import Any

import keras

from ..watch import Watch, watch


class TraindocCallback(keras.callbacks.Callback):
    """Live diagnosis of a Keras ``fit`` on the torch backend (curves elsewhere)."""

    def __init__(self, *, logdir: str | None = None, every: int | None = None, on_finding=None,
                 report: str | None = None, quiet: bool = False) -> None:
        super().__init__()
        self.kwargs = dict(logdir=logdir, every=every, on_finding=on_finding, report=report, quiet=quiet)
        self.doc: Watch | None = None
        self._step = 0

    @property
    def findings(self) -> list:
        return self.doc.findings if self.doc is not None else []

    def on_train_begin(self, logs: dict | None = None) -> None:
        import torch

        model = self.model
        self._step = 0
        if keras.backend.backend() == "torch" and isinstance(model, torch.nn.Module):
            self.doc = watch(model, None, name=f"keras-{model.name}", **self.kwargs)
        else:
            self.doc = watch(torch.nn.Module(), None, name=f"keras-{model.name}", **self.kwargs)
            self.doc._say(f"Keras backend is {keras.backend.backend()}: only the curves are watched "
                          "(set KERAS_BACKEND=torch for gradients)")
        self.doc.start()
        if self.doc.acts is not None:
            self.doc._say("Keras layers bypass torch module hooks: activation probes are off for Keras models")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.doc is None:
            return
        loss = (logs or {}).get("loss")
        self.doc.step(_scalar(loss))
        lr = _learning_rate(self.model)
        if lr is not None and self.doc._is_sampled(self.doc._step):
            self.doc.log({"lr": lr})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.doc is None or not logs:
            return
        vals = {k: _scalar(v) for k, v in logs.items() if k.startswith("val_")}
        vals = {k: v for k, v in vals.items() if v is not None}
        if vals:
            self.doc.log(vals)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.doc is not None:
            self.doc.close()


def _scalar(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        try:
            return float(keras.ops.convert_to_numpy(value))
        except Exception:
            return None


def _learning_rate(model: Any) -> float | None:
    opt = getattr(model, "optimizer", None)
    lr = getattr(opt, "learning_rate", None)
    return _scalar(lr) if lr is not None else None
