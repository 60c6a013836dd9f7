"""Rules on what the live probes measured inside the model (the second table of FINDINGS.md).

They read the LAYER_STAT series the watcher writes (``grad_norm/<layer>``,
``dead_frac/<module>``, ``input_mean``, ``target_majority_frac``…) and the total gradient
norm, so they judge a live run and a watcher log read from disk the same way. Series named
``check/<id>/<subject>`` record a model check the watcher ran; their rules turn them back
into findings when a log is diagnosed later.
"""

from __future__ import annotations

import math

import numpy as np

from ..findings import Finding, Mark, Severity
from ..run import Role, Run, Series
from ..checks.input_norm import EVAL_CAUSE, EVAL_FIX, INPUT_NORM_SERIES
from ..checks.token_targets import PER_POSITION_SERIES
from ..stats.input_scale import input_scale_reasons
from .registry import rule

FAMILY = "internals"


def _prefixed(run: Run, prefix: str) -> list[tuple[str, Series]]:
    """(subject, series) for LAYER_STAT series named ``prefix<subject>``, in the logged order."""
    return [(name[len(prefix):], s) for name, s in run.series.items()
            if name.startswith(prefix) and len(s) and s.role == Role.LAYER_STAT]


def _finite(s: Series) -> tuple[np.ndarray, np.ndarray]:
    m = s.finite
    return s.steps[m], s.values[m]


def _step(x: float) -> float:
    return float(x)


def _loss_nonfinite_from(run: Run) -> float | None:
    """The step from which the training loss stayed NaN/Inf to the end, if it did."""
    loss = run.primary(Role.TRAIN_LOSS)
    if loss is None or not len(loss) or np.isfinite(loss.values[-1]):
        return None
    ok = np.flatnonzero(np.isfinite(loss.values))
    i = int(ok[-1]) + 1 if ok.size else 0
    return float(loss.steps[i])


# --- dead units first: they are the cause of the gradient and scale symptoms below ---------

@rule("dead-relu", family=FAMILY, severity=Severity.WARNING,
      title="a large share of ReLU units never fire", needs=(Role.LAYER_STAT,))
def dead_relu(run: Run) -> list[Finding]:
    dead = {}
    nan_at = _loss_nonfinite_from(run)
    for n, s in _prefixed(run, "dead_frac/"):
        x, v = _finite(s)
        if v.size and v[-1] >= 0.5 and (v.size < 2 or v[-2] >= 0.4):
            if nan_at is not None and float(x[np.argmax(v >= 0.5)]) >= nan_at:
                continue  # NaN weights make every ReLU "never fire": a consequence `nonfinite` names
            dead[n] = (float(v[-1]), s)
    if not dead:
        return []
    worst = max(dead, key=lambda n: dead[n][0])
    s = dead[worst][1]
    _, first = _finite(s)
    # Alive at the first window and dead later: the units were killed by updates (too large a
    # step), not born dead (initialisation, biases, inputs). The evidence decides the order.
    died = first.size >= 2 and float(first[0]) < 0.2
    born_spare = not died and (_learned_well(run) or _fit_throughout(run))
    if dead[worst][0] < 0.9 and (_classified_well(run) or born_spare):
        return []  # units silent (or silenced) in a net that fit its data: spare capacity, not a failure
    causes = ["Large negative biases or pre-activations push units below zero for every input; they get no "
              "gradient and never recover.", "A learning rate spike knocked units into the dead region.",
              "Poor initialisation or unnormalised inputs."]
    fixes = ["Use LeakyReLU/GELU, or initialise biases to 0 (or small positive) with He initialisation.",
             "Lower the learning rate; normalise inputs; add normalisation before the ReLU."]
    high = None if died else _high_rate_setting(run)
    if high is not None:
        # Dead from the first window on, under a rate far above the usual: the first few updates do it.
        causes = [f"The learning rate is too high: {high}; the first large updates push the units' "
                  "pre-activations below zero for every input, within the first window.", causes[0], causes[2]]
        fixes = ["Lower the learning rate (3-10x), or add warm-up and gradient clipping.", fixes[0]]
    if died:
        causes = [f"The learning rate is too high: these units fired at step {int(s.steps[0])} "
                  f"({float(first[0]):.0%} dead then) and were knocked into the dead region by later updates.",
                  causes[0], causes[2]]
        fixes = ["Lower the learning rate (3-10x), or add warm-up and gradient clipping.",
                 "Use LeakyReLU/GELU; add normalisation before the ReLU."]
    return [Finding(
        "dead-relu", Severity.WARNING,
        f"{dead[worst][0]:.0%} of the units of {_layer_label(worst)} never fired over the last window"
        + (f" ({len(dead)} modules affected)" if len(dead) > 1 else "")
        + (f", though {1 - float(first[0]):.0%} fired at the first window" if died else ""),
        series=[f"dead_frac/{n}" for n in dead], steps=[_step(s.steps[0]), _step(s.steps[-1])],
        evidence={"subject": "model", "dead_share": {n: v for n, (v, _) in dead.items()},
                  "dead_at_first_window": float(first[0]), "died_during_training": died},
        causes=causes, fixes=fixes)]


HIGH_SGD_STEP = 2.0  # lr / (1 - momentum): twice the classic 0.1 with momentum 0.9
HIGH_ADAPTIVE_LR = 0.01  # ten times the usual 1e-3 of Adam-like optimisers


def recorded_optimizer(run: Run) -> tuple[str, object, float] | None:
    """(optimizer class name, lr, momentum) the watcher recorded in the run's header; None without a usable
    momentum (0 when the optimizer has none). The lr is as recorded: the rate when training began."""
    hp = run.meta.hparams if isinstance(run.meta.hparams, dict) else {}
    m = hp.get("momentum") or 0.0
    if not isinstance(m, (int, float)) or not 0 <= m < 1:
        return None
    return str(hp.get("optimizer", "")), hp.get("lr"), float(m)


def _high_rate_setting(run: Run) -> str | None:
    """The optimizer setting the watcher recorded (at the logged rate's peak), in words, when its step is far
    above the usual one.

    Units dead from the first window on are usually born dead (biases, initialisation, inputs), unless
    the rate is so large that the first few updates kill them before the first window closes: then the
    rate, which this run's own settings show, comes before the biases, which nothing here measured."""
    from ..checks.rate_range import USUAL_1E3

    rec = recorded_optimizer(run)
    if rec is None:
        return None
    name, lr, m = rec
    logged = run.primary(Role.LR)
    if logged is not None and np.isfinite(logged.values).any():
        lr = float(np.nanmax(logged.values))  # the peak a schedule reached; the header holds its starting value
    if not isinstance(lr, (int, float)) or not lr > 0:
        return None
    if name == "SGD" and lr / (1 - m) >= HIGH_SGD_STEP:
        return (f"SGD at lr {lr:g}" + (f" with momentum {m:g} (effective step lr / (1 - momentum) = "
                                        f"{lr / (1 - m):.3g}, against 1 for lr 0.1 with momentum 0.9)" if m else ""))
    if name in USUAL_1E3 and lr >= HIGH_ADAPTIVE_LR:
        return f"{name} at lr {lr:g}, {lr / 1e-3:.0f}x its usual 1e-3"
    return None


LEARNED = 0.1  # a training loss that ended at this share of its start (or less) fit the data


