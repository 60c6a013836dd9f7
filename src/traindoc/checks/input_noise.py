"""Training-time noise inside ``forward`` that drowns the input: an augmentation in the wrong units.

Noise augmentation written into the model (``x = x + std * torch.randn_like(x)`` when training) with a
``std`` meant for raw values (25 for 0-255 pixels) but applied to standardised inputs buries the signal:
every batch the first layer sees is nearly pure noise, and the run stays near chance. The batch handed
to ``doc.step`` is the clean one, so the input checks see nothing wrong.

Seen on the first training forward (gradients on, model in training mode), with one-shot hooks: the
model's own input and what its first Linear/Conv layer receives. When that layer's input has the
model input's shape but is several times larger and hardly correlated with it, something added inside
``forward`` dominates. Named only as the cause of a run that does not learn (a suspect), since a
deliberate large transform is possible.
"""

from __future__ import annotations

from typing import Any

from .structure import pair_first_layer_input
from .torch_config import Suspect

LARGER = 3.0  # the first layer's input std against the model input's
UNRELATED = 0.5  # correlation below which the model input is no longer what the layer reads
EXPLAINS = ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "late-start", "high-initial-loss")


class InputNoise:
    """The first training forward's model input against its first weighted layer's input."""

    def __init__(self) -> None:
        self.handles: list = []
        self.measured: tuple[float, float, str] | None = None  # (std ratio, correlation, layer)

    def hook(self, model: Any, wrap: Any) -> None:
        def measure_once(x: Any, seen: Any) -> None:
            self.remove()
            self._measure(x, seen, name)

        hooked = pair_first_layer_input(model, wrap, measure_once)
        if hooked is not None:
            name, self.handles = hooked

    def _measure(self, x: Any, seen: Any, name: str) -> None:
        import torch

        if x is seen or x.shape != seen.shape or not x.is_floating_point() or x.numel() < 64:
            return
        with torch.no_grad():
            a = x.detach().float().reshape(-1)
            b = seen.detach().float().reshape(-1)
            a, b = a - a.mean(), b - b.mean()
            sa, sb = float(a.norm()), float(b.norm())
            if sa == 0 or sb == 0:
                return
            self.measured = (sb / sa, float((a * b).sum()) / (sa * sb), name)

    def suspects(self) -> list[Suspect]:
        if self.measured is None:
            return []
        ratio, corr, name = self.measured
        if ratio < LARGER or corr >= UNRELATED:
            return []
        return [Suspect("input-noise", EXPLAINS,
                        f"in training mode the first layer ({name}) receives values {ratio:.3g}x as spread as the batch "
                        f"given to the model and only {max(corr, 0.0):.0%} correlated with it: noise added inside "
                        "forward (an augmentation) drowns the input, so every batch is nearly pure noise",
                        "Give the added noise's std in the units of the normalised input (about 0.1 for "
                        "standardised data, not a value meant for raw 0-255 pixels), or add the noise before "
                        "scaling; the noise std is too large.")]

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
