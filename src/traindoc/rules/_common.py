"""What every rule family shares: prepared curves (cached), chance level, finding helpers.

A rule never reads a raw Series directly: ``curve(series)`` gives the finite points in step
order (the last run when the steps restarted from zero, the newest values when a resume
re-logged old steps), the block-median reduction, a light smoothing and the whole-curve
trend, computed once per series and shared by every rule that asks.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..findings import Finding, Mark, Severity
from ..run import Role, Run, Series
from ..stats.trend import MAX_POINTS
from ..stats.core import jitter_sigma
from ..stats import Trend, bin_median, head_level, noise_sigma, rolling_median, tail_level, theil_sen, trend
from ..stats.chance import ClassCount, class_count
from .metric_conventions import metric_scale, on_unit_scale

MIN_POINTS = 6  # fewer finite points than this and no trend rule judges a curve
MIN_VAL_POINTS = 5
LOSS_ROLES = (Role.TRAIN_LOSS, Role.VAL_LOSS)
METRIC_ROLES = (Role.TRAIN_METRIC, Role.VAL_METRIC)
BOUNDED01 = {"accuracy", "balanced_accuracy", "f1", "map", "auc", "precision", "recall", "iou"}


@dataclass
class Curve:
    """A series prepared for judging."""

    series: Series
    x: np.ndarray  # finite points, step order
    y: np.ndarray
    xb: np.ndarray  # block medians (<= MAX_POINTS points)
    yb: np.ndarray
    smooth: np.ndarray  # rolling median of yb
    trend: Trend
    head: float  # where it started (first few points)
    tail: float
    noise: float  # point-to-point noise of yb
    restarts: list[float] = field(default_factory=list)  # steps where logging restarted from the start
    resumes: list[float] = field(default_factory=list)  # steps a resume went back to
    memo: dict = field(default_factory=dict, repr=False)  # per-curve analysis results shared by rules

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def name(self) -> str:
        return self.series.name

    @property
    def span(self) -> tuple[float, float]:
        return float(self.x[0]), float(self.x[-1])

    @property
    def ibest(self) -> int:
        return int(np.argmin(self.smooth))

    @property
    def best(self) -> float:
        return float(self.smooth[self.ibest])

    @property
    def rel_noise(self) -> float:
        """Point-to-point noise of the block medians as a fraction of the level (log-space when positive)."""
        if self.yb.size < 3:
            return 0.0
        if np.all(self.yb > 0):
            return noise_sigma(np.log(self.yb))
        level = float(np.median(np.abs(self.yb))) or 1.0
        return self.noise / level

    def at(self, step: float) -> float:
        """Smoothed level at a step (interpolated on block medians)."""
        return float(np.interp(step, self.xb, self.smooth))


def per_curve(func):
    """Memoise an analysis of one curve: several rules ask the same question of the same curve."""
    import functools

    @functools.wraps(func)
    def wrapper(c: "Curve", *args, **kwargs):
        key = (func.__name__, args, tuple(sorted(kwargs.items())))
        if key not in c.memo:
            c.memo[key] = func(c, *args, **kwargs)
        return c.memo[key]

    return wrapper


def split_restarts(steps: np.ndarray) -> tuple[int, list[float], np.ndarray]:
    """Where logged steps go backwards. Returns (start of the last fresh run, resume steps, keep-mask).

    A drop back to (about) the first step is a new run appended to the same log; a drop to a
    later step is a resume from a checkpoint, whose re-logged steps replace the old ones.
    """
    n = steps.size
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return 0, [], keep
    back = np.flatnonzero(np.diff(steps) < 0) + 1
    if back.size == 0:
        return 0, [], keep
    start = 0
    resumes: list[float] = []
    lo = float(np.nanmin(steps))
    span = float(np.nanmax(steps)) - lo
    for i in back:
        s = float(steps[i])
        if s <= lo + 0.02 * span or s <= float(steps[start]):
            start = int(i)
            resumes = []
        else:
            resumes.append(s)
            seg = np.arange(start, i)
            keep[seg[steps[start:i] >= s]] = False
    keep[:start] = False
    return start, resumes, keep


_CACHE: "OrderedDict[int, tuple[np.ndarray, np.ndarray, Curve]]" = OrderedDict()
_CACHE_SIZE = 256


def clear_curve_cache() -> None:
    """Drop the prepared curves: the live watcher builds a new Run at each evaluation, so the
    previous one's curves would only be kept alive (a long run's memory would creep), and the
    index pairs of the trend fit, one per curve length, would fill their cache (~20 MB)."""
    from ..stats.trend import _pairs

    _CACHE.clear()
    _pairs.cache_clear()


def curve(series: Series) -> Curve:
    """The prepared curve of a series, computed once per (unchanged) series."""
    key = id(series)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is series.values and hit[1] is series.steps:
        _CACHE.move_to_end(key)
        return hit[2]
    c = _prepare(series)
    _CACHE[key] = (series.values, series.steps, c)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return c


def _prepare(series: Series) -> Curve:
    steps, values = series.steps, series.values
    start, resumes, keep = split_restarts(steps)
    restarts = [float(steps[start])] if start else []
    if start or resumes:
        steps, values = steps[keep], values[keep]
    mask = np.isfinite(values) & np.isfinite(steps)
    x, y = steps[mask], values[mask]
    if x.size > 1 and np.any(np.diff(x) < 0):
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
    if y.size == 0:
        empty = np.zeros(0)
        return Curve(series, x, y, empty, empty, empty, Trend(0.0, 0.0, 1.0, math.nan, math.nan, 0), math.nan,
                     math.nan, 0.0, restarts, resumes)
    xb, yb = bin_median(x, y, MAX_POINTS)
    w = 1 if yb.size < 8 else 3 if yb.size < 40 else 5
    smooth = rolling_median(yb, w)
    return Curve(series, x, y, xb, yb, smooth, trend(xb, yb), first_level(y), tail_level(yb, 0.1),
                 noise_sigma(yb), restarts, resumes)


@per_curve
def end_now(c: Curve) -> float:
    """Where a curve stands at its last point: the Theil-Sen line through the points ``tail`` takes
    the median of, read at the last step.

    ``tail`` (the median of the last 10%, three points at least) is the level half a window back:
    on a per-epoch training loss still falling every epoch (1.34, 1.26, 1.24) it reads 1.26, the
    value one epoch before the end, and hides part of the fall a rule asks about. The line through
    the same points has no such lag on a trend and equals the median on a flat noisy stretch; it
    never goes outside the range of those points (a single low last value cannot pull it further).
    """
    if c.yb.size < 3:
        return c.tail
    k = max(3, int(np.ceil(0.1 * c.yb.size)))
    xs, ys = c.xb[-k:], c.yb[-k:]
    slope, icpt = theil_sen(xs, ys)
    return float(np.clip(slope * float(xs[-1]) + icpt, float(np.min(ys)), float(np.max(ys))))


def first_level(y: np.ndarray) -> float:
    """Where the curve started: the median of its first few raw points (1%, 3 to 50 of them).

    Not a share of the run: a loss that falls within its first 2% of steps must still be seen
    to have started high.
    """
    n = y.size
    k = 1 if n < 10 else 2 if n < 30 else min(50, max(3, n // 100))
    return float(np.median(y[:k]))


@per_curve
def flat_from_start(c: Curve) -> bool:
    """No meaningful improvement anywhere, judged against the curve's own noise.

    Compares where it started (first points) and the first tenth of the run with the lowest
    of ten block medians; the tolerance grows with the noise of those medians, so a noisy flat
    curve is not mistaken for a falling one, and a fast early drop is not missed.
    """
    if c.n < MIN_POINTS:
        return False
    if np.all(c.y > 0) and c.tail <= 0.75 * c.head:
        return False  # a quarter lower than it started is learning, however noisy
    nblk = 10 if c.n >= 30 else max(3, c.n // 3)
    b = c.n // nblk
    coarse = np.median(c.y[: b * nblk].reshape(nblk, b), axis=1)
    level = float(np.median(np.abs(c.y))) or 1.0
    rel_noise = noise_sigma(c.y) / level
    if np.all(c.y > 0):
        # On short curves first differences count the trend as noise; second differences of the
        # log do much less so. Both estimate the same noise: take the less contaminated.
        rel_noise = min(rel_noise, jitter_sigma(np.log(c.y)))
    k = 1 if c.n < 10 else 2 if c.n < 30 else min(50, max(3, c.n // 100))
    low = float(coarse.min())
    # Noise of a block median and of the first-points median; the lowest of ten block medians
    # sits about 1.5 of its sigmas low by chance alone, hence the extra margin.
    s_block = 1.25 * rel_noise / np.sqrt(b)
    s_first = 1.25 * rel_noise / np.sqrt(k)
    # A noisy start (an MSE on small batches jitters by 20% a point) widens the tolerance on the
    # first points instead of ruling the curve out: the block medians and the trend test still
    # see any real fall, and a fast fall in the first steps still stands far above the noise.
    tol_coarse = max(0.08, 5.0 * s_block)
    tol_first = max(0.08, 3.0 * s_first + 2.0 * s_block)
    drop_coarse = (coarse[0] - low) / (abs(coarse[0]) or 1.0)
    drop_first = (c.head - low) / (abs(c.head) or 1.0)
    # Any sign of a fall (5% level) means it is not flat: a false "no learning" is the costly error.
    # "Flat" is a claim about the size of the fall, so it needs precision: the fall over the span
    # (least squares on the log block medians) must be measurable to +-10% and under 12% even at its
    # 2-sigma upper bound.
    # A noisy prefix of a slowly learning run (8 or 60 points at 25% jitter) is "not known yet".
    if np.all(c.yb > 0) and c.yb.size >= 4:
        u = (c.xb - c.xb[0]) / ((c.xb[-1] - c.xb[0]) or 1.0)
        ly = np.log(c.yb)
        du = u - u.mean()
        sxx = float(np.dot(du, du))
        if sxx > 0:
            b = float(np.dot(du, ly - ly.mean()) / sxx)
            res = ly - ly.mean() - b * du
            s_res = 1.4826 * float(np.median(np.abs(res - np.median(res))))
            two_se = 2.0 * s_res / np.sqrt(sxx)
            if two_se > 0.1 or -b + two_se > 0.12:  # could not even see a 10% fall: not known yet
                return False
    return (drop_coarse < tol_coarse and drop_first < tol_first and not c.trend.falling(0.05, 0.05)
            and not slow_fall(c) and not c.trend.rising(0.01, 0.05))


def slow_fall(c: Curve) -> bool:
    """A significant downward trend is learning, however slow: its size is read from the Theil-Sen
    slope over the whole span (robust), not from the two noisy ends of the curve."""
    span = float(c.xb[-1] - c.xb[0]) if c.xb.size > 1 else 0.0
    level_b = float(np.median(np.abs(c.yb))) or 1.0
    return c.trend.z < 0 and c.trend.p < 0.05 and -c.trend.slope * span >= 0.03 * level_b


# "d0", "d1" ... are a DETR-style decoder's layers (decode.d0.loss_cls), not a discriminator.
_ADVERSARIAL = re.compile(r"(^|[^a-z])((g|d)(?!\d)|gen|disc|generator|discriminator|critic|adv|adversarial)"
                          r"([^a-z]|$)|(?<![a-z])err_?[gd]\b|(?<![a-z])loss_?[gd]\b|(?<![a-z])[gd]_?loss\b")


def adversarial(run: Run) -> bool:
    """A GAN-style run (generator and discriminator losses): its losses need not fall, and
    trend rules built for a minimised loss would raise false alarms on a healthy game."""
    names = [s.name.lower() for r in LOSS_ROLES for s in run.by_role(r)]
    hits = [n for n in names if _ADVERSARIAL.search(n)]
    return len(hits) >= 2


# An episode's reward or return (Stable-Baselines3's rollout/ep_rew_mean, eval/mean_reward, ...) and
# the losses of an actor-critic or Q-learning agent.
# Names are matched with blanks, dashes, dots and slashes read as "_" (OpenAI baselines writes "mean 100
# episode reward"; its PPO "loss_vf_loss", "loss_pol_surr", "loss_pol_entpen").
_EPISODE_RETURN = re.compile(r"(?<![a-z])(ep_?rew|ep_?ret|episode_?(reward|return)|(mean|avg)_?(\d+_)?(episode_?)?(reward|return)"
                             r"|(reward|return)_?(mean|avg))")
_AGENT_LOSS = re.compile(r"(?<![a-z])(value|vf|policy|pol|policy_?gradient|entropy|q|td|actor|critic)_?(loss|error|surr)"
                         r"|(?<![a-z])loss_(vf|pol|ent|kl)(?![a-z])")
_NAME_SEPARATORS = re.compile(r"[\s\-./]+")


def _plain_name(name: str) -> str:
    return _NAME_SEPARATORS.sub("_", name.lower())


# An agent's score per episode other than a return (a game's win rate, a goal-reaching success rate),
# and an exploration schedule (DQN's epsilon): with an episode counter they mark an RL log too.
# A bare "Reward" or "total reward" column is an episode's score too (a hand-written CSV of Episode,
# Reward); reinforcement() still asks for an episode counter or an exploration schedule beside it.
# Only as the name's last word: "reward_loss" or "rewards/chosen" (a reward model, DPO) are no score.
_AGENT_SCORE = re.compile(r"(?<![a-z])(win_?rate|success_?rate|wins)(?![a-z])"
                          r"|(?<![a-z])((average|total|sum)_?)?rewards?$")
_EXPLORATION = re.compile(r"(?<![a-z])(epsilon|eps_threshold|exploration_?(rate|eps)?)(?![a-z])")
_EPISODES = re.compile(r"(?<![a-z])(episodes?|num_episodes)(?![a-z])")


def reinforcement(run: Run) -> bool:
    """A reinforcement-learning run (an episode return beside an agent's losses, or an agent's score
    beside an exploration schedule or an episode counter): its value and policy losses chase targets
    that move with the returns, so they may rise while the agent improves, and trend rules built
    for a minimised loss would call a learning agent diverged."""
    names = [_plain_name(n) for n in run.series]
    if any(_EPISODE_RETURN.search(n) for n in names) and any(_AGENT_LOSS.search(n) for n in names):
        return True
    return bool(agent_scores(run)) and any(_EXPLORATION.search(n) or _EPISODES.search(n) for n in names)


def scores_an_agent(run: Run) -> bool:
    """The run is judged by an agent's score per episode: a reinforcement-learning run, or any run that
    logs a mean episode return (avg_reward, ep_rew_mean), whatever loss it logs beside it (a DQN
    written as a LightningModule logs its TD loss as a plain "train_loss"). Only the score rules ask
    this; the loss rules keep ``reinforcement``, so a plain loss beside a reward is still judged. A log
    whose only judged series is an agent's score (a rewards.csv of one return per episode) is one too."""
    if reinforcement(run) or any(_EPISODE_RETURN.search(_plain_name(n)) for n in run.series):
        return True
    return bool(agent_scores(run)) and not any(run.by_role(r) for r in (*LOSS_ROLES, *METRIC_ROLES))


