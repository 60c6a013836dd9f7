"""Static model checks: mistakes visible in the model, loss and optimiser before training.

Plain functions returning Findings, so ``traindoc.watch`` runs them at the start and
``traindoc.check`` can call them too. Each finding's ``evidence['subject']`` names the module
or parameter it is about (the watcher dedupes on id + subject).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..findings import Finding, Severity

REGRESSION_LOSSES = {"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "mse_loss", "l1_loss", "smooth_l1_loss",
                     "huber_loss", "GaussianNLLLoss", "PoissonNLLLoss"}
CE_LOSSES = {"CrossEntropyLoss", "cross_entropy"}
NLL_LOSSES = {"NLLLoss", "nll_loss"}
BCE_LOGITS_LOSSES = {"BCEWithLogitsLoss", "binary_cross_entropy_with_logits"}
BCE_LOSSES = {"BCELoss", "binary_cross_entropy"}


def loss_kind(loss_fn: Any) -> str | None:
    """'ce', 'nll', 'bce_logits', 'bce', 'regression' or None, from a loss module or function."""
    if loss_fn is None:
        return None
    name = type(loss_fn).__name__
    if name in ("function", "builtin_function_or_method", "partial"):
        name = getattr(getattr(loss_fn, "func", loss_fn), "__name__", "")
    for kind, names in _KINDS:
        if name in names:
            return kind
    return _wrapped_kind(loss_fn)


_KINDS = (("ce", CE_LOSSES), ("nll", NLL_LOSSES), ("bce_logits", BCE_LOGITS_LOSSES), ("bce", BCE_LOSSES),
          ("regression", REGRESSION_LOSSES))
# Calls that change what the wrapped loss is given: a wrapper that makes them is not that loss of its arguments.
_TRANSFORMS = {"softmax", "log_softmax", "sigmoid", "logsigmoid", "log", "log1p", "exp", "tanh", "relu", "clamp",
               "clip", "abs", "neg", "one_hot", "softplus", "normalize", "where", "masked_select", "flip", "roll"}


def _wrapped_kind(loss_fn: Any) -> str | None:
    """The kind of a user's own loss function (a def or lambda) that only calls one known loss on its
    arguments: ``def loss(out, y): return F.binary_cross_entropy_with_logits(out.squeeze(1), y)``.

    Read from the names the function's code refers to (no call); a function that also transforms
    the values (softmax, log, clamp ...) or calls losses of two kinds is left unknown.
    """
    code = getattr(loss_fn, "__code__", None)
    names = set(getattr(code, "co_names", ()) or ())
    if not names or names & _TRANSFORMS:
        return None
    kinds = {kind for kind, known in _KINDS if names & known}
    return kinds.pop() if len(kinds) == 1 else None


def _last_leaf(model) -> tuple[str, Any] | None:
    leaves = [(n, m) for n, m in model.named_modules() if n and not any(True for _ in m.children())]
    return leaves[-1] if leaves else None


def check_output_activation(model, loss_fn: Any = None, output_module: str | None = None) -> list[Finding]:
    """wrong-output-activation and double-softmax, from the module that produces the output.

    ``output_module`` is the last module the forward ran (the watcher knows it); without it
    the last registered leaf module stands in.
    """
    from torch import nn

    modules = dict(model.named_modules())
    if output_module is not None and output_module in modules:
        name, last = output_module, modules[output_module]
    else:
        found = _last_leaf(model)
        if found is None:
            return []
        name, last = found
    kind = loss_kind(loss_fn)
    lname = type(loss_fn).__name__ if loss_fn is not None else None
    subject = name
    if isinstance(last, nn.Softmax) and kind == "ce":
        return [_double_softmax(subject, "Softmax", lname, Severity.WARNING)]
    if isinstance(last, nn.LogSoftmax) and kind == "ce":
        return [_double_softmax(subject, "LogSoftmax", lname, Severity.INFO)]
    if isinstance(last, nn.Softmax) and kind == "nll":
        return [_wrong_output(subject, "Softmax", lname, "NLLLoss expects log-probabilities; Softmax gives probabilities",
                              ["Use LogSoftmax as the last layer, or drop it and use CrossEntropyLoss on the logits."])]
    if isinstance(last, nn.Sigmoid) and kind in ("bce_logits", "ce"):
        return [_wrong_output(subject, "Sigmoid", lname, f"{lname} applies its own sigmoid/softmax to logits; the "
                              "model already squashes them, so gradients shrink and the loss is mis-scaled",
                              ["Remove the final Sigmoid and keep the with-logits loss (numerically stable).",
                               "Or keep the Sigmoid and use BCELoss (less stable)."])]
    if lname == "PoissonNLLLoss" and isinstance(last, (nn.ReLU, nn.ReLU6, nn.Softplus, nn.Sigmoid)):
        return _poisson_rate(subject, type(last).__name__, bool(getattr(loss_fn, "log_input", True)))
    if isinstance(last, (nn.ReLU, nn.ReLU6, nn.Softplus, nn.Sigmoid, nn.Tanh, nn.Hardtanh)) and kind == "regression":
        return [_wrong_output(subject, type(last).__name__, lname,
                              f"a regression output passed through {type(last).__name__} cannot take every value the "
                              "targets can (ReLU: no negatives; Sigmoid/Tanh: bounded)",
                              [f"Remove the final {type(last).__name__} (the activation after the last layer): "
                               "regression wants a linear output.",
                               "If targets really are bounded, scale them to the activation's range instead."])]
    if isinstance(last, (nn.ReLU, nn.ReLU6)) and kind in (None, "ce", "nll", "bce_logits"):
        return [_wrong_output(subject, type(last).__name__, lname,
                              "ReLU on the output cannot produce negative values: logits and most regression "
                              "targets need them, and units stuck below zero pass no gradient",
                              ["Remove the ReLU after the last layer (outputs should be linear logits or values)."])]
    return []


def _poisson_rate(subject: str, act: str, log_input: bool) -> list[Finding]:
    """A non-negative output (the rate itself) before PoissonNLLLoss: right with log_input=False, wrong with
    the default log_input=True, which reads the output as a log-rate (the rate it scores is exp(out) >= 1)."""
    if not log_input:
        return []  # the rate itself, read as a rate: what a Poisson regression wants
    return [_wrong_output(subject, act, "PoissonNLLLoss",
                          f"PoissonNLLLoss defaults to log_input=True and reads the output as a log-rate, computing "
                          f"exp(out) - y * out; the {act} output is already a non-negative rate, so the rate the loss "
                          "scores is exp(rate) >= 1 and small counts can never be predicted",
                          ["Keep the rate output and use nn.PoissonNLLLoss(log_input=False).",
                           f"Or drop the {act} and keep log_input=True: the linear output is the log-rate."])]


def _double_softmax(subject: str, act: str, lname: str | None, sev: Severity) -> Finding:
    redundant = act == "LogSoftmax"
    return Finding(
        "double-softmax", sev,
        f"{act} on the model output before {lname}, which applies log-softmax itself",
        evidence={"subject": subject, "module": subject, "activation": act, "loss": lname},
        causes=["The model ends in " + act + " and the loss also normalises: "
                + ("log_softmax is idempotent, so this only wastes compute." if redundant else
                   "probabilities go in as logits, the loss is squashed near ln(C) and gradients are tiny.")],
        fixes=["Remove the final " + act + " and pass raw logits to CrossEntropyLoss.",
               "Apply softmax only at inference time, when you need probabilities."])


HARDTANH_RANGE = (-1.0, 1.0)  # torch's Hardtanh, which has no Keras activation name in structure.OUTPUT_RANGES
OUTSIDE_SHARE = 0.05  # a twentieth of the targets beyond what the activation can output


def confirm_output_range(found: list[Finding], targets: Any) -> None:
    """Mark a bounded output activation on a regression as the cause when the targets seen lie beyond its range.

    The activation alone is a suspicion (targets scaled into [0, 1] fit a Sigmoid); targets the output can
    never reach make it the cause of whatever the run shows next (a loss that cannot fall, units pushed dead
    or saturated trying), so it leads those symptoms."""
    import numpy as np

    from .structure import OUTPUT_RANGES, host_array

    a = host_array(targets)
    if a is None or a.size == 0 or a.dtype.kind not in "biuf":
        return
    a = a.astype("float64").reshape(-1)
    a = a[np.isfinite(a)]
    for f in found:
        act = str(f.evidence.get("activation"))
        lo_hi = OUTPUT_RANGES.get(act.lower(), HARDTANH_RANGE if act == "Hardtanh" else None)
        if f.id != "wrong-output-activation" or lo_hi is None or not a.size:
            continue
        outside = float(np.mean((a < lo_hi[0]) | (a > lo_hi[1])))
        if outside >= OUTSIDE_SHARE:
            f.evidence.update({"cause": True, "targets_outside_share": round(outside, 4),
                               "targets_min": float(a.min()), "targets_max": float(a.max())})
            f.causes = [f"{outside:.0%} of the targets seen ({a.min():.3g} to {a.max():.3g}) lie outside what "
                        f"{f.evidence['activation']} can output ({lo_hi[0]:g} to {lo_hi[1]:g}): those rows can never "
                        "be fitted, and the gradient keeps pushing the pre-activations towards the bound"] + f.causes


def _wrong_output(subject: str, act: str, lname: str | None, why: str, fixes: list[str]) -> Finding:
    return Finding(
        "wrong-output-activation", Severity.WARNING,
        f"{act} on the model output" + (f" before {lname}" if lname else ""),
        evidence={"subject": subject, "module": subject, "activation": act, "loss": lname},
        causes=[why], fixes=fixes)


def probability_rows(outputs: Any) -> bool:
    """Whether a float output of two or more classes holds rows of probabilities (>= 0, each summing to 1):
    what a softmax gives, and a linear layer never does."""
    import torch

    if not isinstance(outputs, torch.Tensor) or not outputs.is_floating_point() or outputs.dim() < 2 \
            or outputs.shape[-1] < 2 or outputs.numel() == 0:
        return False
    with torch.no_grad():
        o = outputs.detach().float()
        return bool((o >= 0).all()) and bool(((o.sum(dim=-1) - 1).abs() < 1e-3).all())


def infer_double_softmax(outputs: Any, targets: Any, loss_fn: Any = None) -> list[Finding]:
    """From the values themselves: outputs that are already probabilities fed to a classifier loss."""
    import torch

    if not isinstance(outputs, torch.Tensor) or not outputs.is_floating_point() or outputs.dim() < 2:
        return []
    if outputs.shape[-1] < 2:
        return []
    kind = loss_kind(loss_fn)
    if kind == "nll":
        return _nll_without_log_probs(outputs, loss_fn)
    if kind not in (None, "ce"):
        return []
    if kind is None and not (isinstance(targets, torch.Tensor) and not targets.is_floating_point()
                             and targets.dim() == outputs.dim() - 1):
        return []
    if not probability_rows(outputs):
        return []
    f = _double_softmax("output", "softmax", type(loss_fn).__name__ if loss_fn is not None else "a cross-entropy loss",
                        Severity.WARNING)
    f.evidence["inferred"] = "every output row is non-negative and sums to 1: the model already outputs probabilities"
    return [f]


def _nll_without_log_probs(outputs: Any, loss_fn: Any) -> list[Finding]:
    """NLLLoss fed outputs that are not log-probabilities (each row's logsumexp is 0 for log_softmax).

    Read from the values, so a forward that ends in ``F.log_softmax`` (no module to see) passes.
    """
    import torch

    with torch.no_grad():
        o = outputs.detach().float()
        lse = torch.logsumexp(o, dim=-1)
        if not bool(torch.isfinite(lse).all()) or bool((lse.abs() < 1e-3).all()):
            return []
        off = float(lse.abs().median())
    lname = type(loss_fn).__name__
    f = _wrong_output("output", "no log_softmax", lname,
                      f"{lname} expects log-probabilities, but the outputs are raw scores (each row's logsumexp is "
                      f"{off:.3g} away from 0): the loss rewards ever larger outputs and falls without bound",
                      ["Use nn.CrossEntropyLoss on the raw outputs (it applies log_softmax itself), or apply "
                       "F.log_softmax(out, dim=1) before NLLLoss."])
    f.evidence["inferred"] = "the output rows are not log-probabilities (logsumexp != 0)"
    f.evidence["cause"] = True
    return [f]


def check_missing_bias(model, norm_follows: Iterable[str] = ()) -> list[Finding]:
    """Linear/conv layers without bias (info). A layer followed by a normalisation needs none."""
    from torch import nn

    from ..probes.layers import NORMS

    names = [(n, m) for n, m in model.named_modules() if n and not any(True for _ in m.children())]
    followed = set(norm_follows)
    for (n, m), (_, nxt) in zip(names, names[1:]):
        if isinstance(nxt, NORMS):
            followed.add(n)
    missing = [n for n, m in names if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d))
               and m.bias is None and n not in followed]
    if not missing:
        return []
    return [Finding("missing-bias", Severity.INFO, f"{len(missing)} layer(s) without a bias term",
                    evidence={"subject": "model", "layers": missing[:20], "count": len(missing)},
                    causes=["bias=False is normal before a normalisation layer or in some transformer designs; "
                            "elsewhere it removes a degree of freedom the layer may need."],
                    fixes=["Keep bias=True unless a normalisation layer follows."])]


def check_frozen_parameters(model, optimizer: Any = None) -> list[Finding]:
    """Parameters that require grad but are not in the optimiser: they will never change."""
    if optimizer is None or not hasattr(optimizer, "param_groups"):
        return []
    in_opt = {id(p) for g in optimizer.param_groups for p in g.get("params", [])}
    missing = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in in_opt]
    if not missing:
        return []
    layers = sorted({n.rsplit(".", 1)[0] if "." in n else n for n in missing})
    from .torch_config import stale_optimizer_params

    stale = stale_optimizer_params(model, optimizer)
    causes = ["The optimiser was built before the layer was added, or from a subset of the "
              "parameters (a filter, a separate head)."]
    fixes = ["Build the optimiser from model.parameters() after the model is complete.",
             "If freezing is intended, set requires_grad=False on those parameters."]
    if stale:  # the optimizer still holds the weights of the layer that was replaced
        causes.insert(0, f"The optimiser still holds {stale} parameter(s) that are no longer in the model: "
                         f"{', '.join(layers[:3])} was replaced after the optimiser was built, so it steps the old "
                         "layer's weights and never the new ones.")
        fixes.insert(0, "Build the optimiser after replacing the layer (e.g. over the new head's parameters).")
    trainable = sum(1 for p in model.parameters() if p.requires_grad)
    title = f"{len(missing)} trainable parameter(s) are not in the optimiser and will never change"
    if len(missing) == trainable == sum(1 for _ in model.parameters()):
        # no parameter of the model at all (none frozen, none a replaced layer's neighbour) is in the optimiser: not a
        # layer left out, the optimiser belongs to another model object
        title = (f"the optimiser does not hold this model's weights: none of its {trainable} trainable parameter(s) "
                 "is in the optimiser, so no weight is ever updated")
        causes.insert(0, "The optimiser was built for another model object (a first model, then the model re-created "
                         "or re-loaded under the same name): it steps that object's weights, never this one's.")
        fixes.insert(0, "Build the optimiser from the model that is trained, after creating it: "
                        "optimizer = Adam(model.parameters(), ...) right after model = ...")
    return [Finding("frozen-parameters", Severity.WARNING, title,
                    evidence={"subject": ",".join(layers[:5]), "parameters": missing[:20], "count": len(missing),
                              "how": "not in any optimizer param_group", "stale_in_optimizer": stale,
                              "cause": True},
                    causes=causes, fixes=fixes)]


def frozen_from_updates(layers: list[str], how: str, step: float) -> list[Finding]:
    """Finding for layers that were seen not to change (or get no gradient) over several samples."""
    if not layers:
        return []
    causes = ["The layer's parameters are not in the optimiser." if "update" in how else
              "Its output is detached or passes through an operation without a gradient before the "
              "loss (.detach(), .data, torch.no_grad, a cast to an integer dtype such as "
              "ops.cast(h, 'int32') or .long(), round or argmax, a NumPy round trip, a copy through "
              "torch.tensor(h) or h.new_tensor(h), Keras ops.stop_gradient), or it is never used, so "
              "no gradient reaches it."]
    fixes = ["Pass all trainable parameters to the optimiser.",
             "Look between this layer and the loss for .detach()/.data/no_grad, integer casts, "
             "rounding or argmax, NumPy conversions and tensor copies; keep the float tensor (a "
             "straight-through estimator where a discrete value is needed).",
             "If freezing is intended, set requires_grad=False."]
    if ZERO_GROUP_RATE in how:  # the watcher read the optimizer: their group's rate is 0 (the first cause)
        causes.insert(0, "Their parameter group's learning rate is 0 (a rate copied from a fine-tuning config that "
                         "freezes this part, a per-group rate left unset at 0), so the optimizer computes a step of "
                         "zero although their gradients flow.")
        fixes.insert(0, "Give this parameter group a learning rate above 0 (optimizer.param_groups[i]['lr']), or "
                        "leave these parameters out of the optimizer and set requires_grad=False if freezing is meant.")
    return [Finding("frozen-parameters", Severity.WARNING,
                    f"{len(layers)} layer(s) with trainable parameters never changed",
                    steps=[step], evidence={"subject": ",".join(layers[:5]), "layers": layers[:20], "how": how},
                    causes=causes, fixes=fixes)]


ZERO_GROUP_RATE = "their parameter group's learning rate is 0"


def grad_not_zeroed(first_step: float, last_step: float, count: int) -> Finding:
    return Finding("grad-not-zeroed", Severity.ERROR,
                   "gradients accumulate across optimiser steps (zero_grad is missing)",
                   steps=[first_step, last_step],
                   evidence={"subject": "optimizer", "steps_seen": count,
                             "how": "at the start of backward, .grad still held the previous step's gradient",
                             "cause": True},
                   causes=["optimizer.zero_grad() (or model.zero_grad()) is not called each step, so every "
                           "update uses the sum of all past gradients."],
                   fixes=["Call optimizer.zero_grad(set_to_none=True) once per optimisation step.",
                          "For deliberate accumulation, zero right after each optimizer.step()."])
