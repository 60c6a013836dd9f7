"""An attention padding mask with the wrong polarity: the real tokens hidden, the padding attended.

PyTorch's ``key_padding_mask`` (``src_key_padding_mask``, ``memory_key_padding_mask``) marks with
True (or -inf) the positions to *ignore*; the Hugging Face ``attention_mask`` marks with 1 the positions
to *attend*. Passing ``tokens != pad_id`` (or an ``attention_mask``) where PyTorch wants
``tokens == pad_id`` hides every word, so the model reads only padding and the run stays at chance,
with no error.

Seen on the first training forwards with hooks on attention layers (nothing is changed): the mask
given beside the model's own integer token input. Padding is one repeated id; words are many. When the
positions the mask leaves visible hold a single id while the hidden ones hold several, the mask is
inverted. A suspect: named as the cause of a run that does not learn.
"""

from __future__ import annotations

from typing import Any

from .torch_config import Suspect

WATCH_FORWARDS = 4
EXPLAINS = ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "high-initial-loss")
ATTENTION = ("MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer",
             "TransformerDecoder", "Transformer")
ONE_ID = 0.95  # share of the visible positions holding the single most common id
MIN_HIDDEN_IDS = 3  # distinct ids among the hidden positions


def _hidden(mask: Any) -> Any:
    """The positions a PyTorch key padding mask hides, as a bool tensor."""
    import torch

    if mask.dtype == torch.bool:
        return mask
    return mask < -1e3 if mask.is_floating_point() else mask != 0


def inverted(ids: Any, mask: Any) -> bool:
    """Whether a (batch, time) mask leaves one repeated id visible and hides several distinct ids."""
    import torch

    if mask.shape != ids.shape or ids.dim() != 2 or ids.is_floating_point():
        return False
    with torch.no_grad():
        hide = _hidden(mask)
        shown, hidden = ids[~hide], ids[hide]
        if shown.numel() == 0 or hidden.numel() == 0:
            return False
        top = int(torch.bincount(shown - shown.min()).max())
        return top >= ONE_ID * shown.numel() and hidden.unique().numel() >= MIN_HIDDEN_IDS


class PaddingMask:
    """The first training forwards: does a key padding mask hide the words and show the padding?"""

    def __init__(self) -> None:
        self.handles: list = []
        self.ids: Any = None
        self.forwards = 0
        self.seen: list[tuple[str, str, bool]] = []  # (layer, argument, inverted)

    def hook(self, model: Any, wrap: Any) -> None:
        import torch

        layers = [(n, m) for n, m in model.named_modules() if type(m).__name__ in ATTENTION and m is not model]
        if not layers:
            return

        def root_pre(mod, args):
            self.ids = None
            if not (torch.is_grad_enabled() and mod.training):
                return
            self.forwards += 1
            if self.forwards > WATCH_FORWARDS:
                self.remove()
            elif args and isinstance(args[0], torch.Tensor) and not args[0].is_floating_point():
                self.ids = args[0]

        def make(name: str):
            def pre(mod, args, kwargs):
                if self.ids is None:
                    return
                for key, mask in kwargs.items():
                    if key.endswith("key_padding_mask") and isinstance(mask, torch.Tensor):
                        self.seen.append((name, key, inverted(self.ids, mask)))
            return pre

        self.handles = [model.register_forward_pre_hook(wrap(root_pre))]
        self.handles += [m.register_forward_pre_hook(wrap(make(n)), with_kwargs=True) for n, m in layers]

    def suspects(self) -> list[Suspect]:
        self.remove()
        if not self.seen or not all(inv for _, _, inv in self.seen):
            return []
        name, key = self.seen[0][0], self.seen[0][1]
        return [Suspect("padding-mask-inverted", EXPLAINS,
                        f"the {key} given to '{name}' hides the words and leaves only the padding visible (True "
                        "marks a position to ignore in PyTorch, while an attention_mask of 1 marks one to attend): "
                        "attention reads nothing but padding, so the output cannot depend on the input",
                        f"Invert the mask: {key}=(tokens == pad_id), or ~attention_mask.bool() when it comes from "
                        "a tokenizer's attention_mask.")]

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
