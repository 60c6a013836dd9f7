"""Keras 3 (torch backend): ``model.fit(..., callbacks=[TraindocCallback(logdir="runs")])``.

With ``KERAS_BACKEND=torch`` a Keras model is a torch Module whose weights are torch
Parameters, so the watcher measures per-layer gradients, weights and update ratios (Keras
zeroes gradients at the start of each train step, so they are still there at batch end).
On top of that, for Keras:

- the structure checks (output activation vs the compiled loss vs the targets) run on the
  first batch, and a data check on the first few batches. Keras gives callbacks no batches, so
  the model's ``train_step`` is wrapped for those batches only: it sees each batch on its way
  to training and never pulls one from the iterator;
- layer calls are wrapped for activation statistics and the NaN origin (keras_layers.py): the
  watcher's own NaN-origin probe sees each layer's output, so the layer that made the first
  NaN is named at the step it made it;
- Keras reports the running mean of the loss over the epoch; it is turned back into each
  batch's own loss before any rule sees it;
- the epoch's training metrics reach the rules, except accuracy-like metrics of a regression.
"""

from __future__ import annotations

import math
from typing import Any

import keras

from ..watch import Watch, watch

DATA_BATCHES = 4  # batches sampled for the data check (copied to the host, a few rows each)
LINK_ROWS = 512  # training rows sampled (from further batches if needed) for the cross-split test
LINK_BATCHES = 16  # at most this many batches...
LINK_BYTES = 8 << 20  # ...and this many bytes of inputs
ROWS_PER_BATCH = 256
OUTPUT_ROWS = 32  # rows the untrained model is run on once, for its output scale
CONFIRM_NATS = 0.5  # an output bias is named when the first loss is this far above a zero bias's
FLOAT32_EPS = 1.2e-7  # float32's relative rounding (Keras' running mean is float32)
ZERO_GRAD_BATCHES = 5  # every gradient exactly zero on this many first batches: a finding
_CLASSIFICATION_METRICS = ("accuracy", "acc", "auc", "precision", "recall", "f1")


