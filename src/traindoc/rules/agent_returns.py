"""An agent's score per episode judged as what it is: a return the agent maximises, not a loss.

A reinforcement-learning log's return is very noisy (each point is one episode, or a mean over a
few), so nothing here reads single points: levels are medians over windows and the peak is the
top of a rolling median. The shape read here is the collapse every DQN and policy-gradient user
knows: the return climbs well clear of where it started, then falls back most of the way and stays
there (a target network or replay buffer that chases its own errors, a learning rate too high for
the late, larger value targets, an exploration rate that decayed onto a bad greedy policy). A
dip the agent climbs out of again is not this; neither is a return that never rose (that is
``no-learning``, judged in ``outcome``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from ..findings import Finding, Mark
from ..run import Run
from ..stats import rolling_median
from ..stats.rank_sum import above_p
from ._common import (_AGENT_SCORE, _EPISODE_RETURN, _EPISODES, _EXPLORATION, _EXTREME, Curve, _plain_name, agent_scores,
                      curve, fmt, make, scores_an_agent, unit)

MIN_POINTS = 20  # an agent's score needs this many points before its trend is judged (progress.MIN_RL_POINTS)
GAVE_BACK = 0.5  # the end fell back by half the climb or more: most of what was learned is lost
MIN_GAIN_SHARE = 0.25  # a climb of a quarter of the return's own size or more: the agent had learned
NOISE_MULTIPLE = 3.0  # the climb and the fall each stand this many episode-noise units clear
CLIMB_P = 0.01  # the late climb's episodes rank above the flat stretch's at this one-sided level


def _smoothed(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int] | None:
    """The score, its rolling median (window a tenth of the run, 5 or more) and the episode noise (the
    robust spread of the points around that median); None when too short or not all finite."""
    y = np.asarray(y, dtype=float)
    if y.size < MIN_POINTS or not np.all(np.isfinite(y)):
        return None
    w = max(5, (y.size // 10) | 1)
    sm = rolling_median(y, w)
    resid = y - sm
    return y, sm, 1.4826 * float(np.median(np.abs(resid - np.median(resid)))), w


def _judged_scores(run: Run) -> Iterator[tuple[str, Curve]]:
    """The agent's scores and their curves, without the best or worst episode of a window (the mean
    beside it says what the agent does)."""
    for name in agent_scores(run):
        if not _EXTREME.search(_plain_name(name)):
            yield name, curve(run.series[name])


def collapse_of(y: np.ndarray) -> dict | None:
    """The return climbed clearly above its start, then fell back by half the climb or more and
    stayed down over the last fifth of the run, but not all the way (ending at or below the start
    is no learning at all). Levels: the start is the median of the first tenth, the end the median
    of the last fifth, the peak the highest rolling median (window a tenth of the run, 5 or more)
    before that last fifth. The episode noise is the robust spread of the points around the rolling
    median; the climb must be three noise units and a quarter of the return's own magnitude (a
    traffic or control return drifting -84 -> -81 -> -84 is no skill gained and lost), the fall
    three noise units, and the last fifth must not climb back (its upper quartile stays below
    three quarters of the way up to the peak)."""
    got = _smoothed(y)
    if got is None:
        return None
    y, sm, noise, w = got
    n = y.size
    k, m = max(3, n // 10), max(4, n // 5)
    start, end = float(np.median(y[:k])), float(np.median(y[-m:]))
    ip = int(np.argmax(sm[:n - m]))
    peak = float(sm[ip])
    gain = peak - start
    if gain <= 0 or gain < NOISE_MULTIPLE * noise or gain < MIN_GAIN_SHARE * max(abs(start), abs(peak)):
        return None
    lost = (peak - end) / gain
    if not GAVE_BACK <= lost < 1.0 or peak - end < NOISE_MULTIPLE * noise:
        return None
    if float(np.quantile(y[-m:], 0.75)) > peak - 0.25 * gain:
        return None
    return {"start_level": start, "peak_level": peak, "peak_index": ip, "end_level": end,
            "share_given_back": round(lost, 3), "episode_noise": noise, "window": w, "end_points": m}


def agent_collapse_finding(run: Run) -> Finding | None:
    """``divergence`` for a reinforcement-learning run whose score per episode collapsed after its
    peak (``collapse_of``); None when no score did."""
    if not scores_an_agent(run):
        return None
    for name, c in _judged_scores(run):
        col = collapse_of(c.y)
        if col is None:
            continue
        u = unit(c)
        peak_step = float(c.x[col["peak_index"]])
        tail_from = float(c.x[-col["end_points"]])
        f = make("divergence", f"{name} climbed from about {fmt(col['start_level'])} to {fmt(col['peak_level'])} "
                 f"(rolling median, {u} {fmt(peak_step)}), then fell back to {fmt(col['end_level'])} over the last "
                 f"fifth of the run: {col['share_given_back']:.0%} of what the agent had learned is lost",
                 series=[name], steps=[peak_step, c.span[1]],
                 evidence={**{k: v for k, v in col.items() if k != "peak_index"}, "peak_step": peak_step,
                           "judged_on": "agent score (a return, maximised)"},
                 causes=["learning rate too high for the larger value targets of a better policy",
                         "the target network updated too often (or a soft update tau too large), so the "
                         "Q-targets chase their own errors", "a replay buffer too small: it now holds only the "
                         "good policy's transitions and the agent forgets how to recover from mistakes",
                         "a policy-gradient step too large (no KL or clip limit) that jumps off the good policy"],
                 fixes=["keep the checkpoint from the peak and evaluate it", "lower the learning rate or decay it "
                        "once the return is high", "update the target network less often (or a smaller tau); "
                        "use Double DQN and Huber loss", "enlarge the replay buffer; clip gradients; for PPO "
                        "lower the clip range or add a target KL"],
                 marks=[Mark("point", name, peak_step, label="peak"),
                        Mark("span", name, tail_from, c.span[1], label="fell back")])
        f.verdict = "problem"
        f.verdict_reason = "the agent learned the task and then lost most of it"
        return f
    return None


def late_climb_of(y: np.ndarray) -> dict | None:
    """The return sat at (or sank to) a floor for half the run or more and only then climbed clearly
    above it, its last tenth well over the floor: the agent is learning now, late. Read with the same
    windows and noise as ``collapse_of``: the floor is the lowest rolling median before the last tenth,
    the climb (last tenth's median over the floor) must be three noise units and a quarter of the
    return's magnitude, and the rolling median must still be within a quarter of the climb of the
    floor at half the run or later. A first few points above the floor (a first epoch scored on a
    handful of episodes) do not change this: the wait is counted from the floor, not from the start.
    The rolling median of a very noisy return dips with a low cluster of episodes, so the climb must
    also show in the raw points: the last tenth's episodes rank above the flat stretch's
    (``stats.rank_sum.above_p`` under ``CLIMB_P``); a return that only scatters widely about one
    level is no learning, not a late start."""
    got = _smoothed(y)
    if got is None:
        return None
    y, sm, noise, _ = got
    n = y.size
    m = max(4, n // 10)
    i_floor = int(np.argmin(sm[:n - m]))
    floor, end = float(sm[i_floor]), float(np.median(y[-m:]))
    climb = end - floor
    if climb <= 0 or climb < NOISE_MULTIPLE * noise or climb < MIN_GAIN_SHARE * max(abs(floor), abs(end)):
        return None
    near = np.flatnonzero(sm[:n - m // 2] <= floor + 0.25 * climb)
    flat_until = int(near[-1])
    if flat_until < n // 2 or flat_until - int(near[0]) < 0.3 * n:
        return None
    if above_p(y[-m:], y[int(near[0]):flat_until + 1]) > CLIMB_P:
        return None
    return {"floor_level": floor, "floor_from": int(near[0]), "flat_until": flat_until, "end_level": end,
            "flat_share": round((flat_until - int(near[0])) / n, 3), "episode_noise": noise}


def late_climb_finding(run: Run) -> Finding | None:
    """``late-start`` (info) for an agent's score that waited at a floor for half the run or more and is
    climbing at the end (``late_climb_of``): often normal in RL, and said so."""
    for name, c in _judged_scores(run):
        lc = late_climb_of(c.y)
        if lc is None:
            continue
        u = unit(c)
        x0, x1 = float(c.x[lc["floor_from"]]), float(c.x[lc["flat_until"]])
        f = make("late-start", f"{name} sat near {fmt(lc['floor_level'])} from {u} {fmt(x0)} to {fmt(x1)} "
                 f"({lc['flat_share']:.0%} of the run) and only then climbed, to {fmt(lc['end_level'])} at the end",
                 series=[name], steps=[x0, x1],
                 evidence={**lc, "flat_from_step": x0, "flat_until_step": x1, "judged_on": "agent score (maximised)"},
                 causes=["often normal for value-based agents: the score is measured while exploring, and rises "
                         "once exploration decays", "a sparse reward found late",
                         "a replay buffer or target network that takes long to fill or settle"],
                 fixes=["nothing, if the score then holds: let the run go on, it is still improving",
                        "to shorten the wait: decay exploration sooner, shape the reward, start learning from a "
                        "smaller filled buffer"],
                 marks=[Mark("span", name, x0, x1, label="flat stretch")])
        f.verdict = "worth a look"
        f.verdict_reason = "usually normal for an exploring agent, but a long wait costs episodes"
        return f
    return None


STILL_EXPLORING = 0.5  # an exploration rate this high at the end: most actions are still random


def still_exploring(run: Run) -> tuple[str, float] | None:
    """An exploration schedule (epsilon, exploration_rate) that ended at 0.5 or more: most of the agent's
    actions are still random, so its training return is mostly a random policy's, and a drift in it
    is no evidence of a learned policy. (name, last value), or None."""
    for name, s in run.series.items():
        if not _EXPLORATION.search(_plain_name(name)):
            continue
        y = s.values[np.isfinite(s.values)]
        if y.size and 0.0 <= float(y[0]) <= 1.0 and STILL_EXPLORING <= float(y[-1]) <= 1.0:
            return name, float(y[-1])
    return None


# Stable-Baselines3's rollout/ep_rew_mean and OpenAI baselines' "mean 100 episode reward" average the
# last 100 episodes (SB3's stats_window_size default).
_WINDOWED_MEAN = re.compile(r"ep_?rew_?mean|mean_?100_?episode")
EPISODE_WINDOW = 100


def mean_of_every_episode(run: Run, name: str) -> bool:
    """The score is a mean over the last 100 episodes and the run's episode counter never passed 100:
    every point then averages every episode so far (a cumulative mean), so a later third repeats the
    earlier third's episodes and cannot be compared with it as a separate sample."""
    if not _WINDOWED_MEAN.search(_plain_name(name)):
        return False
    for n, s in run.series.items():
        plain = _plain_name(n)
        if n == name or not _EPISODES.search(plain) or _EPISODE_RETURN.search(plain) or _AGENT_SCORE.search(plain):
            continue
        y = s.values[np.isfinite(s.values)]
        if y.size >= 2 and np.all(np.diff(y) >= 0) and float(y[-1]) <= EPISODE_WINDOW:
            return True
    return False