def _learned_well(run: Run) -> bool:
    """The training loss fell to a tenth of its start or less: the units that fire were enough.

    A small layer (16 units after a convolution) often has half its units silent on every input from
    the first window on; when the loss fell 90%+ they cost nothing the run needed."""
    from ._common import loss_curve

    c = loss_curve(run, Role.TRAIN_LOSS)
    return c is not None and c.head > 0 and 0 <= c.tail <= LEARNED * c.head


def _accuracy_errors(run: Run, roles: tuple) -> list[tuple[float, float]] | None:
    """(error at the first window, error at the last) of every accuracy logged under ``roles``; None when
    one is too short or out of [0, 1] (each window a tenth of the curve)."""
    from ._common import curve, normalised_metric

    out = []
    for s in [s for role in roles for s in run.by_role(role) if s.metric == "accuracy" and s.higher_is_better]:
        c = curve(s)
        if c.n < 3:
            return None
        y, _ = normalised_metric(c)
        if float(np.min(y)) < 0.0 or float(np.max(y)) > 1.0:
            return None
        k = max(1, c.n // 10)
        out.append((1.0 - float(np.median(y[:k])), 1.0 - float(np.median(y[-k:]))))
    return out


def _classified_well(run: Run) -> bool:
    """Every logged accuracy (training and validation) ended with a tenth of its starting error or less.

    The loss test above misses a classifier that is still sharpening its confidences: a run whose
    accuracy went from 0.5 to 1.0 on training and validation rows may have a loss only halfway down.
    Its error fell to a tenth of its start, the same bar as the loss's; units that died on the way
    cost nothing the task needed, so the learning rate that silenced them was not too high for it.
    """
    if not run.by_role(Role.TRAIN_METRIC) or not any(s.metric == "accuracy" and s.higher_is_better
                                                     for s in run.by_role(Role.TRAIN_METRIC)):
        return False
    errs = _accuracy_errors(run, (Role.TRAIN_METRIC, Role.VAL_METRIC))
    return bool(errs) and all(start > 0 and end <= LEARNED * start for start, end in errs)


FIT_ERROR = 0.05  # a training error this small from the first window to the last: the model fits its rows


def _fit_throughout(run: Run) -> bool:
    """Every training accuracy stayed within FIT_ERROR of 1 from its first window to its last.

    A run resumed from a checkpoint (or fine-tuning a fitted model) starts where the tests above
    measure progress from, so they cannot see it learned; units silent from the start of a run
    that classifies its training rows throughout cost nothing the task needed.
    """
    errs = _accuracy_errors(run, (Role.TRAIN_METRIC,))
    return bool(errs) and all(start <= FIT_ERROR and end <= FIT_ERROR for start, end in errs)


# --- gradients ---------------------------------------------------------------------------

@rule("exploding-gradients", family=FAMILY, severity=Severity.ERROR,
      title="gradient norms grow by orders of magnitude or spike far above their level")
def exploding_gradients(run: Run) -> list[Finding]:
    out: list[Finding] = []
    amp = run.series.get("amp_scale")
    if amp is not None and len(amp):
        # fp16 loss scaling: skipped steps with inf gradients are expected; a scale that keeps
        # falling means gradients overflow even unscaled.
        st, sv = _finite(amp)
        if sv.size and sv.min() < 1.0:
            i = int(np.argmax(sv < 1.0))
            out.append(Finding(
                "exploding-gradients", Severity.ERROR, f"the AMP loss scale collapsed to {sv.min():.3g}",
                series=["amp_scale"], steps=[_step(st[0]), _step(st[i])],
                evidence={"subject": "amp_scale", "scale_max": float(sv.max()), "scale_min": float(sv.min()),
                          "first_below_1": _step(st[i])},
                causes=["Gradients overflow float16 even without loss scaling: the learning rate is too high or "
                        "the model diverges.", "An operation overflows in fp16 (large activations, exp)."],
                fixes=["Lower the learning rate; add gradient clipping after scaler.unscale_().",
                       "Train in bfloat16 (same range as float32) instead of float16."]))
    g = run.series.get("grad_norm") or run.primary(Role.GRAD_NORM)
    if g is None or len(g) < 3:
        return out
    name = g.name
    bad = ~g.finite
    if bad.any() and amp is None and _nan_came_first(run, g):
        return out  # the loss was already NaN/Inf at that step: a NaN, not an explosion (see nonfinite-origin)
    if bad.any() and amp is None and g.finite[int(np.argmax(bad)):].any() and bad.mean() < 0.1:
        bad = np.zeros_like(bad)  # isolated overflow steps that recover: the fp16 loss-scaler pattern
    if bad.any() and amp is None:
        first = g.steps[np.argmax(bad)]
        out.append(Finding(
            "exploding-gradients", Severity.ERROR, f"the gradient norm became non-finite at step {first:g}",
            series=[name], steps=[_step(first), _step(g.steps[-1])],
            evidence={"subject": name, "first_nonfinite_step": _step(first), "nonfinite_points": int(bad.sum()),
                      "last_finite": float(g.values[g.finite][-1]) if g.finite.any() else None},
            causes=_EXPLODE_CAUSES, fixes=_EXPLODE_FIXES, marks=[Mark("point", name, float(first), label="non-finite")]))
        return out
    st, sv = _finite(g)
    if sv.size < 3:
        return out
    k = max(2, sv.size // 10)
    base = float(np.median(sv[:k]))
    peak_i = int(np.argmax(sv))
    peak = float(sv[peak_i])
    if base > 0 and peak / base >= 1e3 and peak_i >= k:
        out.append(Finding(
            "exploding-gradients", Severity.ERROR,
            f"the gradient norm grew {peak / base:.2g}x, from {base:.3g} to {peak:.3g}",
            series=[name], steps=[_step(st[0]), _step(st[peak_i])],
            evidence={"subject": name, "start_level": base, "peak": peak, "peak_step": _step(st[peak_i]),
                      "growth": peak / base},
            causes=_EXPLODE_CAUSES, fixes=_EXPLODE_FIXES,
            marks=[Mark("point", name, float(st[peak_i]), label="peak")]))
        return out
    # Spikes: a point far above the running median of the points before it.
    if sv.size < 8:
        return out
    levels = {i: float(np.median(sv[max(0, i - 20):i])) for i in range(5, sv.size)}
    hits = [i for i, lv in levels.items() if lv > 0 and sv[i] >= 100 * lv]
    if not hits:
        return out
    i, level = hits[0], levels[hits[0]]
    # On the run's own scale: a norm that fell 1000x while converging and jumps for one step to
    # about what it was in the first steps (a LoRA run memorising 60 examples), then straight back
    # down, is one hard batch (info, worth a look), not an explosion.
    isolated = len(hits) == 1 and i + 1 < sv.size and sv[i + 1] < 10 * level and sv[i] <= 3 * float(np.max(sv[:k]))
    f = Finding(
        "exploding-gradients", Severity.INFO if isolated else Severity.WARNING,
        f"a gradient spike {sv[i] / level:.3g}x above its running level at step {st[i]:g}"
        + (" (one step, back at the next)" if isolated else ""),
        series=[name], steps=[_step(st[i]), _step(st[i])],
        evidence={"subject": name, "spike": float(sv[i]), "running_level": level, "ratio": float(sv[i] / level),
                  "spikes": len(hits), "start_level_max": float(np.max(sv[:k]))},
        causes=["A batch with extreme values or labels; a learning rate at the edge of stability."],
        fixes=["Clip the gradient norm (torch.nn.utils.clip_grad_norm_) and check the batch at that step.",
               "Lower the learning rate or add warm-up."],
        marks=[Mark("point", name, float(st[i]), label="spike")])
    if isolated:
        f.verdict = "worth a look"
        f.verdict_reason = ("one step, no higher than the norm was at the start, and back at its level at the next "
                            "step: usually a hard batch; it matters only if it recurs")
    out.append(f)
    return out


def _nan_came_first(run: Run, g: Series) -> bool:
    """True when the gradient norm stayed at its level until it went non-finite, and the loss
    was non-finite by that step already: the NaN came from the data or an operation."""
    first_bad = float(g.steps[np.argmax(~g.finite)])
    before = g.values[(g.steps < first_bad) & g.finite]
    if before.size:
        base = float(np.median(before[: max(2, before.size // 10)]))
        if base > 0 and float(before.max()) > 10 * base:
            return False  # it was growing: that is an explosion
    loss = run.primary(Role.TRAIN_LOSS)
    if loss is None or loss.finite.all():
        return False
    return float(loss.steps[np.argmax(~loss.finite)]) <= first_bad


_EXPLODE_CAUSES = ["Learning rate too high for this model and batch size.",
                   "Poor initialisation (weights too large) or no normalisation in a deep net.",
                   "A data problem: unnormalised inputs or corrupt samples producing huge losses."]
_EXPLODE_FIXES = ["Lower the learning rate (bisect between 1e-1 and 1e-4); add warm-up.",
                  "Clip gradients (clip_grad_norm_ to ~1.0) — but also fix the cause, clipping can hide it.",
                  "Normalise the inputs; use He/Xavier initialisation; add normalisation layers."]


def _layer_label(name: str) -> str:
    """'layer 3' for a bare index (nn.Sequential children), so a title never reads 'units of 3' or '(0: 0)'."""
    return f"layer {name}" if name.replace(".", "").isdigit() else name


VANISH = 1e-3  # the first layer's gradient this share of the last layer's: vanished, whatever the depth
STEADY_LAYERS = 6  # a stack of at least this many layers ...
STEADY_RATIO = 1e-2  # ... whose first-layer gradient is below this share of the last layer's ...
STEADY_FACTOR = 0.75  # ... shrinking by this factor or less per layer on average ...
STEADY_SHARE = 0.8  # ... with the gradient growing towards the output at this share of the steps between layers


def _steady_decay(meds: list[float]) -> tuple[bool, float]:
    """(the gradient shrinks layer after layer towards the input, the mean per-layer factor).

    A 1000x gap between the first and the last layer is vanishing at any depth; a deep stack shows it
    earlier as a geometric decay: every saturating layer (or every layer left at an init too small for
    its depth) multiplies the backward signal by the same factor below 1, so twelve layers at 0.6 leave
    the first one 1/400 of the last. A steady decay is told from the uneven per-layer norms of a healthy
    network (embeddings, attention blocks, norms) by its direction at nearly every step between layers;
    the output layer, whose gradient is the loss's own, is left out of that count.
    """
    first, last = meds[0], meds[-1]
    if len(meds) < STEADY_LAYERS or first <= 0 or last <= 0:
        return False, float("nan")
    factor = (first / last) ** (1.0 / (len(meds) - 1))
    body = meds[:-1]
    ups = sum(1 for a, b in zip(body, body[1:]) if b > a) / max(1, len(body) - 1)
    return first / last < STEADY_RATIO and factor <= STEADY_FACTOR and ups >= STEADY_SHARE, factor


SQUASHING_LAYERS = 3  # hidden sigmoid/tanh layers that make a deep squashing stack
UNSATURATED = 0.5  # their median share of outputs at the flat ends: below it the slope, not saturation, shrinks


def _squashing_stack(run: Run) -> int:
    """How many hidden sigmoid/tanh layers the run measured (their saturation series), when there are at least
    SQUASHING_LAYERS and they are mostly not saturated (0 otherwise): then a steady gradient decay is their slope
    (a sigmoid's is at most 1/4 everywhere), not weights or inputs too large, which saturated-activation names."""
    shares = [float(np.nanmedian(s.values)) for _, s in _prefixed(run, "sat_frac/") if np.isfinite(s.values).any()]
    if len(shares) < SQUASHING_LAYERS or float(np.median(shares)) >= UNSATURATED:
        return 0
    return len(shares)


@rule("vanishing-gradients", family=FAMILY, severity=Severity.WARNING,
      title="the first layers' gradients are orders of magnitude below the last layers'",
      needs=(Role.LAYER_STAT,))
def vanishing_gradients(run: Run) -> list[Finding]:
    layers = [(n, s) for n, s in _prefixed(run, "grad_norm/")]
    if len(layers) < 3:
        return []
    meds = []
    for n, s in layers:
        _, v = _finite(s)
        meds.append((n, float(np.median(v)) if v.size else float("nan")))
    meds = [(n, m) for n, m in meds if math.isfinite(m)]
    if len(meds) < 3:
        return []
    first_n, first = meds[0]
    last_n, last = meds[-1]
    if last <= 1e-10:
        return []
    ratio = first / last
    steady, factor = _steady_decay([m for _, m in meds])
    if ratio >= VANISH and not steady:
        return []
    series = [f"grad_norm/{first_n}", f"grad_norm/{last_n}"]
    s0 = layers[0][1]
    how = f", shrinking about {factor:.2g}x per layer over {len(meds)} layers" if steady else ""
    slope = steady and _squashing_stack(run)
    if slope:
        how += f" through {slope} sigmoid/tanh hidden layers that are not saturated (the slope of each, at most "\
               "1/4 for a sigmoid, shrinks the gradient)"
    return [Finding(
        "vanishing-gradients", Severity.WARNING,
        (f"the first layer's gradient ({_layer_label(first_n)}: {first:.2g}) is {1 / ratio:.2g}x smaller than"
         if ratio > 0 else f"the first layer's gradient ({_layer_label(first_n)}) is zero, unlike")
        + f" the last layer's ({_layer_label(last_n)}: {last:.2g}){how}",
        series=series, steps=[_step(s0.steps[0]), _step(s0.steps[-1])],
        evidence={"subject": "model", "first_layer": first_n, "first_layer_grad": first, "last_layer": last_n,
                  "last_layer_grad": last, "ratio": ratio, "layers": len(meds),
                  # The activations' own slope is the mechanism: named as the cause of the stall it makes.
                  **({"cause": True, "squashing_layers": slope} if slope else {}),
                  "per_layer_factor": factor if steady else None,
                  "per_layer_median": {n: m for n, m in meds[:30]}},
        causes=["Saturating activations (sigmoid/tanh) in a deep stack: each layer multiplies the gradient by a "
                "derivative below 1 (at most 0.25 for a sigmoid).",
                "Initialisation too small for the depth (torch's default nn.Linear init keeps a third of the "
                "variance per layer).",
                "No residual connections or normalisation in a deep network."],
        fixes=["Use ReLU instead of sigmoid or tanh in the hidden layers (GELU works too), with He initialisation "
               "(torch: nn.init.kaiming_normal_; Keras: kernel_initializer='he_normal')."
               + (" Here the hidden layers' own slope is what shrinks the gradient: replace the sigmoid activations."
                  if slope else ""),
               "Keeping tanh: use Xavier/Glorot initialisation with the tanh gain (nn.init.xavier_normal_(w, "
               "gain=nn.init.calculate_gain('tanh')); Keras: 'glorot_normal').",
               "Add normalisation layers or residual connections."])]


LOW_IN_FLAT_RUN = 1e-4  # a tenth of the healthy ~1e-3: too small when the run's own loss shows it barely moved
FLAT_SHARE = 0.75  # the training loss ended at this share of its start or above: it fell by less than a quarter


def _loss_barely_fell(run: Run) -> bool:
    """The training loss ended at 3/4 of its start or above (it fell by less than a quarter).

    A small update ratio is not wrong by itself (fine-tuning, the end of a decayed schedule); in a run whose
    loss did not move it is the evidence that the steps were too small for this run. The same bar as the
    Keras configuration checks' "the training loss fell by less than a quarter" (checks/train_config.py)."""
    from ._common import loss_curve

    c = loss_curve(run, Role.TRAIN_LOSS)
    return c is not None and c.head > 0 and math.isfinite(c.tail) and c.tail >= FLAT_SHARE * c.head


WEIGHTS_STILL = 0.01  # every layer's weight norm changed by less than this share from first to last reading


def _rate_held_back(run: Run, meds: dict[str, float], measured: int) -> bool:
    """Small steps that the learning rate explains, in a run they held back.

    Three facts of this run, each ruling out another reason for small steps: the loss barely fell (the
    small steps mattered); every layer's median step is under 1e-4 of its weights and every layer has
    one (gradients that vanish with depth or units that died leave some layers far apart or without any
    update, a rate scales them all alike); and no layer's weight norm changed by 1% over the run
    (weights blown up by too large a rate also show small ratios afterwards, but their norms moved)."""
    if not meds or len(meds) < measured or max(meds.values()) >= LOW_IN_FLAT_RUN or not _loss_barely_fell(run):
        return False
    for n in meds:
        w = run.series.get(f"weight_norm/{n}")
        if w is None or len(w) < 2:
            return False
        first, last = float(w.values[0]), float(w.values[-1])
        if not (math.isfinite(first) and math.isfinite(last) and first > 0) or abs(last - first) >= WEIGHTS_STILL * first:
            return False
    return True


@rule("update-ratio", family=FAMILY, severity=Severity.WARNING,
      title="the step size relative to the weights is far from ~1e-3", needs=(Role.LAYER_STAT,))
def update_ratio(run: Run) -> list[Finding]:
    layers = _prefixed(run, "update_ratio/")
    meds: dict[str, float] = {}
    for n, s in layers:
        _, v = _finite(s)
        v = v[v > 0]
        if v.size >= 5:
            # The later half: Adam's first steps are full-size by construction (bias correction).
            meds[n] = float(np.median(v[v.size // 2:]))
    if len(meds) < 1:
        return []
    high = {n: m for n, m in meds.items() if m > 1e-1}
    flat = _rate_held_back(run, meds, len(layers))
    low = {n: m for n, m in meds.items() if m < (LOW_IN_FLAT_RUN if flat else 1e-5)}
    slow = ("every layer's step is under 1e-4 of its weights (a tenth of the healthy ~1e-3 or less), no weight norm "
            "changed by 1% over the run and the training loss fell by less than a quarter: the steps are too small "
            "for this run (a rate that shrinks every layer alike, not gradients that vanish in some)" if flat else
            "each step changes the weights by less than 1e-5 of their size: training barely moves")
    out = []
    for group, label, why, fixes in (
        (high, "high", "each step changes the weights by more than 10% of their size: the learning rate is too high",
         ["Lower the learning rate by 10x and compare.", "Add warm-up; check weight decay and gradient clipping."]),
        (low, "low", slow,
         ["Raise the learning rate (an LR range test finds the usable band).",
          "Check the schedule: the LR may have decayed to almost zero."]),
    ):
        if group and len(group) * 2 >= len(meds):
            worst = max(group, key=group.get) if label == "high" else min(group, key=group.get)
            s = run.series[f"update_ratio/{worst}"]
            out.append(Finding(
                "update-ratio", Severity.WARNING,
                f"update-to-weight ratio {label}: median {group[worst]:.2g} in {worst} "
                f"({len(group)} of {len(meds)} layers), a healthy level is ~1e-3",
                series=[f"update_ratio/{n}" for n in list(group)[:10]], steps=[_step(s.steps[0]), _step(s.steps[-1])],
                evidence={"subject": label, "layers": dict(list(group.items())[:20]), "healthy": 1e-3},
                causes=[why], fixes=fixes))
    return out


# --- activations -------------------------------------------------------------------------

@rule("saturated-activation", family=FAMILY, severity=Severity.WARNING,
      title="sigmoid/tanh units sit at their flat ends", needs=(Role.LAYER_STAT,))
def saturated_activation(run: Run) -> list[Finding]:
    sat = {}
    for n, s in _prefixed(run, "sat_frac/"):
        _, v = _finite(s)
        if v.size and float(np.median(v[-3:])) >= 0.5:
            sat[n] = (float(np.median(v[-3:])), s)
    if not sat:
        return []
    worst = max(sat, key=lambda n: sat[n][0])
    s = sat[worst][1]
    causes = ["Pre-activations are too large: weights initialised too big or inputs not normalised.",
              "Sigmoid/tanh in hidden layers of a deep network (their derivative is ~0 at the ends)."]
    fixes = ["Use Xavier/Glorot initialisation for sigmoid/tanh; normalise the inputs.",
             "Prefer ReLU-family activations in hidden layers; add normalisation layers."]
    high = _high_rate_setting(run)
    if high is not None:
        # A rate far above the usual throws the weights, and with them the pre-activations, to sizes no
        # initialisation gives: the rate this run's settings show comes before the init nothing measured.
        causes.insert(0, f"The learning rate is too high: {high}; large updates grow the weights until the "
                         "pre-activations sit at the flat ends.")
        fixes.insert(0, "Lower the learning rate (3-10x), or add warm-up and gradient clipping.")
    return [Finding(
        "saturated-activation", Severity.WARNING,
        f"{sat[worst][0]:.0%} of the outputs of {worst} sit at the flat ends of the activation",
        series=[f"sat_frac/{n}" for n in sat], steps=[_step(s.steps[0]), _step(s.steps[-1])],
        evidence={"subject": "model", "saturated_share": {n: v for n, (v, _) in sat.items()}}
        | ({"recorded_rate": high} if high else {}), causes=causes, fixes=fixes)]


@rule("poor-initialization", family=FAMILY, severity=Severity.WARNING,
      title="activation scale collapses or blows up with depth at the first step", needs=(Role.LAYER_STAT,))
def poor_initialization(run: Run) -> list[Finding]:
    stds = _prefixed(run, "act_std/")
    if len(stds) < 4:
        return []
    first_step = min(s.steps[0] for _, s in stds)
    at0 = [(n, float(s.values[0])) for n, s in stds if s.steps[0] == first_step and math.isfinite(s.values[0])]
    if len(at0) < 4:
        return []
    # A layer whose output is exactly constant while a later layer's still varies is bypassed, not
    # collapsed: a residual branch initialised at zero (zero_init_residual) adds nothing at first by design.
    at0 = [(n, v) for i, (n, v) in enumerate(at0) if v > 0 or not any(w > 0 for _, w in at0[i + 1:])]
    if len(at0) < 4:
        return []
    hidden = at0[:-1]  # the output layer's scale follows the task, not the init
    first = hidden[0][1]
    deep_n, deep = hidden[-1]
    if first <= 0:
        return []
    ratio = deep / first
    if 1e-3 <= ratio <= 1e3:
        return []
    direction = "collapses" if ratio < 1 else "blows up"
    return [Finding(
        "poor-initialization", Severity.WARNING,
        f"activation scale {direction} with depth at the first step: std {first:.2g} in {hidden[0][0]} "
        f"-> {deep:.2g} in {deep_n}",
        series=[f"act_std/{hidden[0][0]}", f"act_std/{deep_n}"], steps=[_step(first_step)],
        evidence={"subject": "model", "ratio": ratio, "std_by_depth": dict(at0[:30])},
        causes=["Weights initialised too small (signal dies) or too large (signal explodes) for the depth."],
        fixes=["Use variance-scaling initialisation: He/Kaiming for ReLU, Xavier/Glorot (LeCun) for tanh/sigmoid; "
               "biases 0.", "Add normalisation layers (BatchNorm/LayerNorm)."])]


# --- data --------------------------------------------------------------------------------

BETWEEN_COLUMNS = 3.0  # overall std this many times the largest feature's own: 8/9 of the variance is offsets
SAME_ROWS = 1e-4  # the largest feature's std under this share of the overall: the rows are one row repeated


OFFSET_CAUSE = ("The statistics were taken over the wrong axis or the whole array: each row standardised across its "
                "features (x.mean(1), x.std(1)), or one mean and std for every feature, leaves each feature at its "
                "own offset with almost no spread around it.")
OFFSET_FIX = ("Standardise each feature across the rows: (x - x.mean(0)) / x.std(0) with the training rows' "
              "statistics (axis=0, a StandardScaler per column), the same transform at test time.")


def _offset_columns(run: Run, overall_std: float) -> str | None:
    """The inputs' spread is mostly the features' offsets from each other, in a run whose loss barely fell.

    The overall variance of the inputs is the features' own variance (within) plus the variance of their
    means (between). Inputs standardised per feature have every feature at mean 0, std 1: the overall std
    equals the features'. When it is 3x the largest feature's std or more, 8/9 of the variance is the
    features' means differing and each feature barely varies around its own: the features were scaled
    together (one mean and std for the whole array) or along the wrong axis (each row standardised across
    its features), not each feature on its own. A run whose loss barely fell is the evidence it matters."""
    top = run.series.get("input_channel_std_max")
    if top is None or not len(top) or not math.isfinite(overall_std) or overall_std <= 0:
        return None
    feature = float(np.nanmedian(top.values))
    if not feature > SAME_ROWS * overall_std or overall_std < BETWEEN_COLUMNS * feature or not _loss_barely_fell(run):
        return None  # (no feature varying at all is one row fed again and again, a loader bug, not a scaling one)
    return (f"each feature varies by {feature:.2g} at most around its own mean while the inputs as a whole spread "
            f"by {overall_std:.2g}: the features sit at different offsets (scaled as one array, or each row "
            "standardised across its features, not each feature across the rows)")


@rule("unnormalized-input", family=FAMILY, severity=Severity.WARNING,
      title="inputs are far from zero mean / unit scale, or span a huge range", needs=(Role.LAYER_STAT,))
def unnormalized_input(run: Run) -> list[Finding]:
    need = ("input_mean", "input_std", "input_min", "input_max")
    if not all(n in run.series for n in need):
        return []
    med = {n: float(np.nanmedian(run.series[n].values)) for n in need}
    lo, hi = float(np.nanmin(run.series["input_min"].values)), float(np.nanmax(run.series["input_max"].values))
    ratio_s = run.series.get("input_channel_scale_ratio")
    chan_ratio = float(np.nanmedian(ratio_s.values)) if ratio_s is not None and len(ratio_s) else 1.0
    # The same verdict as `traindoc check`'s data check (constant features are left out).
    reasons = input_scale_reasons(med["input_mean"], med["input_std"], lo, hi, chan_ratio)
    offsets = _offset_columns(run, med["input_std"])
    if offsets and not reasons:
        reasons = [offsets]
    norm = run.series.get(INPUT_NORM_SERIES)
    norm_state = float(norm.values[-1]) if norm is not None and len(norm) else None
    if not reasons or norm_state == 1.0:  # a first BatchNorm in train mode is the model's own input scaler
        return []
    s = run.series["input_mean"]
    if norm_state == 0.0:  # the input BatchNorm would scale them, but it was left in eval mode
        return [Finding(
            "unnormalized-input", Severity.WARNING,
            "inputs are not normalised: " + ", ".join(reasons) + " (the input BatchNorm is in eval mode)",
            series=list(need) + [INPUT_NORM_SERIES], steps=[_step(s.steps[0]), _step(s.steps[-1])],
            evidence={"subject": "inputs", "mean": med["input_mean"], "std": med["input_std"], "min": lo, "max": hi,
                      "input_norm": "eval-untouched", "cause": True},
            causes=[EVAL_CAUSE], fixes=[EVAL_FIX])]
    return [Finding(
        "unnormalized-input", Severity.WARNING, "inputs are not normalised: " + ", ".join(reasons),
        series=list(need), steps=[_step(s.steps[0]), _step(s.steps[-1])],
        evidence={"subject": "inputs", "mean": med["input_mean"], "std": med["input_std"], "min": lo, "max": hi,
                  "channel_scale_ratio": chan_ratio,
                  # Raw inputs are upstream of dead units and stalls: named as the cause (as the Keras data check does).
                  "cause": True},
        causes=([OFFSET_CAUSE] if reasons == [offsets] else []) + [
            "Raw features (pixel values 0-255, counts, prices) fed without standardisation: most networks "
            "assume inputs near 0 with unit scale.", "Features on very different scales dominate the gradient."],
        fixes=([OFFSET_FIX] if reasons == [offsets] else []) + [
            "Standardise each feature/channel (subtract the training mean, divide by the std) and apply the "
            "same transform at test time.", "Squash heavy-tailed inputs first (log1p, tanh(x/C)) then standardise."])]


def _labels_seen(run: Run) -> float:
    s = run.series.get("target_batch_size")
    return float(np.nansum(s.values)) if s is not None else 0.0


@rule("class-imbalance", family=FAMILY, severity=Severity.WARNING,
      title="the label distribution is heavily skewed", needs=(Role.LAYER_STAT,))
def class_imbalance(run: Run) -> list[Finding]:
    maj, mino, seen = (run.series.get(n) for n in ("target_majority_frac", "target_minority_frac", "target_classes_seen"))
    if maj is None or mino is None or seen is None or not len(maj) or _labels_seen(run) < 100:
        return []
    tokens = run.series.get(PER_POSITION_SERIES)
    if tokens is not None and len(tokens) and float(tokens.values[-1]) == 1.0:
        return []  # a language model's or tagger's tokens: skewed by nature (checks/token_targets.py)
    p_max, p_min, k = float(maj.values[-1]), float(mino.values[-1]), float(seen.values[-1])
    if k < 2 or p_min <= 0 or p_max / p_min < 10:
        return []
    return [Finding(
        "class-imbalance", Severity.WARNING,
        f"the most common class is {p_max / p_min:.3g}x more frequent than the rarest ({p_max:.1%} vs {p_min:.2%})",
        series=["target_majority_frac", "target_minority_frac"], steps=[_step(maj.steps[0]), _step(maj.steps[-1])],
        evidence={"subject": "targets", "majority_share": p_max, "minority_share": p_min, "classes_seen": int(k),
                  "labels_counted": int(_labels_seen(run))},
        causes=["The data set is skewed; the model can score well by predicting the majority class."],
        fixes=["Weight the loss by inverse class frequency, or resample (WeightedRandomSampler).",
               "Judge with class-balanced metrics (balanced accuracy, macro F1), not accuracy."])]


@rule("label-problem", family=FAMILY, severity=Severity.ERROR,
      title="labels out of range or constant", needs=(Role.LAYER_STAT,))
def label_problem(run: Run) -> list[Finding]:
    out = []
    oor = run.series.get("target_out_of_range")
    if oor is not None and len(oor) and np.nanmax(oor.values) > 0:
        i = int(np.argmax(oor.values > 0))
        out.append(Finding(
            "label-problem", Severity.ERROR,
            f"labels outside the model's classes in {int((oor.values > 0).sum())} of {len(oor)} sampled batches",
            series=["target_out_of_range"], steps=[_step(oor.steps[i]), _step(oor.steps[-1])],
            evidence={"subject": "out-of-range", "first_step": _step(oor.steps[i]),
                      "bad_labels_max_per_batch": float(np.nanmax(oor.values)),
                      "num_classes": run.meta.num_classes},
            causes=["Labels numbered from 1 instead of 0, or more classes in the data than model outputs.",
                    "Multi-class labels fed to a binary loss (BCE wants 0/1)."],
            fixes=["Map labels to 0..C-1 and set the output width to C.", "Check the label encoding of the data set."]))
    seen = run.series.get("target_classes_seen")
    if seen is not None and len(seen) >= 5 and float(seen.values[-1]) == 1 and _labels_seen(run) >= 100:
        out.append(Finding(
            "label-problem", Severity.ERROR, "every label seen so far is the same class",
            series=["target_classes_seen"], steps=[_step(seen.steps[0]), _step(seen.steps[-1])],
            evidence={"subject": "constant", "labels_counted": int(_labels_seen(run))},
            causes=["The labels column is constant (a loading bug, a wrong column, a filter)."],
            fixes=["Print a few batches of labels; check the data loader and the label column."]))
    from .input_drift import input_drift

    drift = input_drift(run)  # rows changed in place as they are read: they drift away from their labels
    if drift is not None:
        out.append(drift)
    return out


ONE_CLASS_SERIES = "target_single_class_steps"  # the watcher's every-step count (probes/watch.py records it)


@rule("unshuffled-data", family=FAMILY, severity=Severity.WARNING,
      title="batches hold one class each (data sorted by label)", needs=(Role.LAYER_STAT,))
def unshuffled_data(run: Run) -> list[Finding]:
    single = run.series.get("target_single_class_batch")
    expected = run.series.get("target_single_class_expected")
    seen = run.series.get("target_classes_seen")
    if single is None or expected is None or seen is None or len(single) < 5 or float(seen.values[-1]) < 2:
        return []
    every = run.series.get(ONE_CLASS_SERIES)  # every early step counted: sampled steps can alias with the epoch
    counted = every is not None and len(every) and math.isfinite(float(every.values[-1]))
    obs = float(every.values[-1]) if counted else float(np.nanmean(single.values))
    exp = float(expected.values[-1])
    if obs < 0.5 or obs < 5 * exp:
        return []
    return [Finding(
        "unshuffled-data", Severity.WARNING,
        f"{obs:.0%} of {'the batches of the first steps' if counted else 'sampled batches'} hold a single class "
        f"(about {exp:.1%} expected if shuffled)",
        series=["target_single_class_batch"], steps=[_step(single.steps[0]), _step(single.steps[-1])],
        evidence={"subject": "targets", "single_class_share": obs, "expected_if_shuffled": exp,
                  "classes_seen": int(seen.values[-1])},
        causes=["The data is sorted by label and the loader does not shuffle: each step pulls the model towards "
                "one class, and the loss zig-zags."],
        fixes=["Shuffle the training data every epoch (DataLoader(shuffle=True))."])]


# --- non-finite origin -------------------------------------------------------------------

_KIND = {1.0: "forward output", 2.0: "backward gradient", 3.0: "parameter", 4.0: "loss from finite outputs",
         5.0: "input batch"}


@rule("nonfinite-origin", family=FAMILY, severity=Severity.ERROR,
      title="the first module, parameter or gradient that produced NaN/Inf", needs=(Role.LAYER_STAT,))
def nonfinite_origin(run: Run) -> list[Finding]:
    out = []
    ranks = sorted(((int(n), s) for n, s in _prefixed(run, "nonfinite_rank/") if n.isdigit()),
                   key=lambda r: float(r[1].steps[0]))
    world = run.meta.hparams.get("world_size") if isinstance(run.meta.hparams, dict) else None
    for module, s in _prefixed(run, "nonfinite_origin/"):
        kind = _KIND.get(float(s.values[0]), "output")
        step = float(s.steps[0])
        if kind == _KIND[4.0]:
            grown = _overflow_origin(run, module, step, kind)
            if grown is None:
                grown = _loss_origin(module, step, _never_finite(run, step))
                if _learning_before(run, step):
                    # after a stretch of learning at a steady rate the undefined op is the cause, not the rate: the
                    # NaN symptoms (whose generic first cause is the rate) point at it, live and in the log alike
                    grown.evidence.update({"cause": True, "explains": ["nonfinite", "divergence", "stuck-at-chance",
                                                                       "loss-metric-mismatch"]})
            out.append(grown)
            continue
        if kind == _KIND[5.0]:  # the model was fed NaN/Inf: the data is the cause, not the rate or an operation
            out.append(Finding(
                "nonfinite-origin", Severity.ERROR, f"NaN/Inf first appeared in the input batch of {module} at step "
                f"{step:g}: the data held it before any layer ran",
                series=[f"nonfinite_origin/{module}"], steps=[step],
                evidence={"subject": module, "module": module, "kind": kind, "step": step, "cause": True,
                          "explains": ["nonfinite", "divergence", "loss-spikes", "lr-too-high", "exploding-gradients"]},
                causes=_ORIGIN_CAUSES[kind],
                fixes=["Find the rows with missing values: torch.isfinite(x).all(dim=1) on each batch (or "
                       "df.isna().any(axis=1) on the table), then drop them or fill them (df.dropna(), fillna, an "
                       "imputer fitted on the training rows) before training.",
                       "Check the preprocessing for a division by zero (a constant column standardised by its std of "
                       "0) or a log of 0 or of a negative value."]))
            continue
        grown = _overflow_origin(run, module, step, kind)
        if grown is not None:
            out.append(grown)
            continue
        causes = list(_ORIGIN_CAUSES.get(kind, _ORIGIN_CAUSES["forward output"]))
        fixes = ["Look at the operation inside this module: log/sqrt/division/exp need guards (clamp, eps).",
                 "Lower the learning rate if the weights blew up; check the batch at this step for bad values.",
                 "Re-run with torch.autograd.detect_anomaly() around this step for the exact operation."]
        evidence = {"subject": module, "module": module, "kind": kind, "step": step}
        if kind == "parameter" and _learning_before(run, step) and not _climbed_before(run, step):
            # The weights turned NaN at an update while the loss had been learning and did not climb: nothing blew
            # up first, so the update itself was undefined, between backward() and step().
            causes = [UNDEFINED_UPDATE_CAUSE] + causes
            fixes = [UNDEFINED_UPDATE_FIX, fixes[2]]
            evidence.update({"cause": True, "explains": ["nonfinite", "divergence", "stuck-at-chance"]})
        out.append(Finding(
            "nonfinite-origin", Severity.ERROR, f"NaN/Inf first appeared in {module} ({kind}) at step {step:g}",
            series=[f"nonfinite_origin/{module}"], steps=[step], evidence=evidence, causes=causes, fixes=fixes))
    backward = _backward_origin(run)
    if backward and (not out or all(f.evidence["kind"] == "parameter" and f.steps[0] > backward[0].steps[0]
                                    for f in out)):
        # A NaN gradient made in backward at a finite loss poisons the weights at the update:
        # the non-finite parameter seen at a later step is its consequence, not the origin.
        out = backward
    if ranks:
        first = float(ranks[0][1].steps[0])
        first_ranks = [r for r, s in ranks if float(s.steps[0]) == first]
        others = {r: float(s.steps[0]) for r, s in ranks if float(s.steps[0]) != first}
        n = f" of {world}" if isinstance(world, int) else ""
        who = "rank " + ", ".join(map(str, first_ranks)) if len(first_ranks) == 1 else "ranks " + ", ".join(map(str, first_ranks))
        title = f"the loss first became non-finite on {who}{n} at step {first:g}"
        if isinstance(world, int) and len(first_ranks) < world:
            title += " while the other ranks were still finite"
        out.append(Finding(
            "nonfinite-origin", Severity.ERROR, title,
            series=[f"nonfinite_rank/{r}" for r, _ in ranks], steps=[first],
            evidence={"subject": f"rank {first_ranks[0]}", "ranks": first_ranks, "step": first,
                      "later_ranks": others, "world_size": world},
            causes=["That rank's data shard holds a bad sample (NaN/Inf in the inputs, an impossible label).",
                    "A numerically unstable operation hit by that rank's batch; the all-reduce then spreads "
                    "the NaN to every rank."],
            fixes=["Check the samples that rank processed at that step (sampler seed, shard).",
                   "Guard unstable operations (eps, clamp); validate inputs in the data loader."]))
    return out


OVERFLOW_GROWTH = 1e6  # the last finite loss this many times its best: the run diverged into the overflow


def _overflow_origin(run: Run, series: str, step: float, kind: str) -> Finding | None:
    """The first NaN/Inf (in the loss from finite outputs, in a layer's output, in a weight) came
    after the loss had grown a millionfold over its best: nothing there made a NaN by a log(0), the
    numbers overflowed at the end of a divergence (a squared error of outputs near 1e19 is Inf in
    float32; an Inf loss gives Inf gradients, then NaN weights). The cause is what made it diverge:
    the step size (and a schedule that raised it, when the logged rate rose)."""
    t = run.primary(Role.TRAIN_LOSS)
    if t is None:
        return None
    x, y = _finite(t)
    keep = x < step
    x, y = x[keep], y[keep]
    if y.size < 5 or not np.all(y >= 0):
        return None
    best, last = float(np.min(y)), float(y[-1])
    if best <= 0 or last < OVERFLOW_GROWTH * best:
        return None
    lr = run.primary(Role.LR)
    rose = ""
    if lr is not None:
        lx, ly = _finite(lr)
        ly = ly[lx < step]
        if ly.size >= 2 and ly[0] > 0 and float(np.max(ly)) >= 3 * float(ly[0]):
            rose = f"; the learning rate had risen {float(np.max(ly)) / float(ly[0]):.3g}x, from {ly[0]:.3g} to {float(np.max(ly)):.3g}"
    what = ("the loss overflowed to NaN/Inf" if kind == _KIND[4.0] else
            f"NaN/Inf first appeared in {series} ({kind})")
    outputs = ", with the model's outputs still finite" if kind == _KIND[4.0] else ""
    return Finding(
        "nonfinite-origin", Severity.ERROR,
        f"{what} at step {step:g}: an overflow at the end of a divergence (the loss had grown to {last:.3g}, "
        f"{last / best:.2g}x its best, {best:.3g}{outputs}){rose}",
        series=[f"nonfinite_origin/{series}", t.name], steps=[step],
        evidence={"subject": "loss" if kind == _KIND[4.0] else series, "module": series,
                  "kind": f"{kind}, overflow after divergence", "step": step, "last_finite_loss": last,
                  "best_loss": best},
        causes=["The run diverged first: the learning rate is too high" + (" (the schedule raised it)" if rose else "")
                + ", the loss grew step after step until float32 overflowed; the NaN is the end of that, not a "
                "log(0) in the loss."],
        fixes=["Lower the learning rate (or cap the schedule's peak) and clip gradients; restart from a checkpoint "
               "before the loss began to climb."])


LEARNING_POINTS = 20  # finite loss points before the NaN that show a stretch of learning


UNDEFINED_UPDATE_CAUSE = ("The update itself was NaN: the loss had been learning and did not climb before the "
                          "weights turned non-finite, so nothing blew up; something between backward() and step() "
                          "divided by zero or multiplied 0 by Inf (hand-written gradient clipping or scaling by a "
                          "norm that is 0 on a batch, a custom optimizer's division, a zero learning-rate warm-up "
                          "factor inverted).")
UNDEFINED_UPDATE_FIX = ("Guard the code that changes gradients or weights between backward() and step(): divide by "
                        "(norm + 1e-6), or use torch.nn.utils.clip_grad_norm_ (it handles a zero norm); check "
                        "torch.isfinite on the gradients after that code.")


def _climbed_before(run: Run, step: float) -> bool:
    """The training loss's last finite point before ``step`` is more than twice the median of the tenth before it,
    or a layer's gradient norm last seen before it is a hundred times its own median (gradients exploding)."""
    def before(s: Series) -> np.ndarray:
        x, y = _finite(s)
        return y[x < step]

    t = run.primary(Role.TRAIN_LOSS)
    y = before(t) if t is not None else np.zeros(0)
    k = max(2, y.size // 10)
    if y.size >= 4 and float(y[-1]) > 2.0 * float(np.median(y[-k - 1:-1])):
        return True
    return any(g.size >= 4 and float(g[-1]) > 100.0 * float(np.median(g))
               for g in (before(s) for _, s in _prefixed(run, "grad_norm/")))


def _learning_before(run: Run, step: float) -> bool:
    """The training loss learned before ``step`` (its last finite tenth below its first, over LEARNING_POINTS
    points or more) while the logged rate never rose: a late NaN there is the loss's own, not the step size's."""
    t = run.primary(Role.TRAIN_LOSS)
    if t is None:
        return False
    x, y = _finite(t)
    y = y[x < step]
    if y.size < LEARNING_POINTS:
        return False
    k = max(2, y.size // 10)
    if not float(np.median(y[-k:])) < float(np.median(y[:k])):
        return False
    lr = run.primary(Role.LR)
    if lr is not None:
        lx, ly = _finite(lr)
        ly = ly[lx < step]
        if ly.size >= 2 and float(np.max(ly)) > 1.0001 * float(ly[0]):
            return False
    return True


def _never_finite(run: Run, step: float) -> bool:
    """No finite training loss was logged before ``step``: the loss was undefined from the start."""
    t = run.primary(Role.TRAIN_LOSS)
    if t is None:
        return False
    x, _ = _finite(t)
    return not bool(np.any(x < step))


def _loss_origin(series: str, step: float, first: bool = False) -> Finding:
    """The loss went NaN/Inf at a step whose model outputs were all finite: the loss made it.

    ``first``: no finite loss came before. An untrained model's outputs are small, so a sigmoid or
    softmax cannot have saturated to exactly 0 or 1 yet; a log taken of the raw outputs (a
    hand-written cross-entropy given logits, any of them negative) is NaN at once, and leads.
    """
    raw = ("The loss takes the log of values outside (0, 1) from the first step: a hand-written cross-entropy "
           "(-(y * log(p) + (1 - y) * log(1 - p))) given the raw outputs (logits, any real value) instead of "
           "probabilities; the log of a negative output is NaN.")
    saturated = ("The loss is undefined at these outputs: log of a probability of exactly 0 or 1 (a sigmoid or "
                 "softmax saturates in float32), a division by zero, sqrt of a negative.")
    logits = ("Compute the loss from logits with a loss that takes them (BCEWithLogitsLoss, "
              "F.cross_entropy) instead of log(sigmoid(...)) or log(softmax(...)); or clamp "
              "probabilities to [eps, 1 - eps] before the log.")
    fixes = [logits, "Add an eps to every log and division in a hand-written loss.",
             "Check the targets of the batch at this step for NaN/Inf or out-of-range values."]
    if first:
        fixes = ["Apply torch.sigmoid (or softmax) to the logits before the log in a hand-written loss, or "
                 "better, replace it with BCEWithLogitsLoss / F.cross_entropy on the raw logits."] + fixes
    return Finding(
        "nonfinite-origin", Severity.ERROR,
        f"the loss became NaN/Inf at step {step:g} while the model's outputs were finite: the loss computation "
        f"made it, not a layer" + (" (no finite loss before it)" if first else ""),
        series=[f"nonfinite_origin/{series}"], steps=[step],
        evidence={"subject": "loss", "module": "loss", "kind": "loss from finite outputs", "step": step},
        causes=([raw] if first else []) + [saturated,
                                           "The targets of that batch hold NaN/Inf or values outside the loss's domain."],
        fixes=fixes)


def _backward_origin(run: Run) -> list[Finding]:
    """Gradients that went non-finite while the loss was finite: the backward pass made the NaN.

    Backward runs from the output to the input, so the layers after the origin keep finite
    gradients and every layer before it is NaN/Inf: the origin lies between the last
    non-finite layer and the first finite one after it (layers in the model's order).
    """
    layers = _prefixed(run, "grad_norm/")
    loss = run.primary(Role.TRAIN_LOSS)
    if len(layers) < 2 or loss is None or "amp_scale" in run.series:
        return []  # with loss scaling, overflowing gradients on a finite loss are expected
    bad_steps = sorted({float(st) for _, s in layers for st, v in zip(s.steps, s.values) if not math.isfinite(v)})
    if not bad_steps:
        return []
    step = bad_steps[0]
    at = loss.values[loss.steps == step]
    if not at.size or not np.isfinite(at).all():
        return []  # the loss was already non-finite: not a backward origin
    state = []
    for name, s in layers:
        v = s.values[s.steps == step]
        state.append((name, bool(v.size) and not np.isfinite(v).all()))
    last_bad = max(i for i, (_, b) in enumerate(state) if b)
    if last_bad == len(state) - 1 or any(b for _, b in state[last_bad + 1:]):
        return []  # even the last layer is non-finite: the loss gradient itself, nothing to localise
    before, after = state[last_bad][0], state[last_bad + 1][0]
    return [Finding(
        "nonfinite-origin", Severity.ERROR,
        f"gradients became NaN/Inf in the backward pass at step {step:g}, between {before} and {after} "
        f"(the loss was finite)",
        series=[f"grad_norm/{before}", f"grad_norm/{after}"], steps=[step],
        evidence={"subject": f"backward:{before}", "kind": "backward gradient", "module": before,
                  "last_nonfinite_layer": before, "first_finite_layer_after": after, "step": step},
        causes=_ORIGIN_CAUSES["backward gradient"],
        fixes=["Look at the operations between these two layers: sqrt/pow/norm at 0, division, log need an "
               "epsilon or a clamp that keeps the gradient finite.",
               "Re-run with torch.autograd.detect_anomaly() around this step for the exact operation."])]


_ORIGIN_CAUSES = {
    "input batch": ["Missing values in the data (NaN rows read from a CSV, an empty cell), or preprocessing that made "
                    "them (a division by a zero std, a log of 0): the lowered learning rate or a clamp in the model "
                    "cannot help."],
    "forward output": ["An operation in this module overflowed or was undefined for its inputs (log of 0 or "
                       "a negative, sqrt of a negative, division by zero, exp of a large value)."],
    "backward gradient": ["The backward pass of this module is undefined at its inputs (sqrt or norm at 0, "
                          "pow with a fractional exponent at 0)."],
    "parameter": ["A weight of this module was already NaN/Inf: an earlier update blew up (learning rate too "
                  "high, exploding gradients)."],
}


# --- recorded model checks ---------------------------------------------------------------

_CHECK_TEXT = {
    "wrong-output-activation": ("an activation on the model output that does not fit the loss",
                                ["Remove the final activation or pick the loss that matches it."]),
    "double-softmax": ("softmax applied on the output before a loss that applies it again",
                       ["Remove the final softmax and pass logits to CrossEntropyLoss."]),
    "missing-bias": ("layers without a bias term", ["Keep bias=True unless a normalisation layer follows."]),
    "frozen-parameters": ("trainable parameters that never change",
                          ["Pass all trainable parameters to the optimiser; look for detach() on the path."]),
    "grad-not-zeroed": ("gradients accumulate across optimiser steps",
                        ["Call optimizer.zero_grad() once per step."]),
    "cannot-overfit-batch": ("the model could not drive one batch's loss near zero",
                             ["Check the labels, the loss and every reshape on one batch until it can overfit it."]),
}


# Checks that name the mechanism itself, as the live check marks them (evidence "cause").
_CAUSE_CHECKS = {"grad-not-zeroed"}


def _recorded(check_id: str):
    def func(run: Run) -> list[Finding]:
        from .model_checks import recorded_findings  # here, not at the top: model_checks imports this module

        title, fixes = _CHECK_TEXT[check_id]
        return recorded_findings(run, check_id, text=lambda subject: (f"{title} ({subject})", [], fixes),
                                 cause=check_id in _CAUSE_CHECKS)
    func.__name__ = f"recorded_{check_id.replace('-', '_')}"
    return func


def _grad_not_zeroed(run: Run) -> list[Finding]:
    """The stale-gradient check's record, else a gradient the probe saw grow as a running sum (checks/summed_grads.py)."""
    from ..checks.summed_grads import summed_gradients

    return _recorded("grad-not-zeroed")(run) or summed_gradients(run)


for _cid, _sev in (("wrong-output-activation", Severity.WARNING), ("double-softmax", Severity.WARNING),
                   ("missing-bias", Severity.INFO), ("frozen-parameters", Severity.WARNING),
                   ("grad-not-zeroed", Severity.ERROR), ("cannot-overfit-batch", Severity.ERROR)):
    _func = _grad_not_zeroed if _cid == "grad-not-zeroed" else _recorded(_cid)
    rule(_cid, family=FAMILY, severity=_sev, title=_CHECK_TEXT[_cid][0], needs=(Role.LAYER_STAT,))(_func)