class TraindocCallback(keras.callbacks.Callback):
    """Live diagnosis of a Keras ``fit`` on the torch backend."""

    def __init__(self, *, logdir: str | None = None, every: int | None = None, on_finding=None,
                 report: str | None = None, quiet: bool = False) -> None:
        super().__init__()
        self.kwargs = dict(logdir=logdir, every=every, on_finding=on_finding, report=report, quiet=quiet)
        self.doc: Watch | None = None
        self._reset()

    def _reset(self) -> None:
        self._prev_mean: float | None = None
        self._batches: list[tuple[Any, Any]] = []
        self._link_rows: list[tuple[Any, Any]] = []  # every sampled batch, for the cross-split test (split_link.py)
        self._data_done = False
        self._structure_done = False
        self._zero_grad_batches = 0
        self._grad_batches = 0
        self._zero_flags: list[bool] = []  # per first batch: was every gradient exactly zero
        self._negative_said = False
        self._layers = None
        self._loss_view = None
        self._wrapped_step = False
        self._sampling = True  # the train_step wrapper still samples batches (after that it only counts rows)
        self._batch_rows: int | None = None  # rows of the batch now training (Keras weights its mean by them)
        self._rows_so_far = 0  # rows of this epoch's batches before the current one
        self._slack = 0.0  # the float32 rounding the last reconstructed batch loss may carry
        self._output_scale: float | None = None
        self._output_row_shape: tuple | None = None  # one output row's shape, from the untrained call
        from .keras_penalty import PenaltyWatch

        self._penalty = PenaltyWatch()
        from .keras_split import ValidationSample

        self._val = ValidationSample()
        from .keras_outputs import OutputShares

        self._shares = OutputShares()  # each output's share of a multi-output loss (keras_outputs.py)
        self._label_link = None  # nearest-neighbour label agreement of the sampled rows (checks/label_link.py)
        self._val_losses: list[float] = []
        self._sampled_y = None  # the targets of the sampled batches, kept for train-end judgements
        self._seen_softmax = False  # the untrained outputs are rows of probabilities
        self._sampled_x = None  # the inputs of the sampled batches, for the validation-scale check
        self._config = None  # the training configuration, read at the first batch (keras_config.py)
        self._progress = None  # how the run went, for the configuration's agreement test
        self._grad_samples: list = []  # gradient sizes on the first batches
        self._grad_rms: list[float] = []  # root-mean-square gradient entry on the first batches
        self._epochs: list[dict] = []  # each epoch's logs as scalars, for judgements of the whole run
        self._pending_bias = None  # an output-bias finding read at the first batches, confirmed at train end
        self._pending_constant = None  # "every target is c" from the sampled batches, settled at the first epoch end
        self._fit_shuffle = None  # fit(shuffle=...) as fit was called (None: unknown)
        self._fit_split: float | None = None  # fit(validation_split=...) as fit was called (None: unknown)
        self._epoch_rates: list[float] = []  # the learning rate after each epoch end (a plateau callback's cuts)
        self._ignored_regs: list[str] = []  # regularizer attributes set after the layer was built
        self._sampled_w: list = []  # the sample weights (class_weight) of the sampled batches, when given
        self._siblings: list = []  # the other callbacks of this fit (keras_loop.sibling_callbacks)
        self._epoch = 0
        self._first_rate: float | None = None  # the learning rate at train begin (checks/lr_sign.py)
        self._val_batches = 0  # validation batches of the first validation pass (checks/split_share.py)
        self._constraints: list = []  # max-norm bounds against the initial kernel norms (checks/weight_constraint.py)
        from .keras_loop import WeightResets

        self._resets = WeightResets()  # weights back at their start at an epoch's first batch (keras_loop.py)
        from .keras_loop import StepWriteBacks

        self._writebacks = StepWriteBacks()  # weights unchanged over sampled steps (keras_loop.py)

    @property
    def findings(self) -> list:
        return self.doc.findings if self.doc is not None else []

    # -- lifecycle -------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        import torch

        model = self.model
        self._reset()
        torch_backend = keras.backend.backend() == "torch" and isinstance(model, torch.nn.Module)
        if torch_backend:
            self.doc = watch(model, None, name=f"keras-{model.name}", **self.kwargs)
        else:
            self.doc = watch(torch.nn.Module(), None, name=f"keras-{model.name}", **self.kwargs)
            self.doc._say(f"Keras backend is {keras.backend.backend()}: only the curves and the model "
                          "structure are watched (set KERAS_BACKEND=torch for gradients)")
        self.doc.start()
        from ...checks.model_view import REGRESSION, loss_view

        self._loss_view = self.doc.guard.call("checks", loss_view, None, model)
        if self._loss_view is not None and self._loss_view.kind == REGRESSION:
            self.doc.store.meta.task = "regression"
        elif self._loss_view is not None and self._loss_view.kind is not None:
            self.doc.store.meta.task = "classification"
            self.doc.guard.call("checks", self._class_count)
        self._judge("lr-sign", self._negative_rate)
        self._fit_shuffle = _fit_argument("shuffle", model)
        split = _fit_argument("validation_split", model)  # 0.0: any validation came from validation_data
        self._fit_split = float(split) if isinstance(split, (int, float)) and not isinstance(split, bool) else None
        self.doc.guard.call("checks", self._wrap_train_step)
        from .keras_loop import sibling_callbacks

        self._siblings = self.doc.guard.call("checks", sibling_callbacks, self) or []
        self.doc.guard.call("checks", self._layer_after_output)
        self.doc.guard.call("optimizer-settings", self._optimizer_settings)
        from ...checks.squashed_twice import keras_squashed_twice_finding

        self._judge("output-squash", lambda: keras_squashed_twice_finding(model))
        from ...checks.init_scale import init_scale_findings

        self._judge("init-scale", lambda: next(iter(init_scale_findings(model)), None))
        from ...checks.bias_saturation import bias_saturation_findings  # bias_initializer=Constant(3) on tanh

        self._judge("bias-saturation", lambda: next(iter(bias_saturation_findings(model)), None))
        from ...checks.constant_activation import constant_activation_findings

        self._judge("constant-activation", lambda: next(iter(constant_activation_findings(model)), None))
        from .keras_outputs import swapped_losses_finding  # losses listed in another order than the outputs

        self._judge("loss-order", lambda: swapped_losses_finding(model))
        from .keras_outputs import nothing_trainable_finding  # model.trainable = False before fit

        self._judge("nothing-trainable", lambda: nothing_trainable_finding(model))
        _quietly(self._shares, self._shares.begin, model)
        self.doc.guard.call("checks", self._val.wrap, model, _host, lambda exc: None)
        if torch_backend:
            self.doc.guard.call("activations", self._install_layer_probe)

    def _class_count(self) -> None:
        """A softmax cross-entropy's class count is the output layer's width (Keras never sees
        the label set as the torch watcher does through its outputs)."""
        from ...checks.model_view import CATEGORICAL_CE, SPARSE_CE, output_view

        out = output_view(self.model)
        if self._loss_view.kind in (SPARSE_CE, CATEGORICAL_CE) and out is not None and out.units:
            self.doc.known_classes(out.units)

    def _affine_output(self, out: Any) -> None:
        """A model whose output is affine in its input (an activation that is the identity, one left out of a
        subclassed call()), read from the autograd graph of the first training forward (checks/affine_graph.py)."""
        from ...checks.affine_graph import affine_output_finding

        f = affine_output_finding(out, self.model, keras=True)
        if f is not None:
            f.steps = [1.0]
            self.doc._record_check(f)

    def _install_layer_probe(self) -> None:
        from .keras_layers import KerasLayerProbe

        self._layers = KerasLayerProbe(self.model, lambda exc: self.doc.guard.fail("activations", exc),
                                       self.doc.nonfinite)
        self._layers.on_output = lambda out: self.doc.guard.call("affine-graph", self._affine_output, out)
        self._layers.install()
        self._layers.armed = self.doc._is_sampled(1)

    def _wrap_train_step(self) -> None:
        """See the first batches as ``fit`` hands them to ``train_step``; unwrap once enough are seen."""
        model = self.model
        if "train_step" in model.__dict__:
            return
        original = model.train_step

        def train_step(data: Any) -> Any:
            try:
                rows = _rows(data)  # summed until the next batch end (steps_per_execution runs several)
                self._batch_rows = None if rows is None else (self._batch_rows or 0) + rows
                if self._sampling:
                    self._see_batch(data)
            except Exception as exc:
                self.doc.guard.fail("checks", exc)
            return original(data)

        object.__setattr__(model, "train_step", train_step)
        self._wrapped_step = True

    def _unwrap_train_step(self) -> None:
        if self._wrapped_step:
            self.model.__dict__.pop("train_step", None)
            self._wrapped_step = False

    def _see_batch(self, data: Any) -> None:
        x, y, sw = keras.utils.unpack_x_y_sample_weight(data)
        if y is None or isinstance(x, (dict, list, tuple)) or isinstance(y, (dict, list, tuple)):
            self._sampling = False  # nothing to sample here; the wrapper only counts rows
            return
        seen = (_host(x), _host(y))
        self._link_rows.append(seen)
        if not self._data_done:
            self._batches.append(seen)
            if sw is not None and not isinstance(sw, (dict, list, tuple)):
                self._sampled_w.append(_host(sw))
        if not self._structure_done:
            self._structure_done = True
            self._read_config(x)
            self._output_scale = self._measure_output(self._batches[0][0])
            self._structure_checks(self._batches[0][1], constant=False)  # at once: the output layer vs the loss
            self._wiring_checks(*self._batches[0])
        if not self._data_done and len(self._batches) >= DATA_BATCHES:
            self._data_done = True
            self._data_checks()
        if self._data_done and self._link_sampled():
            self._sampling = False  # from now on the wrapper only counts each batch's rows

    def _link_sampled(self) -> bool:
        """Enough training rows for the cross-split test, or as many as it may cost."""
        rows = sum(len(b[0]) for b in self._link_rows)
        size = sum(getattr(b[0], "nbytes", 0) for b in self._link_rows)
        return rows >= LINK_ROWS or len(self._link_rows) >= LINK_BATCHES or size >= LINK_BYTES

    def _read_config(self, x: Any) -> None:
        from ...checks.train_config import RunProgress
        from .keras_config import read_keras_config

        try:
            batch = int(x.shape[0])
        except Exception:
            batch = None
        self._config = read_keras_config(self.model, self.params, batch)
        self._progress = RunProgress()

    def _measure_output(self, x: Any) -> float | None:
        """The untrained output's scale, with the layer probe disarmed so the extra call records nothing."""
        armed = self._layers.armed if self._layers is not None else None
        try:
            if self._layers is not None:
                self._layers.armed = False
            out = _untrained_output(self.model, x)
            shape = getattr(out, "shape", None)
            self._output_row_shape = tuple(int(d) for d in shape[1:]) if shape is not None and len(shape) else None
            self._seen_softmax = _probability_rows(out)
            return _output_rms(out)
        except Exception:
            return None  # a model that cannot be called on a slice: judged against the usual output scale
        finally:
            if self._layers is not None:
                self._layers.armed = armed

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if not self._resets.off and self.doc is not None and batch == 0:
            _quietly(self._resets, self._resets.batch_begin, self.model, self._epoch, batch)
        if not self._writebacks.off and self.doc is not None:
            nxt = self.doc._step + 1
            _quietly(self._writebacks, self._writebacks.batch_begin, self.model, nxt, self.doc._is_sampled(nxt),
                     self.doc._is_sampled(nxt + 1), _learning_rate(self.model))
        if self._layers is not None and self.doc is not None:
            nxt = self.doc._step + 1
            self._layers.armed = self.doc._is_sampled(nxt) and self.doc.guard.ok("activations")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._prev_mean = None
        self._rows_so_far = 0
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.doc is None:
            return
        try:
            self._batch_end(batch, logs or {})
        except Exception as exc:  # never crash the user's fit
            self.doc.guard.fail("keras", exc)

    def _batch_end(self, batch: int, logs: dict) -> None:
        doc = self.doc
        mean = _scalar(logs.get("loss"))
        loss = self._batch_loss(batch, mean)
        step_was = doc._step
        doc.step(loss)
        if self._layers is not None:
            stats = doc.guard.call("activations", self._layers.take) or {}
            for name, value in stats.items():  # layer statistics, as the torch activation probe records them
                doc._add_direct(name, step_was + 1, value)
        lr = _learning_rate(self.model)
        if lr is not None and doc._is_sampled(doc._step):
            doc.log({"lr": lr})
        if loss is not None:
            if loss < -self._slack or loss >= 0:  # a value within the float32 rounding of zero is not negative
                self._negative_loss(loss)
            if self._progress is not None and self._progress.first_loss is None and math.isfinite(loss):
                self._progress.first_loss = loss
            if self._penalty.first is None and not self._penalty.off:
                _quietly(self._penalty, self._penalty.batch, self.model, loss)
        if self._grad_batches <= ZERO_GRAD_BATCHES:
            self._zero_gradients()

    def _batch_loss(self, batch: int, mean: float | None) -> float | None:
        """Keras logs the running mean m_n over the epoch's batches, weighted by their rows b_i.

        x_n = (B_n·m_n − B_{n−1}·m_{n−1}) / b_n with B_n the rows so far; when the rows are not
        known this is (n+1)·m_n − n·m_{n−1}. A smaller last batch read as a full one gives a wrong
        value (a spike, or a cross-entropy below zero), so the rows are counted when they can be.
        """
        rows, self._batch_rows = self._batch_rows, None
        self._slack = 0.0
        before = self._rows_so_far
        self._rows_so_far = before + rows if rows else 0
        if mean is None:
            return None
        prev, self._prev_mean = self._prev_mean, mean
        if batch == 0 or prev is None or not (math.isfinite(mean) and math.isfinite(prev)):
            return mean
        # Keras keeps the mean in float32: the difference carries its rounding, scaled by the rows so far.
        self._slack = FLOAT32_EPS * (batch + 1) * (abs(mean) + abs(prev))
        if rows and before:
            return ((before + rows) * mean - before * prev) / rows
        return (batch + 1) * mean - batch * prev

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.doc is None:
            return
        if not self._resets.off:
            _quietly(self._resets, self._resets.epoch_end, self.model, epoch)
        rate = _learning_rate(self.model)
        if rate is not None:
            self._epoch_rates.append(rate)
        if not logs:
            return
        from ...checks.model_view import REGRESSION

        regression = self._loss_view is not None and self._loss_view.kind == REGRESSION
        vals = {}
        for k, v in logs.items():
            base = k[4:] if k.startswith("val_") else k
            if k == "loss" or k == "learning_rate":
                continue  # the per-batch loss is already recorded
            if regression and any(base.endswith(m) for m in _CLASSIFICATION_METRICS):
                continue  # accuracy of a regression means nothing: rules must not judge it
            s = _scalar(v)
            if s is not None:
                vals[k] = s
        if vals:
            self.doc.log(vals)
        self._epochs.append({k: s for k in logs if (s := _scalar(logs[k])) is not None})
        if self._progress is not None:
            self._progress.last_loss = _scalar(logs.get("loss"))
            last = self._progress.last_loss
            if last is not None and math.isfinite(last):
                best = self._progress.best_loss
                self._progress.best_loss = last if best is None else min(best, last)
            self._progress.last_val_loss = _scalar(logs.get("val_loss"))
            acc = next((k for k in logs if k in ("accuracy", "acc", "sparse_categorical_accuracy",
                                                  "categorical_accuracy", "binary_accuracy")), None)
            self._progress.train_accuracy = _scalar(logs[acc]) if acc is not None and not regression else None
        _quietly(self._penalty, self._penalty.epoch, self.model, logs.get("loss"))
        if not self._shares.off:
            _quietly(self._shares, self._shares.epoch, logs)
        v = _scalar(logs.get("val_loss")) if "val_loss" in logs else None
        if v is not None:
            self._val_losses.append(v)
        if self._val.ys and not self._val.done:
            self._val.done = True
            self.doc.guard.call("checks", self._split_check)
        self.doc.guard.call("checks", self._settle_constant)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.doc is not None and not self._epochs:  # the first validation pass inside fit
            self._val_batches = max(self._val_batches, batch + 1)

    def _steps_per_epoch(self) -> int | None:
        """Optimizer steps per epoch from the training configuration; None before it is read (first batch)."""
        return self._config.steps_per_epoch if self._config is not None else None

    def _split_share(self) -> None:
        """The validation set several times the training set, and the model fits only the latter."""
        from ...checks.split_share import split_share_finding

        per, size = self._steps_per_epoch(), getattr(self._config, "batch_size", None)
        val_size = len(self._val.xs[0]) if self._val.xs else size
        if not per or not size or not val_size or not self._val_batches:
            return
        losses = [e["loss"] for e in self._epochs if "loss" in e]
        vals = [e["val_loss"] for e in self._epochs if "val_loss" in e]
        f = split_share_finding(per * size, self._val_batches * val_size, losses, vals, float(self.doc._step),
                                split=self._fit_split)
        if f is not None:
            self.doc._record_check(f)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._unwrap_train_step()
        self._val.unwrap(self.model)
        if self._layers is not None:
            self._layers.remove()
        if self.doc is None:
            return
        if self._batches and len(self._batches) < DATA_BATCHES:
            self.doc.guard.call("checks", self._data_checks)
        self.doc.guard.call("checks", self._settle_constant)
        self.doc.guard.call("checks", self._train_end_checks)
        self.doc.guard.call("optimizer-settings", self._optimizer_settings)
        self.doc.guard.call("split-share", self._split_share)
        self.doc.close()
        from ...checks.structure import lead_with_causes

        self.doc.guard.call("checks", _settle_mechanisms, self.doc.findings)
        self.doc.guard.call("checks", _attribute_settings, self.model, self.doc.findings, self._sampled_y,
                            self._output_row_shape)
        self.doc.findings[:] = lead_with_causes(self.doc.findings)

    # -- checks ----------------------------------------------------------------------------
    def _structure_checks(self, y: Any, constant: bool = True) -> None:
        from ...checks.structure import structure_findings

        seen = "softmax" if self._seen_softmax else None  # a softmax the layers do not show (ops.softmax in call)
        for f in self.doc.guard.call("checks", structure_findings, self.model, None, y, constant=constant,
                                     output_scale=self._output_scale, seen_activation=seen) or []:
            f.steps = [1.0]
            if constant and _constant_classes(f, self._loss_view):
                self._pending_constant = f  # the sample may be the first class of data sorted by label
                continue
            self.doc._record_check(f)
        from .keras_outputs import class_ids_to_distribution_loss  # KLDivergence on a class-id column

        self._judge("distribution-targets", lambda: class_ids_to_distribution_loss(self.model, y))

    def _settle_constant(self) -> None:
        """Constant class targets in the sampled batches, against the validation labels: when those hold other
        classes, the training data is sorted by label and served in order (keras_split.sorted_batches_finding)."""
        f, self._pending_constant = self._pending_constant, None
        if f is None:
            return
        from .keras_split import sorted_batches_finding

        served = None
        if self._fit_shuffle is False:  # shuffled batches of one class mean the whole training y is that class
            served = sorted_batches_finding(self._sampled_y, self._val.labels() if self._val.ys else None,
                                            float(self.doc._step))
        self.doc._record_check(served if served is not None else f)

    def _data_checks(self) -> None:
        from ...checks.data_check import data_check
        from ...checks.structure import CAUSE
        from ...findings import Severity

        batches, self._batches = self._batches, []
        if not batches:
            return
        import numpy as np

        try:  # the targets of every sampled batch: enough rows to call a constant label column
            ys = np.concatenate([np.asarray(y).reshape(len(y), -1) for _, y in batches])
        except ValueError:
            ys = None
        self._sampled_y = ys
        self._label_link = _link(batches)
        try:
            self._sampled_x = np.concatenate([np.asarray(x).reshape(len(x), -1) for x, _ in batches])
        except (ValueError, TypeError):
            self._sampled_x = None
        content = self._input_content_checks(batches)
        if ys is not None and not content:  # the label among the inputs; channels-first images into Conv2D
            from ...checks.channel_layout import channels_first_finding
            from ...checks.target_leak import target_leak_finding

            xs = np.concatenate([np.asarray(x) for x, _ in batches])
            self._judge("target-leak", lambda: target_leak_finding(xs, ys))
            self._judge("input-statistics", lambda: self._input_statistics(xs))
            self._judge("channel-layout", lambda: channels_first_finding(self.model, xs))
            from ...checks.ids_as_numbers import ids_as_numbers_finding, keras_first_recurrent

            rnn = keras_first_recurrent(self.model)  # token ids into an LSTM as numbers, no Embedding
            if rnn is not None:
                self._judge("ids-as-numbers", lambda: ids_as_numbers_finding(f"{type(rnn).__name__} '{rnn.name}'",
                                                                             xs, keras=True))
        if ys is not None and ys.dtype.kind == "f":  # missing targets read as NaN (checks/target_values.py)
            import torch

            from ...checks.target_values import nonfinite_targets_finding

            self._judge("target-values", lambda: nonfinite_targets_finding(torch.as_tensor(ys), 1, False))
        if ys is not None and len(batches) > 1:
            try:  # the targets in their own shape: per-position targets keep their class axis last
                whole = np.concatenate([np.asarray(y) for _, y in batches])
            except ValueError:
                whole = ys
            self._structure_checks(whole)
            self._label_misuse(batches, whole)
        first = self._layers.first_input if self._layers is not None else None  # the first weight layer's input
        first = first if first is not None and first is not False else None
        section = data_check(batches, model=self.model, layer_input=first)  # judged after the model's own scaling
        have_labels = any(f.id == "label-problem" for f in self.doc.findings) or self._pending_constant is not None
        index = self._index_columns()
        for f in section.findings:
            if f.id == "unnormalized-input" and index:  # the scale comes from a row-number column: drop it
                from ...checks.index_column import describe

                title, why, fix = describe(index)
                f.title = f"{title}; {f.title}"
                f.causes.insert(0, why)
                f.fixes.insert(0, fix)
                f.evidence["index_columns"] = index
            if f.id == "label-problem" and have_labels:
                continue  # the structure check already named the label problem, with its fix
            if content and f.id in ("label-problem", "unnormalized-input"):
                continue  # identical inputs "with different labels" or "not normalised": the inputs were named
            f.evidence.setdefault("subject", "data")
            if f.id in ("unnormalized-input", "unshuffled-data") and f.severity >= Severity.WARNING:
                f.evidence.setdefault(CAUSE, True)  # raw inputs or sorted batches: upstream of dead units and stalls
            f.steps = [1.0]
            self.doc._record_check(f)

    def _wiring_checks(self, x: Any, y: Any) -> None:
        """A custom loss's argument order; fractional ids into an Embedding (keras_wiring.py), at the first batch."""
        from .keras_wiring import fractional_ids_finding, loss_arguments_finding

        self._judge("loss-arguments", lambda: loss_arguments_finding(self.model, y))
        self._judge("embedding-input", lambda: fractional_ids_finding(self.model, x))
        from .keras_loss_terms import lost_term_finding

        self._judge("loss-terms", lambda: lost_term_finding(self.model, y))
        from ...checks.norm_axis import keras_norm_axis_finding

        self._judge("norm-axis", lambda: keras_norm_axis_finding(self.model))
        from ...checks.weight_constraint import constraint_norms

        self._constraints = self.doc.guard.call("weight-constraint", constraint_norms, self.model) or []
        from ...checks.late_regularizer import ignored_regularizers

        self._ignored_regs = self.doc.guard.call("late-regularizer", ignored_regularizers, self.model) or []

    def _pooled_position(self, p: Any, step: float) -> Any:
        """Global pooling on a task whose label is a position (checks/pooled_position.py), on a poor fit."""
        import numpy as np

        from .keras_split import class_ids
        from .keras_wiring import pooled_position_check

        if not self._link_rows or not p.poor_fit():
            return None
        try:
            x = np.concatenate([np.asarray(b[0]) for b in self._link_rows])
            y = class_ids(np.concatenate([np.asarray(b[1]).reshape(len(b[1]), -1) for b in self._link_rows]))
        except (ValueError, TypeError):
            return None
        return None if y is None else pooled_position_check(self.model, x, y, True, p.moved(), step)

    def _negative_rate(self) -> Any:
        """A negative learning rate, named before the first step (checks/lr_sign.py)."""
        from ...checks.lr_sign import negative_rate_finding

        opt = getattr(self.model, "optimizer", None)
        opt = getattr(opt, "inner_optimizer", None) or opt
        scheduled = isinstance(getattr(opt, "_learning_rate", None), keras.optimizers.schedules.LearningRateSchedule)
        rate = _learning_rate(self.model)
        # The constant rate the run trains with; a schedule may start (warm-up) or end at 0 by design.
        self._first_rate = None if scheduled else rate
        return negative_rate_finding(rate, type(opt).__name__ if opt is not None else None)

    def _index_columns(self) -> list:
        """Row-number / id columns among the sampled training inputs (checks/index_column.py)."""
        from ...checks.index_column import index_columns

        x = self._sampled_x
        if x is None:
            return []
        total = getattr(self._config, "samples", None) if self._config is not None else None
        return self.doc.guard.call("index-column", index_columns, x, total) or []

    def _input_statistics(self, xs: Any) -> Any:
        """Inputs scaled with the wrong statistics: one number for every column, a std given as variance."""
        from ...checks.normalization_variance import leading_layer, std_as_variance_finding
        from ...checks.one_scalar_scaling import one_scalar_finding

        f = std_as_variance_finding(self.model, xs)
        if f is not None:
            return f
        first = type(leading_layer(self.model)).__name__
        if first in ("Normalization", "Rescaling", "BatchNormalization", "LayerNormalization"):
            return None  # the model scales its own inputs: the arrays' scale is not what the network sees
        return one_scalar_finding(xs, "the inputs given to fit")

    def _optimizer_settings(self) -> None:
        """Optimizer settings that are not what the code meant (at start, and at the end for ones set mid-run)."""
        from ...checks.adam_betas import swapped_betas_finding
        from ...checks.optimizer_attributes import keras_attribute_findings

        opt = getattr(self.model, "optimizer", None)
        if opt is None:
            return
        seen = {f.evidence.get("subject") for f in self.doc.findings}  # each subject named once, at its first sight
        found = keras_attribute_findings(opt)
        if "adam-betas" not in seen:
            found.append(swapped_betas_finding(opt))
        for f in found:
            if f is not None and f.evidence["subject"] not in seen:
                f.steps = [max(1.0, float(self.doc._step))]
                self.doc._record_check(f)

    def _layer_after_output(self) -> None:
        from .keras_loop import layer_after_output_finding

        f = layer_after_output_finding(self.model)
        if f is not None:
            self.doc._record_check(f)

    def _label_misuse(self, batches: list, whole: Any) -> None:
        """Labels or ids that contradict the model's configuration (keras_labels.py), each its own probe."""
        from .keras_labels import mask_zero_finding, output_bias_finding, tiled_labels_finding

        import numpy as np

        try:
            inputs = np.concatenate([np.asarray(x) for x, _ in batches])
        except (ValueError, TypeError):
            inputs = None
        self._judge("tiled-labels", lambda: tiled_labels_finding(self.model, whole, inputs))
        self._judge("mask-zero", lambda: mask_zero_finding(self.model, inputs))
        # The bias is read now (training moves it); the finding waits for the first loss to confirm it.
        self._pending_bias = self.doc.guard.call("output-bias", output_bias_finding, self.model, self._loss_view,
                                                 whole)
        # Channels-first images and a target among the inputs are judged with the data checks
        # (checks/channel_layout.py, checks/target_leak.py), shared with the torch watcher.

    def _input_content_checks(self, batches: list) -> bool:
        """Constant, row-standardised or float16-overflowing inputs (checks/input_content.py); True if any."""
        from ...checks.input_content import constant_inputs_finding, float16_inputs_finding, row_standardised_finding
        from .keras_config import float16_layers

        x = self._sampled_x
        if x is None:
            return False
        from ...checks.data_check import _embeds

        found = [f for f in (constant_inputs_finding(x, _embeds(self.model)), row_standardised_finding(x),
                             float16_inputs_finding(x, float16_layers(self.model))) if f is not None]
        for f in found[:1]:  # the first is the most basic: constant inputs explain everything after them
            f.steps = [1.0]
            self.doc._record_check(f)
        return bool(found)

    def _split_check(self) -> None:
        """At the first epoch end with validation labels: classes the training sample lacks, inputs on another scale."""
        from .keras_split import split_finding

        if self._sampled_x is not None and self._val.xs:
            from ...checks.input_content import split_scale_finding

            f = split_scale_finding(self._sampled_x, self._val.inputs())
            if f is not None:
                f.steps = [float(self.doc._step)]
                self.doc._record_check(f)

        train_y = self._sampled_y
        if train_y is None and self._batches:
            import numpy as np

            train_y = np.concatenate([np.asarray(y).reshape(len(y), -1) for _, y in self._batches])
        f = split_finding(train_y, self._val.labels(), float(self.doc._step))
        if f is not None:
            self.doc._record_check(f)

    def _train_end_checks(self) -> None:
        """Judgements that need the whole run: a regularisation penalty that swamped the data loss."""
        f = self._penalty.finding(self._loss_view, self._sampled_y, float(self.doc._step))
        if f is not None:
            self.doc._record_check(f)
        self._config_checks()
        # Each judgement below is its own probe: one that fails is reported once and only it is switched off.
        step = float(self.doc._step)
        self._judge("half-output", lambda: self._half_output_check(step))
        self._judge("lr-floor", lambda: self._lr_floor(step))
        if not self._shares.off:
            self._judge("loss-weights", lambda: self._shares.finding(step))
        p = self._progress
        if p is not None:
            from ...checks.embedding_rows import embedding_rows_finding
            from ...checks.repeated_rows import repeated_rows_finding

            self._judge("embedding-rows", lambda: embedding_rows_finding(self.model, self._sampled_x, p.poor_fit(),
                                                                         p.moved(), step))
            self._judge("augmentation", self._augmentation_check)
            self._judge("repeated-rows", lambda: repeated_rows_finding(self._sampled_x, p.last_loss, p.last_val_loss,
                                                                       step))
            self._judge("constant-columns", lambda: self._constant_columns(p, step))
            self._judge("batchnorm-moving-stats", lambda: self._moving_stats_check(p, step))
            from ...checks.bn_momentum import bn_momentum_finding

            self._judge("batchnorm-momentum", lambda: bn_momentum_finding(self.model, self._epochs, step))
            from ...checks.one_token_texts import one_token_texts_finding

            self._judge("one-token-texts", lambda: one_token_texts_finding(self.model, self._sampled_inputs(),
                                                                           self._val_losses, step))
            self._judge("category-as-number", lambda: self._category_check(p, step))
            from ...checks.metric_class import (exact_accuracy_finding, top_k_over_all_classes_finding,
                                                wrong_accuracy_finding)
            from ...checks.target_precision import large_target_finding, offset_target_finding, tiny_target_finding

            self._judge("target-tiny-scale", lambda: tiny_target_finding(self._loss_view, self._sampled_y,
                                                                         self._output_scale, p.last_loss, step)
                        or offset_target_finding(self._loss_view, self._sampled_y, self._output_scale, p.last_loss,
                                                 step)
                        or (None if any(f.evidence.get("subject") == "target-scale" for f in self.doc.findings)
                            else large_target_finding(self._loss_view, self._sampled_y, self._output_scale,
                                                      p.last_loss, step)))  # the static check named them already

            from ...checks.function_metrics import batchwise_ratio_finding, summed_metric_finding

            per = self._steps_per_epoch()
            self._judge("function-metrics", lambda: summed_metric_finding(self.model, self._epochs, step)
                        or batchwise_ratio_finding(self.model, per, step))
            self._judge("metric-class", lambda: exact_accuracy_finding(self.model, self._loss_view, self._epochs,
                                                                       p.first_loss, p.last_loss, step)
                        or wrong_accuracy_finding(self.model, self._loss_view, self._sampled_y, self._epochs, step))
            self._judge("top-k-metric", lambda: top_k_over_all_classes_finding(self.model, step))
        self._judge("validation-encoding", self._encoding_check)
        if p is not None:
            from ...checks.lr_sign import zero_rate_finding
            from .keras_wiring import unused_layers_finding

            self._judge("unused-layers", lambda: unused_layers_finding(self.model, p.poor_fit(), p.moved(), step))
            from ...checks.linear_stack import hidden_softmax_finding

            self._judge("hidden-softmax", lambda: hidden_softmax_finding(self.model, p.poor_fit(), p.moved(), step))
            from ...checks.rnn_span import long_simple_rnn_finding

            self._judge("long-simple-rnn", lambda: long_simple_rnn_finding(self.model, p.poor_fit(), p.moved(), step))
            self._judge("pooled-position", lambda: self._pooled_position(p, step))
            opt = getattr(self.model, "optimizer", None)
            from ...checks.optimizer_scale import adadelta_rate_finding, ema_overwrite_finding, large_epsilon_finding

            from ...checks.shuffled_series import shuffled_series_finding

            self._judge("shuffled-series", lambda: self._windows(p, step, shuffled_series_finding))
            from ...checks.weight_constraint import tight_constraint_finding

            self._judge("weight-constraint", lambda: tight_constraint_finding(self._constraints, p.poor_fit(),
                                                                              p.moved(), step))
            self._judge("optimizer-scale", lambda: adadelta_rate_finding(opt, p.poor_fit(), p.moved(), step)
                        or ema_overwrite_finding(opt, p.poor_fit(), p.moved(), step)
                        or large_epsilon_finding(opt, self._grad_rms, p.poor_fit(), p.moved(), step))
            self._judge("lr-sign", lambda: zero_rate_finding(self._first_rate, type(opt).__name__, p.barely_moved(),
                                                             step))
        self._loop_misuse(step)
        if self._label_link is not None and not any(g.id == "label-problem" for g in self.doc.findings):
            from ...checks.label_link import unrelated_labels_finding
            from ...checks.split_link import all_positions_filled

            f = unrelated_labels_finding(self._label_link, self._val_losses, float(self.doc._step),
                                         truncated=all_positions_filled(self._sampled_x), prior=self._prior_loss())
            if f is not None:
                self.doc._record_check(f)

    def _prior_loss(self) -> float | None:
        """The loss of predicting the sampled labels' shares whatever the input (None: not a plain cross-entropy)."""
        from ...checks.model_view import BINARY_CE
        from .keras_penalty import prior_loss

        view, ys = self._loss_view, self._sampled_y
        if view is None or ys is None or not view.categorical and view.kind != BINARY_CE or view.label_smoothing:
            return None
        return self.doc.guard.call("checks", prior_loss, view.kind, ys)

    def _loop_misuse(self, step: float) -> None:
        """The metric against the label coding, the sample weights, an early stop, weights reset (keras_*.py)."""
        import numpy as np

        from .keras_labels import inverted_class_weight_finding, label_coding_finding, sample_weight_finding
        from .keras_loop import early_stop_finding, plateau_finding

        bias = self._pending_bias
        first = self._progress.first_loss if self._progress is not None else None
        if bias is not None and first is not None and first >= bias.evidence["zero_bias_loss"] + CONFIRM_NATS:
            self.doc._record_check(bias)  # the first loss was as high as the bias said
        self._judge("label-coding", lambda: label_coding_finding(self.model, self._loss_view, self._sampled_y,
                                                                 self._epochs, step))

        def weights() -> Any:
            if not self._sampled_w:
                return None
            w = np.concatenate([np.asarray(a).reshape(-1) for a in self._sampled_w])
            opt = getattr(self.model, "optimizer", None)
            name = type(getattr(opt, "inner_optimizer", None) or opt).__name__ if opt is not None else None
            y = self._sampled_y if self._sampled_y is not None and len(self._sampled_y) == len(w) else None
            p = self._progress
            if p is not None and not p.poor_fit() and not any(f.id == "nonfinite" for f in self.doc.findings):
                return None  # the run trained well: the rate was set for these weights
            return sample_weight_finding(w, y, name, _learning_rate(self.model), step)

        self._judge("sample-weights", weights)

        def inverted() -> Any:
            if not self._sampled_w or self._sampled_y is None:
                return None
            w = np.concatenate([np.asarray(a).reshape(-1) for a in self._sampled_w])
            return inverted_class_weight_finding(w, self._sampled_y, step) if len(w) == len(self._sampled_y) else None

        self._judge("class-weights", inverted)
        self._judge("zero-class-weight", self._zero_class_weight)
        from ...checks.epoch_rate import epoch_rate_finding
        from ...checks.late_regularizer import late_regularizer_finding

        scheduled = any(type(c).__name__ == "LearningRateScheduler" for c in self._siblings)
        self._judge("epoch-rate", lambda: epoch_rate_finding(self._epoch_rates, scheduled, step))
        self._judge("late-regularizer", lambda: late_regularizer_finding(self._ignored_regs, self._val_losses, step))
        planned = (self.params or {}).get("epochs")
        self._judge("early-stopping", lambda: early_stop_finding(self._siblings, self._epochs,
                                                                 planned if isinstance(planned, int) else None, step))
        if not self._resets.off:
            self._judge("weight-resets", lambda: self._resets.finding(step))
        if not self._writebacks.off:
            self._judge("weight-writebacks", lambda: self._writebacks.finding(getattr(self.model, "optimizer", None),
                                                                             step))
        self._judge("reduce-lr-on-plateau", lambda: plateau_finding(self._siblings, self._epochs, self._epoch_rates,
                                                                    step))

    def _zero_class_weight(self) -> Any:
        """A class whose every sampled row is weighted 0 (checks/zero_class_weight.py)."""
        import numpy as np

        from ...checks.zero_class_weight import zero_class_weight_finding

        if not self._sampled_w or self._sampled_y is None:
            return None
        w = np.concatenate([np.asarray(a).reshape(-1) for a in self._sampled_w])
        return zero_class_weight_finding(w, self._sampled_y, float(self.doc._step))

    def _half_output_check(self, step: float) -> Any:
        """An output layer left in float16/bfloat16 by a mixed-precision policy (checks/half_output.py)."""
        import numpy as np

        from ...checks.half_output import half_output_finding, keras_output_dtype
        from ...checks.model_view import REGRESSION

        dtype = keras_output_dtype(self.model)
        y = self._sampled_y
        if dtype is None or y is None or not np.issubdtype(np.asarray(y).dtype, np.number):
            return None
        y = np.asarray(y, dtype="float64")
        y = y[np.isfinite(y)]
        if y.size == 0:
            return None
        loss = self.doc.store.series.get("train_loss")
        nonfinite = loss is not None and any(not np.isfinite(float(v)) for v in loss.values)
        regression = self._loss_view is not None and self._loss_view.kind == REGRESSION
        return half_output_finding(dtype, regression, float(np.abs(y).max()), float(np.abs(y).mean()),
                                   float(y.std()), nonfinite, step)

    def _lr_floor(self, step: float) -> Any:
        """A schedule that reached its floor early while the loss was still high (checks/lr_floor.py)."""
        from ...checks.lr_floor import keras_schedule, lr_floor_finding, rate_and_loss

        series = rate_and_loss(self.doc.store.series)
        if series is None:
            return None
        per = self._steps_per_epoch()
        schedule, kept = keras_schedule(getattr(self.model, "optimizer", None))
        return lr_floor_finding(*series, step, keras=True, epoch_steps=per, schedule=schedule, schedule_kept=kept)

    def _judge(self, probe: str, make: Any) -> None:
        """Record the finding ``make()`` returns, if any, under its own probe name in the guard."""
        f = self.doc.guard.call(probe, make)
        if f is not None:
            self.doc._record_check(f)

    def _category_check(self, p: Any, step: float) -> Any:
        """An id column fed as a number, on every sampled training row (checks/category_column.py)."""
        import numpy as np

        from ...checks.category_column import category_column_finding

        if not self._link_rows:
            return None
        try:
            x = np.concatenate([np.asarray(b[0]).reshape(len(b[0]), -1) for b in self._link_rows])
            y = np.concatenate([np.asarray(b[1]).reshape(len(b[1]), -1) for b in self._link_rows])
        except (ValueError, TypeError):
            return None
        return category_column_finding(self._loss_view, x, y, p.last_loss, step)

    def _sampled_inputs(self) -> Any:
        """Every sampled training batch's inputs in their own shape, joined (None when they do not join)."""
        import numpy as np

        if not self._link_rows:
            return None
        try:
            return np.concatenate([np.asarray(b[0]) for b in self._link_rows])
        except (ValueError, TypeError):
            return None

    def _windows(self, p: Any, step: float, judge: Any) -> Any:
        """Sliding windows of a series shuffled before windowing, on a poor fit (checks/shuffled_series.py)."""
        x = self._sampled_inputs()
        return None if x is None else judge(x, p.poor_fit(), p.moved(), step)

    def _constant_columns(self, p: Any, step: float) -> Any:
        """Most columns of a table flat, or a block of them repeated, on a poor fit (checks/input_content.py)."""
        from ...checks.input_content import constant_columns_finding, duplicate_columns_finding

        x = self._sampled_inputs()
        if x is None or any(f.evidence.get("subject") == "input-values" for f in self.doc.findings):
            return None  # no rows, or every input already named constant
        f = constant_columns_finding(x, p.poor_fit()) or duplicate_columns_finding(x, p.poor_fit())
        if f is not None:
            f.steps = [1.0, step]
        return f

    def _moving_stats_check(self, p: Any, step: float) -> Any:
        """A first BatchNormalization whose moving statistics miss the inputs (checks/bn_moving_stats.py)."""
        from ...checks.bn_moving_stats import moving_stats_finding

        x = self._sampled_inputs()
        if x is None:
            return None
        return moving_stats_finding(self.model, x, p.last_loss, p.last_val_loss, step)

    def _augmentation_check(self) -> Any:
        """The model's augmentation layers against the sampled rows' labels (checks/augment_labels.py)."""
        import numpy as np

        from ...checks.augment_labels import augmentation_finding
        from .keras_split import class_ids

        try:
            x = np.concatenate([np.asarray(b[0]) for b in self._link_rows])[:1024]
            y = class_ids(np.concatenate([np.asarray(b[1]).reshape(len(b[1]), -1) for b in self._link_rows])[:1024])
        except (ValueError, TypeError):
            return None
        if self._progress is None or not self._link_rows:
            return None
        return augmentation_finding(self.model, x, y, self._progress.poor_fit(), self._progress.moved(),
                                    float(self.doc._step))

    def _encoding_check(self) -> Any:
        """Validation rows that relate to their labels unlike training rows: another preprocessing (split_link.py)."""
        import numpy as np

        from ...checks.split_link import encoding_finding, split_link
        from .keras_split import class_ids

        val_x, val_y = self._val.inputs(), self._val.labels()
        if not self._link_rows or val_x is None or val_y is None:
            return None
        try:
            x = np.concatenate([np.asarray(b[0]).reshape(len(b[0]), -1) for b in self._link_rows])
            y = class_ids(np.concatenate([np.asarray(b[1]).reshape(len(b[1]), -1) for b in self._link_rows]))
        except (ValueError, TypeError):
            return None
        vy = class_ids(val_y)
        if y is None or vy is None:
            return None
        from ...checks.label_permutation import relabelled_split_finding

        step = float(self.doc._step)
        renamed = self.doc.guard.call("label-encoding", relabelled_split_finding, x, y, val_x, vy, step)
        if renamed is not None:  # the ids were renamed between the splits: not another input pipeline
            return renamed
        link = split_link(x, y, val_x, vy)
        return encoding_finding(link, self._val_losses, float(self.doc._step)) if link is not None else None

    def _config_checks(self) -> None:
        """The training configuration judged against how the run went (checks/train_config.py)."""
        from ...checks.train_config import config_findings
        from ...findings import Severity
        from .keras_config import median_norms

        if self._config is None or self._progress is None:
            return
        p = self._progress
        p.grads = median_norms(self._grad_samples)
        p.symptoms = {f.id for f in self.doc.findings if f.severity >= Severity.WARNING}
        for f in config_findings(self._config, p):
            f.steps = [1.0, float(self.doc._step)]
            self.doc._record_check(f)

    def _negative_loss(self, loss: float) -> None:
        """A cross-entropy below zero, named once with checks/negative_loss.py's text."""
        from ...checks.model_view import BINARY_CE, CATEGORICAL_CE, SPARSE_CE
        from ...checks.negative_loss import negative_cross_entropy

        lv = self._loss_view
        kind = {BINARY_CE: "bce", CATEGORICAL_CE: "ce", SPARSE_CE: "ce"}.get(lv.kind) if lv is not None else None
        if self._negative_said or kind is None:
            return
        f = negative_cross_entropy(kind, lv.name, loss, int(self.doc._step))
        if f is None:  # not a cross-entropy, or not below zero (NaN is not negative: the nonfinite rules name it)
            return
        self._negative_said = True
        if not any(g.id == "label-problem" for g in self.doc.findings):  # the targets were already named
            self.doc._record_check(f)

    def _read_grad_rms(self, grads: list) -> None:
        """The gradients' root-mean-square entry on this batch, read only, kept for the optimizer's epsilon
        (``optimizer_scale.large_epsilon_finding``)."""
        import torch

        with torch.no_grad():
            n = sum(g.numel() for g in grads)
            rms = math.sqrt(sum(float(g.float().pow(2).sum()) for g in grads) / n) if n else None
        if rms is not None and math.isfinite(rms) and rms > 0:
            self._grad_rms.append(rms)

    def _zero_gradients(self) -> None:
        import torch

        grads = []
        for v in self.model.trainable_weights:
            value = getattr(v, "value", v)
            g = getattr(value, "grad", None)
            if isinstance(g, torch.Tensor):
                grads.append(g)
        if not grads:
            return
        self._grad_batches += 1
        if self._config is not None and self._config.clip:  # gradient sizes, for the clipping threshold
            from .keras_config import grad_norms

            g = grad_norms(self.model)
            if g is not None:
                self._grad_samples.append(g)
        self.doc.guard.call("grad-rms", self._read_grad_rms, grads)  # its own name: a failure loses only it
        zero = all(not bool(g.any()) for g in grads)
        self._zero_flags.append(zero)
        if zero:
            self._zero_grad_batches += 1
        if self._grad_batches == ZERO_GRAD_BATCHES and self._zero_grad_batches == ZERO_GRAD_BATCHES:
            from ...checks.structure import zero_gradients_finding

            self.doc._record_check(zero_gradients_finding(ZERO_GRAD_BATCHES, float(self.doc._step)))
        elif self._grad_batches == ZERO_GRAD_BATCHES + 1 and not self._zero_flags[0] and \
                sum(self._zero_flags[1:]) >= ZERO_GRAD_BATCHES - 1:  # a rare unsaturated sample may pass one
            from ...checks.structure import CAUSE, killed_by_first_update_finding

            unscaled = next((f for f in self.doc.findings if f.id == "unnormalized-input"), None)
            if unscaled is not None:
                # Raw inputs make the first step huge whatever the rate: the input scale is the cause to fix.
                unscaled.evidence[CAUSE] = True
                unscaled.causes.insert(0, "inputs this large made the first update so big that every gradient "
                                          "is exactly zero after it")
                return
            self.doc._record_check(killed_by_first_update_finding(ZERO_GRAD_BATCHES, _learning_rate(self.model),
                                                                  float(self.doc._step)))


