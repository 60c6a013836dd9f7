"""Zig-zags and one-evaluation spikes of a validation loss, judged by effect size.

A short per-epoch validation curve (8-30 evaluations) that jumps 3x up and back down hides
from noise-relative tests: its jumps *are* its noise. These helpers judge it with
``stats.excursions`` instead: a peak counts when the loss went up by a factor from the bottom
before it AND back down by that factor after it, AND both moves are a tenth or more of the
run's own loss scale (where its losses started). On the real-log dev split no healthy run has a
single such excursion of 1.5x; every zig-zag and spike case has one or more.

- a zig-zag: three or more 1.5x excursions within ten consecutive evaluations (up, down, up,
  down...), with a typical move of 2x or more between neighbouring evaluations over that
  stretch (the "2-10x between epochs" a person sees; 25% evaluation noise moves about 1.3x):
  `oscillation`, worth a look;
- a spike: a 2x excursion; one or two that stay below where the curve started are normal (a
  small validation set, a hard checkpoint), one above the start (all progress lost for an
  evaluation) or three or more through the run are worth a look, and four or more are a
  warning.
"""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats.excursions import Excursion, humps, large_excursions
from ._common import Curve, curve, fmt, make, per_curve, unit

ZIGZAG_RATIO = 1.5  # up by half again and back down, each time
ZIGZAG_COUNT = 3  # ... three times ...
ZIGZAG_WINDOW = 10  # ... within ten evaluations
ZIGZAG_MOVE = 2.0  # ... moving 2x or more between neighbouring evaluations, typically
SPIKE_RATIO = 2.0  # a spike at least doubles and at least halves again
SHARE = 0.1  # of the run's loss scale, each way
REPEATED = 3  # spikes through a run: repeated
# ... and a warning when one more than that. Calibrated on the real-log dev split, rounds 1-33 and the
# shared corpus: a healthy run's validation curve has at most two such spikes (2 of the 10 healthy curves
# with any have two), the problem curves at warning have five to nine. The boundary
# sits in that gap, two above the healthy runs' most: three is worth a look, not yet an alarm.
WARN_SPIKES = REPEATED + 1
HUMP_WIDTH = 4  # a spike with a wiggle in it: at most this many evaluations above its base ...
HUMP_MAX_EVALS = 30  # ... judged on short curves only, and reported at info


LONE_FIRST = 10.0  # a first evaluation this many times the second ...
ABOVE_TRAINING = 5.0  # ... and this many times where training started is a broken first evaluation


def run_scale(run: Run, c: Curve) -> float:
    """How high the run's losses started: the plot's scale, against which a jump is visible.

    A first evaluation that stands alone, ten times the second and five times where training
    started (a Keras model evaluated after its first epoch with batch-norm statistics not yet
    settled: 8.3 where training started at 0.4, then 0.2), is a broken evaluation, not the level
    the run started from: the curve's scale is then taken from its second evaluation on.
    """
    levels = [float(c.y[0]), float(c.head)]
    train: list[float] = []
    t = run.primary(Role.TRAIN_LOSS)
    if t is not None and t is not c.series:
        tc = curve(t)
        if tc.n:
            train = [v for v in (float(tc.y[0]), float(tc.head)) if np.isfinite(v)]
    if train and c.n >= 4 and float(c.y[1]) > 0 and c.y[0] >= LONE_FIRST * c.y[1] \
            and c.y[0] >= ABOVE_TRAINING * max(train):
        levels = [float(c.y[1]), float(np.median(c.y[1:4]))]
    return max(v for v in levels + train if np.isfinite(v))


@per_curve
def _excursions(c: Curve, scale: float, ratio: float) -> list[Excursion]:
    return large_excursions(c.x, c.y, scale, ratio, SHARE)


def zigzag_of(c: Curve, scale: float) -> dict | None:
    """Three or more 1.5x excursions within ten consecutive evaluations."""
    if c.n < 8 or not np.all(c.y > 0):
        return None
    ex = _excursions(c, scale, ZIGZAG_RATIO)
    if len(ex) < ZIGZAG_COUNT:
        return None
    ly = np.log(c.y)
    inside, move = [], 0.0
    for first in ex:
        win = [e for e in ex if first.index <= e.index < first.index + ZIGZAG_WINDOW]
        if len(win) < max(ZIGZAG_COUNT, len(inside)):
            continue
        # Over that stretch the typical move between neighbouring evaluations is 2x or more: a
        # validation set with 25% noise per evaluation throws up a few 1.5x peaks by chance, but
        # its typical move stays near 1.3x.
        lo, hi = max(0, win[0].index - 1), min(c.n, win[-1].index + 2)
        m = float(np.median(np.abs(np.diff(ly[lo:hi]))))
        if m >= np.log(ZIGZAG_MOVE) and (len(win) > len(inside) or m > move):
            inside, move = win, m
    if not inside or _settled_after(ly, ex, inside):
        return None
    return {"excursions": [{"step": e.step, "peak": e.peak, "from": e.left, "to": e.right, "ratio": round(e.ratio, 3)}
                           for e in inside],
            "count": len(inside), "window_evaluations": ZIGZAG_WINDOW,
            "typical_move": round(float(np.exp(move)), 3), "from_step": inside[0].step,
            "to_step": inside[-1].step, "largest_ratio": round(max(e.ratio for e in inside), 3),
            "run_scale": scale, "min_ratio": ZIGZAG_RATIO, "min_share_of_scale": SHARE}


SETTLED_MOVE = 1.2  # after a zig-zag: neighbouring evaluations typically within 20% of each other ...
SETTLED_MIN = 5  # ... for five evaluations at least, and a third of the run


