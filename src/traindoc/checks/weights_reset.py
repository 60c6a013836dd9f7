"""The weights back at their starting values mid-run: a model rebuilt, or a resume that did not load them.

A resumed script that loads the optimizer and the epoch counter but not the model's weights, a model
(re)built or ``reset_parameters()`` called inside the training loop: the run goes on from fresh
weights, and the loss jumps back to its starting value. The symptom rules see a spike or a restart;
the weights say why.

Read from the watcher's per-layer weight norms at the end of the run: at one sample every layer's
norm, after moving away from its first value, is suddenly back near it (within a quarter of the
distance it had reached). A suspect: named as the cause of the jump it explains.
"""

from __future__ import annotations

from .torch_config import Suspect

MIN_LAYERS = 2
MOVED = 0.05  # the norm had moved this share of its first value
BACK = 0.25  # and is now within this share of that distance from its first value
EXPLAINS = ("resume-spike", "loss-spikes", "divergence", "no-learning", "stalled", "late-start")


def reset_suspects(series: dict) -> list[Suspect]:
    """A suspect when every layer's weight norm snapped back to its first value at the same sample."""
    layers = [s for n, s in series.items() if n.startswith("weight_norm/") and len(s.values) >= 3]
    if len(layers) < MIN_LAYERS or len({len(s.values) for s in layers}) != 1:
        return []
    steps = [float(v) for v in layers[0].steps]
    for i in range(2, len(steps)):
        back = True
        for s in layers:
            first, prev, now = float(s.values[0]), float(s.values[i - 1]), float(s.values[i])
            moved = abs(prev - first)
            if not (first > 0 and moved >= MOVED * first and abs(now - first) <= BACK * moved):
                back = False
                break
        if back:
            return [Suspect("weights-reset", EXPLAINS,
                            f"between steps {steps[i - 1]:.0f} and {steps[i]:.0f} every layer's weights went back to "
                            "their initial values: the model's weights were not loaded when the run resumed (or the "
                            "model was rebuilt / re-initialised inside the loop), so training starts over",
                            "Load the model's weights when resuming, model.load_state_dict(checkpoint['model']) next to "
                            "the optimizer's state, and build the model once, outside the training loop.")]
    return []
