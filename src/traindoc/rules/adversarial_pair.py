"""A GAN's losses read as the pair they are: a game between a generator and a discriminator (or critic).

Neither loss is minimised on its own, so the loss rules stay off adversarial runs (``adversarial``).
What a practitioner reads instead is the balance of the pair:

* the generator's loss climbing steadily to twice its start or more while the discriminator's does
  not rise: the discriminator is winning and the generator's gradients fade (``divergence``);
* a Wasserstein critic whose loss (its score on fakes minus its score on reals) sits at ~0 for the
  whole run while the generator's loss is a hundred times larger: the critic scores real and fake
  alike and gives the generator nothing to learn from (``no-learning``);
* a discriminator's accuracy hovering at 0.5: that is the equilibrium the game aims for, not a
  zig-zag to fix (``adversary_at_equilibrium``).
"""

from __future__ import annotations

import re

import numpy as np

from ..findings import Finding, Mark
from ..run import Role, Run
from ..run.roles import names_an_adversary
from ._common import Curve, adversarial, curve, fmt, make
from .accuracy_swings import ACCURACY_METRICS

_GENERATOR = re.compile(r"(^|[^a-z])(g|gen|generator)([^a-z]|$)|(?<![a-z])(loss|err)_?g(?![a-z])|(?<![a-z])g_?loss")
_DISCRIMINATOR = re.compile(r"(^|[^a-z])(d|disc|discriminator|critic)([^a-z]|$)|(?<![a-z])(loss|err)_?d(?![a-z])"
                            r"|(?<![a-z])d_?loss")
MIN_POINTS = 8
GEN_RISE = 2.0  # the generator's loss ended at twice its start or more
DISC_HOLDS = 1.1  # ... while the discriminator's ended no more than 10% above its own start
CRITIC_SILENT = 0.01  # the critic's typical loss is under 1% of the generator's typical loss


def _pair(run: Run) -> tuple[Curve, Curve] | None:
    """The generator's and the discriminator's training losses (the first of each), MIN_POINTS or more, in
    an adversarial run (None otherwise)."""
    if not adversarial(run):
        return None
    losses = run.by_role(Role.TRAIN_LOSS)
    gens = [s for s in losses if _GENERATOR.search(s.name.lower())]
    discs = [s for s in losses if _DISCRIMINATOR.search(s.name.lower()) and not _GENERATOR.search(s.name.lower())]
    if not gens or not discs:
        return None
    g, d = curve(gens[0]), curve(discs[0])
    return (g, d) if min(g.n, d.n) >= MIN_POINTS else None