_NO_ARGUMENT = object()


def _fit_argument(name: str, model: Any = None) -> Any:
    """An argument of the ``fit`` call that is running this callback (None: not found, or not readable).

    Keras hands callbacks no fit arguments; on_train_begin runs inside ``model.fit``, a few frames up.
    The frame is the ``fit`` method whose ``self`` is ``model`` (a user's own function named fit, or an
    sklearn-style wrapper, is passed over). ``shuffle`` is read from the data adapter that fit built from
    it, the order in effect: an adapter without one (a torch DataLoader, a generator) orders its own
    batches and fit's ``shuffle`` says nothing (None). Any surprise in another Keras version: None."""
    import inspect

    frame = inspect.currentframe()
    try:
        for _ in range(32):
            frame = frame.f_back if frame is not None else None
            if frame is None:
                return None
            if frame.f_code.co_name != "fit" or name not in frame.f_code.co_varnames:
                continue
            local = frame.f_locals
            if model is not None and local.get("self", model) is not model:
                continue
            if name == "shuffle":
                adapter = getattr(local.get("epoch_iterator"), "data_adapter", None)
                if adapter is not None:
                    order = next((v for v in (getattr(adapter, a, _NO_ARGUMENT) for a in ("_shuffle", "shuffle"))
                                  if v is not _NO_ARGUMENT), None)
                    return order if isinstance(order, (bool, str)) else None
            value = local.get(name)
            return value if isinstance(value, (bool, str, int, float)) or value is None else None
        return None
    except Exception:  # noqa: BLE001 - reading another library's frames must never break training
        return None
    finally:
        del frame


