"""Shared robust statistics for the rules: one copy, used by every rule family.

Everything here works on plain numpy arrays, is deterministic, and is cheap enough for a
live watcher that re-diagnoses a growing run every few steps: long series are reduced to
a few hundred block medians before any quadratic-time test runs.
"""

from .core import bin_median, finite_xy, head_level, mad, noise_sigma, rolling_median, tail_level
from .trend import Trend, mann_kendall, theil_sen, trend
from .spikes import Spike, SpikeScan, detect_spikes, scan_spikes, value_range
from .chance import ClassCount, class_count
from .plateau import projected_improvement
from .earlystop import Overfit, overfit_onset

__all__ = [
    "bin_median", "finite_xy", "head_level", "mad", "noise_sigma", "rolling_median", "tail_level",
    "Trend", "mann_kendall", "theil_sen", "trend", "Spike", "SpikeScan", "detect_spikes", "scan_spikes", "value_range", "ClassCount", "class_count",
    "projected_improvement", "Overfit", "overfit_onset",
]
