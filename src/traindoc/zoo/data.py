"""Synthetic data sets generated in code, seeded: nothing is downloaded or read from disk."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .config import Config


CENTER_SCALE = 0.7  # class centres this close overlap: a healthy run ends near loss 0.3, not 0


@dataclass
class DataSet:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


def _class_sizes(n: int, k: int, majority: float | None) -> list[int]:
    if majority is None:
        base = [n // k] * k
        base[0] += n - sum(base)
        return base
    big = int(round(n * majority))
    rest = n - big
    small = [rest // (k - 1)] * (k - 1)
    small[0] += rest - sum(small)
    return [big] + small


def _blobs(cfg: Config, gen: torch.Generator, n: int, centers: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    sizes = _class_sizes(n, cfg.n_classes, cfg.imbalance)
    ys = torch.cat([torch.full((s,), c, dtype=torch.long) for c, s in enumerate(sizes)])
    xs = centers[ys] + torch.randn(n, cfg.n_features, generator=gen)
    return xs, ys


def _regression(cfg: Config, gen: torch.Generator, n: int, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(n, cfg.n_features, generator=gen)
    # Targets are centred on zero: half of them negative, which a ReLU output cannot produce.
    y = torch.tanh(x @ w) * 2.0 + 0.1 * torch.randn(n, 1, generator=gen)
    return x, y


def _bars(cfg: Config, gen: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """8x8 images, 3 channels: class 0 holds a short horizontal bar, class 1 a short vertical one.

    The bars are three pixels long, in one colour channel, at random places, so telling them
    apart needs neighbouring pixels to stay neighbours. Reading channels-last memory as
    channels-first spreads a bar's pixels three apart in both cases: a 3x3 filter then sees one
    dot either way.
    """
    y = torch.randint(0, 2, (n,), generator=gen)
    img = 0.2 * torch.randn(n, 3, 8, 8, generator=gen)
    rows = torch.randint(0, 6, (n,), generator=gen)
    cols = torch.randint(0, 6, (n,), generator=gen)
    chans = torch.randint(0, 3, (n,), generator=gen)  # each bar is drawn in one colour channel
    for i in range(n):
        r, c, ch = int(rows[i]), int(cols[i]), int(chans[i])
        if int(y[i]) == 0:
            img[i, ch, r + 1, c: c + 3] += 1.5
        else:
            img[i, ch, r: r + 3, c + 1] += 1.5
    return img, y


def make_data(cfg: Config) -> DataSet:
    """Train and validation tensors for a config, the same every time for the same seed."""
    gen = torch.Generator().manual_seed(1000 + cfg.seed)
    n = cfg.n_train + cfg.n_val
    if cfg.data == "blobs":
        centers = CENTER_SCALE * torch.randn(cfg.n_classes, cfg.n_features, generator=gen)
        x_tr, y_tr = _blobs(cfg, gen, cfg.n_train, centers)
        x_va, y_va = _blobs(cfg, gen, cfg.n_val, centers)
    elif cfg.data == "regression":
        w = torch.randn(cfg.n_features, 1, generator=gen) / cfg.n_features ** 0.5
        x_all, y_all = _regression(cfg, gen, n, w)
        x_tr, y_tr, x_va, y_va = x_all[: cfg.n_train], y_all[: cfg.n_train], x_all[cfg.n_train:], y_all[cfg.n_train:]
    elif cfg.data == "images":
        x_all, y_all = _bars(cfg, gen, n)
        x_tr, y_tr, x_va, y_va = x_all[: cfg.n_train], y_all[: cfg.n_train], x_all[cfg.n_train:], y_all[cfg.n_train:]
    else:
        raise ValueError(f"unknown data kind {cfg.data!r}")
    if cfg.random_labels:
        y_tr = torch.randint(0, cfg.n_classes, y_tr.shape, generator=gen)
        y_va = torch.randint(0, cfg.n_classes, y_va.shape, generator=gen)
    if cfg.input_scale is not None:
        # Raw measurements in [0, input_scale]: an affine squash of the clean features.
        lo, hi = x_tr.min(), x_tr.max()
        x_tr = (x_tr - lo) / (hi - lo) * cfg.input_scale
        x_va = ((x_va - lo) / (hi - lo)).clamp(0, 1) * cfg.input_scale
    if cfg.normalize_inputs:
        mean, std = x_tr.mean(0, keepdim=True), x_tr.std(0, keepdim=True).clamp_min(1e-12)
        x_tr, x_va = (x_tr - mean) / std, (x_va - mean) / std
    return DataSet(x_tr, y_tr, x_va, y_va)


def collate(cfg: Config, x: torch.Tensor) -> torch.Tensor:
    """What the input pipeline hands the model: with "planes" layouts, colour planes stacked first."""
    if cfg.layout.startswith("planes"):
        return x.permute(1, 0, 2, 3).contiguous()  # like torch.stack([red, green, blue]): (C, N, H, W)
    return x


class Batches:
    """An endless, seeded stream of training batches honouring shuffle, sorting and sampling."""

    def __init__(self, cfg: Config, data: DataSet) -> None:
        self.cfg = cfg
        self.data = data
        self.gen = torch.Generator().manual_seed(2000 + cfg.seed)
        self._order = torch.empty(0, dtype=torch.long)
        self._pos = 0

    def _epoch_order(self) -> torch.Tensor:
        n = self.data.x_train.shape[0]
        y = self.data.y_train
        if self.cfg.balanced_sampling and y.dtype == torch.long:
            counts = torch.bincount(y).float()
            weights = (1.0 / counts)[y]
            return torch.multinomial(weights, n, replacement=True, generator=self.gen)
        if self.cfg.sort_by_label and not self.cfg.shuffle:
            return torch.argsort(y.flatten(), stable=True)
        if self.cfg.shuffle:
            return torch.randperm(n, generator=self.gen)
        return torch.arange(n)

    def __iter__(self):
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        bs = self.cfg.batch_size
        if self._pos + bs > self._order.shape[0]:
            self._order = self._epoch_order()
            self._pos = 0
        idx = self._order[self._pos: self._pos + bs]
        self._pos += bs
        return collate(self.cfg, self.data.x_train[idx]), self.data.y_train[idx]

    def epoch(self, limit: int | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """One pass in loader order (for the data check), without disturbing the stream."""
        saved = (self.gen.get_state(), self._order, self._pos)
        self._order, self._pos = self._epoch_order(), 0
        out = []
        n = self.data.x_train.shape[0] // self.cfg.batch_size
        for _ in range(n if limit is None else min(n, limit)):
            out.append(next(self))
        self.gen.set_state(saved[0])
        self._order, self._pos = saved[1], saved[2]
        return out
