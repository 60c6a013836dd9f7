"""Statistics of what goes into the model: input scale and the labels' distribution.

Inputs: overall mean, std, min, max and the spread of per-channel (per-feature) scales.
Targets: class counts accumulate on the device over the whole run; each sampled batch adds
whether it held one class only, the share expected by chance from the counts so far, and
how many labels fall outside the classes the model outputs.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch

from ..stats.input_scale import CONSTANT_FEATURE_REL, feature_scale_ratio
from .gradients import Sample

MAX_CLASSES = 100_000
IMAGE_EXAMPLES = 16


def _first_tensor(obj: Any) -> torch.Tensor | None:
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (list, tuple)) and obj:
        return _first_tensor(obj[0])
    if isinstance(obj, dict):
        for key in ("input_ids", "pixel_values", "inputs", "x", "input", "features"):
            if key in obj:
                return _first_tensor(obj[key])
        for v in obj.values():
            t = _first_tensor(v)
            if t is not None:
                return t
    return None


INPUT_NAMES = ("input_mean", "input_std", "input_min", "input_max", "input_channel_scale_ratio",
               "input_channel_std_max")
HOST_CHANNELS = 4096  # up to this many channels, their raw sums go to the host and are combined there


class Derived:
    """The names of values a host function derives from a raw sample at read-back: the device
    does only the passes over the data (a handful of ops), the host the arithmetic on a few
    numbers per channel, where it costs no device op at all."""

    __slots__ = ("names", "derive", "probe")

    def __init__(self, names: tuple[str, ...], derive: Callable[[list[float]], list[float]], probe: str) -> None:
        self.names = names
        self.derive = derive
        self.probe = probe  # the probe switched off, alone, if the derivation fails


class InputProbe:
    """Scale of floating-point inputs (integer token ids are not scaled data)."""

    def __init__(self) -> None:
        self._derived: dict[int, Derived] = {}  # values per channel -> the host combination

    def sample(self, inputs: Any) -> list[Sample]:
        x = _first_tensor(inputs)
        if x is None or not x.is_floating_point() or x.numel() < 2:
            return []
        with torch.no_grad():
            x = x.detach()
            if x.dim() >= 3:
                x = x[:IMAGE_EXAMPLES]  # images, sequences: a few examples give the per-channel scales
            x = x.float()
            if x.dim() == 1:
                x = x.reshape(-1, 1)  # one feature: its spread is the only scale
                chan_dims: tuple[int, ...] = (0,)
            else:
                chan_dims = (0,) + tuple(range(2, x.dim()))  # all but the channel (feature) axis
            n_chan = x.numel() // x.shape[1]  # values per channel
            if x.shape[1] <= HOST_CHANNELS:
                # Channel means and sums of squared deviations, the extremes: the rest on the host.
                chan_mean = x.mean(dim=chan_dims, keepdim=True)
                within = (x - chan_mean).square_().sum(dim=chan_dims)
                lo, hi = torch.aminmax(x)
                raw = torch.cat([chan_mean.reshape(-1), within, lo.reshape(1), hi.reshape(1)])
                derived = self._derived.get(n_chan)
                if derived is None:
                    if len(self._derived) > 8:
                        self._derived.clear()
                    derived = self._derived[n_chan] = Derived(INPUT_NAMES, lambda v, n=n_chan: _input_stats(v, n), "inputs")
                return [(derived, raw)]
            mean, std, chan_std = _two_pass_std(x, chan_dims, n_chan)
            # stats.input_scale.feature_scale_ratio, on the device: constant features left out.
            top = chan_std.amax()
            varying = chan_std > CONSTANT_FEATURE_REL * top
            low = torch.where(varying, chan_std, torch.full_like(chan_std, math.inf)).amin()
            spread = torch.where(varying.sum() >= 2, top / low, torch.ones_like(top))
            lo, hi = torch.aminmax(x)
            vals = torch.stack([mean, std, lo, hi, spread, top])
        return [(INPUT_NAMES, vals)]


def _input_stats(values: list[float], n_chan: int) -> list[float]:
    """Mean, std, min, max, channel-scale ratio and largest channel std from the raw sample
    [channel means..., channel sums of squared deviations..., min, max] (``n_chan`` values per
    channel): the overall spread assembled from the channels' (within plus between)."""
    c = (len(values) - 2) // 2
    chan_mean = np.asarray(values[:c], dtype=float)
    within = np.asarray(values[c:2 * c], dtype=float)
    mean = float(chan_mean.mean())
    n = n_chan * c
    with np.errstate(all="ignore"):
        total = float(within.sum() + n_chan * np.square(chan_mean - mean).sum())
        std = math.sqrt(total / max(1, n - 1)) if total >= 0 else math.nan
        chan_std = np.sqrt(within / (n_chan - 1)) if n_chan > 1 else np.abs(chan_mean)
    top = float(chan_std.max())
    return [mean, std, float(values[-2]), float(values[-1]), feature_scale_ratio(chan_std), top]