def agent_scores(run: Run) -> list[str]:
    """Names of the series that score the agent per episode (return, reward, win or success rate), the
    mean before the best and worst of a window ("max 100 episode reward" beside "mean 100 episode reward")."""
    found = [n for n in run.series if _EPISODE_RETURN.search(_plain_name(n)) or _AGENT_SCORE.search(_plain_name(n))]
    return sorted(found, key=lambda n: bool(_EXTREME.search(_plain_name(n))))


_EXTREME = re.compile(r"(?<![a-z])(max|min|best|worst)(?![a-z])")


def warming_up(run: Run) -> bool:
    """The learning rate is still ramping up at the end of the log: a flat loss is expected then,
    so the flat-start rules wait (the live watcher sees every run in this state at first)."""
    s = run.primary(Role.LR)
    if s is None:
        return False
    c = curve(s)
    if c.n < 3:
        return False
    y = c.y
    ref = float(np.interp(c.x[0] + 0.75 * (c.x[-1] - c.x[0]), c.x, y))
    return bool(y[-1] > 1.2 * ref and y[-1] >= float(np.max(y)) * 0.999 and y[0] < 0.5 * y[-1])


def loss_curve(run: Run, role: Role, min_points: int = MIN_POINTS) -> Curve | None:
    """The prepared primary loss of a role, if it has enough finite points to judge.

    None for adversarial (GAN) runs: a generator's loss may rise while training is healthy; and for
    reinforcement-learning runs, whose losses follow the returns rather than fall.
    """
    if adversarial(run) or reinforcement(run):
        return None
    s = run.primary(role)
    if s is None:
        return None
    c = curve(s)
    return c if c.n >= min_points else None


