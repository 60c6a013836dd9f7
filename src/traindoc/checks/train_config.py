"""The training configuration, read once at the start of a run and judged against that run.

Many bugs are one setting: a warm-up longer than the whole run, a clip norm of 1e-6 (an epsilon
typed in the wrong place), ``Dropout(0.9)`` meant as "keep 90%", a one-unit bottleneck inside a
five-class classifier, a full-batch run of eight optimizer steps. The curves show only the
symptom (nothing learns); the configuration names the cause and the exact change.

A setting is judged for *this* run: its planned steps (epochs x steps per epoch), the gradient
norms measured on its first batches, its number of classes. And it is offered as the cause only
when the run's own progress agrees (``RunProgress``): an unusual setting on a run that trains
well is not a finding. The framework integrations read the settings (Keras:
probes/integrations/keras_config.py); this module only judges them, so any framework can use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

BARELY_MOVED = 0.25  # the training loss fell by less than this share of its first value: "nothing learned"
POOR_FIT = 0.5  # fell by less than half, or...
POOR_ACCURACY = 0.9  # ...training accuracy ended below this: the model did not fit its training data
SCHEDULE_SHORTFALL = 0.1  # the rate reached inside the run is below this share of the schedule's peak
CLIP_SHRINK = 1e3  # clipping scales the median first-batch gradient down by this factor or more
# clipvalue caps each entry on its own: 30x below the median entry, nearly every entry sits at the cap, so each
# weight moves lr * clipvalue per step whatever its gradient (a sign-only step that size), a far tighter brake
# than a norm clip scaling the whole step by the same factor and keeping its direction.
CLIP_SHRINK_BY = {"global_clipnorm": CLIP_SHRINK, "clipnorm": CLIP_SHRINK, "clipvalue": 30.0}
FEW_STEPS = 100  # a full-batch run with fewer optimizer steps than this is too short for any network
DROPOUT_HIGH = 0.8  # a dropout rate at or above this keeps one unit in five or fewer
NARROW_SHARE = 0.25  # a hidden layer narrower than this share of the classes (or one unit for >= 3)


@dataclass
class Schedule:
    """The learning rate the optimizer will use, evaluated over the planned steps and beyond."""

    name: str
    in_run_peak: float  # the highest rate inside the planned run
    peak: float  # the highest rate the schedule reaches at all (evaluated past the run)
    peak_step: int
    warmup_steps: int | None = None  # when the schedule names its warm-up
    start: float | None = None  # the rate at the first step and at the run's last planned step
    end: float | None = None
    settings: dict[str, float] = field(default_factory=dict)  # the schedule's numeric settings (decay_rate ...)


@dataclass
class TrainConfig:
    """What the framework says it will do, in framework-neutral terms."""

    framework: str
    optimizer: str | None = None
    planned_steps: int | None = None  # optimizer updates in the whole run
    steps_per_epoch: int | None = None
    epochs: int | None = None
    batch_size: int | None = None
    samples: int | None = None
    schedule: Schedule | None = None
    clip: dict[str, float] = field(default_factory=dict)  # clipnorm / global_clipnorm / clipvalue
    momentum: float | None = None  # SGD / RMSprop momentum (heavy-ball)
    dropout: list[tuple[str, float]] = field(default_factory=list)  # (layer, rate)
    hidden_widths: list[tuple[str, int]] = field(default_factory=list)  # (layer, units), output layer excluded
    classes: int | None = None  # 0/None: not a classifier (or unknown)
    accumulate: int = 1  # batches whose gradients are summed into one optimizer update
    lr: float | None = None  # a constant learning rate (None: a schedule, or unknown)
    default_lr: float | None = None  # the optimizer class's own default rate (what its name alone builds)


@dataclass
class GradNorms:
    """Median over the first batches of the raw (unclipped) gradients' sizes."""

    global_norm: float  # L2 norm over all trainable weights
    median_var_norm: float  # median over variables of each variable's L2 norm
    median_abs: float  # median absolute gradient entry


