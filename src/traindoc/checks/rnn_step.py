"""A recurrent layer's output read at its first time step: the classifier sees one input value.

Why: ``out, _ = lstm(x)`` gives one output per time step; a unidirectional LSTM/GRU's output at
step t has seen steps 0..t only. Sequence classifiers read the last step (``out[:, -1]`` or
``h_n[-1]``); ``out[:, 0]`` (first-token pooling copied from a BERT example, where attention lets
token 0 see everything) has seen one step, so a label set by the rest of the sequence cannot be
learned. One-shot hooks on the first forward pass with gradients see the recurrent layer's output
and the inputs of the layers after it; a layer input that is a view of that output at step 0
(or equal to it) is the read. A task decided by the first step does learn this way, so the read
is named only when the run barely learned (the loss ended at 75% of its start or more).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


class RnnReads:
    """Which time step of a unidirectional recurrent layer's output the next layers read (first forward)."""

    def __init__(self) -> None:
        self.outputs: dict[str, tuple] = {}  # name -> (output tensor, batch_first, steps)
        self.read: dict | None = None
        self.handles: list = []
        self.done = False

    def hook(self, model: Any, wrap: Any) -> None:
        import torch
        from torch import nn

        rnns = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.RNNBase) and not m.bidirectional]
        if not rnns:
            return

        def rnn_hook(mod, args, out, _name=None):
            if self.done or not torch.is_grad_enabled():
                return
            y = out[0] if isinstance(out, tuple) else out
            if isinstance(y, torch.Tensor) and y.dim() == 3:
                bf = bool(mod.batch_first)
                self.outputs.setdefault(_name, (y, bf, int(y.shape[1] if bf else y.shape[0])))

        def reader_hook(mod, args, _name=None):
            if self.done or not self.outputs or not torch.is_grad_enabled() or not args:
                return
            x = args[0]
            if isinstance(x, torch.Tensor) and self.read is None:
                self._match(_name, x)

        for name, m in rnns:
            self.handles.append(m.register_forward_hook(wrap(lambda mod, a, o, _n=name: rnn_hook(mod, a, o, _n))))
        inside = {id(p) for _, m in rnns for p in m.modules()}
        for name, m in model.named_modules():
            if id(m) in inside or list(m.children()) or m is model:
                continue
            self.handles.append(m.register_forward_pre_hook(wrap(lambda mod, a, _n=name: reader_hook(mod, a, _n))))
        root = model.register_forward_hook(wrap(lambda mod, a, o: self.finish()))
        self.handles.append(root)

    def _match(self, reader: str, x: Any) -> None:
        import torch

        for name, (y, bf, steps) in self.outputs.items():
            if steps < 2:
                continue
            first = y[:, 0] if bf else y[0]
            if tuple(x.shape) != tuple(first.shape):
                continue
            with torch.no_grad():
                at = [t for t in (0, steps - 1) if torch.equal(x.detach(), (y[:, t] if bf else y[t]).detach())]
            if at:
                self.read = {"rnn": name, "reader": reader, "step": at[0], "steps": steps, "batch_first": bf}
                return

    def finish(self) -> None:
        self.done = True
        self.outputs = {}
        self.remove()

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def finding(self, losses: list[float], classify: bool, step: float) -> Finding | None:
        from .row_link import little_progress

        r = self.read
        if r is None or r["step"] != 0 or little_progress(losses) is None:
            return None
        start, end = little_progress(losses)
        idx = "out[:, 0]" if r["batch_first"] else "out[0]"
        last = "out[:, -1]" if r["batch_first"] else "out[-1]"
        return Finding("stuck-at-chance" if classify else "no-learning", Severity.WARNING,
                       f"'{r['reader']}' reads the output of the recurrent layer '{r['rnn']}' at the first of its "
                       f"{r['steps']} time steps ({idx}), which has seen only the first input; the loss went from "
                       f"{start:.3g} to {end:.3g}",
                       steps=[step], evidence={"subject": "rnn-first-step", CAUSE: True, **r},
                       causes=[f"a unidirectional recurrent layer's output at step t has seen steps 0..t only: {idx} "
                               "(first-token pooling copied from a Transformer/BERT example, where attention lets "
                               "token 0 see the whole sequence) carries nothing of the later steps"],
                       fixes=[f"Read the last time step: {last} (or h_n[-1] from `out, (h_n, c_n) = lstm(x)`); with "
                              "padded sequences, the last real step of each sequence (pack_padded_sequence)."])
