"""Read a Keras ``fit``'s whole training configuration at train begin, for checks/train_config.py.

Keras hands a callback the model (its layers, compiled optimizer and loss) and ``params``
(epochs, steps per epoch) before the first batch: enough to know the planned number of
optimizer steps, the learning-rate schedule over exactly those steps, the clipping thresholds,
the dropout rates and the hidden layers' widths. Reading them changes nothing: a schedule is
called on step numbers (a pure function), layers and optimizer are only inspected.
"""

from __future__ import annotations

import math
from typing import Any

from ...checks.train_config import GradNorms, Schedule, TrainConfig

SCHEDULE_POINTS = 64  # rates evaluated inside the run
BEYOND = 100  # and out to this many times the run, for the schedule's own peak


def _number(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        try:
            import keras

            v = float(keras.ops.convert_to_numpy(value))
        except Exception:
            return None
    return v if math.isfinite(v) else None


def _optimizer(model: Any) -> Any:
    opt = getattr(model, "optimizer", None)
    return getattr(opt, "inner_optimizer", None) or opt


def _rates(opt: Any) -> tuple[float | None, float | None]:
    """The optimizer's constant learning rate and its class's default one (the signature's; None: a schedule or
    unknown). Read from the config and the signature only: nothing is built or changed."""
    import inspect

    try:
        rate = opt.get_config().get("learning_rate")
        default = inspect.signature(type(opt).__init__).parameters["learning_rate"].default
    except Exception:
        return None, None
    rate, default = _number(rate), _number(default)
    return rate, default


def read_schedule(opt: Any, planned: int | None) -> Schedule | None:
    """The optimizer's learning-rate schedule over the planned steps and past them; None for a constant rate."""
    import keras

    sched = getattr(opt, "_learning_rate", None)
    if not isinstance(sched, keras.optimizers.schedules.LearningRateSchedule) or not planned:
        return None
    try:
        cfg = sched.get_config() or {}
    except Exception:
        cfg = {}
    inside = sorted({int(round(planned * i / SCHEDULE_POINTS)) for i in range(SCHEDULE_POINTS + 1)})
    named = [int(v) for k, v in cfg.items() if "step" in str(k) and isinstance(v, (int, float)) and 0 < v < 1e9]
    past = sorted({int(planned * BEYOND ** (i / 16)) for i in range(1, 17)} | {v for n in named for v in (n, n + 1)})

    def rate(step: int) -> float | None:
        return _number(sched(step))

    in_rates = [(s, rate(s)) for s in inside]
    in_rates = [(s, r) for s, r in in_rates if r is not None]
    all_rates = in_rates + [(s, r) for s, r in ((s, rate(s)) for s in past) if r is not None]
    if not in_rates:
        return None
    step, peak = max(all_rates, key=lambda t: t[1])
    warm = cfg.get("warmup_steps")
    settings = {str(k): float(v) for k, v in cfg.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return Schedule(type(sched).__name__, max(r for _, r in in_rates), peak, int(step),
                    int(warm) if isinstance(warm, (int, float)) and warm > 0 else None,
                    start=in_rates[0][1], end=in_rates[-1][1], settings=settings)


def _walk(layer: Any) -> list[Any]:
    """Every leaf layer of a (nested) Keras model, in order."""
    out = []
    for lay in getattr(layer, "layers", None) or []:
        out.extend(_walk(lay) if getattr(lay, "layers", None) else [lay])
    return out


def read_keras_config(model: Any, params: dict | None, batch_size: int | None = None) -> TrainConfig:
    """The training configuration of a compiled Keras model about to ``fit`` with ``params``."""
    from ...checks.model_view import BINARY_CE, loss_view, output_view

    params = params or {}
    epochs, per = params.get("epochs"), params.get("steps")
    opt = _optimizer(model)
    accumulate = getattr(opt, "gradient_accumulation_steps", None) or 1
    planned = int(epochs * per // accumulate) if isinstance(epochs, int) and isinstance(per, int) else None
    cfg = TrainConfig("keras", type(opt).__name__ if opt is not None else None, planned, per, epochs, batch_size)
    cfg.accumulate = int(accumulate) if isinstance(accumulate, int) and accumulate > 1 else 1
    if per and batch_size:
        cfg.samples = per * batch_size if per > 1 else batch_size
    if opt is not None:
        try:
            cfg.schedule = read_schedule(opt, planned)
        except Exception:
            cfg.schedule = None
        m = _number(getattr(opt, "momentum", None))
        cfg.momentum = m if m is not None and m > 0 else None
        cfg.lr, cfg.default_lr = _rates(opt)
        for key in ("clipnorm", "global_clipnorm", "clipvalue"):
            v = _number(getattr(opt, key, None))
            if v is not None and v > 0:
                cfg.clip[key] = v
    out = output_view(model)
    leaves = _walk(model)
    for lay in leaves:
        kind = type(lay).__name__
        rate = _number(getattr(lay, "rate", None)) if "Dropout" in kind else None
        if rate is not None:
            cfg.dropout.append((lay.name, rate))
        for attr in ("dropout", "recurrent_dropout"):  # recurrent layers carry their own rates
            r = getattr(lay, attr, None)
            if isinstance(r, float) and r > 0:
                cfg.dropout.append((f"{lay.name}.{attr}", r))
        units = getattr(lay, "units", None)
        if kind == "Dense" and isinstance(units, int) and (out is None or lay.name != out.layer):
            cfg.hidden_widths.append((lay.name, units))
    lv = loss_view(None, model)
    if out is not None and lv is not None and out.units:
        if lv.categorical and out.units >= 2:
            cfg.classes = out.units
        elif lv.kind == BINARY_CE and out.units == 1:
            cfg.classes = 2
    return cfg


def grad_norms(model: Any) -> GradNorms | None:
    """Sizes of the raw gradients now on the trainable weights (Keras clips copies, never ``.grad``)."""
    import torch

    norms, means = [], []
    total = 0.0
    for v in model.trainable_weights:
        g = getattr(getattr(v, "value", v), "grad", None)
        if not isinstance(g, torch.Tensor) or g.numel() == 0:
            continue
        g = g.detach().float()
        n = float(torch.linalg.vector_norm(g))
        norms.append(n)
        means.append(float(g.abs().mean()))
        total += n * n
    if not norms:
        return None
    norms.sort()
    means.sort()
    return GradNorms(math.sqrt(total), norms[len(norms) // 2], means[len(means) // 2])


def median_norms(samples: list[GradNorms]) -> GradNorms | None:
    if not samples:
        return None

    def med(values: list[float]) -> float:
        values = sorted(values)
        return values[len(values) // 2]

    return GradNorms(med([s.global_norm for s in samples]), med([s.median_var_norm for s in samples]),
                     med([s.median_abs for s in samples]))


def float16_layers(model: Any) -> list[str]:
    """The layers that compute in float16 (a mixed_float16 policy or dtype='float16')."""
    return [lay.name for lay in _walk(model) if str(getattr(lay, "compute_dtype", "")) == "float16"]
