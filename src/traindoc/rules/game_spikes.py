"""Spikes of a GAN's losses, at info: events of the game, never graded as a warning.

``loss_curve`` gives no curve for an adversarial run (a generator's loss may rise while training is
healthy), so the spike test never saw one. But a jump several times the loss's own recent level that
comes back (a discriminator breaking down for an epoch, a generator finding a weak spot) is an event a
person sees on the plot whatever the game, and it is judged the same way as any loss (against the
curve's local noise, at its logging granularity). Its severity is not: the two networks' losses
swing by design, so whether a spike hurt is read from the samples, not the losses, and the finding
stays at info, "worth a look" when a spike was slow to come back. And only a jump that at least
doubles the loss counts (``eval_swings.SPIKE_RATIO``, as for an evaluation's spikes): a GAN's losses
wander by a third or a half between epochs as the two networks trade the lead (the healthy GANs of the
dev split show bumps of x1.4-1.5), which is the game, not an event.
"""

from __future__ import annotations

from ..findings import Severity
from ..run import Run
from ._common import LOSS_ROLES, adversarial, curve, reinforcement
from .eval_swings import SPIKE_RATIO

MIN_SPIKE_POINTS = 8  # as for any loss (loss_spikes reads loss_curve(run, role, 8))


def game_spike_finding(run: Run):
    """An info `loss-spikes` finding for the spikes of a GAN's primary losses (training first), or None."""
    if not adversarial(run) or reinforcement(run):
        return None
    from .schedule import resume_points
    from .stability import _spike_finding, _warmup_end

    for role in LOSS_ROLES:
        s = run.primary(role)
        if s is None:
            continue
        c = curve(s)
        if c.n < MIN_SPIKE_POINTS:
            continue
        f = _spike_finding(c, resume_points(run, s), _warmup_end(run))
        if f is None or f.evidence["largest_ratio"] < SPIKE_RATIO:
            continue
        slow = any(sp["recovery"] != "fast" for sp in f.evidence["spikes"] if sp["ratio"] >= SPIKE_RATIO)
        f.severity = Severity.INFO
        f.evidence["judged_on"] = "a GAN's loss: the game's losses swing by design, so spikes are reported, not graded"
        f.causes = ["one network overpowered the other for a while (a discriminator breaking down, or a generator "
                    "finding a weak spot), then the game rebalanced",
                    "a learning rate too high for one of the two networks"]
        f.fixes = ["nothing, if the losses came back and the samples at those steps look right",
                   "if spikes grow or do not come back: lower the learning rates (or the discriminator's alone), or "
                   "stabilise the game (spectral normalisation, a gradient penalty, label smoothing)"]
        f.verdict = "worth a look" if slow else "normal"
        f.verdict_reason = ("a GAN's losses swing by design; " + (
            "a spike took a while to come back: look at the samples around it" if slow else
            "every spike came back within a few points"))
        return f
    return None
