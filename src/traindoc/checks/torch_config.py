"""The PyTorch training configuration read once at ``watch()`` start: mistakes visible before any curve.

A run's curves show the symptom (divergence, NaN, a loss that will not fall); the cause is often
sitting in the objects handed to ``watch``: a momentum that averages a thousand steps, layers kept
in a plain Python list (so no optimizer ever sees them), Adam's ``eps`` in float16 (where it is 0),
a loss summed over the batch. Reading them costs nothing inside the loop (once, at start).

Two kinds of result:

* findings: the configuration is wrong on its own (unregistered layers, momentum >= 0.99 at a
  large rate), raised at start as a cause with its exact fix;
* suspects: the configuration is risky but fine for some runs (a summed loss, float16 Adam). A
  suspect says nothing by itself; when a symptom it explains appears (NaN, divergence...), the
  symptom's finding leads with the suspect's cause and fix (``attribute``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..findings import Finding, Severity
from .structure import CAUSE
from .momentum import EFFECTIVE_STEP  # one judge of momentum for torch and Keras (checks/momentum.py)

SUSPECT_MOMENTUM = 0.95
FP16_TINY = 6e-8  # the smallest float16 subnormal: a smaller eps rounds to 0
# Symptoms of steps that are too large: what a large effective step or a summed loss explains.
STEP_SYMPTOMS = ("lr-too-high", "divergence", "oscillation", "loss-spikes", "exploding-gradients", "nonfinite",
                 "nonfinite-origin", "update-ratio", "dead-relu")


@dataclass
class Suspect:
    """A risky setting: named as the cause only when one of the symptoms it explains shows up."""

    name: str
    explains: tuple[str, ...]
    cause: str
    fix: str


def _groups(optimizer: Any) -> list[dict]:
    groups = getattr(optimizer, "param_groups", None)
    return [g for g in groups if isinstance(g, dict)] if isinstance(groups, list) else []


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


# ---------------------------------------------------------------- findings at start

def momentum_findings(optimizer: Any) -> list[Finding]:
    """SGD/RMSprop momentum >= 0.99 with an effective step lr / (1 - m) >= 10 (the judge: checks/momentum.py)."""
    from .momentum import high_momentum_finding

    for i, g in enumerate(_groups(optimizer)):
        f = high_momentum_finding(_num(g.get("momentum")), _num(g.get("lr")), type(optimizer).__name__,
                                  subject=f"optimizer.param_groups[{i}]")
        if f is not None:
            return [f]
    return []


def hidden_containers(model: Any) -> list[tuple[str, str, list, list]]:
    """(where, container type, modules, trainable parameters) for modules in plain list/tuple/dict attributes."""
    from torch import nn

    registered = {id(m) for m in model.modules()}
    found: list[tuple[str, str, list, list]] = []
    for owner_name, owner in model.named_modules():
        for attr, value in vars(owner).items():
            if attr.startswith("_") or not isinstance(value, (list, tuple, dict)):
                continue
            items = list(value.values()) if isinstance(value, dict) else list(value)
            mods = [m for m in items if isinstance(m, nn.Module) and id(m) not in registered]
            params = [p for m in mods for p in m.parameters() if p.requires_grad]
            if params:
                where = f"{owner_name}.{attr}" if owner_name else attr
                found.append((where, type(value).__name__, mods, params))
    return found


def unregistered_findings(model: Any, optimizer: Any = None, ran_with_grad: set[str] | None = None) -> list[Finding]:
    """Layers kept in a plain list, tuple or dict attribute: not registered, so parameters() misses them.

    ``ran_with_grad``: the containers whose layers ran in the forward pass with gradients on (the
    watcher's one-shot hooks see it); a model held in a list on purpose (a frozen teacher called
    under no_grad, a reference kept out of state_dict) does not run that way and is not named.
    """
    in_opt = {id(p) for g in _groups(optimizer) for p in g.get("params", [])}
    found = [(w, k, p) for w, k, _, p in hidden_containers(model) if ran_with_grad is None or w in ran_with_grad]
    out = []
    for where, kind, params in found:
        trained = all(id(p) in in_opt for p in params)
        container = "nn.ModuleDict" if kind == "dict" else "nn.ModuleList"
        n = sum(p.numel() for p in params)
        out.append(Finding(
            "frozen-parameters", Severity.INFO if trained else Severity.WARNING,
            f"layers in the plain Python {kind} '{where}' are not registered: model.parameters() misses their "
            f"{n} weights" + ("" if trained else ", so the optimizer never updates them"),
            evidence={"subject": where, CAUSE: not trained, "parameters": n, "container": kind,
                      "how": "nn.Module instances held in a plain Python container"},
            causes=[f"PyTorch registers a sub-module only when it is assigned as an attribute or held in "
                    f"{container}; a {kind} hides it, so the layers stay at their random initial weights (and "
                    ".to(device), .train()/.eval() and state_dict() skip them too)"],
            fixes=[f"Hold the layers in {container}: self.{where.rsplit('.', 1)[-1]} = {container}(...) "
                   "(then build the optimizer from model.parameters())."]))
    return out


def unregistered_tensor_findings(model: Any, optimizer: Any = None) -> list[Finding]:
    """Weights kept as plain tensors (``self.w = torch.randn(...).requires_grad_()``): not registered as parameters.

    Mechanism: a module registers a tensor attribute only when it is an ``nn.Parameter`` (or a buffer), so
    ``model.parameters()`` and an optimizer built from it never see it. The evidence is this run's own: a leaf
    tensor attribute with ``requires_grad`` whose ``.grad`` backward filled (so the forward used it with
    gradients on) and that no optimizer group holds. A tensor the user handed to the optimizer is trained and
    not named.
    """
    import torch

    in_opt = {id(p) for g in _groups(optimizer) for p in g.get("params", [])}
    out = []
    for owner_name, owner in model.named_modules():
        for attr, value in vars(owner).items():
            if attr.startswith("_") or not isinstance(value, torch.Tensor) or isinstance(value, torch.nn.Parameter):
                continue
            if not (value.requires_grad and value.is_leaf and value.grad is not None) or id(value) in in_opt:
                continue
            where = f"{owner_name}.{attr}" if owner_name else attr
            out.append((where, value.numel()))
    if not out:
        return []
    names = ", ".join(w for w, _ in out[:4]) + (f" and {len(out) - 4} more" if len(out) > 4 else "")
    n = sum(k for _, k in out)
    return [Finding(
        "frozen-parameters", Severity.WARNING,
        f"weights kept as plain tensors ({names}): not nn.Parameter, so model.parameters() misses their {n} values "
        "and the optimizer never updates them",
        evidence={"subject": out[0][0], CAUSE: True, "parameters": n, "tensors": [w for w, _ in out],
                  "how": "tensor attributes with requires_grad=True, not registered as parameters"},
        causes=["PyTorch registers a tensor attribute only when it is an nn.Parameter; a plain tensor with "
                "requires_grad=True still gets a .grad from backward(), but it is not in model.parameters(), so the "
                "optimizer built from them never steps it: those weights stay at their initial values"],
        fixes=[f"Wrap the weights in nn.Parameter: self.{out[0][0].rsplit('.', 1)[-1]} = nn.Parameter(torch.randn(...)) "
               "(or use nn.Linear), then build the optimizer from model.parameters()."])]


def stale_optimizer_params(model: Any, optimizer: Any) -> int:
    """How many optimizer parameters are no longer part of the model (a layer replaced after the optimizer)."""
    ids = {id(p) for p in model.parameters()}
    return sum(1 for g in _groups(optimizer) for p in g.get("params", []) if id(p) not in ids)


def config_findings(model: Any, optimizer: Any = None) -> list[Finding]:
    """What watch() raises at start from the configuration alone (unregistered layers wait for the forward)."""
    from .constant_init import constant_init_findings, one_signed_init_findings
    from .init_scale import init_scale_findings  # an initialiser's scale not divided by sqrt(fan-in)
    from .bias_saturation import bias_saturation_findings  # hidden tanh/sigmoid biases at the flat end
    from .constant_activation import constant_activation_findings  # ReLU(max_value=0), Hardtanh(1, 1)
    from .freeze_attribute import attribute_freeze_findings  # model.body.requires_grad = False (does nothing)
    from .shared_layers import shared_layer_findings  # [layer, act] * n: one layer object at several positions

    from .unloaded_weights import unloaded_weights_findings  # a frozen body still at its random init

    from .layer_rates import reversed_rates_finding  # per-layer rates zipped from the input end

    rates = reversed_rates_finding(model, optimizer) if optimizer is not None else None
    return (momentum_findings(optimizer) + (constant_init_findings(model) or one_signed_init_findings(model)
                                           or init_scale_findings(model) or bias_saturation_findings(model))
            + constant_activation_findings(model)
            + attribute_freeze_findings(model) + shared_layer_findings(model) + unloaded_weights_findings(model)
            + optimizer_setting_findings(optimizer) + ([rates] if rates is not None else []))


def optimizer_setting_findings(optimizer: Any) -> list[Finding]:
    """Optimizer settings that are not what the code meant: set as plain attributes, Adam's betas swapped."""
    if optimizer is None:
        return []
    from .adam_betas import swapped_betas_finding
    from .optimizer_attributes import torch_attribute_findings
    from .optimizer_roles import role_findings  # a setting in another framework's role (alpha as lr, ...)

    from .ascent import maximize_findings  # maximize=True: gradient ascent on the loss

    betas = swapped_betas_finding(optimizer)
    return (torch_attribute_findings(optimizer) + ([betas] if betas is not None else []) + role_findings(optimizer)
            + maximize_findings(optimizer))


