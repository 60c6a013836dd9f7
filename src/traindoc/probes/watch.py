"""``traindoc.watch``: live diagnosis inside a PyTorch training loop.

Probes measure and append series to a growing Run; the same rules that ``traindoc
diagnose`` runs on logs decide what is wrong. Per step the watcher only keeps the loss
(a device tensor, no sync); every ``every`` steps it samples gradients, weights, updates,
activations, inputs and targets on the device, and every few samples reads the batch back
to the host at once, writes it to the logdir and runs the rules.

Every schedule is counted in steps (see schedule.py), so a seeded run gives the same
findings each time; when the run ends, every rule runs once more on the complete record,
so the final findings are those ``traindoc diagnose`` gives for the logdir.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from ..findings import Finding
from ..run import Role
from .activations import ActivationProbe
from .data import ONE_CLASS_MIN_STEPS, Derived, InputProbe, TargetProbe
from .ddp import combine, dist_info
from .gradients import GradientProbe, ZeroGradProbe
from .guard import Guard, stderr_line
from .layers import LayerMap, is_compiled, unwrap
from .logdir import JsonlWriter
from .output_range import LOGIT_LOSSES
from .nonfinite import NonfiniteProbe
from .schedule import default_every, is_sampled, next_rules_step, readback_samples
from .store import RunStore

MAX_PENDING_LOSSES = 1024
LR_JUMP = 2.0  # a rate this many times above or below the last recorded one is recorded between samples too
# Live, the curve rules wait for this many loss points (a handful of noisy points makes a poor
# trend); a non-finite loss is reported at once.
MIN_LIVE_CURVE_POINTS = 20
URGENT_CURVE_RULES = {"nonfinite"}
LIVE_REPORT_REFRESH_S = 10.0
CHECK_SERIES = "check/"  # series recording check findings, so `diagnose` on the log sees them


def watch(model: nn.Module, optimizer: Any = None, *, loss_fn: Any = None, logdir: str | os.PathLike | None = None,
          every: int | None = None, on_finding: Callable[[Finding], None] | None = None,
          report: str | os.PathLike | None = None, scaler: Any = None, name: str | None = None,
          quiet: bool = False, publish: Any = None) -> "Watch":
    """Watch a model while it trains; use as ``with traindoc.watch(model, opt) as doc: ... doc.step(loss)``.

    ``every``: sample the probes every k steps (default: from the model's size, so that
    probing costs about 1% of step time; always counted in steps, so runs repeat exactly). ``scaler``: the torch.amp GradScaler, when used, so
    skipped fp16 steps are recognised. ``on_finding`` is called once per new finding.
    ``publish``: also write each finding to "tensorboard" (under ``logdir``), "wandb" or "mlflow" (the
    active run), or to publisher objects (see traindoc.publish).
    """
    return Watch(model, optimizer, loss_fn=loss_fn, logdir=logdir, every=every, on_finding=on_finding,
                 report=report, scaler=scaler, name=name, quiet=quiet, publish=publish)



HOLD_EVERY = 100  # the applied gradient is copied only before the steps sampled at this interval


class Watch:
    """The context manager returned by :func:`watch`."""

    def __init__(self, model: nn.Module, optimizer: Any = None, *, loss_fn: Any = None, logdir=None,
                 every: int | None = None, on_finding=None, report=None, scaler: Any = None,
                 name: str | None = None, quiet: bool = False, publish: Any = None) -> None:
        self.wrapped = model
        self.model = unwrap(model)
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.logdir = logdir
        self.every = _every_arg(every)  # None: decided from the model's size at start()
        self.on_finding = on_finding
        if publish:
            from ..publish.live import publishing_callback

            self.on_finding = publishing_callback(publish, self, on_finding)
        self.report = report
        self.scaler = scaler
        self.quiet = quiet
        self.rank, self.world = dist_info()
        self.findings: list[Finding] = []
        self._keys: dict[tuple, int] = {}  # finding key -> index in self.findings
        self._said: set[str] = set()
        self.guard = Guard(self._say)
        self.name = name or time.strftime("watch-%Y%m%d-%H%M%S")
        self.store = RunStore(self.name, str(logdir) if logdir else "<live>")
        self.writer: JsonlWriter | None = None
        self._step = 0
        self._started = False
        self._closed = False
        self._pending: list[tuple[float, tuple[str, ...], torch.Tensor]] = []
        self._loss_steps: list[float] = []
        self._loss_vals: list[Any] = []
        self._loss_times: list[float] = []
        self._samples_since_readback = 0
        self._sampled_this_step = False
        self._grads_taken_step = -1
        self._next_rules_step = 0  # 0: at the next read-back (an urgent event sets it back to 0)
        self._first_bad_loss_step = 0
        self._bad_ranks_seen: set[int] = set()
        self._stale_first = self._stale_last = 0
        self._stale_count = 0
        self._direct_rows = {}
        # One-class batches counted at every step of the early phase (steps <= every), on the device: sampled
        # steps alone can alias with the epoch (an epoch of 15 batches sampled every 10 steps sees 3 positions).
        self._one_class: Any = None
        self._one_class_steps = 0
        self._one_class_said = False
        self._known_series: dict[tuple[str, ...], list] = {}  # a sample's names -> their BoundedSeries
        self._opt_handles: list = []
        self._root_handle = None
        self._first_output: Any = None
        self._loss_kind: str | None = None
        self._device: torch.device = next((p.device for p in self.model.parameters()), torch.device("cpu"))
        self._cpu = self._device.type == "cpu"

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "Watch":
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        status = "finished" if exc_type is None else f"stopped by {exc_type.__name__}"
        self.close(status)
        return False

    def start(self) -> None:
        """Attach probes and run the static checks (called by ``with`` or the first step)."""
        if self._started:
            return
        self._started = True
        from ..checks.static import loss_kind

        self._loss_kind = loss_kind(self.loss_fn)
        self.first_targets: Any = None  # a regression's first-batch targets summary (checks.structure.Targets)
        if self.every is None:
            self.every = default_every(self.model)
        compiled = is_compiled(self.wrapped)
        scripted = _is_scripted(self.model)
        self.layers = LayerMap.of(self.model)
        self.grads = GradientProbe(self.layers, self.scaler) if self.layers.params else None
        self.zerograd = ZeroGradProbe(self.layers, _inner_optimizer(self.optimizer))
        self.inputs = InputProbe()
        keras_model = _is_keras(self.model)
        # PyTorch's own class losses raise on a negative label (unless it is their ignore_index): one that
        # trained without an error was masked by the loss (-1 for unlabelled rows), not mis-encoded.
        self.targets = TargetProbe(negatives_ignored=not keras_model)
        self.acts = None if compiled or scripted or keras_model else ActivationProbe(
            self.model, lambda f: self.guard.wrap_hook("activations", f))
        self.nonfinite = None
        if keras_model:
            # Keras layers bypass torch module hooks: the Keras adapter (integrations/keras_layers.py)
            # feeds this probe from wrapped layer calls, with the layers' own weights.
            from .integrations.keras_layers import keras_params

            self.nonfinite = NonfiniteProbe(self.model, lambda f: self.guard.wrap_hook("nonfinite", f),
                                            device_sync_free=self._cpu, params_of=keras_params)
        elif compiled:
            self._say("the model is compiled (torch.compile): activation and NaN-origin hooks are off; "
                      "gradients, weights, inputs and the loss are still watched. Call watch() before compile "
                      "to keep them.")
        elif scripted:
            self._say("the model is a TorchScript module (torch.jit): it takes no module hooks, so activation "
                      "and NaN-origin probes are off; gradients, weights, inputs and the loss are still watched.")
        else:
            self.nonfinite = NonfiniteProbe(self.model, lambda f: self.guard.wrap_hook("nonfinite", f),
                                            device_sync_free=self._cpu)
            self.guard.call("nonfinite", self.nonfinite.attach)
            self._root_handle = self.guard.call("output", self.model.register_forward_hook,
                                                self.guard.wrap_hook("output", self._capture_output))
        opt = _inner_optimizer(self.optimizer)
        if opt is not None and hasattr(opt, "register_step_pre_hook"):
            self.guard.call("gradients", self._hook_optimizer, opt)
        if not keras_model:  # an optimizer made afresh each step (created in the loop): read from its state
            from ..checks.fresh_optimizer import FreshOptimizer

            self.fresh_opt = FreshOptimizer(self.model, lambda: self._step, self._record_check)
        if not keras_model:
            from ..checks.eval_mode import EvalMode

            self._eval_mode = EvalMode(self.model)
        if not (compiled or scripted or keras_model):  # a layer built anew inside forward() at every call
            from ..checks.forward_built import ForwardBuilt

            self.built = ForwardBuilt(self.model, opt, self._record_check,
                                      lambda f: self.guard.wrap_hook("forward-built", f))
            self.guard.call("forward-built", self.built.attach)
        header = self._header_meta()
        self.store.meta.task = header["task"]
        self.store.meta.hparams = dict(header["hparams"])
        if self.rank == 0 and self.logdir is not None:
            try:
                self.writer = JsonlWriter(self.logdir, self.name, header)
            except OSError as exc:
                self._say(f"cannot write to logdir {self.logdir} ({exc}); findings are still printed")
        self._arm_next()
        self._static_checks()
        from .config_watch import ConfigWatch  # the optimizer, loss and layer configuration, read once

        self.config = ConfigWatch()
        self.guard.call("checks", self.config.start, self, not (compiled or scripted or keras_model))
        import traindoc.rules  # noqa: F401  (imported now, so its one-off cost is not taken as the rules' cost)

    def _hook_optimizer(self, opt: torch.optim.Optimizer) -> None:
        """Prepare the optimiser hooks (registered by _arm_next only around sampled steps)."""
        self._opt_hooks = (opt, self.guard.wrap_hook("gradients", self._pre_opt_step),
                           self.guard.wrap_hook("gradients", self._post_opt_step))

    _opt_hooks: tuple | None = None  # (optimizer, pre hook, post hook) when the optimizer takes hooks
    _cleared: Any = None  # checks.cleared_grads.ClearedGrads, once a sampled step was seen

    def _opt_hooks_on(self, on: bool) -> None:
        if not on:
            for h in self._opt_handles:
                h.remove()
            self._opt_handles = []
        elif not self._opt_handles and self._opt_hooks is not None:
            opt, pre, post = self._opt_hooks
            self._opt_handles = [opt.register_step_pre_hook(pre), opt.register_step_post_hook(post)]

    def _header_meta(self) -> dict[str, Any]:
        hp: dict[str, Any] = {"model": type(self.model).__name__, "world_size": self.world}
        opt = _inner_optimizer(self.optimizer)
        if opt is not None:
            hp["optimizer"] = type(opt).__name__
            g = opt.param_groups[0] if opt.param_groups else {}
            for k in ("lr", "momentum", "weight_decay", "betas", "eps"):
                if k in g:
                    v = g[k]
                    hp[k] = float(v) if isinstance(v, torch.Tensor) else (list(v) if isinstance(v, tuple) else v)
        if self.loss_fn is not None:
            hp["loss_fn"] = type(self.loss_fn).__name__ if isinstance(self.loss_fn, nn.Module) else getattr(
                self.loss_fn, "__name__", str(self.loss_fn))
            smoothing = getattr(self.loss_fn, "label_smoothing", 0.0)
            if isinstance(smoothing, (int, float)) and 0 < smoothing < 1:
                hp["label_smoothing"] = float(smoothing)  # the honest loss's own floor (rules/softmax_twice.py)
        task = {"ce": "classification", "nll": "classification", "bce": "classification",
                "bce_logits": "classification", "regression": "regression"}.get(self._loss_kind or "")
        return {"task": task, "hparams": hp}

    def close(self, status: str = "finished") -> None:
        """Read back, run the rules a last time, write the record and remove every hook."""
        if self._closed or not self._started:
            self._closed = True
            return
        self._closed = True
        try:
            # After an exception the other ranks may not reach this point: no collectives then.
            self.guard.call("readback", self._readback, True, status == "finished")
        finally:
            self._remove_hooks()
        if self.writer is not None:
            try:
                self.writer.end(self._step, status)
                self.writer.flush()
            except OSError:
                pass
        if self.config is not None:
            self.config.remove()
        if self.rank == 0:
            self.guard.call("final rules", self._final_findings)
            if self.config is not None:  # a risky setting leads the symptom it explains
                self.guard.call("checks", self.config.finish, self)
            from ..checks.structure import lead_watch  # a structural cause first, its fix before symptoms

            self.guard.call("checks", lead_watch, self)
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError:
                pass
        if self.report is not None and self.rank == 0:
            self._write_report()

    def _remove_hooks(self) -> None:
        self._opt_hooks_on(False)
        self._opt_hooks = None
        if self._root_handle is not None:
            self._root_handle.remove()
            self._root_handle = None
        if self.acts is not None:
            self.acts.close()
        if self.nonfinite is not None:
            self.nonfinite.close()
        self.zerograd.disarm()
        if self.fresh_opt is not None:
            self.fresh_opt.disarm()
        if self.built is not None:
            self.built.remove()
        if self.grads is not None:
            self.grads.close()

    def _write_report(self, refresh_s: float | None = None) -> None:
        """The HTML report: rewritten live when a finding appears, and once more at the end."""
        try:
            from ..reports.html import write_report
        except ImportError:
            if not self._report_missing_said:
                self._report_missing_said = True
                stderr_line("traindoc: the HTML report is not available in this install; skipped")
            return
        try:
            if refresh_s is not None:
                write_report(self.report, [(self.store.to_run(), list(self.findings))], refresh_s=refresh_s)
            else:
                write_report(self.report, [(self.store.to_run(), list(self.findings))])
        except Exception as exc:
            stderr_line(f"traindoc: could not write the report {self.report} ({type(exc).__name__}: {exc})")

    _report_missing_said = False

    def log(self, metrics: dict[str, Any] | None = None, step: int | None = None, **named: Any) -> None:
        """Record other scalars (validation loss, accuracy) so the curve rules see them too.

        Takes a dict, as wandb and MLflow do (``doc.log({"val_loss": v})``), or keywords
        (``doc.log(val_loss=v)``), or both. Roles come from the names, as for any log (``val_loss``
        is a validation loss). A value that is not a number (or does not fit a float) is skipped
        with one line; it never reaches the training loop.
        """
        if self._closed:
            return
        if not self._started:
            self.start()
        self.guard.call("log", self._log, {**dict(metrics or {}), **named}, step)

    def _log(self, metrics: dict[str, Any], step: Any) -> None:
        at = self._step if step is None else _int_step(step)
        if at is None:
            self._say(f"doc.log: step={str(step)[:40]!r} is not a step number; the current step is used")
            at = self._step
        t = time.time()
        row = {}
        for name, value in dict(metrics).items():
            try:
                v = float(value.detach().float().mean()) if isinstance(value, torch.Tensor) else float(value)
            except Exception:  # noqa: BLE001 - a string, 10**400, an object: skipped, never raised
                self._say(f"doc.log: {str(name)[:60]!r} is not a number that fits a float; skipped")
                continue
            self.store.add(str(name), at, v, t, None)
            row[str(name)] = v
        if row:
            self._direct_rows.setdefault(at, {}).update(row)

    # -- per step --------------------------------------------------------------------------
    def _is_sampled(self, step: int) -> bool:
        return is_sampled(step, self.every)

    def _holds_before(self, step: int) -> bool:
        """Whether the step before ``step`` keeps a copy of the gradient it applies (for grad_step_change).

        Only at the steps the default schedule samples (``HOLD_EVERY``): the running-sum reading needs steps 2, 10
        and one more, and a watcher sampling every step would otherwise copy every gradient at every step."""
        return self._is_sampled(step) and is_sampled(step, max(self.every, HOLD_EVERY))

    def step(self, loss: Any = None, inputs: Any = None, targets: Any = None, outputs: Any = None) -> None:
        """Call once per optimisation step, after backward (and usually after optimizer.step())."""
        if self._closed:
            return
        if not self._started:
            self.start()
        try:
            self._do_step(loss, inputs, targets, outputs)
        except Exception as exc:  # never crash the user's loop
            self.guard.fail("watch", exc)

    def _do_step(self, loss, inputs, targets, outputs) -> None:
        self._step += 1
        step = self._step
        if loss is not None:
            self.guard.call("loss", self._record_loss, step, loss)
        if targets is not None and not self._targets_judged and (step == 1 or self._first_bad_loss_step == step):
            self.guard.call("checks", self._target_values, step, targets)
        if self.grads is not None and self._opt_hooks is None and self._snapshot_pending_from_step == step - 1:
            self._snapshot_pending_from_step = -1
            self._pending.extend((step, n, v) for n, v in self.guard.call("gradients", self.grads.update) or [])
        if step == 1 and self.config is not None:
            self.guard.call("checks", self.config.first_step, self, loss, targets, outputs, inputs)
        elif self.config is not None and self.config.wants_step(self._is_sampled(step)):
            self.guard.call("wiring", self.config.later_step, self, loss, inputs, targets, outputs, self._is_sampled(step))
        if targets is not None and step <= self.every:
            self.guard.call("one-class", self._count_one_class, targets)  # its own name: keeps the target probe on
        if self._is_sampled(step):
            self._sample(step, inputs, targets, outputs)
            self._samples_since_readback += 1
            if self._samples_since_readback >= readback_samples(self.every) or step == 1:
                self.guard.call("readback", self._readback, False)
        else:
            if len(self._loss_vals) >= MAX_PENDING_LOSSES:
                self.guard.call("readback", self._readback, False)  # bounds host memory between samples
            self.guard.call("lr", self._rate_jump, step)
        if self.nonfinite is not None:
            self.guard.call("nonfinite", self.nonfinite.after_step, step)
            if self.nonfinite.origin is not None and not self._origin_recorded:
                self._record_origin()
        self._arm_next()  # arm only for a step that will be sampled

    _snapshot_pending_from_step = -1
    _lr_last: float | None = None  # the last recorded learning rate (see _rate_jump)
    _lr_peak: float = 0.0  # the highest recorded learning rate
    _lr_jumped: bool = False  # the last record was a rate jump above the peak between samples
    _origin_recorded = False
    _targets_judged = False

    def _target_values(self, step: int, targets: Any) -> None:
        """Non-finite targets (a log of zero): judged at the first step and where the loss first goes bad."""
        from ..checks.target_values import nonfinite_targets_finding

        f = nonfinite_targets_finding(targets, step, self._first_bad_loss_step == step)
        if f is None and self._first_bad_loss_step == step:
            from ..checks.empty_selection import empty_selection_finding  # a masked mean over no row: 0 / 0

            f = empty_selection_finding(targets, step)
        if f is not None:
            self._targets_judged = True
            self._record_check(f)
    fresh_opt: Any = None  # checks.fresh_optimizer.FreshOptimizer (torch models)
    _eval_mode: Any = None  # checks.eval_mode.EvalMode (torch models)
    built: Any = None  # checks.forward_built.ForwardBuilt (torch models with hooks)
    config: Any = None  # probes.config_watch.ConfigWatch, from start()

    def _inner_opt(self) -> Any:
        return _inner_optimizer(self.optimizer)

    def _record_loss(self, step: int, loss: Any) -> None:
        """Keep this step's loss (a device tensor stays on the device until the read-back). A
        value that is not a number is skipped with one line; later steps are still recorded."""
        if isinstance(loss, torch.Tensor) and (loss.numel() == 0 or loss.is_complex()):
            loss = None
        elif not isinstance(loss, torch.Tensor):
            try:
                loss = float(loss)
            except Exception:  # noqa: BLE001 - a string, an object: never raised into the loop
                loss = None
        if loss is None:
            self._say("doc.step: a loss that is not a number was passed; those steps' loss is skipped")
            return
        if isinstance(loss, torch.Tensor) and self._cpu and loss.numel() == 1 and loss.device.type == "cpu":
            value: Any = loss.item()  # no device to wait for on the CPU
            if value != value or value in (math.inf, -math.inf):
                self._on_bad_loss(step)
        elif isinstance(loss, torch.Tensor):
            v = loss.detach()
            v = v.reshape(-1)[0] if v.numel() != 1 else v.reshape(())
            if self._cpu and v.device.type == "cpu":
                value = float(v)
                if not math.isfinite(value):
                    self._on_bad_loss(step)
            else:
                value = v.float()
        else:
            value = float(loss)
            if not math.isfinite(value):
                self._on_bad_loss(step)
        self._loss_steps.append(step)
        self._loss_vals.append(value)
        self._loss_times.append(time.time())

    _negative_said = False

    def _negative_loss(self, steps: list, values: list) -> None:
        """A cross-entropy below zero, named once at its first negative value (checks/negative_loss.py)."""
        from ..checks.negative_loss import negative_cross_entropy

        i = next(i for i, v in enumerate(values) if v < 0)
        bad = self.store.series.get("target_out_of_range")  # sampled class-id targets outside the outputs
        ids = bad is not None and len(bad.values) > 0 and not any(v > 0 for v in bad.values)
        f = negative_cross_entropy(self._loss_kind, type(self.loss_fn).__name__ if isinstance(self.loss_fn, nn.Module)
                                   else "the loss", values[i], int(steps[i]), class_ids=ids)
        if f is None:
            return
        self._negative_said = True
        if not any(g.id == "label-problem" for g in self.findings):  # the targets were already named
            self._record_check(f)

    def _on_bad_loss(self, step: int) -> None:
        if not self._first_bad_loss_step:
            self._first_bad_loss_step = int(step)
            if self.nonfinite is not None and self.nonfinite.origin is None:
                self.nonfinite.on_bad_loss(int(step))
            self._next_rules_step = 0  # diagnose now: this is the moment people need the answer

    def _arm_next(self) -> None:
        """Hooks for the next forward/backward and optimiser step, only when the next step is
        sampled (kept while consecutive steps are): an unsampled step runs none of them."""
        nxt = self._step + 1
        if not self._is_sampled(nxt):
            # The step before a sampled one keeps only the optimiser hooks: they hold the gradient it
            # applies, for the sampled step's grad_step_change (GradientProbe.hold).
            before_sample = self.grads is not None and self._holds_before(nxt + 1) and self.guard.ok("gradients")
            if before_sample:
                self.guard.call("gradients", self._opt_hooks_on, True)
            elif self._opt_handles:
                self._opt_hooks_on(False)
            if self.zerograd.handle is not None:
                self.zerograd.disarm()
            if self.fresh_opt is not None:
                self.fresh_opt.disarm()
            return
        if self.fresh_opt is not None and self.guard.ok("optimizer-state"):
            self.guard.call("optimizer-state", self.fresh_opt.arm, lambda f: self.guard.wrap_hook("optimizer-state", f))
        if self.guard.ok("gradients"):
            self.guard.call("gradients", self._opt_hooks_on, True)
        if self.acts is not None and self.guard.ok("activations"):
            self.acts.arm()
        if self.guard.ok("zerograd"):
            self.guard.call("zerograd", self.zerograd.arm, lambda f: self.guard.wrap_hook("zerograd", f))
        self.zerograd.step_boundary = True

    def _pre_opt_step(self, optimizer, args, kwargs) -> None:
        nxt = self._step + 1
        if self.zerograd.reached:  # backward ran since the last step: are its gradients still there?
            self.zerograd.reached = False
            from ..checks.cleared_grads import ClearedGrads

            if self._cleared is None:
                self._cleared = ClearedGrads()
            f = self._cleared.see(self.zerograd.param.grad is None, nxt)
            if f is not None:
                self._record_check(f)
        if self.grads is not None and self._is_sampled(nxt) and self._grads_taken_step != nxt:
            self._grads_taken_step = nxt
            self._pending.extend((nxt, n, v) for n, v in self.grads.sample(unscaled=True))
            self._snapshot_pending_from_step = nxt
            self._pending.extend((nxt, n, v) for n, v in self.zerograd.step_flags("before"))
        if self.grads is not None and self._holds_before(nxt + 1):
            # the gradient this step applies, for the next sample's grad_step_change
            self.grads.hold({id(p) for g in optimizer.param_groups for p in g.get("params", [])})

    def _post_opt_step(self, optimizer, args, kwargs) -> None:
        if self.grads is not None and self._snapshot_pending_from_step == self._step + 1:
            self._pending.extend((self._step + 1, n, v) for n, v in self.grads.update())
            self._snapshot_pending_from_step = -1
            self._pending.extend((self._step + 1, n, v) for n, v in self.zerograd.step_flags("after"))

    _first_output_shape: tuple = ()
    _output_by_weights = False  # the first output's autograd node is a weight layer's (no activation after it)

    def _output_like(self) -> Any:
        """A stand-in with the model output's shape (all the target probe reads from it)."""
        if not self._first_output_shape:
            return None
        if self._output_meta is None:
            self._output_meta = torch.empty(self._first_output_shape, device="meta")
        return self._output_meta

    _output_meta: torch.Tensor | None = None

    def _capture_output(self, module, args, out) -> None:
        if self._first_output is None and torch.is_grad_enabled():
            t = out if isinstance(out, torch.Tensor) else getattr(out, "logits", None)
            if isinstance(t, torch.Tensor):
                # A few rows only, copied: a view would keep the whole output (LM logits) alive.
                rows = t.detach().reshape(-1, t.shape[-1]) if t.dim() >= 2 else t.detach().reshape(1, -1)
                self._first_output = rows[:8].clone()
                self._first_output_shape = tuple(t.shape)
                self.guard.call("checks", self._affine_check, t)
                from ..checks.affine_graph import made_by_weights

                self._output_by_weights = bool(self.guard.call("checks", made_by_weights, t))
            if self._root_handle is not None:
                self._root_handle.remove()
                self._root_handle = None

    def _affine_check(self, out: torch.Tensor) -> None:
        """A custom forward whose output is affine in its input (an activation computed but discarded)."""
        from ..checks.affine_graph import affine_output_finding

        f = affine_output_finding(out, self.model)
        if f is not None:
            f.steps = [float(self._step + 1)]
            self._record_check(f)

    _input_norm_done = False
    _tokens_done = False

    def _record_token_targets(self, step: int, targets: Any, outputs: Any) -> None:
        from ..checks.token_targets import PER_POSITION_SERIES, per_position_targets
        from ..probes.data import _first_tensor

        if per_position_targets(self.model, _first_tensor(targets), _first_tensor(outputs)):
            self._add_direct(PER_POSITION_SERIES, step, 1.0)

    def _record_input_norm(self, step: int, inputs: Any) -> None:
        from ..probes.data import _first_tensor
        from ..checks.input_norm import INPUT_NORM_SERIES, NORMALISES, input_norm_state

        state = input_norm_state(self.model, _first_tensor(inputs))
        if state is not None:
            self._add_direct(INPUT_NORM_SERIES, step, 1.0 if state == NORMALISES else 0.0)

    def _sample(self, step: int, inputs, targets, outputs) -> None:
        add = self._pending.extend
        if self.acts is not None and self.guard.ok("activations"):
            stay = self._is_sampled(step + 1)
            add((step, n, v) for n, v in self.guard.call("activations", self.acts.finish_sample, stay) or [])
        if self.grads is not None and self._grads_taken_step != step and self.guard.ok("gradients"):
            self._grads_taken_step = step
            add((step, n, v) for n, v in self.guard.call("gradients", self.grads.sample, False) or [])
            self._snapshot_pending_from_step = step if self._opt_hooks is None else -1
        add((step, n, v) for n, v in self.guard.call("zerograd", self.zerograd.take) or [])
        if self._opt_hooks is not None and self.zerograd.fresh is not None:
            # backward ran at this step and optimizer.step() did not take its gradient (checks/idle_updates.py)
            add([(step, ("step_grad/unstepped",), self.zerograd.fresh)])
            self.zerograd.fresh = None
        if self.nonfinite is not None:
            add((step, n, v) for n, v in self.nonfinite.take())
        if inputs is not None and self.guard.ok("inputs"):
            add((step, n, v) for n, v in self.guard.call("inputs", self.inputs.sample, inputs) or [])
            if not self._input_norm_done:  # does the model scale its own inputs (a first BatchNorm)?
                self._input_norm_done = True
                self.guard.call("checks", self._record_input_norm, step, inputs)
        if targets is not None and inputs is not None and self.config is not None:
            self.guard.call("checks", self.config.sample, inputs, targets, self._loss_kind, outputs)
        if targets is not None and self.guard.ok("targets"):
            out = outputs if outputs is not None else self._output_like()
            if not self._tokens_done:  # per-position tokens: their skew is the language's, not a data bug
                self._tokens_done = True
                self.guard.call("checks", self._record_token_targets, step, targets, out)
            kind = "binary" if self._loss_kind in ("bce", "bce_logits") else self._loss_kind
            add((step, n, v) for n, v in self.guard.call("targets", self.targets.sample, targets, out, kind) or [])
            if self.targets.num_classes:
                self.known_classes(self.targets.num_classes)
        if outputs is not None and self._loss_kind in LOGIT_LOSSES and self.guard.ok("outputs"):
            from .output_range import output_range  # the range of the logits a cross-entropy is given

            add((step, n, v) for n, v in self.guard.call("outputs", output_range, outputs) or [])
        opt = _inner_optimizer(self.optimizer)
        if opt is not None and opt.param_groups:
            lr = opt.param_groups[0].get("lr")
            if lr is not None:
                # A host value: it joins the read-back's rows without a trip to the device.
                self._lr_jumped = self._lr_jumped and float(lr) == self._lr_last  # still at a jumped rate
                self._direct_rows.setdefault(step, {})["lr"] = self._lr_last = float(lr)
                self._lr_peak = max(self._lr_peak, float(lr))
                self.store.add("lr", step, float(lr), time.time(), Role.LR)
        if step == 1:
            self.guard.call("checks", self._output_checks, targets, outputs)
        if self._eval_mode is not None:  # dropout / BatchNorm left in eval mode at optimizer steps
            f = self.guard.call("checks", self._eval_mode.see, float(step))
            if f is not None:
                self._record_check(f)

    def _rate_jump(self, step: int) -> None:
        """Between samples, record the rate when it jumped ``LR_JUMP``-fold from the last recorded one (a step
        schedule, a one-epoch typo): samples grow sparse, and a rate set for one epoch could fall between two.
        A host float only (a tensor rate could wait on the device); smooth schedules change less per step."""
        opt, last = _inner_optimizer(self.optimizer), self._lr_last
        if opt is None or not opt.param_groups or last is None:
            return
        lr = opt.param_groups[0].get("lr")
        if type(lr) is not float or not lr > 0 or not last > 0 or max(lr / last, last / lr) < LR_JUMP:
            return
        # Only a rate above every recorded one (a warm restart returns to its own peak, a decay falls: both keep
        # their sampled reading), and the step that undoes such a jump.
        up = lr > self._lr_peak
        if not (up or self._lr_jumped):
            return
        self._lr_jumped, self._lr_peak = up, max(self._lr_peak, lr)
        self._lr_last = lr
        self._direct_rows.setdefault(step, {})["lr"] = lr
        self.store.add("lr", step, lr, time.time(), Role.LR)

    # -- read-back, rules, findings --------------------------------------------------------
    def _count_one_class(self, targets: Any) -> None:
        """Add 1 (on the device, no sync) when every class-id label of this step's batch is the same."""
        from ..probes.data import _first_tensor

        y = _first_tensor(targets)
        if y is None or y.is_floating_point() or y.is_complex() or y.numel() < 2:
            return
        with torch.no_grad():
            y = y.detach().reshape(-1)
            flag = y.eq(y[0]).all()
            self._one_class = flag.float() if self._one_class is None else self._one_class + flag
        self._one_class_steps += 1

    def _one_class_share(self, final: bool) -> None:
        """The share of one-class batches over the early phase's steps, once it is over (or the run ends)."""
        if self._one_class_said or self._one_class is None or (not final and self._step < self.every):
            return
        self._one_class_said = True
        if self._one_class_steps >= ONE_CLASS_MIN_STEPS:
            from ..rules.internals import ONE_CLASS_SERIES  # the rule reads it under that one name

            self._add_direct(ONE_CLASS_SERIES, float(self._step), float(self._one_class) / self._one_class_steps)

    def _readback(self, final: bool, collective: bool = True) -> None:
        """Move pending device statistics to the host in one transfer (and, under DDP, one
        all-reduce), then store, write and judge them."""
        self.guard.call("one-class", self._one_class_share, final)
        pending, self._pending = self._pending, []
        self._samples_since_readback = 0
        loss_steps, loss_vals, loss_times = self._loss_steps, self._loss_vals, self._loss_times
        self._loss_steps, self._loss_vals, self._loss_times = [], [], []
        dev = self._device
        tensors = [v for _, _, v in pending]
        n_stats = sum(t.numel() for t in tensors)
        # Losses read on the host (the CPU) stay there, unless the ranks must average them.
        host_losses = self.world == 1 and all(type(v) is float for v in loss_vals)
        if loss_vals and not host_losses:  # host floats and device tensors alike travel in the same vector
            tensors.append(torch.stack([v.to(dev, torch.float32).reshape(()) if isinstance(v, torch.Tensor)
                                        else torch.tensor(float(v), device=dev) for v in loss_vals]))
        flat = _flat_float32(tensors, dev)
        if self.world > 1 and collective:
            local = flat[n_stats:].tolist() if loss_vals else []
            local_bad = next((loss_steps[i] for i, v in enumerate(local) if not math.isfinite(v)), 0.0)
            flat, bad_steps = combine(flat, local_bad, self.rank, self.world)
            for r, st in enumerate(bad_steps):
                if st and r not in self._bad_ranks_seen:
                    self._bad_ranks_seen.add(r)
                    self._add_direct(f"nonfinite_rank/{r}", int(st), 1.0)
                    self._next_rules_step = 0
        values = flat.cpu().tolist()
        if not host_losses:
            loss_vals = values[n_stats:]
        for st, v in zip(loss_steps, loss_vals):
            if not math.isfinite(v):
                self._on_bad_loss(st)
        now = time.time()
        rows: dict[float, dict[str, float]] = {}
        pos = 0
        series = self.store.series
        known = self._known_series
        for step, names, v in pending:
            n = v.numel()
            chunk = values[pos:pos + n]
            pos += n
            row = rows.setdefault(step, {})
            if type(names) is Derived:  # raw sums: the host finishes them (probes/data.py)
                derived = names
                chunk = self.guard.call(derived.probe, derived.derive, chunk) or []
                names = derived.names if chunk else ()
            targets = known.get(names)
            if targets is not None:  # every series of this sample already known: straight in
                for s, x in zip(targets, chunk):
                    s.append(step, x, now)
            else:
                for name, x in zip(names, chunk):
                    s = series.get(name)
                    if s is not None and name not in _INTERCEPTED:
                        s.append(step, x, now)
                    else:
                        self._store_add(name, step, x, now, _role_for(name))
                found = [series.get(name) for name in names]
                if len(names) == len(chunk) and not _INTERCEPTED.intersection(names) and all(found):
                    if len(known) > 256:
                        known.clear()
                    known[names] = found
            row.update(zip(names, chunk))
        for s, v, t in zip(loss_steps, loss_vals, loss_times):
            self.store.add("train_loss", s, v, t, Role.TRAIN_LOSS)
            rows.setdefault(s, {})["train_loss"] = v
        if not self._negative_said and loss_vals and self._loss_kind and min(loss_vals) < 0:
            self.guard.call("checks", self._negative_loss, loss_steps, loss_vals)
        self._dynamic_checks()
        if final and self.config is not None:  # before the final rules, so the log records it too
            self.guard.call("wiring", self.config.at_end, self)
        if self.rank == 0:
            self._write_rows(rows)
            self._maybe_rules(final)
            if self.writer is not None:
                self.writer.flush()

    def _store_add(self, name: str, step: int, x: float, t: float, role: Role) -> None:
        if name == "stale_grad":
            if x > 0:  # first, last and count: the evidence of grad-not-zeroed, in constant memory
                self._stale_first = self._stale_first or step
                self._stale_last = step
                self._stale_count += 1
            return
        if name == "model_output_finite":
            if x < 1 and self.nonfinite is not None and self.nonfinite.origin is None:
                self.nonfinite.on_bad_loss(step)
            return
        self.store.add(name, step, x, t, role)

    def _add_direct(self, name: str, step: float, value: float) -> None:
        """A probe-level fact (check result, NaN origin): into the Run now, to disk at the next write."""
        self.store.add(name, step, value, time.time(), Role.LAYER_STAT)
        self._direct_rows.setdefault(step, {})[name] = value

    _direct_rows: dict

    def _write_rows(self, rows: dict[float, dict[str, float]]) -> None:
        direct, self._direct_rows = self._direct_rows, {}
        for step, vals in direct.items():
            rows.setdefault(step, {}).update(vals)
        if self.writer is None:
            return
        for s in self.store.new_series:
            self.writer.series(s.name, s.role.role.value)
        self.store.new_series = []
        t = time.time()
        for step in sorted(rows):
            self.writer.points(step, t, rows[step])

    def _maybe_rules(self, final: bool) -> None:
        """Run the rules on the growing record, at steps fixed by the schedule (never by the clock)."""
        if final or self._step < self._next_rules_step:
            return  # the final judgement is _final_findings, on the complete record
        self._next_rules_step = next_rules_step(self._step, self.every)
        from ..rules import RULES
        from ..rules._common import clear_curve_cache

        run = self.store.to_run()
        found: list[Finding] = []
        loss = self.store.series.get("train_loss")
        young = loss is None or loss.total < MIN_LIVE_CURVE_POINTS
        for spec in list(RULES.values()):  # as diagnose_run, but one failing rule only loses itself
            if not self.guard.ok(f"rule {spec.id}"):
                continue
            if young and spec.family != "internals" and spec.id not in URGENT_CURVE_RULES:
                continue  # a curve of a few points is judged at exit or once it has grown
            if spec.needs and not all(run.by_role(role) for role in spec.needs):
                continue
            with np.errstate(all="ignore"):
                found.extend(self.guard.call(f"rule {spec.id}", lambda: list(spec.func(run))) or [])
        clear_curve_cache()
        found.sort(key=lambda f: -int(f.severity))
        before = len(self.findings)
        for f in found:
            self._raise(f)
        if self.report is not None and len(self.findings) > before:
            self._write_report(refresh_s=LIVE_REPORT_REFRESH_S)  # an open page reloads itself

    def _final_findings(self) -> None:
        """Every rule once more on the complete record: the logdir's file when there is one, so
        the final findings are exactly what ``traindoc diagnose`` says of it."""
        from ..rules import diagnose_run

        run = None
        if self.writer is not None:
            from ..readers import read_file

            runs = read_file(self.writer.path)
            run = runs[0] if runs else None
        if run is None:
            run = self.store.to_run()
        final = diagnose_run(run)
        live = {_key(f): f for f in self.findings}
        self.findings, self._keys = [], {}
        for f in final:
            old = live.get(_key(f))
            if old is not None and f.evidence.get("recorded_by") == "watch" and old.severity == f.severity:
                # A model check, rebuilt from its series: the live finding holds the same verdict
                # with the check's full evidence (which layers, which module).
                old.steps = list(f.steps)  # the onset the log records; the live evidence says the rest
                f = old
            if old is not None:
                f.detected_step = old.detected_step
                self._keys[_key(f)] = len(self.findings)
                self.findings.append(f)
                if _changed(old, f):
                    self._announce(f, updated=True)
            else:
                self._raise(f)
        kept = set(self._keys)
        for key, old in live.items():
            if key not in kept and self.rank == 0 and not self.quiet:
                stderr_line(f"traindoc: {old.id} (raised at step {old.detected_step}) does not hold on the "
                            f"complete record; withdrawn")

    def _raise(self, f: Finding) -> None:
        """Hand a finding on once (keyed by id and subject); a later version with changed
        evidence replaces it in place, keeping the step at which it was first detected."""
        key = _key(f)
        i = self._keys.get(key)
        if i is not None:
            old = self.findings[i]
            if f.evidence.get("recorded_by") == "watch" and old.severity == f.severity:
                return  # a check rebuilt from its series: the live one has the full evidence
            if _changed(old, f):
                f.detected_step = old.detected_step
                self.findings[i] = f
                self._announce(f, updated=True)
            return
        f.detected_step = int(self._step)
        self._keys[key] = len(self.findings)
        self.findings.append(f)
        self._announce(f, updated=False)

    def _announce(self, f: Finding, updated: bool) -> None:
        """Print (a new finding, or an update that makes it worse), record it, call on_finding."""
        if self.rank != 0:
            return
        if not self.quiet and not updated:
            where = f" at step {_fmt_step(f.steps[0])}" if f.steps else ""
            if not f.steps or _fmt_step(f.steps[0]) != str(f.detected_step):
                where += f" (detected at step {f.detected_step})"
            stderr_line(f"traindoc: {f.severity.label} {f.id}{where}: {f.title}")
        if self.writer is not None and not self.writer.fh.closed:
            try:
                self.writer.finding(self._step, dict(f.to_json(), **({"update": True} if updated else {})))
            except (OSError, ValueError):
                pass
        if self.on_finding is not None and not updated:
            try:
                self.on_finding(f)
            except Exception as exc:
                self._say(f"on_finding callback raised {type(exc).__name__}: {str(exc)[:200]}; it is no longer called")
                self.on_finding = None

    def known_classes(self, n: int) -> None:
        """The output width of a classifier is its class count: the curve rules then know ln(C)
        (not a neighbour's, ln(C +- 1), guessed from a loss level), and so does `diagnose` of the log."""
        if self.store.meta.num_classes is not None or n < 2:
            return
        self.store.meta.num_classes = int(n)
        if self.writer is not None:
            self.writer.meta({"num_classes": int(n)})

    def _record_check(self, f: Finding) -> None:
        """Raise a check finding now and keep it as a series so `diagnose` on the log sees it too."""
        subject = str(f.evidence.get("subject", "model"))
        f.evidence.setdefault("subject", subject)  # the key the rebuilt finding of `diagnose` will have
        self._add_direct(f"{CHECK_SERIES}{f.id}/{subject}", int(f.steps[0]) if f.steps else self._step,
                         float(int(f.severity)))
        self._raise(f)

    def _say(self, text: str) -> None:
        if text in self._said:
            return
        self._said.add(text)
        if self.rank == 0 and not self.quiet:
            stderr_line(f"traindoc: {text}")

    # -- checks ----------------------------------------------------------------------------
    def _static_checks(self) -> None:
        from ..checks.static import check_frozen_parameters, check_missing_bias

        for f in self.guard.call("checks", check_frozen_parameters, self.model, _inner_optimizer(self.optimizer)) or []:
            self._record_check(f)
        for f in self.guard.call("checks", check_missing_bias, self.model) or []:
            self._record_check(f)

    def _output_checks(self, targets: Any, outputs: Any) -> None:
        from ..checks.static import check_output_activation, infer_double_softmax

        out_mod = self.acts.output_module if self.acts is not None else None
        found = check_output_activation(self.model, self.loss_fn, out_mod)
        if self._output_by_weights:
            found = []  # the output comes straight from a weight layer: the activation module seen last is not it
        if found and self._loss_kind == "regression":
            from ..checks.static import confirm_output_range  # targets the bounded output can never reach

            self.guard.call("checks", confirm_output_range, found, targets)
        out = outputs if isinstance(outputs, torch.Tensor) else self._first_output
        if not found:
            found = infer_double_softmax(out, targets, self.loss_fn)
            if found and self.loss_fn is None and not self._loss_is_ce_of(out, targets):
                found = []  # probabilities fed to another loss (MSE on one-hot rows): no double softmax
        from ..checks.structure import Targets, watch_findings  # softmax over one unit; targets vs the loss

        if self._loss_kind == "regression":  # the first batch's targets, for the end-of-run target-scale reading
            self.first_targets = self.guard.call("checks", Targets.of, targets)

        found = found + (self.guard.call("checks", watch_findings, self.model, self.loss_fn, targets, out_mod,
                                         found, out) or [])
        for f in found:
            f.steps = [float(self._step)]
            self._record_check(f)

    def _loss_is_ce_of(self, out: Any, targets: Any) -> bool:
        """With no loss_fn given, the softmax-before-cross-entropy reading is a guess from integer
        targets: the step's own loss says whether it is a cross-entropy of these outputs (mean or
        sum). Unknown (no loss, a device the value is not on) keeps the guess."""
        if not self._loss_steps or self._loss_steps[-1] != self._step or not isinstance(targets, torch.Tensor):
            return True
        try:
            value = float(self._loss_vals[-1])
            with torch.no_grad():
                o = out.detach().float().reshape(-1, out.shape[-1])
                # the kept output may be the first rows only: their cross-entropy estimates the batch's
                ce = float(torch.nn.functional.cross_entropy(o, targets.reshape(-1)[:o.shape[0]].long()))
        except Exception:  # noqa: BLE001 - shapes the guess did not foresee: keep it
            return True
        n = targets.numel()
        # Probabilities taken as logits give a cross-entropy within a few percent of ln(C) on any
        # rows; another loss (an MSE of 0.09 against ln(10)) is far off.
        return any(abs(value - c) <= 0.25 * abs(c) for c in (ce, ce * n)) or not math.isfinite(value)

    _frozen_done = False

    def _dynamic_checks(self) -> None:
        from ..checks.static import frozen_from_updates, grad_not_zeroed

        if self._stale_count >= 2 and not self._accumulating():
            f = grad_not_zeroed(self._stale_first, self._stale_last, self._stale_count)
            if any(k[0] == "grad-not-zeroed" for k in self._keys):
                f.evidence.setdefault("subject", "optimizer")
                self._raise(f)  # the same finding, its evidence (last step, count) brought up to date
                # and the record too, so `diagnose` of the log gives the same span
                self._add_direct(f"{CHECK_SERIES}grad-not-zeroed/optimizer", int(self._stale_last),
                                 float(int(f.severity)))
            else:
                self._record_check(f)
        if self._frozen_done or self.grads is None:
            return
        names = self.layers.names
        if self.grads.samples >= 3:
            never = [n for n, c in zip(names, self.grads.no_grad_counts) if c >= self.grads.samples]
            still = []
            for n in names:
                s = self.store.series.get(f"update_ratio/{n}")
                if s is not None and len(s.values) >= 3 and all(v == 0.0 for v in s.values):
                    g = self.store.series.get(f"grad_norm/{n}")
                    w = self.store.series.get(f"weight_norm/{n}")
                    # A gradient too small to move float32 weights is vanishing, not frozen.
                    if g is not None and w is not None and max(g.values) > 1e-4 * max(max(w.values), 1e-12):
                        still.append(n)
            if never and len(never) < len(names):
                self._frozen_done = True
                for f in frozen_from_updates(never, "no gradient reached these layers at any sampled step", self._step):
                    self._record_check(f)
            if still and len(still) < len(names):
                self._frozen_done = True
                how = "gradients flow but the weights never update"
                if self.guard.call("checks", self._group_rate_zero, still):
                    from ..checks.static import ZERO_GROUP_RATE

                    how += ": " + ZERO_GROUP_RATE
                for f in frozen_from_updates(still, how, self._step):
                    self._record_check(f)

    def _group_rate_zero(self, layers: list[str]) -> bool:
        """Whether every parameter of these layers sits in an optimizer param group whose learning rate is 0."""
        opt = _inner_optimizer(self.optimizer)
        groups = getattr(opt, "param_groups", None)
        if not groups:
            return False
        rate = {id(p): g.get("lr") for g in groups for p in g.get("params", [])}
        wanted = {self.layers.names.index(n) for n in layers if n in self.layers.names}
        params = [p for p, li in zip(self.layers.params, self.layers.layer_of) if li in wanted]
        return bool(params) and all(id(p) in rate and float(rate[id(p)]) == 0.0 for p in params)

    def _accumulating(self) -> bool:
        """Gradients carried over steps at which the weights did not move: accumulation, not a missing zero_grad."""
        from ..checks.idle_updates import accumulating

        return self._opt_hooks is not None and accumulating(self.store.series, self.layers.names)

    def _record_origin(self) -> None:
        self._origin_recorded = True
        module, kind = self.nonfinite.origin
        self._add_direct(f"nonfinite_origin/{module}", int(self.nonfinite.origin_step), kind)
        self._next_rules_step = 0
        if self.world == 1:  # under DDP a rank-local read-back would unpair the collectives
            self.guard.call("readback", self._readback, False)


