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
        self.loss_inputs: dict[str, dict] = {}  # what a loss module inside the loss was given (checks/loss_wiring.py)
        from ..checks.loss_wiring import OutputGrad
        from ..checks.target_spread import TargetSpread

        self.output_grad = OutputGrad()
        self.spread = TargetSpread()  # regression targets that never vary
        from ..checks.positions import PositionWatch

        self.positions = PositionWatch()  # attention fed embeddings with no positions
        from ..checks.target_flip import FlipSample

        self.flips = FlipSample()  # dense targets against their inputs, flipped or not
        from ..checks.few_rows import FewRows

        self.few = FewRows()  # batches drawn from a handful of rows (a sampler given per-class weights)
        from ..checks.target_columns import TargetColumns

        self.columns = TargetColumns()  # regression target columns on very different scales
        from ..checks.squashed_twice import ProbabilityInputs

        self.probs = ProbabilityInputs()  # a sigmoid applied to probabilities before nn.BCELoss
        from ..checks.pos_weight import PosWeightWatch

        self.pos_weight = PosWeightWatch()  # BCEWithLogitsLoss pos_weight inverted or a count
        from ..checks.output_values import OutputBounds

        self.bounds = OutputBounds()  # an activation applied in forward (F.relu, torch.sigmoid), seen in the values
        from ..checks.loss_task import TaskFit

        self.task = TaskFit()  # a hand-written loss that falls while the predictions do not follow the labels

    def start(self, doc: Any, hooks: bool) -> None:
        from ..checks.first_step import record_rnn_inputs
        from ..checks.torch_config import config_findings, suspects

        from ..checks.model_view import is_keras

        if is_keras(doc.model):
            self.keras = True
            self.flips.off = True
            self.rows.off = True  # the Keras callback runs its own label link on the arrays fit was given
        opt = doc._inner_opt()
        for f in config_findings(doc.model, opt):
            doc._record_check(f)
        from ..checks.torch_config import kl_mean_findings  # KLDivLoss averaged over classes too, under SGD

        # Its own probe name: a failure here must not switch off "checks", which first_step runs under.
        for f in doc.guard.call("kl-reduction", kl_mean_findings, doc.loss_fn, opt) or []:
            doc._record_check(f)
        from ..checks.zero_gamma import zero_gamma_layers

        self.zero_gamma = zero_gamma_layers(doc.model)  # judged at the end: did they ever move?
        self.suspects = suspects(doc.model, opt, doc.loss_fn)
        doc.guard.call("pos-weight", self.pos_weight.start, doc.loss_fn)
        if opt is not None and hooks:  # gradients rescaled after the update used them (clipping after step())
            from ..checks.clip_order import ClipOrder

            self.clip = ClipOrder()
            doc.guard.call("clip-order", self.clip.attach, opt, doc.model,
                           lambda f: doc.guard.wrap_hook("clip-order", f))
            from ..checks.low_precision import LowPrecisionSteps  # 16-bit weights whose updates round away

            self.low = LowPrecisionSteps()
            doc.guard.call("low-precision", self.low.attach, opt, lambda f: doc.guard.wrap_hook("low-precision", f))
        if hooks:
            wrap = lambda f: doc.guard.wrap_hook("checks", f)  # noqa: E731
            self.rnn_shapes, self.handles = record_rnn_inputs(doc.model, wrap)
            self._hook_hidden(doc.model, wrap)
            doc.guard.call("wiring", self._hook_wiring, doc)

    def _hook_wiring(self, doc: Any) -> None:
        """One-shot hooks for the loss wiring checks (their own probe name: a failure loses only them)."""
        from ..checks.loss_wiring import record_loss_inputs

        wrap = lambda f: doc.guard.wrap_hook("wiring", f)  # noqa: E731
        self.loss_inputs, handles = record_loss_inputs(doc.loss_fn, wrap)
        self.handles += handles
        self.output_grad.hook_model(doc.model, wrap)
        from ..checks.zero_grads import record_packed_rnns

        self.packed, handles = record_packed_rnns(doc.model, wrap)
        self.handles += handles
        from ..checks.packed_padding import record_packed_padding  # packed sequences that hold only padding

        self.packed_padding, handles = record_packed_padding(doc.model, wrap)
        self.handles += handles
        from ..checks.embedding_ids import record_embedding_ids

        self.embedding_ids, handles = record_embedding_ids(doc.model, wrap)
        self.handles += handles
        self.positions.hook(doc.model, wrap)
        self.probs.hook(doc.loss_fn, wrap)
        from ..checks.rnn_step import RnnReads

        self.rnn_reads = RnnReads()  # which time step of a recurrent output the next layers read
        self.rnn_reads.hook(doc.model, wrap)
        from ..checks.output_dropout import OutputDropout

        self.out_dropout = OutputDropout()  # the output is a dropout module's output
        self.out_dropout.hook(doc.model, wrap)
        from ..checks.input_noise import InputNoise

        self.input_noise = InputNoise()  # noise added inside forward that drowns the input
        self.input_noise.hook(doc.model, wrap)
        from ..checks.input_norm import FirstLayerInput

        self.first_input = FirstLayerInput()  # inputs standardised inside forward: the first weight layer's scale
        self.first_input.hook(doc.model, lambda f: doc.guard.wrap_hook("input-scale", f))  # fails alone
        from ..checks.detached_hidden import DetachedHidden
        from ..checks.row_order import RowOrder

        self.row_order = RowOrder()  # the batch's rows reordered inside forward (a flip on dim 0)
        self.row_order.hook(doc.model, wrap)
        self.detached = DetachedHidden()  # a hidden state detached between the steps of one sequence
        self.detached.hook(doc.model, wrap)
        from ..checks.padding_mask import PaddingMask
        from ..checks.train_mode_teacher import TrainModeTeacher

        self.pad_mask = PaddingMask()  # a key padding mask that hides the words (HF polarity)
        self.pad_mask.hook(doc.model, wrap)
        self.teacher = TrainModeTeacher()  # a frozen network in the loss with its dropout on
        self.teacher.hook(doc.loss_fn, doc.model, wrap)
        from ..checks.graph_cut import GraphCut

        self.graph_cut = GraphCut()  # where the gradient stops inside forward (indices for values, a dropped head)
        self.graph_cut.hook(doc.model, wrap)

    clip: Any = None  # checks/clip_order.py
    rnn_reads: Any = None  # checks/rnn_step.py
    out_dropout: Any = None  # checks/output_dropout.py
    input_noise: Any = None  # checks/input_noise.py
    first_input: Any = None  # checks/input_norm.py
    low: Any = None  # checks/low_precision.py
    row_order: Any = None  # checks/row_order.py
    detached: Any = None  # checks/detached_hidden.py
    pad_mask: Any = None  # checks/padding_mask.py
    teacher: Any = None  # checks/train_mode_teacher.py
    graph_cut: Any = None  # checks/graph_cut.py
    zero_gamma: list = []  # norm layers whose gamma was 0 at start (checks/zero_gamma.py)
    embedding_ids: dict = {}  # per nn.Embedding, the first ids it received (checks/embedding_ids.py)

    keras = False  # a Keras model: the callback runs its own checks on what fit hands it
    packed: set = set()  # recurrent layers run on a PackedSequence (checks/zero_grads.py)
    custom_fns: list = []  # hand-written autograd.Functions in the first step's graph (checks/custom_backward.py)
    packed_padding: dict = {}  # per recurrent layer, how much of its first packed batch is one vector (checks/packed_padding.py)
    zero_done = False

    def at_end(self, doc: Any) -> None:
        """At the last read-back, before the final rules: gradients that were exactly zero all run long."""
        from ..checks import zero_grads as z

        if self.zero_done or self.keras:
            return  # the Keras callback judges its own gradients and batches
        self.zero_done = True
        from ..checks.bias_free import bias_free_finding
        from ..checks.schedule_horizon import cosine_horizon_findings  # T_max in epochs, stepped per batch

        for f in cosine_horizon_findings(doc._inner_opt(), float(doc._step)):
            doc._record_check(f)
        doc.guard.call("schedule-course", self._schedule_course, doc)
        from ..checks.optimizer_attributes import torch_attribute_findings  # optimizer.lr = ... set in the loop

        seen = {f.evidence.get("subject") for f in doc.findings}
        for f in torch_attribute_findings(doc._inner_opt()):
            if f.evidence["subject"] not in seen:
                f.steps = [float(doc._step)]
                doc._record_check(f)

        loss = doc.store.series.get("train_loss")
        losses = list(loss.values) if loss is not None else []
        classes = doc.targets.num_classes if doc.targets is not None else None
        if self.clip is not None:
            self.clip.remove()
            f = self.clip.finding(float(doc._step))
            if f is not None:
                doc._record_check(f)
        if self.rnn_reads is not None:
            self.rnn_reads.remove()
            classify = doc._loss_kind in ("ce", "nll", "bce", "bce_logits") or doc.targets.num_classes is not None
            f = self.rnn_reads.finding(losses, classify, float(doc._step))
            if f is not None:
                doc._record_check(f)
        if self.zero_gamma:
            from ..checks.zero_gamma import norm_count, zero_gamma_finding

            f = zero_gamma_finding(self.zero_gamma, doc.model, norm_count(doc.model), float(doc._step))
            if f is not None:
                doc._record_check(f)
        for f in (self.probs.finding(float(doc._step)), self.pos_weight.finding(float(doc._step)), self.spread.finding(float(doc._step)), bias_free_finding(doc.model, self.rows, float(doc._step)),
                  self.few.finding(classes, float(doc._step)), self.columns.finding(float(doc._step)),
                  self.positions.finding(losses, float(doc._step)), self.flips.finding(float(doc._step))):
            if f is not None:
                doc._record_check(f)
        named = any(f.id in ("wrong-output-activation", "double-softmax") for f in doc.findings)
        nonfinite = any(f.id == "nonfinite" for f in doc.findings)
        if nonfinite and not any(f.evidence.get("subject") in ("target-scale", "target-large-scale")
                                 for f in doc.findings):
            from ..checks.target_precision import blown_by_large_targets_finding  # NaN from targets in a large unit

            f = doc.guard.call("target-scale", blown_by_large_targets_finding, doc.first_targets,
                               doc._loss_kind == "regression", losses, float(doc._step))
            if f is not None:
                doc._record_check(f)
        for f in (self.bounds.finding(float(doc._step), _loss_name(doc.loss_fn), named),
                  self.bounds.half_finding(float(doc._step), nonfinite)):
            if f is not None:
                doc._record_check(f)
        self._late_findings(doc, losses)
        doc.guard.call("row-link", self._rows_unrelated, doc, losses)
        if doc.grads is None:
            return
        if doc._opt_hooks is not None and doc.grads.track_updates:  # steps that move no weight
            from ..checks.idle_updates import idle_finding

            # torch.optim's own class (a user's subclass lives in the user's module): its step() moves every weight
            # that has a gradient and a non-zero rate
            builtin = type(doc._opt_hooks[0]).__module__.startswith("torch.optim")
            idle = idle_finding(doc.store.series, doc.layers.names, losses, doc._stale_count, float(doc._step),
                                builtin=builtin)
            if idle is not None:
                doc._record_check(idle)
                if idle.evidence["subject"] == "zeroed-gradients":
                    return  # zero at the update, not after backward: the output is not the cause
        found = z.zero_layers(doc.store.series, doc.layers.names)
        if found is None:
            return
        zero, every = found
        samples = len(doc.store.series["grad_norm"].values)
        if every:
            f = z.all_zero_finding(doc._first_output, samples, float(doc._step))
        else:
            out = doc.acts.output_module if doc.acts is not None else None
            f = z.some_zero_finding(doc.model, zero, out, self.packed, samples, float(doc._step))
        f.evidence.setdefault("subject", "model")
        doc._record_check(f)

    @staticmethod
    def _schedule_course(doc: Any) -> None:
        """A schedule sized in steps but stepped per epoch, or a rate still climbing far past its base."""
        from ..checks.schedule_course import per_epoch_findings, rising_rate_finding

        opt, at = doc._inner_opt(), float(doc._step)
        found = per_epoch_findings(opt, at)
        lr = doc.store.series.get("lr")
        if not found and lr is not None:
            rising = rising_rate_finding(opt, list(lr.values), at)
            found = [rising] if rising is not None else []
        for f in found:
            doc._record_check(f)

    def _late_findings(self, doc: Any, losses: list[float]) -> None:
        """Reordered rows, 16-bit weights that do not move, a rate that jumped up: judged against the loss.
        Each check runs under its own guard name, so one that fails costs only itself."""
        at = float(doc._step)
        call = doc.guard.call
        found = [call("loss-task", self.task.finding, losses, at),
                 call("row-order", self.row_order.finding, losses, at) if self.row_order is not None else None,
                 call("low-precision", self.low.finding, losses, at) if self.low is not None else None,
                 call("teacher-mode", self.teacher.finding, at) if self.teacher is not None else None]
        if self.custom_fns:
            from ..checks.custom_backward import custom_backward_finding

            found.append(call("custom-backward", custom_backward_finding, self.custom_fns, losses, at))
        from ..checks.train_config import torch_dropout_finding  # nn.Dropout(0.9): the keep rate as the drop rate

        found.append(call("dropout-rate", torch_dropout_finding, doc.model, losses, at))
        from ..checks.backward_nan import backward_nan_finding  # a finite loss with a NaN gradient

        known = any(f.id == "nonfinite-origin" and f.evidence.get("kind") == "backward gradient" for f in doc.findings)
        found.append(call("backward-nan", backward_nan_finding, doc.store.series, known))
        from ..checks.lr_floor import lr_floor_finding, rate_and_loss  # a decay (or backwards warm-up) that ended early

        series = rate_and_loss(doc.store.series)
        if series is not None:
            from ..checks.lr_jump import lr_jump_finding

            opt = doc._inner_opt()
            found.append(call("lr-jump", lr_jump_finding, *series, opt))
            from ..checks.lr_floor import adagrad_lr_decay, effective_rates

            decay = call("lr-floor", adagrad_lr_decay, opt)
            if decay:  # Adagrad's own per-update decay: judge the rates it applied, not the group's constant lr
                applied = (series[0], effective_rates(series[0], series[1], decay), *series[2:])
                found.append(call("lr-floor", lr_floor_finding, *applied, at, adagrad_decay=decay))
            else:
                found.append(call("lr-floor", lr_floor_finding, *series, at))
            from ..checks.rate_range import rate_range_finding  # Adam at 0.1: a rate far out of its range

            found.append(call("rate-range", rate_range_finding, opt, series[1], series[3], at))
        for f in found:
            if f is not None:
                doc._record_check(f)

    def _hook_hidden(self, model: Any, wrap: Any) -> None:
        """One-shot forward hooks on layers held in plain containers: do they run, with gradients on?"""
        import torch

        from ..checks.torch_config import hidden_containers

        for where, _, mods, _ in hidden_containers(model):
            def hook(mod, args, out, _where=where):
                if torch.is_grad_enabled():
                    self.hidden_ran.add(_where)

            self.handles += [m.register_forward_hook(wrap(hook)) for m in mods]

    def first_step(self, doc: Any, loss: Any, targets: Any, outputs: Any, inputs: Any = None) -> None:
        from ..checks.first_step import class_weight_findings, rnn_layout_findings, softmax_axis_findings

        from ..checks.torch_config import unregistered_findings, unregistered_tensor_findings

        self.remove(first=True)
        if self.first_input is not None and self.first_input.scaled:
            from ..checks.input_norm import INPUT_NORM_SERIES

            doc._add_direct(INPUT_NORM_SERIES, float(doc._step), 1.0)  # forward scaled the raw batch itself
        from ..checks.custom_backward import custom_functions  # hand-written autograd.Functions in the graph

        self.custom_fns = doc.guard.call("wiring", custom_functions, loss) or []
        if self.graph_cut is not None:
            doc.guard.call("graph-cut", self.graph_cut.after_backward)  # its own name: a failure here leaves "wiring" on
        found = unregistered_findings(doc.model, doc._inner_opt(), self.hidden_ran) if self.hidden_ran else []
        # its own name: a failure here must not switch off the other "wiring" checks
        found += doc.guard.call("plain-tensor-weights", unregistered_tensor_findings, doc.model,
                                doc._inner_opt()) or []
        found += softmax_axis_findings(loss, outputs, targets, doc.loss_fn)
        found += class_weight_findings(doc.loss_fn, targets)
        from ..checks.bce_weight import bce_weight_findings

        found += bce_weight_findings(doc.loss_fn, targets)
        from ..checks.margin_labels import zero_one_margin_findings  # SoftMarginLoss on 0/1 labels

        found += zero_one_margin_findings(doc.loss_fn, targets)
        from ..checks.margin_labels import multi_hot_index_findings  # MultiLabelMarginLoss on multi-hot rows

        found += doc.guard.call("margin-labels", multi_hot_index_findings, doc.loss_fn, targets) or []
        from ..checks.broadcast_loss import broadcast_loss_findings  # (batch,) against (batch, 1)

        found += broadcast_loss_findings(doc.loss_fn, outputs, targets)
        found += rnn_layout_findings(self.rnn_shapes, targets)
        found += doc.guard.call("wiring", self._wiring_findings, doc, loss, inputs, targets, outputs) or []
        for f in found:
            f.steps = [float(doc._step)]
            doc._record_check(f)

    def _wiring_findings(self, doc: Any, loss: Any, inputs: Any, targets: Any, outputs: Any) -> list:
        from ..checks import loss_wiring as w
        from ..probes.data import _first_tensor

        from ..checks.static import _last_leaf

        out_name = doc.acts.output_module if doc.acts is not None else None
        # At the first step the activation probe has not named the output module yet: the last leaf stands in.
        out_layer = dict(doc.model.named_modules()).get(out_name) if out_name else (_last_leaf(doc.model) or (None, None))[1]
        found = w.ignore_index_findings(doc.loss_fn, _first_tensor(inputs), outputs, targets)
        found += w.kl_input_findings(self.loss_inputs)
        axis = w.class_axis_findings(loss, outputs, targets, out_layer)
        if axis is None:  # both readings still agree: asked again at later sampled steps
            self.recheck_axis = out_layer
        found += axis or []
        found += w.linear_loss_findings(self.output_grad.summary, outputs, targets)
        from ..checks.loss_identity import loss_identity_findings  # a sign flipped, a temperature on the loss

        out = outputs if outputs is not None else self.output_grad.output  # a loop that passes no outputs=
        found += loss_identity_findings(loss, out, targets, self.output_grad.summary)
        if not found:  # F.cross_entropy(out, y) / len(y): the mean divided by the rows again, under SGD
            from ..checks.loss_identity import divided_by_batch_findings

            found += doc.guard.call("loss-divided", divided_by_batch_findings, loss, out, targets,
                                    doc._inner_opt()) or []  # its own name: a failure keeps the wiring findings
        from ..checks.batch_sum import loss_label, torch_sums_over_batch  # a hand-written loss summed over the rows

        if doc.guard.call("loss-sums-batch", torch_sums_over_batch, doc.loss_fn, out, targets):
            from ..checks.torch_config import STEP_SYMPTOMS, Suspect

            name = loss_label(doc.loss_fn)
            self.suspects.append(Suspect(
                "loss-sums-batch", STEP_SYMPTOMS,
                f"the loss {name} sums over the batch instead of averaging: on the first batch's rows given twice it "
                "returns twice the value, so the loss and the gradient grow with the batch size and a learning rate "
                "chosen for a mean loss is batch-size times too large",
                "Average the loss over the batch (reduction='mean', or .mean() instead of .sum()), or divide the "
                "learning rate by the batch size."))
        from ..checks.loss_identity import multiplied_loss_factor  # loss * accumulation_steps under SGD

        factor = doc.guard.call("loss-multiplied", multiplied_loss_factor, loss, out, targets, doc._inner_opt())
        if factor:
            from ..checks.torch_config import STEP_SYMPTOMS, Suspect

            std_name, k = factor
            self.suspects.append(Suspect(
                "loss-multiplied", STEP_SYMPTOMS,
                f"the loss is exactly {k}x the {std_name} of the outputs (a loss multiplied by {k}, e.g. by the "
                "gradient-accumulation steps where the recipe divides by them): every gradient is "
                f"{k}x larger, and plain SGD steps as if the learning rate were {k}x higher",
                f"Divide the loss by the accumulation steps (loss / {k}) instead of multiplying it, or drop the "
                f"factor; otherwise divide the learning rate by {k}."))
        scaled = [f for f in found if f.evidence.get("subject") == "loss-scale"]
        if scaled:  # a GradScaler reads the same at step 1: named only if the steps then blow up
            from ..checks.loss_scale import loss_scale_suspect

            found = [f for f in found if f.evidence.get("subject") != "loss-scale"]
            self.suspects.append(loss_scale_suspect(scaled[0]))
        from ..checks.flatten_order import flatten_order_finding  # targets flattened time-major, scores batch-major

        from ..checks.contrastive_targets import contrastive_target_findings  # InfoNCE targets all zero

        found += contrastive_target_findings(loss, out, targets)
        order = flatten_order_finding(loss, out, targets)
        found += [order] if order is not None else []
        from ..checks.clamped_probabilities import clamped_probabilities_finding  # clamp(out, 0, 1) for BCELoss

        pinned = clamped_probabilities_finding(out, doc._loss_kind)
        found += [pinned] if pinned is not None else []
        self.output_grad.output = None  # released
        if self.out_dropout is not None and _scored_directly(out, targets, loss, doc._loss_kind):
            found += self.out_dropout.findings(doc._loss_kind == "regression" or bool(
                getattr(targets, "is_floating_point", lambda: False)()))
        if self.output_grad.summary:
            self.output_grad.summary.pop("grad", None)  # released
        from ..checks.embedding_ids import clamped_ids_findings

        found += clamped_ids_findings(self.embedding_ids, _first_tensor(inputs))
        from ..checks.embedding_ids import bag_offsets_findings  # EmbeddingBag offsets that miss the flat ids

        found += bag_offsets_findings(self.embedding_ids)
        from ..checks.packed_padding import packed_padding_findings

        found += packed_padding_findings(self.packed_padding, _first_tensor(inputs))
        from ..checks.unshifted_targets import unshifted_targets_findings

        found += unshifted_targets_findings(doc.loss_fn, _first_tensor(inputs), targets, out)
        from ..checks.target_leak import target_leak_finding  # the label among the inputs

        leak = target_leak_finding(_first_tensor(inputs), targets, float(doc._step))
        from ..checks.one_scalar_scaling import one_scalar_finding  # (x - x.mean()) / x.std() over the whole table

        scaled = one_scalar_finding(_first_tensor(inputs))
        found += [scaled] if scaled is not None else []
        from ..checks.padding_loss import padded_targets_findings  # padded positions scored as a tag

        found += padded_targets_findings(doc.model, doc.loss_fn, _first_tensor(inputs), targets)
        return found + ([leak] if leak is not None else [])

    recheck_axis: Any = None  # the output layer, while the class-axis check is undecided
    rechecks = 0
    MAX_RECHECKS = 50

    def wants_step(self, sampled: bool) -> bool:
        """Whether a step after the first has something to give: an undecided check, rows still wanted."""
        return (self.recheck_axis is not None and sampled) or self.positions.wants_rows or self.flips.wants_rows

    def later_step(self, doc: Any, loss: Any, inputs: Any, targets: Any, outputs: Any, sampled: bool) -> None:
        """A step after the first, while a first-step check could not decide yet or rows are still wanted."""
        from ..checks.loss_wiring import class_axis_findings

        self.positions.sample(inputs, targets)
        self.flips.add(inputs, targets)
        if self.recheck_axis is None or not sampled:
            return
        self.rechecks += 1
        found = class_axis_findings(loss, outputs, targets, self.recheck_axis)
        if found is not None or self.rechecks >= self.MAX_RECHECKS:
            self.recheck_axis = None
        for f in found or []:
            f.steps = [float(doc._step)]
            doc._record_check(f)

    def sample(self, inputs: Any, targets: Any, loss_kind: str | None = None, outputs: Any = None) -> None:
        """A sampled step's rows and labels (kept on the device; judged once at the end)."""
        self.rows.add(inputs, targets)
        self.spread.add(targets, loss_kind)
        self.few.add(inputs, targets)
        self.columns.add(targets, outputs, loss_kind)
        self.pos_weight.add(targets)
        if not self.keras:  # a Keras model's output layer is read from its structure
            self.bounds.add(outputs, targets, loss_kind)
            self.task.add(targets, outputs, loss_kind)

    def _rows_unrelated(self, doc: Any, losses: list[float]) -> None:
        """Rows whose neighbours share labels at chance while the loss barely fell: recorded at the
        last read-back (before the final rules) so `diagnose` of the log keeps it, as the live run does."""
        from ..checks.row_link import RowSample, unrelated_rows_finding

        if not any(f.id == "label-problem" for f in doc.findings):
            f = unrelated_rows_finding(self.rows.link(), losses, float(doc._step))
            if f is not None:
                doc._record_check(f)
        self.rows = RowSample()  # released

    def finish(self, doc: Any) -> None:
        from ..checks.torch_config import attribute

        self.remove()
        self.probs.remove()
        late = [s for c in (self.detached, self.pad_mask, self.graph_cut) if c is not None for s in c.suspects()]
        if self.clip is not None:  # clipping on loss-scaled gradients (AMP without unscale_)
            from ..checks.scaled_clip import scaled_clip_suspects

            g = doc.store.series.get("grad_norm")
            late += scaled_clip_suspects(self.clip.inside, [float(v) for v in g.values] if g is not None else [])
            from ..checks.divided_grads import divided_grad_suspects  # gradients averaged twice

            b = doc.store.series.get("target_batch_size")
            late += divided_grad_suspects(self.clip.inside, [float(v) for v in b.values] if b is not None else [])
        from ..checks.weights_reset import reset_suspects  # the weights back at their start mid-run

        late += doc.guard.call("checks", reset_suspects, doc.store.series) or []
        if not self.keras:
            from ..checks.weight_clamp import clamp_suspects  # weights pinned in one box (a WGAN weight clip)

            late += doc.guard.call("checks", clamp_suspects, doc.model) or []
        attribute(doc.findings, self.suspects + (self.input_noise.suspects() if self.input_noise is not None else []) + late)

    def remove(self, first: bool = False) -> None:
        """Remove the hooks; ``first``: only the one-shot ones (after the first step), not those that watch longer."""
        if not first:
            for c in (self.low, self.row_order, self.detached, self.pad_mask, self.teacher, self.graph_cut):
                if c is not None:
                    c.remove()
        if self.rnn_reads is not None:
            self.rnn_reads.remove()
        if self.out_dropout is not None:
            self.out_dropout.remove()
        if self.input_noise is not None:
            self.input_noise.remove()
        if self.first_input is not None:
            self.first_input.remove()
        self.output_grad.remove()
        self.positions.remove()
        for h in self.handles:
            h.remove()
        self.handles = []


def _scored_directly(outputs: Any, targets: Any, loss: Any, kind: str | None) -> bool:
    """Whether the loss reads this output as the prediction (a model whose output feeds a head outside it,
    an encoder ending in dropout, gives features instead).

    A torch loss module of a known kind is called on the output itself; any other loss must equal a
    standard loss of the output and targets.
    """
    import torch

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return False
    shaped = outputs.numel() == targets.numel() or (not targets.is_floating_point() and outputs.dim() == targets.dim() + 1
                                                    and tuple(outputs.shape[:-1]) == tuple(targets.shape))
    if not shaped or kind is not None:
        return shaped
    from ..checks._torch import as_float
    from ..checks.loss_identity import standard_losses

    value = as_float(loss)
    return any(abs(abs(value) - v) <= 0.01 * max(1.0, v) for v in standard_losses(outputs, targets).values())


def _loss_name(loss_fn: Any) -> str:
    """How the user wrote the loss: a module's class name, a function's name."""
    if loss_fn is None:
        return "the loss"
    if hasattr(loss_fn, "forward"):
        return type(loss_fn).__name__
    return getattr(loss_fn, "__name__", type(loss_fn).__name__)