# ---------------------------------------------------------------- suspects

def suspects(model: Any, optimizer: Any = None, loss_fn: Any = None) -> list[Suspect]:
    """Risky settings, each with the symptoms it would explain."""
    from .gate_bias import gate_bias_suspects  # a recurrent layer whose memory gate starts closed

    out: list[Suspect] = gate_bias_suspects(model)
    out += _half_precision_eps(model, optimizer)
    red = getattr(loss_fn, "reduction", None)
    if red == "sum":
        out.append(Suspect("reduction-sum", STEP_SYMPTOMS,
                           f"{type(loss_fn).__name__}(reduction='sum') adds the per-sample losses, so the gradient "
                           "and each step grow with the batch size: a learning rate chosen for a mean loss is "
                           "batch-size times too large",
                           "Use reduction='mean' (the default), or divide the learning rate by the batch size."))
    out += _restored_rate(optimizer)
    for i, g in enumerate(_groups(optimizer)):
        m, lr = _num(g.get("momentum")), _num(g.get("lr"))
        if m is not None and lr is not None and SUSPECT_MOMENTUM <= m < 1 and lr / (1 - m) < EFFECTIVE_STEP:
            out.append(Suspect("momentum", STEP_SYMPTOMS,
                               f"momentum {m:g} multiplies each step about {1 / (1 - m):.0f}x (effective step "
                               f"lr / (1 - momentum) = {lr / (1 - m):.3g} at the rate set when training began, "
                               f"{lr:g}; a schedule changes it)",
                               "Lower the momentum to 0.9, or the learning rate in proportion."))
            break
    return out


