"""Per-layer gradient norm, weight norm and update-to-weight ratio, computed on the device.

One fused ``torch._foreach_norm`` call over all gradients (and one over all weights) gives a
vector of per-parameter norms; an ``index_add_`` folds it into per-layer norms. Nothing is
read back here: the vectors join the watcher's pending batch and reach the host together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch._utils import _flatten_dense_tensors

from .layers import LayerMap

Sample = tuple[tuple[str, ...], torch.Tensor]  # (names, 1-D values on the device)

# Snapshotting the weights for the update ratio costs one model copy during a sampled step;
# above this many elements the update ratio is skipped rather than double the memory.
MAX_SNAPSHOT_ELEMENTS = 50_000_000


def _norms(tensors: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Per-tensor L2 norms as one float32 vector on ``device`` (fused per device/dtype)."""
    if not tensors:
        return torch.zeros(0, device=device)
    try:
        norms = torch._foreach_norm(tensors)
    except (RuntimeError, TypeError, AttributeError):  # sparse grads, exotic dtypes
        norms = [torch.linalg.vector_norm(t.float()) for t in tensors]
    if all(n.dtype == torch.float32 and n.device == device for n in norms):
        return torch.stack(norms)  # the usual case: no per-tensor conversion call
    return torch.stack([n.to(device=device, dtype=torch.float32) for n in norms])


def _copies(tensors: list[torch.Tensor]) -> list[torch.Tensor] | torch.Tensor:
    """A copy of the tensors: one flat contiguous copy where they share a device and dtype (one
    allocation), else one per tensor in a fused call (x * 1 is exact, -0 and NaN included)."""
    try:
        if len({(t.device, t.dtype) for t in tensors}) == 1:
            return _flatten_dense_tensors(tensors)
    except (RuntimeError, TypeError, AttributeError):  # sparse or exotic tensors
        pass
    try:
        return torch._foreach_mul(tensors, 1.0)
    except (RuntimeError, TypeError, AttributeError):
        return [t.detach().clone() for t in tensors]


def _differences(tensors: list[torch.Tensor], snapshot: list[torch.Tensor] | torch.Tensor,
                 lengths: list[int]) -> list[torch.Tensor]:
    """Each tensor minus its copy in ``snapshot`` (flattened when the snapshot is one flat copy)."""
    if isinstance(snapshot, torch.Tensor):
        return list((_flatten_dense_tensors(tensors) - snapshot).split(lengths))
    return torch._foreach_sub(tensors, snapshot)


@dataclass
class _Plan:
    index: torch.Tensor  # per squared norm of [weights..., gradients..., gradients...]: its slot
    index_by_layer: torch.Tensor  # the same with one weight norm per layer
    no_grad: list[int]  # layers without any gradient
    out: torch.Tensor  # slots read out, in the order of ``names``
    names: tuple[str, ...]  # weight_norm/<layer>..., grad_norm, grad_norm/<layer with a gradient>...