def _constant_classes(f: Any, loss_view: Any) -> bool:
    """The constant-target finding of a classification loss (the one a label-sorted sample also gives)."""
    from ...checks.model_view import REGRESSION

    return (f.id == "label-problem" and f.evidence.get("subject") == "targets" and f.title.startswith("every target is")
            and loss_view is not None and loss_view.kind not in (None, REGRESSION))


def _settle_mechanisms(findings: list) -> None:
    """A named cause that explains a mechanism finding (a too-high rate from class weights) takes its place.

    Rules judge the learning rate or the gradients from the run; when a configuration fact recorded
    here (class weights that multiply every step) accounts for them, that mechanism is a
    consequence: it keeps its evidence but points at the fact's fix, as lead_with_causes does.
    """
    from ...checks.structure import CAUSE

    facts = [f for f in findings if f.evidence.get(CAUSE) and f.evidence.get("explains")]
    for fact in facts:
        for f in findings:
            if f is fact or f.id not in fact.evidence["explains"] or not f.evidence.get(CAUSE):
                continue
            if f.evidence.get("explains"):
                continue  # another configuration fact: both stand
            f.evidence[CAUSE] = False
            f.evidence["explained_by"] = fact.id
            f.causes = [f"Explained by {fact.id}: {fact.title}."] + f.causes[:1]
            f.fixes = [f"Fix {fact.id} first: {fact.fixes[0]}"] if fact.fixes else f.fixes
        if fact.severity < max((int(f.severity) for f in findings if f.evidence.get("explained_by") == fact.id),
                               default=0):
            fact.severity = max(f.severity for f in findings if f.evidence.get("explained_by") == fact.id)


