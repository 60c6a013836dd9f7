"""Where the gradient stops inside ``forward``: a cut before a layer, or a last layer whose output is dropped.

Layers that never change (``frozen-parameters``) say that no gradient reaches them, not why. The first
training forward says which: one-shot hooks record the order the weighted layers ran in, and for each
whether its input was still part of the graph. After the first backward the layers without a gradient
are compared with that order:

* the first layers have none and a later layer's input was cut from the graph: something between them
  returns a tensor without gradient, and when that tensor holds whole numbers it is indices
  (``torch.max(h, 1)[1]``, ``argmax``, ``topk(...)[1]`` taken for the values);
* the last layer(s) have none although they ran: their output never reaches the loss (``forward``
  computes ``out = self.head(h)`` and returns ``h``).

A suspect: named as the cause of the ``frozen-parameters`` (or a no-learning) symptom it explains.
"""

from __future__ import annotations

from typing import Any

from .torch_config import Suspect

WEIGHTED = ("Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LSTM", "GRU", "RNN", "Bilinear")
EXPLAINS = ("frozen-parameters", "stuck-at-chance", "no-learning", "stalled", "high-initial-loss", "cannot-overfit-batch")


class GraphCut:
    """The first training forward's layer order and inputs, judged against the first step's gradients."""

    def __init__(self) -> None:
        self.handles: list = []
        self.order: list[tuple[str, Any, bool, bool]] = []  # (name, module, input in graph, input whole numbers)
        self.done = False
        self.found: Suspect | None = None

    def hook(self, model: Any, wrap: Any) -> None:
        import torch

        layers = [(n, m) for n, m in model.named_modules() if type(m).__name__ in WEIGHTED and m is not model
                  and any(p.requires_grad for p in m.parameters(recurse=False))]
        if len(layers) < 2:
            return

        def root_pre(mod, args):
            self.order = []
            self.recording = torch.is_grad_enabled() and mod.training

        def root_post(mod, args, out):
            if self.recording and self.order:
                self.remove()  # one forward is enough

        def make(name: str, m: Any):
            def pre(mod, args):
                x = args[0] if args else None
                if not self.recording or not isinstance(x, torch.Tensor) or any(n == name for n, *_ in self.order):
                    return
                whole = bool(x.is_floating_point() and x.numel() > 0 and torch.equal(x.detach(), x.detach().round()))
                self.order.append((name, m, bool(x.requires_grad) or not x.is_floating_point(), whole))
            return pre

        self.recording = False
        self.handles = [model.register_forward_pre_hook(wrap(root_pre)), model.register_forward_hook(wrap(root_post))]
        self.handles += [m.register_forward_pre_hook(wrap(make(n, m))) for n, m in layers]

    recording = False

    def after_backward(self) -> None:
        """At the first step (gradients of the first backward present): where the gradient stopped."""
        if self.done or not self.order:
            return
        self.done = True
        self.remove()
        got = [any(p.grad is not None for p in m.parameters(recurse=False) if p.requires_grad) for _, m, _, _ in self.order]
        if all(got) or not any(got):
            return
        names = [n for n, *_ in self.order]
        first_live = got.index(True)
        last_live = len(got) - 1 - got[::-1].index(True)
        if first_live > 0 and all(got[first_live:]):
            _, _, linked, whole = self.order[first_live]
            if linked:
                return
            cut = ", ".join(names[:first_live])
            what = ("it holds whole numbers: indices (torch.max(h, dim)[1], argmax, topk(...)[1]) taken instead of the "
                    "values, which carry no gradient") if whole else (
                "a .detach(), .data, .item() or NumPy round trip, or a copy made with torch.tensor(h) or "
                "h.new_tensor(...), which copies the values and leaves the graph behind")
            fix = ("Take the values, not the indices: torch.max(h, dim)[0] (or .values); keep the tensor in the graph "
                   "between those layers (no .detach(), .data or .item())." if whole else
                   "Keep the tensor in the graph between those layers: no .detach(), .data, .item(), NumPy, "
                   "torch.tensor(h) or h.new_tensor(h); use it as it is (or h.clone(), h.to(...), which keep the "
                   "graph).")
            self.found = Suspect(
                "graph-cut", EXPLAINS,
                f"the input of '{names[first_live]}' is cut from the graph, so no gradient reaches the layers before it "
                f"({cut}): {what}", fix)
        elif last_live < len(got) - 1 and all(got[:last_live + 1]):
            dropped = ", ".join(names[last_live + 1:])
            self.found = Suspect(
                "output-dropped", EXPLAINS,
                f"the last layer ('{dropped}') runs in forward but its output is not used: no gradient reaches it, so "
                f"forward returns what '{names[last_live]}' fed it (the hidden features), not the head's output",
                f"Return the last layer's output from forward (return out, the result of self.{dropped.split('.')[-1]}"
                "(...)), not the hidden features.")

    def suspects(self) -> list[Suspect]:
        self.remove()
        return [self.found] if self.found is not None else []

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