class GradientProbe:
    """Samples gradient/weight norms per layer; tracks the update of the step after a sample."""

    def __init__(self, layers: LayerMap, scaler: Any = None) -> None:
        self.layers = layers
        self.scaler = scaler
        self.device = layers.params[0].device if layers.params else torch.device("cpu")
        self._snapshot: list[torch.Tensor] | torch.Tensor | None = None
        self.no_grad_counts = [0] * len(layers.names)  # samples at which a layer had no gradient at all
        self.samples = 0
        self._name_cache: dict[str, tuple[str, ...]] = {}
        self._plans: dict[tuple[int, ...], _Plan] = {}
        self._held: tuple[tuple[int, ...], list[torch.Tensor] | torch.Tensor] | None = None
        # Index tensors are built once on the device (a host-to-device copy on each sample would wait
        # for the device). update(): each diff's layer slot, then each weight's in the slots after them.
        n_layers = len(layers.names)
        self._update_index = torch.tensor(list(layers.layer_of) + [n_layers + li for li in layers.layer_of],
                                          dtype=torch.long, device=self.device)
        self._lengths = [p.numel() for p in layers.params]
        n_elem = sum(self._lengths)
        self.track_updates = 0 < n_elem <= MAX_SNAPSHOT_ELEMENTS
        # When each layer's parameters sit side by side (the usual order of named_parameters),
        # the flat weight snapshot splits into one piece per layer: half as many norms, and
        # no folding of the weights' norms into layers.
        lo = layers.layer_of
        self._layer_lengths: list[int] | None = None
        if lo and lo[0] == 0 and all(b - a in (0, 1) for a, b in zip(lo, lo[1:])):
            self._layer_lengths = [0] * n_layers
            for li, k in zip(lo, self._lengths):
                self._layer_lengths[li] += k

    def _per_layer(self, norms: torch.Tensor, index: torch.Tensor, slots: int) -> torch.Tensor:
        sq = torch.zeros(slots, device=self.device, dtype=torch.float32)
        sq.index_add_(0, index, norms.square())
        return sq.sqrt()

    def sample(self, unscaled: bool = False) -> list[Sample]:
        """Gradient and weight norms now (call after backward, before the next zero_grad).

        ``unscaled``: the GradScaler already divided the gradients (inside scaler.step).
        """
        self.samples += 1
        params = self.layers.params
        n_layers = len(self.layers.names)
        with torch.no_grad():
            have = tuple(i for i, p in enumerate(params) if p.grad is not None)
            plan = self._plans.get(have) or self._plan(have)
            # Weights and gradients in one fused norm call; their squares folded by one index_add
            # into weight slots, gradient slots and the total's slot (each gradient counted in
            # its layer and in the total), one root, one gather in the order of the names
            # (under no_grad the parameters themselves go in: nothing is recorded).
            grads = [params[i].grad for i in have]
            if self.track_updates:
                self._snapshot = _copies(params)
            by_layer = isinstance(self._snapshot, torch.Tensor) and self._layer_lengths is not None
            weights = list(self._snapshot.split(self._layer_lengths)) if by_layer else params
            norms = _norms([*weights, *grads], self.device).square()
            norms = torch.cat([norms, norms[len(weights):]]) if grads else norms
            slots = torch.zeros(2 * n_layers + 1, device=self.device, dtype=torch.float32)
            index = plan.index_by_layer if by_layer else plan.index
            values = slots.index_add_(0, index, norms).sqrt_().index_select(0, plan.out)
            for li in plan.no_grad:
                self.no_grad_counts[li] += 1
            out: list[Sample] = [(plan.names[:n_layers], values[:n_layers])]
            if have:
                grad = values[n_layers:]
                if self.scaler is not None:
                    scale = _scale_tensor(self.scaler, self.device)
                    if scale is not None:
                        if not unscaled:
                            grad = grad / scale
                        out.append((("amp_scale",), scale.reshape(1).float()))
                out.append((plan.names[n_layers:], grad))
                change = self._step_change()
                if change is not None:
                    out.append(change)
        return out

    def hold(self, stepped: set[int] | None = None) -> None:
        """Copy the gradients the optimizer is about to apply, for the next step's sample (``grad_step_change``).

        Called at the step before a sampled one; ``stepped``: the ids of the parameters the optimizer steps (a
        parameter outside it keeps its gradient by design, and is not applied). Each gradient is a fresh batch's,
        so the change from one step to the next is about as large as the gradient itself; a gradient that is a
        running sum of every batch's (accumulation whose sums are never reset) changes by one batch's gradient
        while its norm keeps growing.
        """
        if not self.track_updates:
            return
        params = self.layers.params
        with torch.no_grad():
            have = tuple(i for i, p in enumerate(params)
                         if p.grad is not None and (stepped is None or id(p) in stepped))
            self._held = (have, _copies([params[i].grad for i in have])) if have else None

    def _step_change(self) -> Sample | None:
        """At a sampled step whose previous step was held: the norm of the applied gradient's change, its norm now
        and its norm at the step before (the same parameters)."""
        held, self._held = self._held, None
        if held is None:
            return None
        have, copy = held
        params = self.layers.params
        if any(params[i].grad is None for i in have):
            return None
        now = [params[i].grad for i in have]
        diffs = _differences(now, copy, [self._lengths[i] for i in have])
        before = [copy] if isinstance(copy, torch.Tensor) else list(copy)
        sq = _norms([*diffs, *now, *before], self.device).square()
        n = len(now)
        totals = torch.stack([sq[:n].sum(), sq[n:2 * n].sum(), sq[2 * n:].sum()]).sqrt()
        return (("grad_step_change", "grad_applied_norm", "grad_applied_before"), totals)

    def _plan(self, have: tuple[int, ...]) -> "_Plan":
        """What a sample with gradients on ``have`` folds where, worked out once per such set
        (usually one for the whole run): the Python bookkeeping is then a dict lookup."""
        if len(self._plans) > 8:
            self._plans.clear()
        layer_of, names = self.layers.layer_of, self.layers.names
        n_layers = len(names)
        with_grad = sorted({layer_of[i] for i in have})
        grad_slots = [n_layers + layer_of[i] for i in have] + [2 * n_layers] * len(have)
        index = list(layer_of) + grad_slots
        out = list(range(n_layers)) + ([2 * n_layers] + [n_layers + li for li in with_grad] if have else [])
        plan = _Plan(index=torch.tensor(index, dtype=torch.long, device=self.device),
                     index_by_layer=torch.tensor(list(range(n_layers)) + grad_slots, dtype=torch.long,
                                                 device=self.device),
                     no_grad=[li for li in range(n_layers) if li not in set(with_grad)],
                     out=torch.tensor(out, dtype=torch.long, device=self.device),
                     names=self._names("weight_norm/") + (("grad_norm",) + tuple(f"grad_norm/{names[i]}"
                                                                                  for i in with_grad) if have else ()))
        self._plans[have] = plan
        return plan

    def _names(self, prefix: str) -> tuple[str, ...]:
        names = self._name_cache.get(prefix)
        if names is None:
            names = self._name_cache[prefix] = tuple(prefix + n for n in self.layers.names)
        return names

    def update(self) -> list[Sample]:
        """Update-to-weight ratio per layer for the step that followed the last sample."""
        if self._snapshot is None:
            return []
        params = self.layers.params
        n_layers = len(self.layers.names)
        with torch.no_grad():
            if isinstance(self._snapshot, torch.Tensor) and self._layer_lengths is not None:
                # Flat: the weights now and their change, one piece per layer.
                new = _flatten_dense_tensors(params)
                pieces = [*(new - self._snapshot).split(self._layer_lengths), *new.split(self._layer_lengths)]
                both = _norms(pieces, self.device)
            else:
                diffs = _differences(params, self._snapshot, self._lengths)
                both = self._per_layer(_norms([*diffs, *params], self.device),
                                       self._update_index, 2 * n_layers)
            ratio = both[:n_layers] / both[n_layers:].clamp_min(1e-12)
        self._snapshot = None
        return [(self._names("update_ratio/"), ratio)]

    def close(self) -> None:
        self._snapshot = None