def _attribute_settings(model: Any, findings: list, targets: Any = None, row_shape: tuple | None = None) -> None:
    """A compiled setting that scales every step (a loss summed over the batch) leads the symptom it explains."""
    from ...checks.batch_sum import loss_label, sums_over_batch
    from ...checks.torch_config import STEP_SYMPTOMS, Suspect, attribute

    found = []
    losses = getattr(model, "loss", None)
    for loss in (losses.values() if isinstance(losses, dict) else losses if isinstance(losses, (list, tuple))
                 else [losses]):
        if getattr(loss, "reduction", None) == "sum":
            name = type(loss).__name__
            found.append(Suspect("reduction-sum", STEP_SYMPTOMS,
                                 f"{name}(reduction='sum') adds the per-sample losses, so the gradient and each step "
                                 "grow with the batch size: a learning rate chosen for a mean loss is batch-size times "
                                 "too large",
                                 f"Use {name}(reduction='sum_over_batch_size') (the default: the mean over the batch), "
                                 "or divide the learning rate by the batch size."))
            break
        if not isinstance(losses, (dict, list, tuple)) and sums_over_batch(loss, targets, row_shape):
            name = loss_label(loss)
            found.append(Suspect("loss-sums-batch", STEP_SYMPTOMS,
                                 f"the loss {name} sums over the batch instead of averaging: on the same rows given "
                                 "twice it returns twice the value, so the loss and the gradient grow with the batch "
                                 "size and a learning rate chosen for a mean loss is batch-size times too large",
                                 f"Make {name} return one value per sample (a mean over the last axis, e.g. "
                                 "ops.mean(ops.square(y_true - y_pred), axis=-1)) and let Keras average over the batch; "
                                 "or divide the summed loss by the batch size."))
            break
    attribute(findings, found)