@dataclass
class RunProgress:
    """How the run went, for the agreement test: only a run that did poorly is explained by a setting."""

    first_loss: float | None = None  # the first batch's loss (the untrained model)
    last_loss: float | None = None  # the last epoch's mean training loss
    last_val_loss: float | None = None
    best_loss: float | None = None  # the lowest epoch-mean training loss (the Keras callback keeps it)
    train_accuracy: float | None = None  # the last epoch's training accuracy, when logged
    symptoms: set[str] = field(default_factory=set)  # ids of warning-level symptoms already raised
    grads: GradNorms | None = None

    @property
    def fell(self) -> float | None:
        """Share of the first loss the training loss lost by the end (None when unknown)."""
        a, b = self.first_loss, self.last_loss
        if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)) or a <= 0:
            return None
        return 1.0 - b / a

    def barely_moved(self) -> bool:
        fell = self.fell
        return (fell is not None and fell < BARELY_MOVED) or bool(self.symptoms & {"no-learning", "stuck-at-chance"})

    def poor_fit(self) -> bool:
        fell = self.fell
        if fell is not None and fell < POOR_FIT:
            return True
        if self.train_accuracy is not None and self.train_accuracy < POOR_ACCURACY:
            return True
        return bool(self.symptoms & {"no-learning", "stuck-at-chance", "stalled", "dead-relu", "cannot-overfit-batch"})

    def moved(self) -> str:
        """How far the loss moved, in words, for the finding's title."""
        if self.fell is None:
            return "the run did not learn"
        change = f"{self.fell:.0%} lower" if self.fell >= 0.005 else "no lower"
        return f"the training loss went {self.first_loss:.3g} -> {self.last_loss:.3g} ({change})"


def _finding(id: str, title: str, why: str, fixes: list[str], subject: str, progress: RunProgress,
             **evidence) -> Finding:
    ev = {"subject": subject, CAUSE: True, "setting": True, "fell": progress.fell, **evidence}
    return Finding(id, Severity.WARNING, title, evidence=ev, causes=[why], fixes=fixes)


ROSE_FROM_BEST = 1.5  # the last epoch's loss this many times the lowest one: the loss climbed back
GROWS = 4.0  # a schedule (no warm-up named) ending at this many times its starting rate grows through the run


def growing_schedule_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """A schedule with no warm-up whose rate climbs through the whole run to GROWS times its start or more (a
    decay factor above 1, start and end swapped), on a run whose loss rose: the rate ended far too high."""
    s, n = cfg.schedule, cfg.planned_steps
    if s is None or not n or s.warmup_steps or not s.start or s.start <= 0 or s.end is None:
        return None
    if s.end < GROWS * s.start or s.in_run_peak > s.end * (1 + 1e-6):
        return None
    fell, best, last = progress.fell, progress.best_loss, progress.last_loss
    rose = ((fell is not None and fell < 0) or (last is not None and fell is None)
            or (best is not None and last is not None and best > 0 and last >= ROSE_FROM_BEST * best)
            or bool(progress.symptoms & {"divergence", "nonfinite", "both-rising", "lr-too-high",
                                         "exploding-gradients"}))
    if not rose:
        return None
    factor = next(((k, v) for k, v in s.settings.items() if k in ("decay_rate", "gamma") and v > 1), None)
    swapped = s.settings.get("end_learning_rate", 0) > s.settings.get("initial_learning_rate", math.inf)
    if factor is not None:
        why = (f"{factor[0]}={factor[1]:g} is above 1, so each period multiplies the rate by {factor[1]:g} instead "
               "of shrinking it")
        fix = (f"Use {factor[0]} below 1 (e.g. 0.96, or {1 / factor[1]:.2g} to shrink by the factor written): a "
               "decay factor shrinks the rate.")
    elif swapped:
        why = "end_learning_rate is above initial_learning_rate: the decay runs from the small rate up to the large one"
        fix = "Swap the two rates: initial_learning_rate is the large starting rate, end_learning_rate the small end."
    else:
        why = "the schedule rises through the whole run instead of holding or falling after a warm-up"
        fix = "Make the schedule fall (or hold) after its start: check which of its settings grows the rate."
    return _finding("update-ratio", f"the learning-rate schedule grows: {s.name}'s rate rises from {s.start:.2g} at "
                    f"the first step to {s.end:.2g} at the run's last ({s.end / s.start:.3g}x), and "
                    f"{progress.moved()}",
                    f"{why}; the rate ends far above the one the run started well at, so the late steps overshoot "
                    "and the loss climbs back", [fix, f"Lower the learning rate back to about {s.start:.2g}."],
                    "lr-schedule", progress, planned_steps=n, schedule_start=s.start, schedule_end=s.end)