_NOT_CE_TASKS = {"detection", "segmentation", "regression", "pose", "instance-segmentation", "keypoints"}
_NOT_CE_TOKENS = re.compile(r"(^|[^a-z])(box|bbox|dfl|rpn|mask|seg|obj|giou|iou|kpt|pose|mse|mae|l1|l2)([^a-z]|$)")


# Regression errors a model minimises directly (with no loss logged, the error is the objective).
REGRESSION_ERRORS = ("mse", "mae", "mape")
# Metrics only a regression logs: a run that scores its predictions by an error or R² is fitting values,
# and its loss (MSE, MAE, Huber) has no accuracy bound or ln(C) chance level, whatever else it logs
# (a forecaster's "direction accuracy" beside its MAE is a derived score, not a classifier's).
_REGRESSION_METRICS = REGRESSION_ERRORS + ("r2",)


def cross_entropy_like(run: Run) -> bool:
    """Nothing says the losses are not classification cross-entropies (detection, regression...)."""
    if (run.meta.task or "").lower() in _NOT_CE_TASKS:
        return False
    if any(s.metric in _REGRESSION_METRICS for r in METRIC_ROLES for s in run.by_role(r)):
        return False
    return not any(_NOT_CE_TOKENS.search(s.name.lower()) for r in LOSS_ROLES for s in run.by_role(r))