def _two_pass_std(x: torch.Tensor, chan_dims: tuple[int, ...], n_chan: int
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Overall mean and std and the per-channel std of ``x`` (channels along dim 1).

    Two plain passes (channel means, then squared deviations from them) instead of torch.std:
    the same values, at a tenth of the CPU time, and the overall spread is assembled from the
    channels' (within plus between) without a third pass. A channel of one value has no spread;
    its scale is then its magnitude, as a single reading can only tell that.
    """
    chan_mean = x.mean(dim=chan_dims, keepdim=True)
    dev = x - chan_mean
    within = dev.square().sum(dim=chan_dims)  # per channel
    chan_mean = chan_mean.reshape(-1)
    mean = chan_mean.mean()  # channels hold equal counts
    n = n_chan * chan_mean.numel()
    total = within.sum() + n_chan * (chan_mean - mean).square().sum()
    std = (total / max(1, n - 1)).sqrt()
    chan_std = (within / (n_chan - 1)).sqrt() if n_chan > 1 else chan_mean.abs()
    return mean, std, chan_std


def _counts_known(y: torch.Tensor, classes: int, negatives_ignored: bool = False
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Class counts, out-of-range labels and valid labels of a batch, for a known class count,
    computed on the device without reading anything back (ignore_index -100 is left out, and every
    negative label with ``negatives_ignored``)."""
    valid = y.ge(0) if negatives_ignored else y.ne(-100)
    out_of_range = valid & ((y < 0) | (y >= classes))
    slot = torch.where(out_of_range | ~valid, torch.full_like(y, classes), y)  # one spare slot
    counts = torch.zeros(classes + 1, device=y.device).index_add_(0, slot, valid.float())
    return counts[:classes], out_of_range.sum().float(), valid.sum().float()


TARGET_NAMES = ("target_out_of_range", "target_majority_frac", "target_minority_frac", "target_classes_seen",
                "target_single_class_batch", "target_single_class_expected", "target_batch_size")
HOST_CLASSES = 1024  # up to this many classes, the batch's class counts go to the host
# The share of one-class batches among every step of the watcher's early phase (not only the sampled ones) is
# recorded (as ``rules.internals.ONE_CLASS_SERIES``, the rule's name for it) once this many steps were counted.
ONE_CLASS_MIN_STEPS = 10


class TargetProbe:
    """Label statistics for classification targets (integer class ids)."""

    def __init__(self, negatives_ignored: bool = False) -> None:
        """``negatives_ignored``: a negative label marks a row the loss leaves out (PyTorch, where a
        class loss raises on any other negative label), not a label out of range."""
        self.negatives_ignored = negatives_ignored
        self.counts: torch.Tensor | None = None
        self.num_classes: int | None = None  # from the model's output width when known
        self._host: np.ndarray | None = None  # class counts so far, kept on the host (few classes)
        self._derived: dict[int, Derived] = {}

    def _host_sample(self, y: torch.Tensor, classes: int) -> Sample:
        """One bincount on the device (slots: negative, classes..., too large, ignored), the
        rest on the host at read-back, where the counts of the run so far are kept."""
        ignored = y < 0 if self.negatives_ignored else y == -100
        slot = torch.where(ignored, classes + 2, y.clamp(-1, classes) + 1)
        counts = torch.bincount(slot, minlength=classes + 3)
        if self._host is None:
            self._host = np.zeros(classes)
        derived = self._derived.get(classes)
        if derived is None:
            derived = self._derived[classes] = Derived(TARGET_NAMES, self._label_stats, "targets")
        return derived, counts

    def _label_stats(self, values: list[float]) -> list[float]:
        """The label statistics of one sample from its slot counts (read back in step order)."""
        c = np.asarray(values, dtype=float)
        batch = c[1:-2]
        n = float(c[:-1].sum())  # every label but the ignored ones
        if n == 0:
            return []  # only ignored labels: nothing to say of this batch
        if self._host is None or self._host.size < batch.size:
            self._host = np.pad(self._host if self._host is not None else np.zeros(0),
                                (0, batch.size - (self._host.size if self._host is not None else 0)))
        counts = self._host
        counts[:batch.size] += batch
        p = counts / max(counts.sum(), 1.0)
        seen = p > 0
        minority = float(p[seen].min()) if seen.any() else 1.0
        with np.errstate(all="ignore"):
            expected_single = float(np.power(p, n).sum())
        return [float(c[0] + c[-2]), float(p.max()), minority, float(seen.sum()), float((batch > 0).sum() == 1),
                expected_single, n]

    def sample(self, targets: Any, outputs: Any, loss_kind: str | None) -> list[Sample]:
        y = _first_tensor(targets)
        if y is None or y.numel() == 0:
            return []
        out = _first_tensor(outputs)
        if y.is_floating_point():
            # Float targets are class labels only for binary losses (BCE): values must be 0..1.
            if loss_kind != "binary":
                return []
            if out is not None and (out.dim() <= 1 or out.shape[-1] == 1):
                self.num_classes = 2  # one yes/no per row: chance is a coin, ln 2, whatever dtype the labels have
            with torch.no_grad():
                bad = ((y < 0) | (y > 1)).sum().float().reshape(1)
            return [(("target_out_of_range",), bad)]
        if out is not None and out.dim() >= 1 and out.shape[-1] > 1 and (out.dim() == y.dim() + 1):
            self.num_classes = int(out.shape[-1])
        elif loss_kind == "binary":
            self.num_classes = 2
        with torch.no_grad():
            y = y.detach().reshape(-1).long()
            limit = self.num_classes
            if limit is not None and limit <= HOST_CLASSES and (self._host is not None or self.counts is None):
                return [self._host_sample(y, limit)]
            if limit is not None and limit <= MAX_CLASSES:
                batch_counts, bad, n = _counts_known(y, limit, self.negatives_ignored)  # no host sync: fixed shapes
            else:
                valid = y[y.ge(0) if self.negatives_ignored else ~y.eq(-100)]  # ignore_index (a sync)
                if valid.numel() == 0:
                    return []
                bad = (valid < 0).sum().float()
                size = max(int(limit or 0), 2)
                batch_counts = torch.bincount(valid.clamp(0, MAX_CLASSES - 1), minlength=size).float()
                n = torch.full((), float(valid.numel()), device=y.device)
            if self.counts is None:
                self.counts = batch_counts
            else:
                if batch_counts.shape[0] > self.counts.shape[0]:
                    self.counts = torch.nn.functional.pad(self.counts, (0, batch_counts.shape[0] - self.counts.shape[0]))
                elif batch_counts.shape[0] < self.counts.shape[0]:
                    batch_counts = torch.nn.functional.pad(batch_counts, (0, self.counts.shape[0] - batch_counts.shape[0]))
                self.counts = self.counts + batch_counts
            total = self.counts.sum().clamp_min(1)
            p = self.counts / total
            seen = p.gt(0)
            majority = p.amax()
            minority = torch.where(seen, p, torch.ones_like(p)).amin()
            single = batch_counts.gt(0).sum().eq(1).float()
            expected_single = p.pow(n).sum()  # chance a shuffled batch of this size holds one class
            vals = torch.stack([bad.reshape(()), majority, minority, seen.sum().float(), single, expected_single,
                                n.reshape(())])
        return [(TARGET_NAMES, vals)]
