"""A recurrent hidden state detached between the time steps of one sequence: backprop reaches one step only.

``h = cell(x[:, t], h.detach())`` inside the time loop (often added to silence "Trying to backward
through the graph a second time") cuts the graph at every step: the gradient reaches only the last
step, and a label set by the early part of the sequence cannot be learned. The detach belongs once
per batch, for a hidden state carried over from the previous batch.

Seen on the first training forwards with hooks on recurrent layers and cells (nothing the loop uses
is touched): within one forward pass of the model, the same layer is called again with a hidden state
that holds exactly the values its previous call returned, but cut from the graph (no gradient) while
that output had one. A suspect: named as the cause of a run that does not learn.
"""

from __future__ import annotations

from typing import Any

from .torch_config import Suspect

WATCH_FORWARDS = 8  # model forwards looked at, then the hooks go
EXPLAINS = ("stuck-at-chance", "no-learning", "stalled", "vanishing-gradients", "cannot-overfit-batch", "late-start")
RECURRENT = ("GRUCell", "LSTMCell", "RNNCell", "GRU", "LSTM", "RNN")


def _hidden_in(args: tuple, kwargs: dict) -> Any:
    hx = kwargs.get("hx", args[1] if len(args) > 1 else None)
    return hx[0] if isinstance(hx, (tuple, list)) and hx else hx


def _hidden_out(mod: Any, out: Any) -> Any:
    """The new hidden state a layer returned: a cell's h (or (h, c)), a recurrent layer's h_n."""
    if type(mod).__name__.endswith("Cell"):
        return out[0] if isinstance(out, (tuple, list)) else out
    h = out[1] if isinstance(out, (tuple, list)) and len(out) > 1 else None
    return h[0] if isinstance(h, (tuple, list)) else h


class DetachedHidden:
    """Counts, per recurrent layer, calls whose hidden state was its previous output detached."""

    def __init__(self) -> None:
        self.handles: list = []
        self.last: dict[str, Any] = {}  # layer -> hidden state it returned, within the current forward
        self.forwards = 0
        self.cut: dict[str, int] = {}
        self.linked: dict[str, int] = {}

    def hook(self, model: Any, wrap: Any) -> None:
        import torch

        layers = [(n, m) for n, m in model.named_modules() if type(m).__name__ in RECURRENT and m is not model]
        if not layers:
            return

        def root_pre(mod, args):
            self.last = {}
            if torch.is_grad_enabled() and mod.training:
                self.forwards += 1
                if self.forwards > WATCH_FORWARDS:
                    self.remove()

        def make(name: str):
            def pre(mod, args, kwargs):
                prev = self.last.get(name)
                h = _hidden_in(args, kwargs)
                if prev is None or not isinstance(h, torch.Tensor) or not torch.is_grad_enabled():
                    return
                if h is prev or h.requires_grad:
                    self.linked[name] = self.linked.get(name, 0) + 1
                elif prev.requires_grad and h.shape == prev.shape and torch.equal(h, prev.detach()):
                    self.cut[name] = self.cut.get(name, 0) + 1

            def post(mod, args, kwargs, out):
                h = _hidden_out(mod, out)
                if isinstance(h, torch.Tensor):
                    self.last[name] = h
            return pre, post

        self.handles = [model.register_forward_pre_hook(wrap(root_pre))]
        for name, m in layers:
            pre, post = make(name)
            self.handles += [m.register_forward_pre_hook(wrap(pre), with_kwargs=True),
                             m.register_forward_hook(wrap(post), with_kwargs=True)]

    def suspects(self) -> list[Suspect]:
        self.remove()
        name = max(self.cut, key=self.cut.get, default=None)
        if name is None or self.cut[name] < 2 or self.linked.get(name, 0) > 0:
            return []
        return [Suspect("detached-hidden", EXPLAINS,
                        f"inside one forward pass the recurrent layer '{name}' is called again with its own previous "
                        f"hidden state cut from the graph ({self.cut[name]} calls: h.detach() inside the time loop), so "
                        "backpropagation reaches only the last time step and what the early steps carry cannot be "
                        "learned",
                        "Do not detach the hidden state between the steps of a sequence; detach it once per batch, "
                        "only when the state is carried over from the previous batch (truncated BPTT).")]

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        self.last = {}  # the last forward's hidden states hold their autograd graph: let them go