def _settled_after(ly: np.ndarray, ex: list[Excursion], inside: list[Excursion]) -> bool:
    """The zig-zag is over: through the run's last third at least (five evaluations or more) the
    curve has had no 1.5x excursion, its typical move is evaluation noise (under 1.2x), and it ends
    below where the zig-zag began. An oscillation is a standing state of the optimiser (a step too
    large for the valley); one that stopped a third of the run ago, the loss lower and steady since,
    has passed (the rate decayed or the weights left that region) and the model the run ends with
    behaves like a converged one."""
    first, last = inside[0].index, inside[-1].index
    if any(e.index > last for e in ex):
        return False
    calm = ly[last + 2:]  # from the evaluation after the one that came back down
    if calm.size < max(SETTLED_MIN, ly.size // 3):
        return False
    start_level = ly[max(0, first - 1)]
    return bool(np.median(np.abs(np.diff(calm))) < np.log(SETTLED_MOVE) and np.max(calm[-3:]) < start_level)


# Why an evaluation curve zig-zags, and what to do: shared by every zig-zag an evaluation shows
# (a validation loss here, a validation accuracy in ``accuracy_swings``).
EVAL_ZIGZAG_CAUSES = ("learning rate too high: each evaluation catches the weights at a different point of their "
                      "overshoot", "a tiny or unrepresentative validation set (each example moves the average a lot)",
                      "batch-norm statistics or dropout differing between train and eval mode", "momentum too high")
EVAL_ZIGZAG_FIXES = ("lower the learning rate (3-10x) or decay it", "use a larger validation set",
                     "check model.eval() / model.train() around the evaluation",
                     "keep the checkpoint with the best validation score rather than the last")


def zigzag_finding(c: Curve, z: dict):
    f = make("oscillation", f"{c.name} zig-zags: {z['count']} times within {z['window_evaluations']} evaluations "
             f"({unit(c)} {fmt(z['from_step'])}-{fmt(z['to_step'])}) it rose by x{ZIGZAG_RATIO:g} or more and fell "
             f"back as far (largest x{z['largest_ratio']:.3g}; typical move x{z['typical_move']:.3g} per evaluation)",
             series=[c.name], steps=[z["from_step"], z["to_step"]],
             evidence=z,
             causes=list(EVAL_ZIGZAG_CAUSES), fixes=list(EVAL_ZIGZAG_FIXES),
             marks=[Mark("point", c.name, e["step"], label=f"up and down x{e['ratio']:.2f}") for e in z["excursions"]])
    f.verdict = "worth a look"
    f.verdict_reason = ("a validation loss that jumps up and back down by half again or more, again and again, is not "
                        "the few-percent noise of an evaluation: the learning rate or the validation set is worth a look")
    return f


def eval_spikes_finding(c: Curve, scale: float):
    """Validation spikes by effect size (2x up and back, a tenth of the run's scale), or None."""
    ex = _excursions(c, scale, SPIKE_RATIO)
    brief = False
    if not ex and c.n <= HUMP_MAX_EVALS:
        # None along one monotone stretch each way: a brief hump with a wiggle in it, by prominence.
        ex, brief = humps(c.x, c.y, scale, SPIKE_RATIO, SHARE, HUMP_WIDTH), True
    if not ex:
        return None
    start = float(c.y[0])
    above = [e for e in ex if e.peak > start]
    repeated = len(ex) >= REPEATED
    warn = len(ex) >= WARN_SPIKES and not brief
    big = max(ex, key=lambda e: e.ratio)
    u = unit(c)
    back = f"back down within {HUMP_WIDTH} evaluations" if brief else "straight back down"
    title = (f"{len(ex)} spike(s) in {c.name}, each up x{SPIKE_RATIO:g} or more and {back}; largest "
             f"x{big.ratio:.3g} ({fmt(big.left)} -> {fmt(big.peak)} -> {fmt(big.right)}) at {u} {fmt(big.step)}")
    if above:
        title += f"; {len(above)} went above where {c.name} started ({fmt(start)})"
    f = make("loss-spikes", title, severity=Severity.WARNING if warn else Severity.INFO,
             series=[c.name],
             steps=[ex[0].step, ex[-1].step],
             evidence={"count": len(ex), "largest_ratio": round(big.ratio, 3), "start": start, "run_scale": scale,
                       "above_start": len(above), "min_ratio": SPIKE_RATIO, "min_share_of_scale": SHARE,
                       "measured_by": f"prominence, humps of {HUMP_WIDTH} evaluations or fewer" if brief else "along the curve",
                       "spikes": [{"step": e.step, "value": e.peak, "before": e.left, "after": e.right,
                                   "ratio": round(e.ratio, 3)} for e in ex[:20]]},
             causes=["learning rate too high for this stage of training (spikes above the starting loss undo all "
                     "progress for an evaluation)", "a small validation set: a few examples flipping move the average",
                     "a bad checkpoint between evaluations (momentum overshoot)"],
             fixes=["nothing, if they stay rare and the loss comes straight back", "lower the learning rate or decay "
                    "it sooner if they repeat", "use a larger validation set; keep the best checkpoint"],
             marks=[Mark("point", c.name, e.step, label=f"spike x{e.ratio:.2f}") for e in ex[:50]])
    if repeated or above:
        f.verdict = "worth a look"
        f.verdict_reason = ("repeated spikes of 2x or more" if repeated else
                            "a spike above the loss the run started with: all progress lost for that evaluation") + \
            ", each recovered; usually a learning rate at the edge of stability or a tiny validation set"
    else:
        f.verdict = "normal"
        f.verdict_reason = ("a one-off spike that came straight back down: a small validation set, or the weights "
                            "caught mid-overshoot at that evaluation")
    return f