RESTORED_DROP = 100.0  # a rate this many times below the one its schedule started from, at the run's start
SLOW_SYMPTOMS = ("update-ratio", "no-learning", "stalled", "stuck-at-chance", "lr-decay-too-fast")


def _restored_rate(optimizer: Any) -> list[Suspect]:
    """A group whose rate, when the run starts, is far below the ``initial_lr`` an LR scheduler recorded in it.

    ``initial_lr`` is written by a scheduler and travels in ``optimizer.state_dict()``: a run that builds its
    optimizer with a fresh rate and then calls ``load_state_dict`` gets the saved run's decayed rate back.
    Only an optimizer that already holds per-parameter state (momentum buffers, step counts) before this run's
    first step was restored: a fresh one whose warm-up starts low is not.
    """
    if not getattr(optimizer, "state", None):
        return []
    for g in _groups(optimizer):
        lr, start = _num(g.get("lr")), _num(g.get("initial_lr"))
        if lr is not None and start is not None and lr > 0 and lr * RESTORED_DROP <= start:
            return [Suspect("restored-rate", SLOW_SYMPTOMS,
                            f"the optimizer starts this run at lr {lr:.3g}, {start / max(lr, 1e-300):.3g}x below the "
                            f"{start:.3g} its schedule began from: a rate restored by optimizer.load_state_dict() "
                            "from a checkpoint whose schedule had decayed it (loading the state overwrites the lr "
                            "the optimizer was built with)",
                            "Set the new rate after loading the state: for g in optimizer.param_groups: g['lr'] = "
                            "new_lr (and build a fresh scheduler), or do not load the old optimizer state.")]
    return []


