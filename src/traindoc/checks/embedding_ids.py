"""Token ids piled onto an embedding table's last row: ids clamped to fit a table that is too small.

``nn.Embedding(num_embeddings)`` raises "index out of range" on an id >= num_embeddings; a common
"fix" is ``ids.clamp(max=num_embeddings - 1)`` (or ``min(id, n - 1)`` while encoding), which makes
every larger id the same token. The sign is in the ids the table receives: a large share of them
is exactly the last row, scattered through the sequences (padding stored in the last row sits at
the ends of the rows instead). A one-shot forward pre-hook reads the first batch of ids.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_IDS = 64
PILE_SHARE = 0.1  # this share of all ids on the last row
PILE_OVER_UNIFORM = 5.0  # and this many times what a uniform use of the table would put there


def record_embedding_ids(model: Any, wrap: Any) -> tuple[dict[str, dict], list]:
    """One-shot forward pre-hooks on nn.Embedding layers: a summary of the first ids each receives."""
    import torch
    from torch import nn

    seen: dict[str, dict] = {}
    handles: list = []
    for name, m in model.named_modules():
        if not isinstance(m, nn.Embedding):
            continue

        def hook(mod, args, _name=name):
            if _name in seen or not args or not torch.is_grad_enabled():
                return
            ids = args[0]
            if not isinstance(ids, torch.Tensor) or ids.is_floating_point() or ids.numel() < MIN_IDS:
                return
            seen[_name] = _summary(ids.detach(), mod.num_embeddings, mod.padding_idx)

        handles.append(m.register_forward_pre_hook(wrap(hook)))
    return seen, handles


def _summary(ids: Any, n: int, padding_idx: int | None) -> dict:
    last = n - 1
    hit = ids == last
    share = float(hit.float().mean())
    trailing = True  # every hit is part of a run that reaches the end of its row (padding)
    if ids.dim() >= 2 and share > 0:
        rows = hit.reshape(-1, ids.shape[-1])
        # A row's hits are trailing when, from the first hit on, every later position is a hit too.
        after_first = rows.int().cumsum(-1) > 0
        trailing = bool((rows == after_first).all())
    elif ids.dim() < 2:
        trailing = False
    return {"share": share, "last": last, "num_embeddings": n, "trailing": trailing,
            "padding_last": padding_idx is not None and padding_idx % n == last}


def clamped_ids_findings(seen: dict[str, dict], inputs: Any = None) -> list[Finding]:
    for name, s in seen.items():
        n = s["num_embeddings"]
        if s["padding_last"] or s["trailing"] or s["share"] < PILE_SHARE or s["share"] < PILE_OVER_UNIFORM / n:
            continue
        beyond = _max_id(inputs)
        extra = f"; the model's inputs hold ids up to {beyond}" if beyond is not None and beyond >= n else ""
        return [Finding("label-problem", Severity.WARNING,
                        f"{s['share']:.0%} of the ids fed to nn.Embedding '{name}' ({n} rows) are its last row, "
                        f"{s['last']}{extra}: the ids were clamped to fit a table that is too small",
                        evidence={"subject": f"embedding-ids/{name}", CAUSE: True, "share_last_row": s["share"],
                                  "num_embeddings": n, "max_input_id": beyond},
                        causes=[f"every id from {s['last']} up becomes the same token (ids.clamp(max={s['last']}) or "
                                "min(id, n - 1), often added to silence 'index out of range'): the words that decide "
                                "the label are no longer told apart, so the model cannot learn them"],
                        fixes=[f"Size the table from the whole vocabulary: nn.Embedding(num_embeddings=max_id + 1, "
                               "...) (the vocabulary built on all splits, plus padding/unknown), and remove the clamp."])]
    return []


def _max_id(inputs: Any) -> int | None:
    import torch

    if not isinstance(inputs, torch.Tensor) or inputs.is_floating_point() or inputs.numel() == 0:
        return None
    return int(inputs.max())