def schedule_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """A schedule whose peak lies beyond the run (a warm-up longer than training): the rate stays tiny."""
    s, n = cfg.schedule, cfg.planned_steps
    if s is None or not n or not s.peak > 0 or s.in_run_peak >= SCHEDULE_SHORTFALL * s.peak:
        return None
    if growing_schedule_finding(cfg, progress) is not None:
        return None  # the rate climbed far above its start: it did not stay tiny (named by its own judge)
    if not progress.barely_moved():
        return None
    warm = s.warmup_steps
    if warm is not None and warm > n:
        what = f"{s.name} warms up over warmup_steps={warm:,}, but the whole run is {n:,} optimizer steps"
        fix = (f"Make the warm-up a small part of the run: warmup_steps={max(1, cfg.steps_per_epoch or n // 10):,} "
               f"(about one epoch; the run has {n:,} steps = epochs x steps per epoch). Schedule lengths count "
               "optimizer steps (batches), not samples or epochs.")
    else:
        what = f"{s.name} reaches its peak rate at step {s.peak_step:,}, but the whole run is {n:,} optimizer steps"
        fix = (f"Set the schedule's step counts for this run's {n:,} optimizer steps (epochs x steps per epoch); "
               "they count batches, not samples or epochs.")
    return _finding("update-ratio", f"the learning-rate schedule never gets going: {what}, so the rate never "
                    f"exceeds {s.in_run_peak:.2g} (its target is {s.peak:.2g}) and {progress.moved()}",
                    "a learning-rate warm-up (or schedule) sized for a much longer run: every step of this run "
                    "uses a rate hundreds of times below the intended one", [fix], "lr-schedule", progress,
                    planned_steps=n, warmup_steps=warm, in_run_peak=s.in_run_peak, schedule_peak=s.peak)


def clip_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """Gradient clipping so tight that every update is shrunk a thousandfold or more."""
    g = progress.grads
    if g is None or not cfg.clip or not progress.barely_moved():
        return None
    measured = {"global_clipnorm": g.global_norm, "clipnorm": g.median_var_norm, "clipvalue": g.median_abs}
    for key in ("global_clipnorm", "clipnorm", "clipvalue"):
        c = cfg.clip.get(key)
        size = measured[key]
        if c is None or not c > 0 or not math.isfinite(size) or size < CLIP_SHRINK_BY[key] * c:
            continue
        what = {"global_clipnorm": "the gradient's global norm", "clipnorm": "each weight's gradient norm (median)",
                "clipvalue": "the median gradient entry"}[key]
        return _finding("update-ratio", f"{key}={c:g} shrinks every update about {size / c:.0g}x: {what} is "
                        f"~{size:.2g} on the first batches, and {progress.moved()}",
                        f"the clipping threshold is far below the gradients' own size, so every step is scaled "
                        f"down to a {key} of {c:g} and the weights hardly move (a clip value mixed up with an "
                        "epsilon or a learning rate)",
                        [f"Clip only outlier steps: {key}=1.0 (the gradients here are ~{size:.2g}), or remove "
                         f"{key} altogether."], "gradient-clipping", progress, setting_name=key, setting_value=c,
                        gradient_size=size, shrink=size / c)
    return None


