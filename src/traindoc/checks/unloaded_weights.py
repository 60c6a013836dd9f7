"""Frozen layers that still hold PyTorch's default random initialisation: pretrained weights never loaded.

Fine-tuning freezes a pretrained body (``requires_grad=False``) and trains a new head. When the
weights were never loaded (``load_state_dict(state, strict=False)`` whose keys do not match, such as
a ``module.`` prefix saved by ``nn.DataParallel``; a checkpoint loaded into another instance; the
load line forgotten), the frozen body keeps the random values its constructor drew, and the head is
trained on random features for the whole run, with no error anywhere.

PyTorch's default draws are recognisable: a Linear or Conv weight and bias are uniform on
``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, every recurrent weight uniform on ``[-1/sqrt(hidden),
1/sqrt(hidden)]``, an Embedding standard normal. Trained weights leave the bound and lose that
shape. Read once at ``watch()`` start, from the weights as given; nothing runs.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE, WEIGHTED

MIN_ELEMENTS = 64  # a weight this small can fall inside any bound by chance
UNIFORM_STD = 1 / math.sqrt(3)  # the std of U(-1, 1)
STD_TOLERANCE = 0.12  # relative, around the default's std
RECURRENT = ("LSTM", "GRU", "RNN")
SAMPLE = 1 << 20  # elements read per tensor: the draw's bound and spread show on a sample


def _uniform_within(t: Any, bound: float) -> bool:
    """Whether a tensor looks like one draw of U(-bound, bound)."""
    import torch

    if t is None or t.numel() < MIN_ELEMENTS or bound <= 0:
        return False
    with torch.no_grad():
        v = t.detach().reshape(-1)[:SAMPLE].float()  # a sample: a frozen LLM body's copy would be gigabytes
        top = float(v.abs().max())
        std = float(v.std())
        mean = float(v.mean())
    return (top <= bound * 1.0001 and top >= 0.9 * bound and abs(std / (bound * UNIFORM_STD) - 1) <= STD_TOLERANCE
            and abs(mean) <= 0.1 * bound)


def _standard_normal(t: Any) -> bool:
    import torch

    if t is None or t.numel() < 1000:
        return False
    with torch.no_grad():
        v = t.detach().reshape(-1)[:SAMPLE].float()  # a sample: a frozen LLM body's copy would be gigabytes
        return abs(float(v.mean())) < 0.05 and abs(float(v.std()) - 1) < 0.05


def default_init(m: Any) -> bool | None:
    """Whether a module's weights are PyTorch's default draw (None: a kind this check does not know)."""
    kind = type(m).__name__
    if kind in WEIGHTED:
        w = getattr(m, "weight", None)
        if w is None or w.dim() < 2:
            return None
        fan_in = w[0].numel()
        return _uniform_within(w, 1 / math.sqrt(fan_in))
    if kind in RECURRENT:
        bound = 1 / math.sqrt(getattr(m, "hidden_size", 0) or 1)
        weights = [p for n, p in m.named_parameters() if n.startswith("weight_")]
        return bool(weights) and all(_uniform_within(p, bound) or p.numel() < MIN_ELEMENTS for p in weights) and \
            any(p.numel() >= MIN_ELEMENTS for p in weights)
    if kind == "Embedding":
        return _standard_normal(getattr(m, "weight", None))
    return None


def _copies_trained(m: Any, params: list) -> bool:
    """Whether a frozen module's first weight equals a trainable parameter (a copy made to be a teacher)."""
    import torch

    w = next(iter(m.parameters(recurse=False)), None)
    if w is None:
        return False
    with torch.no_grad():
        return any(p.requires_grad and p.shape == w.shape and p.dtype == w.dtype and p.device == w.device
                   and torch.equal(p, w)
                   for p in params)


def unloaded_weights_findings(model: Any) -> list[Finding]:
    """frozen-parameters when the frozen layers of a partly trainable model are (mostly) still the default draw."""
    params = list(model.parameters())
    if not any(p.requires_grad for p in params):
        return []  # nothing trains: not a fine-tuning setup
    frozen = []
    for name, m in model.named_modules():
        own = list(m.parameters(recurse=False))
        if own and not any(p.requires_grad for p in own):
            judged = default_init(m)
            if judged is not None:
                frozen.append((name, judged, sum(p.numel() for p in own)))
    # A frozen copy of a trained module (the EMA teacher or momentum encoder of BYOL, MoCo, mean teacher)
    # starts as that module's random draw on purpose.
    mods = dict(model.named_modules())
    random = [(n, k) for n, judged, k in frozen if judged and not _copies_trained(mods[n], params)]
    if not random or 2 * sum(k for _, k in random) < sum(k for _, _, k in frozen):
        return []
    names = [n for n, _ in random]
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return [Finding("frozen-parameters", Severity.WARNING,
                    f"the frozen layers ({shown}) still hold PyTorch's default random initialisation: the "
                    "pretrained weights were never loaded, so the trained part learns from random features",
                    evidence={"subject": "unloaded-weights", "layers": names[:20], CAUSE: True,
                              "how": "frozen weights uniform within the default init bound (never trained)"},
                    causes=["load_state_dict(state, strict=False) whose keys do not match the model's (a 'module.' "
                            "prefix saved by nn.DataParallel / DistributedDataParallel, another wrapper's prefix) "
                            "loads nothing and reports the mismatch only in the missing_keys it returns; or the "
                            "checkpoint was loaded into another instance of the model, or not at all."],
                    fixes=["Strip the prefix from the checkpoint's keys ({k.removeprefix('module.'): v for k, v in "
                           "state.items()}) and load with strict=True, so a mismatch raises instead of loading "
                           "nothing; print the missing_keys load_state_dict returns.",
                           "If the frozen layers are meant to be random, train them or drop them."])]