def _ends(y: np.ndarray) -> tuple[float, float]:
    k = max(2, y.size // 10)
    return float(np.median(y[:k])), float(np.median(y[-k:]))


def generator_losing_of(run: Run) -> dict | None:
    """The generator's loss (positive throughout: a cross-entropy or hinge form, not a Wasserstein
    score that may cross zero) ended at 2x its start or more (medians of the first and last tenth),
    rose significantly over the run (Mann-Kendall p < 0.01) and ends at its high, while the
    discriminator's loss ended no more than 10% above its start. On the dev GAN logs a healthy
    generator loss ends at 0.2-1.1x its start (prefixes included); one that doubles and keeps
    climbing against a steady discriminator is the generator losing the game."""
    pair = _pair(run)
    if pair is None:
        return None
    g, d = pair
    if not (np.all(np.isfinite(g.y)) and np.all(g.y > 0) and np.all(np.isfinite(d.y))):
        return None
    g0, g1 = _ends(g.y)
    d0, d1 = _ends(d.y)
    if g1 < GEN_RISE * g0 or not (g.trend.z > 0 and g.trend.p < 0.01):
        return None
    if g1 < 0.9 * float(np.max(g.y)):
        return None  # it came back down: a swing of the game, not a generator that keeps losing
    if d1 > d0 + abs(d0) * (DISC_HOLDS - 1):  # the discriminator is losing ground too: not this shape
        return None
    return {"generator": g.name, "discriminator": d.name, "generator_start": g0, "generator_end": g1,
            "generator_ratio": round(g1 / g0, 3), "generator_trend_p": g.trend.p,
            "discriminator_start": d0, "discriminator_end": d1}


def _pair_finding(rule_id: str, title: str, main: str, other: str, evidence: dict, causes: list[str],
                  fixes: list[str], label: str, reason: str, run: Run, judged_on: str) -> Finding:
    """A finding on the pair: both series named, the span of the one that shows the shape marked."""
    c = curve(run.series[main])
    f = make(rule_id, title, series=[main, other], steps=list(c.span),
             evidence={**evidence, "judged_on": f"the adversarial pair ({judged_on})"}, causes=causes, fixes=fixes,
             marks=[Mark("span", main, c.span[0], c.span[1], label=label)])
    f.verdict = "problem"
    f.verdict_reason = reason
    return f


_LOSING_CAUSES = [
    "the discriminator learns much faster than the generator (a higher learning rate, more steps per generator "
    "step, a larger model)",
    "a saturating generator loss (log(1 - D(G(z)))) whose gradient vanishes once the discriminator is confident",
    "mode collapse: the generator keeps producing samples the discriminator has learned to reject"]
_LOSING_FIXES = [
    "balance the pair: a lower discriminator learning rate or a higher generator one (two time-scale update rule), "
    "or fewer discriminator steps per generator step",
    "use the non-saturating generator loss (-log D(G(z))), one-sided label smoothing (real labels 0.9) or instance "
    "noise", "spectral normalisation or a gradient penalty on the discriminator"]


def generator_losing_finding(run: Run) -> Finding | None:
    gl = generator_losing_of(run)
    if gl is None:
        return None
    title = (f"{gl['generator']} climbed from {fmt(gl['generator_start'])} to {fmt(gl['generator_end'])} "
             f"(x{gl['generator_ratio']:.3g}) and is still at its high, while {gl['discriminator']} held at "
             f"{fmt(gl['discriminator_start'])} -> {fmt(gl['discriminator_end'])}: the generator is losing the game "
             "and not catching up")
    return _pair_finding("divergence", title, gl["generator"], gl["discriminator"], gl, _LOSING_CAUSES,
                         _LOSING_FIXES, "generator losing", "the generator's loss kept climbing against a steady "
                         "discriminator", run, "generator against discriminator")


def critic_silent_of(run: Run) -> dict | None:
    """A Wasserstein-style critic (its loss goes below zero somewhere: a difference of scores, not a
    cross-entropy) whose loss sat at ~0: its median magnitude under 1% of the generator's (a working
    critic's loss is of the generator's order: 0.6x on the dev WGAN logs), MIN_POINTS or more. The critic's loss is its score on fakes minus its score on reals;
    held at zero, it scores both alike and the generator's loss (its score on fakes) carries no
    signal."""
    pair = _pair(run)
    if pair is None:
        return None
    g, d = pair
    if not np.any(d.y < 0) or not np.all(np.isfinite(d.y)):
        return None
    g_level = float(np.median(np.abs(g.y)))
    d_level, d_max = float(np.median(np.abs(d.y))), float(np.max(np.abs(d.y)))
    if g_level <= 0 or d_level > CRITIC_SILENT * g_level:
        return None
    return {"critic": d.name, "generator": g.name, "critic_level": d_level, "critic_max_abs": d_max,
            "generator_level": g_level, "points": d.n}


_SILENT_CAUSES = [
    "the critic collapsed to a near-constant output (dead units, a too strong weight clipping or gradient penalty, "
    "a learning rate too low)",
    "the critic is trained too little (too few critic steps per generator step) or sees detached or identical real "
    "and fake batches"]
_SILENT_FIXES = [
    "check that the critic's real and fake batches differ and that its gradients are non-zero",
    "use a gradient penalty (WGAN-GP) instead of weight clipping, 5 critic steps per generator step, Adam with "
    "lr 1e-4 and betas (0, 0.9)"]


def critic_silent_finding(run: Run) -> Finding | None:
    cs = critic_silent_of(run)
    if cs is None:
        return None
    title = (f"{cs['critic']} sat at 0 (typically {fmt(cs['critic_level'])}, never beyond "
             f"{fmt(cs['critic_max_abs'])}) over {cs['points']} points, against {cs['generator']} near "
             f"{fmt(cs['generator_level'])}: the critic scores real and fake samples alike, so the generator gets "
             "no signal to learn from")
    return _pair_finding("no-learning", title, cs["critic"], cs["generator"], cs, _SILENT_CAUSES, _SILENT_FIXES,
                         "critic at 0", "the critic's loss never left zero", run, "critic against generator")


def adversary_at_chance(run: Run, c: Curve) -> bool:
    """A series named for an adversary (``names_an_adversary``) in a run that logs another loss beside it:
    a domain classifier at ln C (or its accuracy at 1/C) is the equilibrium the gradient reversal aims
    for, the features carrying no trace of the domain; not a model predicting a constant. The other loss
    is the task's, and it is judged on its own."""
    if not names_an_adversary(c.name):
        return False
    return any(s.name != c.name and not names_an_adversary(s.name)
               for r in (Role.TRAIN_LOSS, Role.VAL_LOSS) for s in run.by_role(r))


def adversary_at_equilibrium(run: Run, c: Curve) -> bool:
    """An accuracy in an adversarial run whose median sits at 0.5 (0.4-0.6): a binary discriminator (or a
    steganalyser, a domain classifier) that cannot tell the two sides apart, the goal of the game. Its
    swings around 0.5 are the game itself, not an oscillation of the model's own objective."""
    s = c.series
    if not adversarial(run) or s.metric not in ACCURACY_METRICS or c.n == 0:
        return False
    med = float(np.median(c.y))
    if med > 1.5:  # written in percent
        med /= 100.0
    return 0.4 <= med <= 0.6
