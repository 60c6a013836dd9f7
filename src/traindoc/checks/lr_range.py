"""Learning-rate range test: raise the LR exponentially over a short run and watch the loss.

The loss falls fastest somewhere below the rate where it turns and blows up; a tenth of the
best-loss rate is a safe suggestion. If the user's own rate sits beyond the blow-up point the
check says so (``lr-too-high``), with the curve as evidence.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Iterable

from ..findings import Finding, Severity
from ._torch import OptimizerFactory, as_float, default_optimizer, forward, optimizer_lr, scratch, set_lr, sparkline, split_batch
from .result import Section


SPARK_WIDTH = 40
FELL = 0.9  # the smoothed loss must reach 90 % of its start for the curve to say anything
BASELINE = 20  # the first steps (LR near lr_min, too small to move the weights) give the start and its noise
NOISE_SIGMAS = 3.0  # the best smoothed loss must sit this many of the smoothing's standard errors below the start


def _bins(values: list[float], width: int) -> list[float]:
    """Averages over ``width`` bins (a non-finite value makes its bin non-finite)."""
    if len(values) <= width:
        return list(values)
    out = []
    for i in range(width):
        chunk = values[i * len(values) // width:(i + 1) * len(values) // width]
        out.append(sum(chunk) / len(chunk) if all(math.isfinite(v) for v in chunk) else math.nan)
    return out


def _baseline(raw: list[float], smoothing: float) -> tuple[float, float]:
    """The loss at the start (the mean over the first steps, whose rates are too small to move the
    weights) and the standard error the exponential smoothing leaves on a curve of such batches."""
    head = [v for v in raw[:BASELINE] if math.isfinite(v)]
    mean = sum(head) / len(head)
    sd = math.sqrt(sum((v - mean) ** 2 for v in head) / max(1, len(head) - 1))
    return mean, sd * math.sqrt((1 - smoothing) / (1 + smoothing))


def lr_range(model, batches: Iterable[Any], loss_fn: Callable, optimizer_factory: OptimizerFactory | None = None, *,
             lr_min: float = 1e-6, lr_max: float = 10.0, steps: int = 100, smoothing: float = 0.9) -> Section:
    """Sweep the LR from ``lr_min`` to ``lr_max`` on a copy of the model; stop once the loss explodes."""
    with scratch(model) as net:
        return _sweep(net, model, batches, loss_fn, optimizer_factory, lr_min, lr_max, steps, smoothing)


def _sweep(net: Any, model: Any, batches: Iterable[Any], loss_fn: Callable, optimizer_factory: OptimizerFactory | None,
           lr_min: float, lr_max: float, steps: int, smoothing: float) -> Section:
    factory = optimizer_factory or default_optimizer(1e-3)
    net.train()
    opt = factory(net.parameters())
    stream = itertools.cycle(list(itertools.islice(iter(batches), steps)))
    ratio = (lr_max / lr_min) ** (1.0 / max(1, steps - 1))
    lrs: list[float] = []
    raw: list[float] = []
    smooth: list[float] = []
    avg, best = 0.0, math.inf
    for i in range(steps):
        lr = lr_min * ratio ** i
        set_lr(opt, lr)
        x, y = split_batch(next(stream))
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(net, x), y)
        value = as_float(loss)
        lrs.append(lr)
        raw.append(value)
        if not math.isfinite(value):
            smooth.append(math.nan)
            break
        avg = smoothing * avg + (1 - smoothing) * value
        s = avg / (1 - smoothing ** (i + 1))
        smooth.append(s)
        best = min(best, s)
        if i > 5 and s > 4 * best:
            break
        loss.backward()
        opt.step()
    finite = [(lr, s) for lr, s in zip(lrs, smooth) if math.isfinite(s)]
    if len(finite) < 5:
        return Section("lr-range", None, "the loss was non-finite from the first steps: no usable curve",
                       data={"lrs": lrs, "losses": raw})
    if smooth[0] <= 0:
        # A loss below zero at the start (a sign flipped, a loss with no lower bound): "falls" and
        # "blows up" mean nothing, so no rate is judged.
        return Section("lr-range", None, "the loss was not positive at the start: the range test needs a loss "
                       "bounded below by 0", data={"lrs": lrs, "losses": raw, "fell": False, "suggested_lr": None})
    # The first smoothed points average one or two batches (the bias correction): a lucky first batch is
    # no minimum. The best is sought once the average spans its window.
    warm = int(round(1 / (1 - smoothing))) if len(finite) > 2 * round(1 / (1 - smoothing)) else 0
    best_lr, best_loss = min(finite[warm:], key=lambda p: p[1])
    # The steepest fall of the smoothed loss per decade of LR, before the best point.
    slopes = [((finite[i + 1][1] - finite[i][1]) / math.log10(finite[i + 1][0] / finite[i][0]), finite[i][0])
              for i in range(len(finite) - 1) if finite[i][0] < best_lr]
    steepest_lr = min(slopes)[1] if slopes else best_lr / 10
    suggested = best_lr / 10
    blew_up = len(smooth) < steps or not math.isfinite(smooth[-1])
    diverged_lr = lrs[-1] if blew_up else None
    # Still falling at the top of the sweep (a batch or two repeated is memorised at any rate): the
    # turn the "tenth of the best rate" rule needs never came, and a tenth of the sweep's end (1 with
    # Adam) is no advice. The steepest fall is what the curve does say.
    no_turn = not blew_up and best_lr >= lrs[-1] / 2 and bool(slopes)
    if no_turn:
        suggested = steepest_lr
    data = {"lrs": lrs, "losses": raw, "smoothed": smooth, "best_lr": best_lr, "best_loss": best_loss,
            "steepest_lr": steepest_lr, "suggested_lr": suggested, "diverged_at_lr": diverged_lr}
    start, noise = _baseline(raw, smoothing)
    lines = [f"lr {lrs[0]:.0e} .. {lrs[-1]:.0e}  {sparkline(_bins(smooth, SPARK_WIDTH), cap=4 * best_loss if best_loss > 0 else None)}",
             f"loss {start:.4g} -> min {best_loss:.4g} at lr {best_lr:.2g}"
             + (f"; blows up by lr {diverged_lr:.2g}" if diverged_lr else "")]
    # Batches differ in loss (a weighted loss on rare positives differs many-fold between batches): a
    # minimum that the smoothing's own noise explains is no fall, and the rate there says nothing.
    data["fell"] = best_loss <= min(FELL * start, start - NOISE_SIGMAS * noise)
    if not data["fell"]:
        # No rate made the loss fall: a suggestion would be noise, and so would a verdict on the user's rate.
        data["suggested_lr"] = None
        lines.append("the loss did not fall at any rate tried: fix the data or model first (see overfit-batch)")
        return Section("lr-range", None, "no learning rate made the loss fall", lines, data)
    lines.append(f"suggested lr {suggested:.2g} (the steepest fall; the loss never turned up by lr {lrs[-1]:.2g})"
                 if no_turn else f"suggested lr {suggested:.2g} (steepest fall near {steepest_lr:.2g})")
    findings: list[Finding] = []
    user_lr = optimizer_lr(optimizer_factory, model) if optimizer_factory is not None else None
    if user_lr is not None:
        data["your_lr"] = user_lr
        lines.append(f"your lr {user_lr:.2g}")
        limit = diverged_lr if diverged_lr is not None else math.inf
        if user_lr >= min(limit, 10 * best_lr):
            findings.append(Finding(
                id="lr-too-high", severity=Severity.WARNING,
                title=f"your learning rate {user_lr:.2g} is past where the loss stops falling ({best_lr:.2g})",
                evidence={"your_lr": user_lr, "best_lr": best_lr, "suggested_lr": suggested,
                          "diverged_at_lr": diverged_lr, "curve": {"lr": lrs, "smoothed_loss": smooth}},
                causes=["the learning rate is too high for this model and loss"],
                fixes=[f"use a learning rate near {suggested:.2g}", "or add warm-up if a high rate is needed later"]))
    ok = not findings
    return Section("lr-range", ok, f"suggested learning rate {suggested:.2g} (loss min at {best_lr:.2g})", lines, data,
                   findings)