def few_steps_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """Full-batch training for a few epochs: the whole run is a handful of optimizer steps.

    Only the full-batch form is a setting to name: a short run of mini-batches is usually a
    deliberate smoke test, while batch_size=len(x) silently turns each epoch into one step.
    """
    n, per, batch = cfg.planned_steps, cfg.steps_per_epoch or 0, cfg.batch_size
    if not n or n >= FEW_STEPS or not per or per > 2 or not batch or not cfg.samples:
        return None
    if batch < cfg.samples // 2 or not progress.barely_moved():
        return None
    return _finding("no-learning", f"the whole run is only {n} optimizer steps ({cfg.epochs} epochs x {per} "
                    f"step(s) per epoch, batch_size={batch} for {cfg.samples} samples): too few updates for the "
                    f"model to learn, and {progress.moved()}",
                    "with the whole data set in one batch, each epoch is a single optimizer step; each step moves "
                    "the weights a little (about the learning rate), so a few dozen steps end near the start",
                    [f"Use mini-batches: batch_size=32 gives {math.ceil(cfg.samples / 32)} steps per epoch (now "
                     f"{per}); or train for many more epochs."], "run-length", progress,
                    planned_steps=n, steps_per_epoch=per, batch_size=batch, epochs=cfg.epochs)


def accumulation_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """Gradient accumulation over so many batches that the whole run is a handful of optimizer updates."""
    k, n, per = cfg.accumulate, cfg.planned_steps, cfg.steps_per_epoch
    if k <= 1 or not n or n >= FEW_STEPS or not per or not progress.poor_fit():
        return None
    if progress.fell is not None and progress.fell >= POOR_FIT and not progress.symptoms & {"no-learning",
                                                                                            "stuck-at-chance"}:
        # "Too few updates to learn" is a claim about the loss: one that fell by half or more in those updates
        # learned, and a training accuracy short of POOR_ACCURACY is then the data's own ceiling (a noisy table).
        return None
    batches = f"{cfg.epochs} epochs x {per} batches" if cfg.epochs else f"{per} batches per epoch"
    return _finding("no-learning", f"gradient_accumulation_steps={k} leaves only {n} optimizer update(s) in the whole "
                    f"run ({batches} / {k}), and {progress.moved()}",
                    "with gradient accumulation the weights change once every that many batches; accumulating over "
                    "more batches than an epoch holds makes the run a few updates long, far too few to learn",
                    [f"Remove gradient_accumulation_steps (or keep it well below the {per} batches per epoch, e.g. 2-4): "
                     "accumulate only to emulate a batch that does not fit in memory, and count the updates it leaves."],
                    "gradient-accumulation", progress, accumulation_steps=k, planned_steps=n, steps_per_epoch=per)


def dropout_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """A dropout rate that drops most units: the keep-probability of TF1 passed as Keras' drop rate."""
    high = [(name, r) for name, r in cfg.dropout if r >= DROPOUT_HIGH]
    if not high:
        return None
    above_val = (progress.last_val_loss is not None and progress.last_loss is not None
                 and progress.last_loss > progress.last_val_loss)
    if not (progress.poor_fit() or above_val):
        return None
    rate = max(r for _, r in high)
    names = ", ".join(n for n, _ in high[:4])
    agree = progress.moved() + ("; the training loss ended above the validation loss" if above_val else "")
    return _finding("stalled", f"Dropout({rate:g}) drops {rate:.0%} of the units at every training step ({names}): "
                    f"the network keeps only {1 - rate:.0%} of itself, and {agree}",
                    "the rate is the share of units dropped, not kept (TF1's keep_prob=0.9 is Dropout(0.1)); with "
                    "most units dropped the training network is too weak to fit and its loss stays high",
                    [f"Use Dropout({round(1 - rate, 2):g}) (the share to drop), or a typical 0.1-0.5."],
                    "dropout", progress, dropout=dict(high))