def chance(run: Run) -> ClassCount | None:
    """The class count, when the losses are classification cross-entropies it applies to.

    A detector's total loss (box + class + objectness terms) or a regression loss has no ln(C)
    chance level even when the log names a class count, so none is given for such runs.
    """
    if not cross_entropy_like(run):
        return None
    return class_count(run.meta, run.names())


def fmt(v: float | None) -> str:
    """Numbers for people: 4 significant digits, steps without a trailing .0."""
    if v is None:
        return "-"
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def unit(c: Curve) -> str:
    return "epoch" if c.series.axis == "epoch" else "step"


def make(rule_id: str, title: str, *, severity: Severity | None = None, series: list[str] | None = None,
         steps: tuple[float, float] | list[float] | None = None, evidence: dict | None = None,
         causes: list[str] | None = None, fixes: list[str] | None = None,
         marks: list[Mark] | None = None) -> Finding:
    """A finding with the rule's registered severity unless one is given."""
    from .registry import RULES

    sev = severity if severity is not None else RULES[rule_id].severity
    return Finding(rule_id, sev, title, list(series or []), [float(s) for s in (steps or [])],
                   dict(evidence or {}), list(causes or []), list(fixes or []), list(marks or []))


def rel(a: float, b: float) -> float:
    """(a - b) / |b| guarded against zero."""
    return (a - b) / (abs(b) if b != 0 else 1.0)


