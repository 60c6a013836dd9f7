"""The tiny models the corpus trains: MLP, CNN, logistic regression, transformers."""

from __future__ import annotations

import torch
from torch import nn


def mlp(dim_in: int, hidden: int, depth: int, dim_out: int, act: type[nn.Module] = nn.ReLU,
        dropout: float = 0.0) -> nn.Sequential:
    layers: list[nn.Module] = []
    d = dim_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden), act()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        d = hidden
    layers.append(nn.Linear(d, dim_out))
    return nn.Sequential(*layers)


def logreg(dim_in: int, classes: int) -> nn.Module:
    return nn.Linear(dim_in, classes)


def cnn(classes: int, width: int = 8, size: int = 12) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, width * 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(width * 2 * (size // 4) ** 2, 32), nn.ReLU(), nn.Linear(32, classes))


class TinyTransformer(nn.Module):
    """One or two encoder layers over token embeddings; mean-pooled for classification,
    or causal with a per-position head for language modelling."""

    def __init__(self, vocab: int, dim: int, layers: int, out: int, max_len: int, causal: bool = False):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(max_len, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, 2, dim * 2, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(dim, out)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.emb(x) + self.pos[: x.shape[1]]
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1]) if self.causal else None
        h = self.enc(h, mask=mask, is_causal=self.causal)
        return self.head(h) if self.causal else self.head(h.mean(1))
