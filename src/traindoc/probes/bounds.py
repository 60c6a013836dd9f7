"""Where a squashing activation counts as saturated, in one torch-free place.

Why: the activation probe counts outputs at the flat ends and a static check reads the same ends off an
initial bias (``checks/bias_saturation.py``); both must mean the same thing, and the check must not import
torch to learn it.
"""

from __future__ import annotations

FLAT_END = 0.99  # |tanh| above it, or a sigmoid outside [1 - FLAT_END, FLAT_END]: the slope is 1% of its peak or less
