"""Lightning: ``Trainer(callbacks=[TraindocCallback(logdir="runs")])``.

Watches the LightningModule from the start of training, steps once per optimiser step
(gradient accumulation aware), and records the validation metrics Lightning logged.
"""

from __future__ import annotations

from typing import Any

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the standalone package
    from pytorch_lightning.callbacks import Callback  # type: ignore[no-redef]

from ..watch import Watch, watch


def _loss_of(outputs: Any):
    if isinstance(outputs, dict):
        return outputs.get("loss")
    return outputs


def _split_batch(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, (list, tuple)) and len(batch) >= 2:
        return batch[0], batch[1]
    if isinstance(batch, dict):
        return batch, batch.get("labels", batch.get("label", batch.get("y")))
    return batch, None


class TraindocCallback(Callback):
    """Live diagnosis of a Lightning run; findings print as they appear and land in ``logdir``."""

    def __init__(self, *, loss_fn: Any = None, logdir: str | None = None, every: int | None = None,
                 on_finding=None, report: str | None = None, quiet: bool = False) -> None:
        super().__init__()
        self.kwargs = dict(loss_fn=loss_fn, logdir=logdir, every=every, on_finding=on_finding, report=report,
                           quiet=quiet)
        self.doc: Watch | None = None
        self._last_global_step = 0

    @property
    def findings(self) -> list:
        return self.doc.findings if self.doc is not None else []

    def on_train_start(self, trainer, pl_module) -> None:
        opt = trainer.optimizers[0] if trainer.optimizers else None
        scaler = getattr(getattr(trainer, "precision_plugin", None), "scaler", None)
        self.doc = watch(pl_module, opt, scaler=scaler, name=f"lightning-{type(pl_module).__name__}", **self.kwargs)
        self.doc.start()
        self._last_global_step = trainer.global_step

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.doc is None or trainer.global_step == self._last_global_step:
            return  # still accumulating gradients: not an optimiser step yet
        self._last_global_step = trainer.global_step
        x, y = _split_batch(batch)
        self.doc.step(_loss_of(outputs), inputs=x, targets=y)

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        if self.doc is None or trainer.sanity_checking:
            return
        metrics = {k: v for k, v in trainer.callback_metrics.items()
                   if k.startswith(("val", "valid")) or "val_" in k}
        if metrics:
            self.doc.log(metrics, step=trainer.global_step)

    def on_train_end(self, trainer, pl_module) -> None:
        if self.doc is not None:
            self.doc.close()

    def on_exception(self, trainer, pl_module, exception) -> None:
        if self.doc is not None:
            self.doc.close(f"stopped by {type(exception).__name__}")
