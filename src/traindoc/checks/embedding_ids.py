"""Token ids piled onto an embedding table's last row (ids clamped to fit a table that is too small), or every
token of every text encoded as one id (a vocabulary lookup that finds no word).

``nn.Embedding(num_embeddings)`` raises "index out of range" on an id >= num_embeddings; a common
"fix" is ``ids.clamp(max=num_embeddings - 1)`` (or ``min(id, n - 1)`` while encoding), which makes
every larger id the same token. The sign is in the ids the table receives: a large share of them
is exactly the last row, scattered through the sequences (padding stored in the last row sits at
the ends of the rows instead). A one-shot forward pre-hook reads the first batch of ids.

When *every* id of that batch is the same, the encoder found none of the words: the lookup used the
index-to-word table (``itos.get(word, 0)``, keyed by integers), a "vocabulary" built from characters
(``set(' '.join(texts))`` iterates letters), or a normalisation at build time the lookup lacks; each
word falls back to the unknown (or padding) id and all inputs are alike. Real text never encodes a
whole batch of 64+ tokens to one id.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_IDS = 64
PILE_SHARE = 0.1  # this share of all ids on the last row
PILE_OVER_UNIFORM = 5.0  # and this many times what a uniform use of the table would put there


def record_embedding_ids(model: Any, wrap: Any) -> tuple[dict[str, dict], list]:
    """One-shot forward pre-hooks on nn.Embedding / nn.EmbeddingBag layers: a summary of the first ids each receives."""
    import torch
    from torch import nn

    seen: dict[str, dict] = {}
    handles: list = []
    for name, m in model.named_modules():
        if not isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            continue

        def hook(mod, args, _name=name):
            if _name in seen or not args or not torch.is_grad_enabled():
                return
            ids = args[0]
            if not isinstance(ids, torch.Tensor) or ids.is_floating_point() or ids.numel() < MIN_IDS:
                return
            seen[_name] = _summary(ids.detach(), mod.num_embeddings, mod.padding_idx)
            seen[_name]["kind"] = type(mod).__name__
            if len(args) > 1 and ids.dim() == 1:
                seen[_name]["bags"] = _bag_sizes(ids.numel(), args[1])

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
    first = ids.reshape(-1)[0]
    one = int(first) if bool((ids == first).all()) else None
    return {"share": share, "last": last, "num_embeddings": n, "trailing": trailing,
            "padding_last": padding_idx is not None and padding_idx % n == last, "one_id": one,
            "ids": int(ids.numel())}


MIN_BAGS = 8
LAST_OVER_MEDIAN = 8.0  # the last bag this many times the median bag ...
LAST_OVER_MAX = 3.0  # ... and this many times the largest other bag: the offsets do not cover the flat ids


def _bag_sizes(n: int, offsets: Any) -> list[int] | None:
    """The number of ids in each bag of an nn.EmbeddingBag call on flat ids with offsets (the last runs to the end)."""
    import torch

    if not isinstance(offsets, torch.Tensor) or offsets.dim() != 1 or offsets.numel() < MIN_BAGS:
        return None
    starts = offsets.detach().long().cpu().tolist() + [n]
    return [b - a for a, b in zip(starts, starts[1:])]


def bag_offsets_findings(seen: dict[str, dict]) -> list[Finding]:
    """label-problem: the last bag of an nn.EmbeddingBag call holds the bulk of the flat ids."""
    for name, s in seen.items():
        sizes = s.get("bags")
        if not sizes or min(sizes) < 0:
            continue
        other = sorted(sizes[:-1])
        median, top, last = max(1, other[len(other) // 2]), max(1, other[-1]), sizes[-1]
        if last < LAST_OVER_MEDIAN * median or last < LAST_OVER_MAX * top:
            continue
        total = sum(sizes)
        return [Finding(
            "label-problem", Severity.WARNING,
            f"the last of the {len(sizes)} bags nn.EmbeddingBag '{name}' was given holds {last} of the {total} flat "
            f"ids, where the other bags hold {median} (median): the offsets do not match the flat ids",
            evidence={"subject": f"bag-offsets/{name}", CAUSE: True, "bags": len(sizes), "last_bag": last,
                      "median_bag": median, "ids": total,
                      "explains": ["stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"]},
            causes=["the flat ids and the offsets were built differently: a padded batch flattened with "
                    "ids.reshape(-1) while the offsets count only the real tokens (cumsum of the lengths), or "
                    "offsets that are not the start of each text (torch.arange(batch)); each bag then starts inside "
                    "another text or its padding, the last bag swallows the rest, and the bags no longer hold their "
                    "own words"],
            fixes=["Build the offsets from the same flat ids the bag is given: flatten only the real tokens "
                   "(ids[ids != 0]) with offsets = cumsum of the lengths starting at 0, or give nn.EmbeddingBag the "
                   "padded 2-D batch (no offsets) with padding_idx=0."])]
    return []


def one_id_finding(value: int, where: str, count: int) -> Finding:
    """label-problem: every token of every sampled text is the same id (the lookup found no word)."""
    return Finding("label-problem", Severity.ERROR,
                   f"every token id fed to {where} is {value} ({count} ids sampled): the texts were encoded to one "
                   "id, so every input is the same and nothing can be learnt",
                   evidence={"subject": "token-ids-one", CAUSE: True, "id": value, "ids": count,
                             "explains": ["unnormalized-input", "stuck-at-chance", "no-learning", "stalled",
                                          "cannot-overfit-batch"]},
                   causes=["the vocabulary lookup finds none of the words, so every word falls back to the unknown "
                           "(or padding) id: the lookup uses the index-to-word table (itos.get(word, 0), whose keys "
                           "are integers) instead of the word-to-index one; the vocabulary was built from characters "
                           "(set(' '.join(texts)) iterates letters, a tokenizer fit on one string); or the words were "
                           "normalised (lower-cased, stripped) when the vocabulary was built and not when encoding"],
                   fixes=["Print a few texts next to their ids: each word must get its own id. Encode with the "
                          "word-to-index table (stoi / word_index), built from the words (set(' '.join(texts)"
                          ".split()), or tokenizer.fit_on_texts(list_of_texts)) with the same normalisation as the "
                          "lookup."])


def clamped_ids_findings(seen: dict[str, dict], inputs: Any = None) -> list[Finding]:
    # One id everywhere is judged on the vocabulary only: the model's largest table. Its other tables index
    # token types, segments or positions, where one value for the whole batch is normal (BERT's
    # token_type_ids are all 0 for single sentences).
    vocab = max(seen, key=lambda k: seen[k]["num_embeddings"], default=None)
    for name, s in seen.items():
        if s.get("one_id") is not None and name == vocab:
            return [one_id_finding(s["one_id"], f"nn.{s.get('kind', 'Embedding')} '{name}'", s["ids"])]
        if s.get("kind") == "EmbeddingBag":
            continue  # flat ids with offsets: the last-row pile is read on nn.Embedding's rows only
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