def _scale_tensor(scaler: Any, device: torch.device) -> torch.Tensor | None:
    """The GradScaler's current scale as a device tensor, without a host sync when possible."""
    if not getattr(scaler, "is_enabled", lambda: True)():
        return None
    scale = getattr(scaler, "_scale", None)
    if isinstance(scale, torch.Tensor):
        return scale.detach().to(device=device, dtype=torch.float32).reshape(())
    try:
        return torch.tensor(float(scaler.get_scale()), device=device)
    except Exception:
        return None


class ZeroGradProbe:
    """Detects gradients carried over an optimiser step (zero_grad missing).

    A tensor hook on one small parameter fires when its new gradient is computed, before it
    is accumulated into ``.grad``. If a step has passed since the last accumulation and
    ``.grad`` still holds non-zero values, the new gradient lands on top of the old one.
    Gradient accumulation over micro-batches is fine: it happens within one step.
    """

    def __init__(self, layers: LayerMap, optimizer: Any = None) -> None:
        candidates = [p for p in layers.params if p.requires_grad]
        # zero_grad() clears only the optimizer's parameters: one outside it (a layer replaced after
        # the optimizer was built) keeps its gradient by design, and says nothing about zero_grad.
        groups = getattr(optimizer, "param_groups", None)
        if isinstance(groups, list) and groups:
            stepped = {id(p) for g in groups for p in g.get("params", [])}
            candidates = [p for p in candidates if id(p) in stepped]
        self.param = min(candidates, key=lambda p: p.numel()) if candidates else None
        self.handle = None
        self.step_boundary = True
        self.flags: list[torch.Tensor] = []
        self.reached = False  # a gradient was computed for ``param`` since the last optimizer step

    def arm(self, guard_wrap) -> None:
        if self.param is None or self.handle is not None:
            return
        self.step_boundary = True

        def hook(grad: torch.Tensor) -> None:
            self.reached = True  # backward reached the weights (read by the watcher before the step)
            self.fresh = grad.detach().ne(0).any().reshape(1).float()  # a device flag: no sync
            # Stays registered while consecutive steps are sampled (the watcher disarms it before
            # an unsampled step): only the first backward after a step boundary looks.
            if self.step_boundary:
                self.step_boundary = False
                old = self.param.grad
                if old is not None:
                    self.flags.append(old.detach().ne(0).any().reshape(1).float())
                else:
                    self.flags.append(torch.zeros(1, device=grad.device))

        self.handle = self.param.register_hook(guard_wrap(hook))

    fresh: torch.Tensor | None = None  # backward's last gradient for ``param`` was non-zero (1.0)

    def step_flags(self, when: str) -> list[Sample]:
        """Whether ``param``'s gradient is non-zero now (``when``: "before" or "after" the optimizer step),
        with backward's own flag before it: gradients zeroed between backward and the update show here
        (checks/idle_updates.py)."""
        if self.param is None:
            return []
        g = self.param.grad
        now = g.detach().ne(0).any().reshape(1).float() if g is not None else torch.zeros(1, device=self.param.device)
        out: list[Sample] = [((f"step_grad/{when}",), now)]
        if when == "before" and self.fresh is not None:
            out.insert(0, (("step_grad/backward",), self.fresh))
            self.fresh = None
        return out

    def disarm(self) -> None:
        if self.handle is not None:
            self.handle.remove()
            self.handle = None

    def take(self) -> list[Sample]:
        if not self.flags:
            return []
        out = [(("stale_grad",), f) for f in self.flags]
        self.flags = []
        return out