def _flat_float32(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """The pending 1-D statistics as one float32 vector: one concatenation and one conversion
    (the probes keep some in float64); tensors on other devices or of other ranks are moved first."""
    if not tensors:
        return torch.zeros(0, device=device)
    try:
        flat = torch.cat(tensors)
        if flat.device == device:
            return flat.float()
    except RuntimeError:  # another device, a 0-d value
        pass
    return torch.cat([v.reshape(-1).to(device, torch.float32) for v in tensors])


_INTERCEPTED = frozenset({"stale_grad", "model_output_finite"})  # probe flags _store_add turns into events


def _role_for(name: str) -> Role:
    if name == "grad_norm":
        return Role.GRAD_NORM
    if name == "lr":
        return Role.LR
    return Role.LAYER_STAT


def _is_keras(model: nn.Module) -> bool:
    """A Keras 3 model on the torch backend (a torch Module whose layers skip torch's hooks)."""
    return any(c.__module__.startswith("keras.") for c in type(model).__mro__)


def _is_scripted(model: nn.Module) -> bool:
    return isinstance(model, torch.jit.ScriptModule) or any(isinstance(m, torch.jit.ScriptModule)
                                                            for m in model.modules())


def _key(f: Finding) -> tuple:
    return (f.id, str(f.evidence.get("subject") or tuple(f.series)))


def _changed(old: Finding, new: Finding) -> bool:
    return (old.severity, old.title, old.steps) != (new.severity, new.title, new.steps) or \
        old.to_json()["evidence"] != new.to_json()["evidence"]


def _every_arg(every: Any) -> int | None:
    """``every`` as a positive int, or None (decided from the model's size) for anything odd."""
    if every is None:
        return None
    step = _int_step(every)
    return step if step is not None and step >= 1 else None


def _int_step(value: Any) -> int | None:
    """A step number as an int (1.0 and tensor(3) are fine; 'abc', nan, 1.5 are not)."""
    try:
        if isinstance(value, torch.Tensor):
            value = value.item()
        f = float(value)
    except Exception:  # noqa: BLE001
        return None
    if not math.isfinite(f) or f != int(f):
        return None
    return int(f)


def _fmt_step(s: float) -> str:
    return str(int(s)) if float(s).is_integer() else f"{s:g}"


def _inner_optimizer(opt: Any) -> Any:
    """The torch optimizer under wrappers (accelerate's AcceleratedOptimizer, Lightning's)."""
    for _ in range(5):
        inner = getattr(opt, "optimizer", None) if opt is not None else None
        if isinstance(inner, torch.optim.Optimizer):
            opt = inner  # a wrapper (possibly itself an Optimizer subclass that skipped __init__)
            continue
        if opt is not None and not isinstance(opt, torch.optim.Optimizer):
            opt = getattr(opt, "_optimizer", None)
            continue
        break
    return opt if isinstance(opt, torch.optim.Optimizer) and hasattr(opt, "_optimizer_step_pre_hooks") else None