def torch_dropout_finding(model: Any, losses: list[float], step: float) -> Finding | None:
    """dropout_finding for a torch model at the end of a watched run: its dropout modules' rates against how far
    the per-step training loss fell (the mean of its first and last tenth)."""
    rates = [(name, float(p)) for name, m in model.named_modules()
             if "Dropout" in type(m).__name__ and isinstance(p := getattr(m, "p", None), (int, float))]
    if not rates or max(r for _, r in rates) < DROPOUT_HIGH:
        return None
    finite = [v for v in losses if math.isfinite(v)]
    if len(finite) < 20:
        return None
    k = max(3, len(finite) // 10)
    progress = RunProgress(first_loss=sum(finite[:k]) / k, last_loss=sum(finite[-k:]) / k)
    f = dropout_finding(TrainConfig("torch", dropout=rates), progress)
    if f is not None:
        f.steps = [step]
        f.fixes = [fx.replace("Dropout(", "nn.Dropout(p=") for fx in f.fixes]
    return f


def bottleneck_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """A hidden layer narrower than the classes it must carry (a one-unit code in a 5-class classifier)."""
    k = cfg.classes
    if not k or k < 3 or not cfg.hidden_widths or not progress.poor_fit():
        return None
    narrow = [(name, w) for name, w in cfg.hidden_widths if w == 1 or w < NARROW_SHARE * k]
    if not narrow:
        return None
    name, w = min(narrow, key=lambda t: t[1])
    return _finding("stalled", f"hidden layer {name} has {w} unit(s) for {k} classes: every class must pass through "
                    f"a bottleneck that narrow, and {progress.moved()}",
                    "a layer narrower than the number of classes squeezes them onto a line (or a few numbers), so "
                    "the layers after it cannot separate them; a one-unit ReLU layer can also die and pass nothing",
                    [f"Widen {name}: at least as many units as classes (e.g. {max(16, k)}), or remove the bottleneck."],
                    "bottleneck", progress, layer=name, units=w, classes=k)


def momentum_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """Heavy-ball momentum of 0.99 or more on a run that did not improve (the judge: checks/momentum.py)."""
    from .momentum import high_momentum_finding

    fell = progress.fell
    unstable = fell is None and progress.last_loss is not None  # the loss became NaN/inf
    poorly = bool(unstable or (fell is not None and fell < BARELY_MOVED)
                  or progress.symptoms & {"divergence", "oscillation", "nonfinite", "exploding-gradients"})
    return high_momentum_finding(cfg.momentum, went_poorly=poorly, how_it_went=progress.moved(), fell=fell)


# Optimizers whose accumulated squared gradients shrink every later step, and whose Keras default rate (0.001)
# lies far below the rate they are used at (Adagrad 0.01-0.1, PyTorch's default 0.01; Adadelta 1.0, its paper's
# and PyTorch's default; Ftrl 0.05-0.1): at the default the weights barely move.
SLOW_DEFAULTS = {"Adagrad": "0.01 to 0.1", "Adadelta": "1.0", "Ftrl": "0.05 to 0.1"}


def default_rate_finding(cfg: TrainConfig, progress: RunProgress) -> Finding | None:
    """A decaying-step optimizer left at its class default rate (what compile(optimizer='adagrad') builds, or a
    configured optimizer object left unused) on a run that barely moved."""
    usual = SLOW_DEFAULTS.get(cfg.optimizer or "")
    if usual is None or cfg.lr is None or cfg.default_lr is None or not progress.barely_moved():
        return None
    if not math.isclose(cfg.lr, cfg.default_lr, rel_tol=1e-3):
        return None
    name = cfg.optimizer
    return _finding("stalled", f"{name} runs at its default learning_rate={cfg.lr:g} (what "
                    f"compile(optimizer='{name.lower()}') or {name}() builds), and {progress.moved()}",
                    f"{name} divides each step by the root of its accumulated squared gradients, so its steps shrink "
                    f"as training goes on; at the default rate of {cfg.lr:g}, far below the {usual} it is usually run "
                    "at, the weights barely move and the loss stays near where it started",
                    [f"Raise the learning rate: compile(optimizer=keras.optimizers.{name}(learning_rate=...)) with a "
                     f"rate of {usual}. If the script already builds a configured {name} object, pass that object to "
                     "compile(optimizer=...) instead of the name string (the string builds a fresh default one)."],
                    "optimizer-default-rate", progress, lr=cfg.lr, default_lr=cfg.default_lr, optimizer=name)


JUDGES = (schedule_finding, growing_schedule_finding, clip_finding, few_steps_finding, accumulation_finding, dropout_finding, bottleneck_finding,
          momentum_finding, default_rate_finding)


def config_findings(cfg: TrainConfig | None, progress: RunProgress) -> list[Finding]:
    """Every setting that is out of range for this run *and* agrees with how the run went."""
    if cfg is None:
        return []
    out = []
    for judge in JUDGES:
        try:
            f = judge(cfg, progress)
        except (TypeError, ValueError, ZeroDivisionError):
            f = None
        if f is not None:
            out.append(f)
    return out
