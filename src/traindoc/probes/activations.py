"""Per-module activation statistics on sampled steps: scale, dead ReLU units, saturation.

Hooks exist only while a sampled forward runs (registered just before it, removed right
after, or kept while consecutive steps are sampled), so unsampled steps pay nothing. Dead
units need a window: a unit is dead when it did not fire for any example of several sampled
batches, so the 'fired' mask is OR-ed on the device across a window of samples and only its
final share is read back.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from .bounds import FLAT_END
from .gradients import Sample
from .layers import ACTIVATIONS, SATURATING, STRICT_RELU, leaf_modules

WINDOW = 4  # sampled batches per dead-unit window
FIRST_WINDOW_ROWS = 32  # examples enough for the first window to close after one batch


def _fired_mask(out: torch.Tensor) -> torch.Tensor:
    """Per unit, whether it was positive for any example (channels for conv maps)."""
    return out.amax(dim=_unit_dims(out)).gt(0)


def _unit_dims(out: torch.Tensor) -> tuple[int, ...]:
    """The dimensions reduced per unit: all but the channel of a conv map (N, C, H, W...),
    all but the feature of a sequence (N, L, F) or of a batch (N, F)."""
    if out.dim() >= 4:
        return (0,) + tuple(range(2, out.dim()))
    if out.dim() == 3:
        return (0, 1)
    return (0,)


# ReLU outputs are never negative, so a unit's sum over the batch is positive exactly when it
# fired for some example (a NaN sums to NaN, which is not positive, as amax gives): one
# reduction per sample, added up over the window, instead of a max, a comparison and an OR.
# Exact types only: a subclass may return negative values.
_NONNEGATIVE = (nn.ReLU, nn.ReLU6)


STAT_EXAMPLES = 8  # scale and saturation are read from the first examples of the batch: cheap, representative
STAT_ELEMENTS = 4096  # and from at most this many of their values, evenly strided (std_mean is slow on the CPU)


def _stat_sample(o: torch.Tensor) -> torch.Tensor:
    """At most STAT_ELEMENTS of the first examples' values, flat and evenly strided: every
    channel and position alike (a view of a contiguous output, no copy)."""
    part = o[:STAT_EXAMPLES] if o.dim() >= 2 else o
    flat = part.reshape(-1)  # a copy only for a non-contiguous output
    if flat.numel() <= STAT_ELEMENTS:
        return flat
    return flat[::-(-flat.numel() // STAT_ELEMENTS)]


def _sample_shape(o: torch.Tensor) -> tuple[int, int]:
    """(count, stride) of the elements _stat_sample takes from a contiguous ``o``."""
    m = min(o.shape[0], STAT_EXAMPLES) * (o.numel() // o.shape[0]) if o.dim() >= 2 else o.numel()
    step = -(-m // STAT_ELEMENTS) if m > STAT_ELEMENTS else 1
    return -(-m // step), step


def _saturated_share(module: nn.Module, out: torch.Tensor) -> torch.Tensor:
    if isinstance(module, (nn.Sigmoid,)):
        return ((out < 1.0 - FLAT_END) | (out > FLAT_END)).float().mean()
    if isinstance(module, nn.Hardsigmoid):
        return ((out <= 0) | (out >= 1)).float().mean()
    return (out.abs() > FLAT_END).float().mean()


class ActivationProbe:
    """Registers forward hooks around one sampled forward and collects statistics.

    A hook does as little as it can (torch calls it inside the user's forward): it keeps a
    small strided copy of the output into its row of one matrix and, for ReLU units, ORs the
    fired mask. Scale (mean, std) of all modules is then computed at once, on that matrix, when
    the sample closes.
    """

    def __init__(self, model: nn.Module, wrap: Callable) -> None:
        self.wrap = wrap
        self.modules = [(n, m) for n, m in leaf_modules(model)
                        if isinstance(m, ACTIVATIONS) or any(True for _ in m.parameters(recurse=False))]
        # The wrapped hooks are made once: registering them on each sampled step is then cheap.
        self._hooks = [(m, wrap(self._hook_for(n, m))) for n, m in self.modules]
        self.handles: list = []
        self.pending: list[Sample] = []
        self.call_order: list[str] = []  # names in the order the first sampled forward ran them
        self.output_module: str | None = None
        self._fired: dict[str, torch.Tensor] = {}
        self._window_samples = 0
        self._seen_this_sample: set[str] = set()
        # Each module's strided output sample, one row per module in call order (see _keep_row).
        self._buf: torch.Tensor | None = None
        self._row_len: list[int] = []
        self._row_names: list[str] = []
        self._dst: dict[tuple[int, int], torch.Tensor] = {}  # (row, length) -> that slice of _buf
        # lengths -> 1/n, 1/sqrt(n-1) and the padding mask, per set of row lengths
        self._counts: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}  # row names -> act_mean/..., act_std/...
        self._rows = 0  # examples behind the current window's fired masks
        self._first_window_done = False

    def arm(self) -> None:
        if self.handles:
            return
        self._seen_this_sample = set()
        self.handles = [m.register_forward_hook(h) for m, h in self._hooks]

    def disarm(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def close(self) -> None:
        """Remove the hooks and free the sample rows (a finished watcher may be kept for its findings)."""
        self.disarm()
        self._buf, self._row_len, self._row_names, self._dst = None, [], [], {}

    def _hook_for(self, name: str, module: nn.Module):
        saturating = isinstance(module, SATURATING)
        relu = isinstance(module, STRICT_RELU)
        summed = type(module) in _NONNEGATIVE
        shapes: dict[tuple[int, ...], tuple[int, int, tuple[int, ...]]] = {}  # output shape -> sample, unit dims

        def hook(mod: nn.Module, args, out) -> None:
            if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.numel() == 0:
                return
            if not torch.is_grad_enabled():  # a validation forward between training steps
                return
            if name in self._seen_this_sample:  # a module called twice in one forward (a shared nn.ReLU): first call only
                return
            self._seen_this_sample.add(name)
            if self.output_module is None:
                self.call_order.append(name)
            o = out.detach()  # detached: nothing below joins the autograd graph
            shape = shapes.get(o.shape)
            if shape is None:
                if len(shapes) > 16:  # sequences of many lengths: keep the cache small
                    shapes.clear()
                shape = shapes[o.shape] = _sample_shape(o) + (_unit_dims(o),)
            if o.is_contiguous():
                # The strided sample as one view of the output: the same elements as _stat_sample.
                part = o.as_strided((shape[0],), (shape[1],))
            else:
                part = _stat_sample(o)
            self._keep_row(name, part)  # copied: the output itself is not kept alive
            if saturating and name != self.output_module:
                self.pending.append(((f"sat_frac/{name}",), _saturated_share(module, part).reshape(1)))
            if relu and o.dim() >= 2:
                self._rows = max(self._rows, o.shape[0] * (o.shape[1] if o.dim() == 3 else 1))
                fired = o.sum(dim=shape[2]) if summed else _fired_mask(o)
                prev = self._fired.get(name)
                if prev is None or prev.shape != fired.shape:
                    self._fired[name] = fired
                elif summed:
                    prev.add_(fired)
                else:
                    self._fired[name] = prev | fired

        return hook

    @property
    def output_module_known(self) -> bool:
        return self.output_module is not None

    def _keep_row(self, name: str, part: torch.Tensor) -> None:
        """Copy a module's sample into the next row of one float64 matrix kept across samples:
        no allocation per module and sample, the conversion done by the copy itself."""
        i, k = len(self._row_names), part.numel()
        dst = self._dst.get((i, k))
        if dst is None:
            buf = self._buf
            if buf is None or i >= buf.shape[0]:
                rows = max(len(self.modules), i + 1)
                grown = torch.zeros(rows, STAT_ELEMENTS, dtype=torch.float64, device=part.device)
                if buf is not None:
                    grown[:buf.shape[0]] = buf
                self._buf = buf = grown
                self._dst = {}
                self._row_len += [0] * (rows - len(self._row_len))
            if len(self._dst) > 4 * buf.shape[0]:  # many sample lengths (sequences): keep it small
                self._dst.clear()
            dst = self._dst[(i, k)] = buf[i, :k]  # the row's view, made once per (row, length)
        dst.copy_(part)
        if self._row_len[i] > k:  # zeros past the values: sums stay exact
            self._buf[i, k:self._row_len[i]].zero_()
        self._row_len[i] = k
        self._row_names.append(name)

    def _scales(self) -> list[Sample]:
        """Mean and std of every module's sample at once, one reduction over the rows."""
        names_rows, self._row_names = self._row_names, []
        if not names_rows:
            return []
        lengths = tuple(self._row_len[:len(names_rows)])
        cached = self._counts.get(lengths)
        if cached is None:  # built once per shape set: a host-to-device copy per sample would wait for the device
            if len(self._counts) > 8:
                self._counts.clear()
            n = torch.tensor(lengths, dtype=torch.float64, device=self._buf.device)
            padding = torch.arange(STAT_ELEMENTS, device=n.device)[None, :] >= n[:, None]
            cached = self._counts[lengths] = (1.0 / n, (n - 1).clamp_min(1).rsqrt(), padding)
        inv_n, inv_sqrt_dof, padding = cached
        x = self._buf[:len(names_rows)]
        mean = x.sum(dim=1).mul_(inv_n)  # the zero padding adds nothing
        # Two passes, in place on the rows (rewritten on the next sample): deviations from the mean,
        # the padding put back to zero, and the root of their sum of squares without a squared copy.
        x.sub_(mean[:, None]).masked_fill_(padding, 0.0)
        std = torch.linalg.vector_norm(x, dim=1).mul_(inv_sqrt_dof)
        key = tuple(names_rows)
        names = self._names.get(key)
        if names is None:
            if len(self._names) > 8:
                self._names.clear()
            names = self._names[key] = (tuple(f"act_mean/{name}" for name in names_rows)
                                        + tuple(f"act_std/{name}" for name in names_rows))
        return [(names, torch.cat([mean, std]))]  # float64: the read-back's one conversion makes it float32

    def finish_sample(self, stay_armed: bool = False) -> list[Sample]:
        """Called after the sampled forward: closes the dead-unit window when due.

        ``stay_armed``: the next step is sampled too (``every=1``, the first steps), so the hooks
        stay: removing and registering one per module on each step costs more than they do.
        """
        if not stay_armed:
            self.disarm()
        if not self.output_module_known and self.call_order:
            # The model's last op squashes its outputs on purpose (a classifier's sigmoid):
            # saturation there is confidence, not a problem, so it is not measured.
            self.output_module = self.call_order[-1]
            self.pending = [(names, vals) for names, vals in self.pending
                            if names[0] != f"sat_frac/{self.output_module}"]
        out, self.pending = self._scales() + self.pending, []
        if self._seen_this_sample:
            self._window_samples += 1
        self._seen_this_sample = set()
        # The first window closes after one sample when that batch was large enough for a
        # silent unit to mean something: dead units are then named as early as their symptoms
        # (vanishing gradients, a collapsing activation scale), which they cause.
        first = not self._first_window_done and self._rows >= FIRST_WINDOW_ROWS
        if (self._window_samples >= WINDOW or first) and self._fired:
            self._first_window_done = True
            names = tuple(f"dead_frac/{k}" for k in self._fired)
            vals = 1.0 - torch.stack([f.gt(0).float().mean() for f in self._fired.values()])
            out.append((names, vals))
            self._fired = {}
            self._window_samples = 0
            self._rows = 0
        return out