def _rows(data: Any) -> int | None:
    """The number of rows of the batch a train_step receives (its first input's leading axis)."""
    x = data[0] if isinstance(data, (list, tuple)) and data else data
    while isinstance(x, (list, tuple, dict)) and x:
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    shape = getattr(x, "shape", None)
    try:
        return int(shape[0]) if shape is not None and len(shape) else None
    except (TypeError, ValueError):
        return None


def _host(t: Any) -> Any:
    """A few rows of a batch, copied to the host as numpy (the batch itself is untouched)."""
    import numpy as np

    try:
        if hasattr(t, "detach"):
            return t[:ROWS_PER_BATCH].detach().cpu().numpy()
        return np.asarray(keras.ops.convert_to_numpy(t))[:ROWS_PER_BATCH]
    except Exception:
        return np.asarray(t)[:ROWS_PER_BATCH]


def _link(batches: list) -> Any:
    """Nearest-neighbour label agreement of the sampled rows, for class-id or one-hot targets."""
    import numpy as np

    from ...checks.label_link import label_link
    from ...checks.split_link import id_bags, is_id_sequence
    from .keras_split import class_ids

    try:
        x = np.concatenate([np.asarray(b[0]).reshape(len(b[0]), -1) for b in batches])
        ids = class_ids(np.concatenate([np.asarray(b[1]).reshape(len(b[1]), -1) for b in batches]))
    except (ValueError, TypeError):
        return None
    if is_id_sequence(x):
        x = id_bags(x)  # token ids: which ids a row holds, as the embedding sees them
    return label_link(x, ids) if ids is not None else None