def train_cross_entropy(run: Run, min_points: int) -> Curve | None:
    """The primary training loss, when nothing says it is not a classification cross-entropy (the
    accuracy bounds that read a loss against an accuracy hold only for one) and it has
    ``min_points`` or more finite points."""
    s = run.primary(Role.TRAIN_LOSS)
    if s is None or not cross_entropy_like(run):
        return None
    c = curve(s)
    return c if c.n >= min_points else None


def accuracy_curves(run: Run, roles: tuple[Role, ...] = (Role.VAL_METRIC, Role.TRAIN_METRIC),
                    min_points: int = 1) -> list[tuple[Curve, np.ndarray]]:
    """(curve, values on the [0, 1] scale) of every accuracy series of ``roles``, in that order
    (held-out first: a constant prediction shows plainest there), with ``min_points`` or more."""
    out = []
    for role in roles:
        for s in run.by_role(role):
            if s.metric == "accuracy":
                c = curve(s)
                if c.n >= min_points:
                    out.append((c, normalised_metric(c, run)[0]))
    return out


def bounded_metric_curves(run: Run, roles: tuple[Role, ...], min_points: int) -> list[tuple[Curve, np.ndarray]]:
    """(curve, values on the [0, 1] scale) of every higher-is-better 0-1 metric (accuracy, F1, mAP,
    ...) of ``roles`` with ``min_points`` or more, whose values do lie on that scale once normalised."""
    out = []
    for role in roles:
        for s in run.by_role(role):
            if not s.higher_is_better or s.metric not in BOUNDED01:
                continue
            c = curve(s)
            if c.n < min_points:
                continue
            y01, _ = normalised_metric(c, run)
            if float(np.max(y01)) <= 1.0 and float(np.min(y01)) >= 0.0:
                out.append((c, y01))
    return out


