"""An LSTM whose forget gate starts closed: a negative forget-gate bias wipes the cell state every step.

The usual trick sets the LSTM forget-gate bias to +1 so the cell state is kept early in training;
with the sign mixed up (or a blanket ``bias.fill_(-k)``), the forget gate is near 0 at every step,
the cell state is wiped each step and nothing from early in a sequence reaches its end. (A GRU's
closed update gate does not do this: its candidate state still reads the previous one.) PyTorch
stores the gates stacked in ``bias_ih`` and ``bias_hh`` (input, forget, cell, output) and adds the
two. Named as the cause only when the run does not learn.
"""

from __future__ import annotations

from typing import Any

from .torch_config import Suspect

CLOSED = -1.0  # mean total bias of the gate: sigmoid(-1) = 0.27 of the memory kept per step
EXPLAINS = ("stuck-at-chance", "no-learning", "stalled", "vanishing-gradients", "cannot-overfit-batch",
            "late-start")


def gate_biases(model: Any) -> list[tuple[str, str, float]]:
    """(layer, gate, mean total bias) for each LSTM forget gate whose bias closes it."""
    import torch

    out = []
    for name, m in model.named_modules():
        kind = type(m).__name__  # (proj_size LSTMs keep the same gate order)
        if kind != "LSTM" or not getattr(m, "bias", False):
            continue
        h = int(m.hidden_size)
        gate = "forget"
        with torch.no_grad():
            for pn, p in m.named_parameters():
                if not pn.startswith("bias_ih"):
                    continue
                hh = getattr(m, pn.replace("bias_ih", "bias_hh"), None)
                total = p.detach()[h:2 * h].float() + (hh.detach()[h:2 * h].float() if hh is not None else 0)
                mean = float(total.mean())
                if mean <= CLOSED:
                    out.append((f"{name}.{pn[len('bias_ih_'):]}" if name else pn[len("bias_ih_"):], gate, mean))
    return out


def gate_bias_suspects(model: Any) -> list[Suspect]:
    found = gate_biases(model)
    if not found:
        return []
    layer, gate, mean = min(found, key=lambda t: t[2])
    return [Suspect("gate-bias", EXPLAINS,
                    f"the {gate}-gate bias of the recurrent layer {layer} starts at {mean:+.2g} (bias_ih + bias_hh): "
                    f"the gate is nearly closed at every step, so the memory is wiped each step and nothing from "
                    f"early in a sequence reaches its end",
                    f"Initialise the {gate}-gate bias to +1 (the usual trick: the sign was mixed up), or keep "
                    "PyTorch's default init of bias_ih / bias_hh.")]