def _quietly(owner: Any, method: Any, *args: Any) -> None:
    """Run a reading that may not apply to this model; on failure it switches itself off (owner.off)."""
    try:
        method(*args)
    except Exception:
        owner.off = True


def _untrained_output(model: Any, x: Any) -> Any:
    """The model's outputs on a few rows, in inference mode and without gradients (weights untouched)."""
    import numpy as np
    import torch

    if isinstance(x, (dict, list, tuple)) or getattr(x, "dtype", None) is None or np.asarray(x).dtype.kind != "f":
        return None
    with torch.no_grad():
        out = model(np.asarray(x)[:OUTPUT_ROWS], training=False)
    if isinstance(out, (dict, list, tuple)):
        return None
    a = np.asarray(keras.ops.convert_to_numpy(out), dtype="float64")
    return a if a.size and np.all(np.isfinite(a)) else None


def _output_rms(a: Any) -> float | None:
    """The RMS of those outputs."""
    import numpy as np

    return None if a is None else float(np.sqrt(np.mean(a * a)))


def _probability_rows(a: Any) -> bool:
    """Rows of two or more non-negative values each summing to 1: a softmax the model applies (ops.softmax in a
    subclassed call shows in no layer), which a linear layer's outputs never are."""
    import numpy as np

    return a is not None and a.ndim >= 2 and a.shape[-1] >= 2 and bool(np.all(a >= 0)) and \
        bool(np.all(np.abs(a.sum(axis=-1) - 1.0) < 1e-3))


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
