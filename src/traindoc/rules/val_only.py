"""Whether a validation-loss bump is the validation set's alone: the training loss kept falling.

A learning rate too high breaks the optimisation first, and the loss it optimises shows it: the
training loss jumps with (or before) the validation loss. While the rate warms up from pretrained
weights the model moves fastest, and a validation loss that bumps up for a few evaluations while
the training loss falls straight through the same stretch is the model passing through weights
that generalise worse on the way, not the rate breaking training. The warm-up spike tests ask
this before blaming the rate.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ..stats.spikes import Spike
from ._common import Curve, loss_curve


def training_kept_falling(run: Run, val: Curve, sp: Spike) -> bool:
    """The training loss over the spike (from the evaluation before it to its peak) is no higher,
    by median, than over as many points just before: it did not share the bump."""
    t = loss_curve(run, Role.TRAIN_LOSS, 3)
    if t is None or t.series is val.series:
        return False
    earlier = val.x[val.x < sp.start]
    if earlier.size == 0:
        return False
    prev = float(earlier[-1])
    during = t.y[(t.x > prev) & (t.x <= sp.peak_step)]
    before = t.y[t.x <= prev]
    if during.size == 0 or before.size == 0:
        return False
    before = before[-during.size:]
    return bool(np.median(during) <= np.median(before))