def _half_precision_eps(model: Any, optimizer: Any) -> list[Suspect]:
    import torch

    half = [p for p in model.parameters() if p.requires_grad and p.dtype == torch.float16]
    if not half:
        return []
    for g in _groups(optimizer):
        eps = _num(g.get("eps"))
        if eps is not None and 0 <= eps < FP16_TINY and any(p.dtype == torch.float16 for p in g.get("params", [])):
            name = type(optimizer).__name__
            return [Suspect("half-precision-eps", ("nonfinite", "nonfinite-origin", "divergence", "exploding-gradients",
                                                   "loss-spikes", "update-ratio", "dead-relu"),
                            f"the model's weights are float16 (model.half()) and {name}'s eps={eps:g} is 0 in "
                            "float16: an update divides by the root of a squared gradient that underflows to 0, "
                            "which gives inf and NaN weights",
                            "Keep the model in float32 and use torch.autocast with a GradScaler for mixed "
                            f"precision (or, if the weights must stay float16, {name}(..., eps=1e-4)).")]
    return []


def attribute(findings: list[Finding], found: Iterable[Suspect]) -> None:
    """Lead the gravest symptom a suspect explains with that suspect's cause and fix (in place).

    A symptom that already names a cause (``explained_by``, or a cause of its own) is left alone.
    """
    for s in found:
        hits = [f for f in findings if f.id in s.explains and f.severity >= Severity.WARNING
                and "explained_by" not in f.evidence and not f.evidence.get("config")]
        if not hits or any(f.evidence.get(CAUSE) and f.severity >= Severity.WARNING for f in findings
                           if f.id not in s.explains):
            continue  # nothing to explain, or a structural cause was already found
        top = max(hits, key=lambda f: int(f.severity))
        top.evidence["config"] = s.name
        top.evidence[CAUSE] = True
        top.causes = [s.cause, *top.causes]
        top.fixes = [s.fix, *top.fixes]


_ADAPTIVE_KEYS = ("betas", "alpha", "lr_decay", "rho")  # Adam family, RMSprop, Adagrad, Adadelta


def steps_by_raw_gradient(optimizer: Any) -> bool:
    """The torch optimizer has param groups and none is an adaptive optimizer's (``_ADAPTIVE_KEYS``): its step
    is lr x gradient (SGD), so a loss made k times smaller takes k times shorter steps. Adaptive optimizers
    divide each step by the gradient's own size, which cancels such a factor."""
    groups = _groups(optimizer)
    return bool(groups) and not any(k in g for g in groups for k in _ADAPTIVE_KEYS)


def kl_mean_findings(loss_fn: Any, optimizer: Any) -> list[Finding]:
    """update-ratio: nn.KLDivLoss(reduction='mean') under plain SGD.

    'mean' divides the summed KL by batch x classes, not by the batch ('batchmean', what the KL divergence per
    row is): the loss and its gradient are the number of classes times too small. An adaptive optimizer (Adam)
    divides that factor out of its steps; plain SGD takes steps that many times too short. PyTorch's own
    documentation calls 'mean' a wrong value for this loss."""
    from .loss_wiring import loss_modules

    if not steps_by_raw_gradient(optimizer):
        return []  # adaptive optimizers (Adam, RMSprop, Adagrad, Adadelta) rescale the steps themselves
    for m in loss_modules(loss_fn):
        if type(m).__name__ == "KLDivLoss" and getattr(m, "reduction", None) == "mean":
            name = type(optimizer).__name__
            return [Finding(
                "update-ratio", Severity.WARNING,
                "KLDivLoss(reduction='mean') averages over every element (batch x classes), not over the batch: "
                f"under {name} the loss and every step are the number of classes times too small",
                evidence={"subject": "kl-reduction-mean", CAUSE: True,
                          "explains": ["no-learning", "stalled", "update-ratio", "late-start", "lr-decay-too-fast"]},
                causes=["reduction='mean' divides the summed KL divergence by batch x classes; the KL divergence "
                        "per row is the sum over classes divided by the batch ('batchmean'), so the gradient is "
                        "divided by the number of classes once more and plain SGD barely moves"],
                fixes=["Use nn.KLDivLoss(reduction='batchmean') (the KL divergence per row, what distillation "
                       "recipes and their learning rates assume)."])]
    return []
