"""How the loss is wired to the model's output, read from the first step the loop already ran.

Nothing here runs the model or changes a tensor: each check reads the loss module's settings,
the first batch's outputs and targets, what one loss module received as input (a one-shot
forward pre-hook), or the gradient of the loss with respect to the output (a one-shot tensor
hook that returns nothing). Each names a rule a practitioner would state:

* ``ignore_index`` equal to a real class id drops that class from the loss (it is meant for a
  padding value that is not a class);
* ``nn.KLDivLoss`` expects log-probabilities as its input: given probabilities it goes negative;
* a per-token classifier's scores are ``(batch, tokens, classes)`` while ``F.cross_entropy``
  reads the classes from dim 1;
* a loss whose gradient is the same for every output element, whatever the target, is linear in
  the output and unbounded below (a hand-written error with its square forgotten).
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 8  # fewer rows than this say too little about a batch
ROW_SUM_TOL = 1e-3  # rows of probabilities sum to 1 within this
MATCH = 1e-3  # relative agreement that says the loss *is* the recomputed one
APART = 0.05  # and the other reading differs by more than this
SAME_GRAD = 1e-5  # relative spread of the output gradient below which every element gets the same one
KEEP_GRAD = 1 << 16  # an output gradient up to this many elements is kept whole (checks/loss_identity.py)
MIN_SIDE = 0.1  # share of outputs on each side of their targets for a linear loss to be told from L1


def loss_modules(loss_fn: Any) -> list:
    """The loss function and the torch loss modules inside it (a custom loss module holding nn.KLDivLoss)."""
    from torch import nn

    if not isinstance(loss_fn, nn.Module):
        return []
    return [m for m in loss_fn.modules() if isinstance(m, nn.modules.loss._Loss)]


# ---------------------------------------------------------------- ignore_index on a real class

def ignore_index_findings(loss_fn: Any, inputs: Any, outputs: Any, targets: Any) -> list[Finding]:
    """CrossEntropyLoss/NLLLoss(ignore_index=k) with k one of the classes the model outputs, one label per row.

    One label per input row (targets as long as the inputs' first dim) cannot be padding: the
    rows labelled k are real samples of class k, and the loss never sees them. A language model's
    flattened per-token targets (longer than the batch of sequences) are left alone.
    """
    import torch

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    if outputs.dim() != 2 or targets.dim() != 1 or targets.is_floating_point() or outputs.shape[0] != targets.shape[0]:
        return []
    if not isinstance(inputs, torch.Tensor) or inputs.dim() < 1 or inputs.shape[0] != targets.shape[0]:
        return []
    b, c = outputs.shape
    if b < MIN_ROWS or c < 2:
        return []
    for m in loss_modules(loss_fn):
        k = getattr(m, "ignore_index", None)
        if not isinstance(k, int) or not 0 <= k < c:
            continue
        with torch.no_grad():
            share = float((targets.detach() == k).float().mean())
        if share <= 0:
            continue
        name = type(m).__name__
        return [Finding("label-problem", Severity.WARNING,
                        f"{name}(ignore_index={k}) leaves out every row labelled {k}, but {k} is one of the {c} "
                        f"classes the model outputs ({share:.0%} of the first batch)",
                        evidence={"subject": "loss.ignore_index", CAUSE: True, "ignore_index": k, "classes": c,
                                  "share_ignored": round(share, 4), "loss": name},
                        causes=[f"ignore_index is for a padding value that is not a class (the default -100); set to a "
                                f"real class id, the class-{k} samples add nothing to the loss, output {k} is only ever "
                                f"pushed down, class {k} is never predicted, and the loss looks better than the model"],
                        fixes=[f"Drop ignore_index={k} ({name}() ignores nothing by default), or give padding a value "
                               "that is not a class id (-100)."])]
    return []


# ---------------------------------------------------------------- what a loss module was given

def record_loss_inputs(loss_fn: Any, wrap: Any) -> tuple[dict[str, dict], list]:
    """One-shot forward pre-hooks on nn.KLDivLoss modules inside the loss: a summary of their first input."""
    from torch import nn

    seen: dict[str, dict] = {}
    handles: list = []
    for m in loss_modules(loss_fn):
        if not isinstance(m, nn.KLDivLoss):
            continue

        def hook(mod, args, _seen=seen):
            if "KLDivLoss" in _seen or not args:
                return
            _seen["KLDivLoss"] = _probability_rows(args[0])

        handles.append(m.register_forward_pre_hook(wrap(hook)))
    return seen, handles


def _probability_rows(x: Any) -> dict:
    """Whether ``x`` holds probabilities along dim 1 (or the last dim): non-negative rows summing to 1."""
    import torch

    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() < 2 or x.numel() < MIN_ROWS:
        return {}
    with torch.no_grad():
        v = x.detach().float()
        lo, hi = float(v.min()), float(v.max())
        sums = [float((v.sum(dim=d) - 1).abs().max()) for d in {1, v.dim() - 1}]
    return {"min": lo, "max": hi, "probabilities": lo >= 0 and hi <= 1 + ROW_SUM_TOL and min(sums) <= ROW_SUM_TOL}


def kl_input_findings(seen: dict[str, dict]) -> list[Finding]:
    s = seen.get("KLDivLoss") or {}
    if not s.get("probabilities"):
        return []
    return [Finding("wrong-output-activation", Severity.WARNING,
                    f"nn.KLDivLoss was given probabilities (values in [{s['min']:.3g}, {s['max']:.3g}], rows summing "
                    "to 1) as its input, where it expects log-probabilities",
                    evidence={"subject": "loss.KLDivLoss.input", CAUSE: True, "min": s["min"], "max": s["max"]},
                    causes=["KLDivLoss(input, target) computes sum target * (log target - input): with probabilities "
                            "as the input the value is not a divergence, it goes negative and only pushes each row's "
                            "mass onto the target's largest class"],
                    fixes=["Pass log-probabilities: nn.KLDivLoss(reduction='batchmean')(F.log_softmax(out, dim=1), "
                           "target_probs) (log_target=True if the target is in log space too)."])]


# ---------------------------------------------------------------- the class axis of a per-token loss

def class_axis_findings(loss: Any, outputs: Any, targets: Any, output_layer: Any) -> list[Finding] | None:
    """(batch, tokens, classes) scores whose loss is the cross-entropy with the classes read from dim 1.

    None: undecided (an untrained model's scores are all near 0 and both readings give ~ln C), so
    the watcher asks again at later sampled steps, once the scores have moved.

    The layer that produced the output says where the classes are: nn.Linear puts its features on
    the last dim. When the step's loss equals the cross-entropy over dim 1 (what F.cross_entropy
    and nn.CrossEntropyLoss read) and differs from the one over the last dim, the softmax ran over
    the tokens. Silent only when there are as many tokens as classes, which is when it matters.
    """
    import torch
    import torch.nn.functional as F
    from torch import nn

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    if outputs.dim() != 3 or targets.dim() != 2 or targets.is_floating_point() or not outputs.is_floating_point():
        return []
    b, t, c = outputs.shape
    if b * t < MIN_ROWS or tuple(targets.shape) != (b, t) or t != c or c < 2:
        return []
    if not isinstance(output_layer, nn.Linear) or output_layer.out_features != c:
        return []
    from ._torch import as_float

    value = as_float(loss)
    if not math.isfinite(value):
        return []
    with torch.no_grad():
        o, y = outputs.detach().float(), targets.detach().long()
        if int(y.min()) < 0 or int(y.max()) >= c:
            return []
        over_dim1 = float(F.cross_entropy(o, y))
        over_last = float(F.cross_entropy(o.permute(0, 2, 1), y))
    if abs(value - over_dim1) > MATCH * max(1.0, abs(over_dim1)):
        return []
    if abs(value - over_last) <= APART * max(1.0, abs(over_last)):
        return None
    return [Finding("wrong-output-activation", Severity.ERROR,
                    f"the loss ({value:.4g}) is the cross-entropy with the classes read from dim 1 of the ({b}, {t}, "
                    f"{c}) output, but the last layer (nn.Linear, {c} outputs) puts the classes on the last dim "
                    f"(that loss would be {over_last:.4g})",
                    evidence={"subject": "loss", CAUSE: True, "loss": value, "classes_dim1": over_dim1,
                              "classes_last": over_last, "shape": [b, t, c]},
                    causes=["F.cross_entropy / nn.CrossEntropyLoss take (N, C, ...) scores: with (batch, tokens, "
                            "classes) scores the softmax runs over the tokens, and with as many tokens as classes "
                            "nothing errors; each token's label is scored against another position's score"],
                    fixes=["Put the classes on dim 1: loss_fn(out.permute(0, 2, 1), y) (or "
                           "loss_fn(out.reshape(-1, C), y.reshape(-1)))."])]


# ---------------------------------------------------------------- a loss linear in the output

class OutputGrad:
    """The gradient of the loss with respect to the first output, summarised once (a tensor hook)."""

    def __init__(self) -> None:
        self.summary: dict | None = None
        self.handle: Any = None
        self.output: Any = None  # the first output itself (small outputs only), released after the first step

    def hook_model(self, model: Any, wrap: Any) -> None:
        def forward_hook(mod, args, out):
            import torch

            if self.handle is None or not torch.is_grad_enabled():
                return
            self.handle.remove()
            self.handle = None
            if isinstance(out, torch.Tensor) and out.requires_grad and out.is_floating_point():
                out.register_hook(wrap(self._see))
                if out.numel() <= KEEP_GRAD:  # the first output, for a loop that does not pass outputs=
                    self.output = out.detach()

        self.handle = model.register_forward_hook(wrap(forward_hook))

    def _see(self, grad: Any) -> None:
        import torch

        if self.summary is not None:
            return
        with torch.no_grad():
            g = grad.detach().float()
            self.summary = {"min": float(g.min()), "max": float(g.max()), "numel": int(g.numel())}
            if g.numel() <= KEEP_GRAD:  # small outputs: the gradient itself, to tell what the loss computes
                self.summary["grad"] = g.clone()

    def remove(self) -> None:
        if self.handle is not None:
            self.handle.remove()
            self.handle = None


def linear_loss_findings(summary: dict | None, outputs: Any, targets: Any) -> list[Finding]:
    """The loss's gradient is one value for every output element, with outputs on both sides of their targets.

    A squared or absolute error pulls each prediction toward its own target, so its gradient
    changes with the error (its sign at least, for outputs above and below their targets). One
    gradient for all means the loss is c * sum(output) + something of the targets: it has no
    minimum, and lowering it moves every prediction the same way, away from the targets.
    """
    import torch

    if not summary or not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    if not targets.is_floating_point() or outputs.numel() != targets.numel() or outputs.numel() < MIN_ROWS:
        return []
    if summary.get("numel") != outputs.numel():
        return []
    lo, hi = summary["min"], summary["max"]
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo == 0 and hi == 0:
        return []
    if hi - lo > SAME_GRAD * max(abs(lo), abs(hi)):
        return []
    with torch.no_grad():
        err = outputs.detach().float().reshape(-1) - targets.detach().float().reshape(-1)
        above, below = float((err > 0).float().mean()), float((err < 0).float().mean())
    if min(above, below) < MIN_SIDE:
        return []
    sign = "falls" if lo > 0 else "rises"
    return [Finding("loss-metric-mismatch", Severity.ERROR,
                    f"the loss is linear in the model's output: its gradient is {lo:.3g} for every output element, "
                    f"whether the prediction is above its target ({above:.0%}) or below it ({below:.0%})",
                    evidence={"subject": "loss", CAUSE: True, "output_grad": lo, "above_target": round(above, 3),
                              "below_target": round(below, 3)},
                    causes=[f"a loss such as mean(pred - target) has no minimum: it {sign} without bound as every "
                            "prediction moves the same way, so it goes negative and keeps falling while the "
                            "predictions drift away from the targets (a square or absolute value forgotten)"],
                    fixes=["Square the error: ((pred - target) ** 2).mean() (nn.MSELoss()), or take its absolute "
                           "value: (pred - target).abs().mean() (nn.L1Loss())."])]
