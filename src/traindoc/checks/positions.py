"""A Transformer fed token embeddings with no positions, on labels that depend on the order.

Self-attention is blind to order: without a positional encoding added to the embeddings, an
encoder (with mean pooling or any symmetric readout) gives the same output for every permutation
of the tokens. That is fine for a bag-of-words task and fatal when the label depends on the order.
The watcher sees both halves without running anything: a one-shot hook finds that the first
attention module receives the embedding layer's output unchanged (nothing was added), and the
sampled batches say whether the label follows the tokens' counts (nearest neighbours of the
bag-of-tokens rows share labels above chance) or not. Judged once at the end, only when the loss
also barely fell.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MAX_ROWS = 1024  # token rows kept (a few dozen steps' batches, then nothing more)
MIN_ROWS = 256  # fewer distinct rows than this cannot show that the counts say nothing of the label
MAX_VOCAB = 4096


def _attention_types() -> tuple:
    from torch import nn

    return (nn.TransformerEncoder, nn.TransformerEncoderLayer, nn.TransformerDecoder, nn.TransformerDecoderLayer,
            nn.Transformer, nn.MultiheadAttention)


class PositionWatch:
    """One-shot hooks: does the first attention module get an embedding's output as it came out?"""

    def __init__(self) -> None:
        self.handles: list = []
        self.emb_out: dict[str, Any] = {}
        self.unpositioned: tuple[str, str, int] | None = None  # (attention module, embedding, vocabulary)
        self.decided = False
        self.xs: list = []
        self.ys: list = []
        self.rows = 0

    def hook(self, model: Any, wrap: Any) -> None:
        from torch import nn

        attn = _attention_types()
        embs = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Embedding)]
        first_attn = next(((n, m) for n, m in model.named_modules() if isinstance(m, attn)), None)
        order_aware = any(isinstance(m, (nn.RNNBase, nn.Conv1d, nn.Conv2d)) for m in model.modules())
        if not embs or first_attn is None or order_aware:
            return
        for name, m in embs:
            def keep(mod, args, out, _name=name):
                if not self.decided:
                    self.emb_out[_name] = out

            self.handles.append(m.register_forward_hook(wrap(keep)))
        vocab = {n: m.num_embeddings for n, m in embs}

        def check(mod, args, kwargs=None, _name=first_attn[0]):
            if self.decided:
                return
            self.decided = True
            x = args[0] if args else (kwargs or {}).get("src", (kwargs or {}).get("query"))
            for emb, out in self.emb_out.items():
                if x is out:
                    self.unpositioned = (_name, emb, vocab[emb])
            self.emb_out = {}

        self.handles.append(first_attn[1].register_forward_pre_hook(wrap(check), with_kwargs=True))

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        self.emb_out = {}

    @property
    def wants_rows(self) -> bool:
        return self.unpositioned is not None and self.rows < MAX_ROWS and not self.off

    off = False

    def sample(self, inputs: Any, targets: Any) -> None:
        """Token rows and one label per row from each step until MAX_ROWS (only once the order-blindness is known)."""
        import torch

        if not self.wants_rows:
            return
        if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)) or inputs.dim() != 2 \
                or inputs.is_floating_point() or targets.dim() != 1 or targets.is_floating_point() \
                or inputs.shape[0] != targets.shape[0]:
            self.off = True
            return
        self.xs.append(inputs.detach().clone())
        self.ys.append(targets.detach().clone())
        self.rows += int(inputs.shape[0])

    def finding(self, losses: list[float], step: float) -> Finding | None:
        from .label_link import label_link

        from .row_link import little_progress

        little = little_progress(losses) if self.unpositioned is not None and self.xs else None
        if little is None:
            return None
        start, end = little
        import torch

        attn, emb, vocab = self.unpositioned
        ids = torch.cat(self.xs).cpu().numpy()
        y = torch.cat(self.ys).cpu().numpy()
        v = min(vocab, MAX_VOCAB)
        counts = np.zeros((ids.shape[0], v), dtype="float32")
        np.add.at(counts, (np.repeat(np.arange(ids.shape[0]), ids.shape[1]), np.clip(ids.reshape(-1), 0, v - 1)), 1.0)
        counts, first = np.unique(counts, axis=0, return_index=True)
        if len(first) < MIN_ROWS:
            return None
        link = label_link(counts, y[first])
        if link is None or not link.at_chance:
            return None  # the labels follow which tokens occur: order may not matter
        return Finding("stalled", Severity.WARNING,
                       f"'{attn}' receives the token embeddings of '{emb}' with no positional encoding added, and the "
                       f"labels do not follow which tokens occur (bag-of-tokens neighbours share a label "
                       f"{link.agreement:.0%} of the time, chance {link.chance:.0%}): they depend on the order, which "
                       f"the model cannot see; the loss only went {start:.3g} -> {end:.3g}",
                       steps=[step], evidence={"subject": "positional-encoding", CAUSE: True, "attention": attn,
                                               "embedding": emb, "bag_agreement": link.agreement,
                                               "chance": link.chance, "loss_start": start, "loss_end": end},
                       causes=["self-attention treats its input as a set: without a position signal every "
                               "permutation of the tokens gives the same pooled output, so labels decided by the "
                               "order (which token comes first) cannot be learned"],
                       fixes=["Add a positional encoding to the embeddings before the encoder: a learned "
                              "nn.Parameter(torch.zeros(1, max_len, d)) or nn.Embedding(max_len, d) of the positions, "
                              "or the sinusoidal encoding."])
