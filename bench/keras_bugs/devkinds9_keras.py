"""The ninth bug-kinds dev set: the live readings round 9 of the new-user runs got wrong (live19), each in programs
of its own.

Why: the newuser9 runs (bench/newuser/RUNS9.md) were read wrongly LIVE: a rate far above an adaptive optimiser's
range left unnamed behind a stall or vanishing gradients; StepLR(gamma=10) read as a decay written as an assignment;
a one-epoch rate typo read as mini-batch noise; the optimiser built on an old model object named only as 'frozen
parameters'; a ReLU net whose units die late read as healthy; a late NaN from a hand-written log(1 - sigmoid).
Each mechanism is written again here in other shapes (another optimiser, another scheduler, another model API),
different from the newuser9 runs, so that a fix fitted to one run does not count. Every buggy program has a fixed
twin that must draw no warning. It is a DEV set, written alongside the checks: ``ids`` and ``fix`` patterns were
written before traindoc ran on it. Run with ``bench/bench_keras_bugs.py --set devkinds9``.

The live mechanisms are read by the PyTorch watcher, so the programs are PyTorch ones (``devkinds9_torch``); this
module holds the list and the accepted ids and fix patterns.
"""

from __future__ import annotations

from .keras_cases import Case

DEVKINDS9: list[Case] = []


def devkind9(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "torch"):
    """Register a case of the ninth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS9.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


RANGE_IDS = ("lr-too-high", "update-ratio", "divergence", "stalled", "no-learning", "stuck-at-chance", "loss-spikes",
             "dead-relu", "oscillation", "exploding-gradients", "vanishing-gradients")
RANGE_FIX_IDS = ("lr-too-high", "update-ratio", "divergence", "stalled", "stuck-at-chance")
RANGE_FIX = (r"(lower|reduce|decrease|smaller)\w*( the)? (peak )?(learning[- ]rate|\blr\b)|(learning[- ]rate|\blr\b)"
             r".{0,40}(too high|far above|1e-4 to 1e-3)")
GAMMA_IDS = ("lr-too-high", "divergence", "both-rising", "stuck-at-chance", "update-ratio", "loss-spikes",
             "oscillation", "nonfinite", "exploding-gradients", "dead-relu")
GAMMA_FIX_IDS = ("lr-too-high", "divergence", "update-ratio")
GAMMA_FIX = r"gamma\b.{0,40}(below 1|less than 1|< ?1|above 1|more than 1|0\.\d)"
BUMP_IDS = ("lr-too-high", "loss-spikes")
BUMP_FIX_IDS = ("lr-too-high",)
BUMP_FIX = r"schedule.{0,60}(value|typo|rate)|(raised|set) .{0,40}for a stretch"
OLD_IDS = ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled")
OLD_FIX_IDS = ("frozen-parameters",)
OLD_FIX = r"optimi[sz]er .{0,80}(model that is trained|after (creating|replacing|the model))"