def normalised_metric(c: Curve, run: Run | None = None) -> tuple[np.ndarray, float]:
    """Values of a [0, 1] metric on the [0, 1] scale (percent logs divided by 100), and the divisor:
    the scale as ``metric_conventions.metric_scale`` reads it (values, name, and with ``run`` the
    run's other fractions), the one reading every rule uses."""
    scale = metric_scale(c.series, run)
    return on_unit_scale(c.y, scale), scale.divisor


@per_curve
def rising_after_min(c: Curve, min_frac: float = 0.25, p: float = 0.01) -> dict | None:
    """A persistent rise from the curve's minimum: long enough, significant, and clear of noise."""
    ib = c.ibest
    nb = c.yb.size
    seg = c.yb[ib:]
    if nb < MIN_POINTS or seg.size < max(4, int(min_frac * nb)):
        return None
    # The segment starts at the curve's minimum, so its first point is lower than every other by
    # construction: counted in the trend test it adds n-1 "rising" pairs even to pure noise. The
    # test is made on the points after the minimum (the conditional test given that the first is
    # the smallest); the levels still use the whole segment.
    t = trend(c.xb[ib + 1:], seg[1:])
    end = tail_level(seg, 0.2)
    best = c.best
    # A doubling is strong evidence on its own: on a short per-epoch curve Mann-Kendall cannot
    # reach 1% with five points however steep the climb, so the level is relaxed to 5% then.
    p_needed = max(p, 0.05) if best > 0 and end >= 2.0 * best else p
    if not (t.z > 0 and t.p < p_needed):
        return None
    if end - best < 3.0 * max(c.noise, 1e-12) or rel(end, best) < 0.1:
        return None
    return {"best": best, "best_step": float(c.xb[ib]), "end": end, "p": t.p, "slope": t.slope}
