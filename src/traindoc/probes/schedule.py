"""When the watcher samples, reads back and judges: counted in steps, never in seconds.

A schedule driven by wall time makes the same seeded run sample different steps on a busy
machine and so reach different findings. Everything here is a function of the step number
and of the model's size, so a run repeated gives the same record and the same findings.
"""

from __future__ import annotations

from torch import nn

READBACK_SAMPLES = 4  # sampled steps batched into one host read-back
READBACK_MIN_STEPS = 16  # and at least this many steps between read-backs when sampling often


def readback_samples(every: int) -> int:
    """Samples per read-back: 4, or more when sampling every step or two, so a read-back's fixed
    cost (one transfer, the writer's flush, the checks) is paid once per 16 steps at most."""
    return max(READBACK_SAMPLES, -(-READBACK_MIN_STEPS // max(1, every)))
MIN_RULES_INTERVAL = 50  # steps between two rule evaluations, early in the run
MAX_RULES_INTERVAL = 5000  # and at most this many later, when the run is long


def default_every(model: nn.Module) -> int:
    """Sampling interval from the model's size.

    A sample costs a fixed Python overhead per module (hooks, one fused norm per tensor
    group) plus a pass over the parameters; a step costs compute that grows with the
    parameter count. Small models, whose steps are cheap, are sampled more rarely so the
    probes stay near 1% of step time; large ones, whose steps dwarf that overhead, more often.
    """
    n_params = sum(p.numel() for p in model.parameters())
    n_modules = sum(1 for _ in model.modules())
    if n_params < 1_000_000 or n_modules > 400:
        return 100
    if n_params < 100_000_000:
        return 50
    return 20


def is_sampled(step: int, every: int) -> bool:
    """Steps 1 and 2, every ``every // 10`` steps during the first ``every`` steps (so a short
    run still gets a dozen samples: dead-unit windows, a carried-over gradient), then every
    ``every`` steps."""
    if step <= 2 or step % every == 0:
        return True
    early = every // 10
    return early >= 2 and step < every and step % early == 0


def next_rules_step(step: int, every: int = 1) -> int:
    """The step from which the rules run next (at the first read-back there): intervals
    double with the run's length (a long curve changes slowly), from MIN_RULES_INTERVAL (or
    the sampling interval, when longer: a pass costs about as much as a sample, and a small
    model, sampled rarely because its steps are cheap, reaches that many steps in seconds) up to
    MAX_RULES_INTERVAL, so their cost fades as the run grows."""
    return step + max(MIN_RULES_INTERVAL, every, min(step, MAX_RULES_INTERVAL))
