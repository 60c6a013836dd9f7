"""Structure checks for any model: output activation vs loss vs targets, each naming the exact change.

These are the commonest silent bugs in small classifiers and regressors (a softmax over one
unit, a sigmoid under a categorical loss, an activation on a regression output, labels a loss
cannot take). They need only the output layer, the loss and a sample of targets, read through
checks/model_view.py, so the same checks serve torch and Keras, ``check`` and live watching.
Torch-only wiring (softmax before CrossEntropyLoss) stays in checks/static.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .model_view import (BINARY_CE, CATEGORICAL_CE, NLL, REGRESSION, SPARSE_CE, LossView, OutputView,
                         compiled_metrics, is_keras, loss_view, output_view)

MIN_TARGETS = 8  # fewer targets than this say nothing about a label distribution
FAR_SPREADS = 100.0  # a target this many robust stds from the median is no tail of the same distribution
FAR_GAP = 50.0  # ... when nothing lies between it and the rest for a factor of this many
MULTI_HOT_ROWS = 0.1  # share of 0/1 target rows with several 1s that makes the targets multi-label
MIN_CONSTANT = 64  # a constant label column is only called on this many rows (a small batch can be one class)
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, np.inf), "relu6": (0.0, 6.0),
           "softplus": (0.0, np.inf), "softmax": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "exponential": (0.0, np.inf),
           "elu": (-1.0, np.inf)}
CAUSE = "cause"  # evidence key: this finding explains symptoms such as stuck-at-chance or no-learning
WEIGHTED = ("Linear", "Conv1d", "Conv2d", "Conv3d")  # torch layer kinds whose weights set the scale of their output


@dataclass
class Targets:
    """What the checks need to know about a sample of targets."""

    n: int
    width: int  # 1 for one value per sample
    lo: float
    hi: float
    integral: bool
    distinct: list[float]  # up to 20 distinct values
    onehot: bool
    rows_sum_to_one: bool = False  # every row of a multi-column target sums to 1 (one-hot or probabilities)
    multi_hot: bool = False  # 0/1 rows, some with several 1s: several tags per sample (multi-label)
    mean: float = 0.0
    std: float = 0.0
    median: float = 0.0
    spread: float = 0.0  # the robust std (1.4826 x the median absolute deviation): blind to a few outliers
    far: int = 0  # values more than FAR_SPREADS robust stds from the median
    ones_per_row: float = 0.0  # 0/1 multi-column targets: the mean count of 1s in a row
    empty_rows: float = 0.0  # 0/1 multi-column targets: the share of rows holding no 1 at all
    ones_per_row_se: float = 0.0  # the standard error of ones_per_row (a sample of batches, not the whole set)
    near_zero: float = 0.0  # share of values within a tenth of the RMS of 0 (what a percentage error divides by)

    @classmethod
    def of(cls, y: Any, ignore: Any = None) -> "Targets | None":
        """``ignore``: a label value the loss skips (CrossEntropyLoss's ignore_index, -100 for padding)."""
        a = host_array(y)
        if a is None or a.size == 0 or a.dtype.kind not in "biuf":
            return None
        # Per-position targets (N, H, W, C): the class axis is the last one, each position is a row.
        a = a.reshape(-1, a.shape[-1]) if a.ndim > 2 else a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(-1, 1)
        if isinstance(ignore, (int, float)) and a.shape[1] == 1:
            a = a[a[:, 0] != ignore]
            if a.size == 0:
                return None
        fin = a[np.isfinite(a)] if a.dtype.kind == "f" else a.reshape(-1)
        if fin.size == 0:
            return None
        width = a.shape[1]
        distinct = np.unique(fin[:100000])
        onehot = bool(width > 1 and set(np.unique(a).tolist()) <= {0, 1} and np.all(a.sum(axis=1) == 1))
        sums = bool(width > 1 and np.all(np.abs(np.nan_to_num(a.astype("float64")).sum(axis=1) - 1) < 1e-3))
        binary = width > 1 and set(distinct.tolist()) <= {0, 1}
        row_ones = a.sum(axis=1) if binary else None
        multi = bool(binary and np.mean(row_ones >= 2) >= MULTI_HOT_ROWS)
        ones = ((float(np.mean(row_ones)), float(np.mean(row_ones == 0)),
                 float(np.std(row_ones) / np.sqrt(row_ones.size))) if binary else (0.0, 0.0, 0.0))
        f64 = fin.astype("float64")
        mean, std = float(f64.mean()), float(f64.std())
        med = float(np.median(f64))
        spread = 1.4826 * float(np.median(np.abs(f64 - med)))
        far = _far_count(np.abs(f64 - med) / spread) if spread > 0 else 0
        near_zero = float(np.mean(np.abs(f64) < 0.1 * float(np.hypot(mean, std))))
        return cls(a.shape[0], width, float(fin.min()), float(fin.max()), bool(np.all(np.mod(fin, 1) == 0)),
                   [float(v) for v in distinct[:20]], onehot, sums, multi, mean, std, med, spread, far, *ones,
                   near_zero)

    @property
    def scrambled_onehot(self) -> bool:
        """0/1 rows with one 1 per row on average (within 3%, or three standard errors of a sample) yet a tenth or
        more rows empty: the 1s of a one-hot matrix read in another order (a class-major (K, N) array reshaped to
        (N, K) where a transpose was meant), not several tags per sample, whose count per row rarely averages one
        with many rows untagged."""
        near_one = abs(self.ones_per_row - 1.0) <= max(0.03, 3.0 * self.ones_per_row_se)
        return self.multi_hot and self.n >= 32 and near_one and self.empty_rows >= 0.1

    @property
    def rms(self) -> float:
        """How far from 0 the targets sit (what an output starting near 0 must travel)."""
        return float(np.hypot(self.mean, self.std))

    @property
    def n_distinct(self) -> int:
        return len(self.distinct)


def _far_count(dev: np.ndarray) -> int:
    """How many values sit FAR_SPREADS robust stds or more from the median, apart from the rest by an
    empty gap of FAR_GAP times: a cluster of wild entries, not the far end of a heavy tail."""
    far = dev >= FAR_SPREADS
    if not far.any() or far.all():
        return 0
    return int(far.sum()) if dev[far].min() >= FAR_GAP * max(float(dev[~far].max()), 1.0) else 0


def host_array(y: Any) -> np.ndarray | None:
    """A tensor or array-like as a host numpy array (one copy of what was given); None when it is not one."""
    try:
        if hasattr(y, "detach"):
            return y.detach().cpu().numpy()
        return np.asarray(y)
    except Exception:
        return None


def _finding(id: str, sev: Severity, title: str, why: str, fixes: list[str], subject: str, **evidence) -> Finding:
    ev = {"subject": subject, CAUSE: True, **evidence}
    return Finding(id, sev, title, evidence=ev, causes=[why], fixes=fixes)


def _keras_or(out: OutputView, keras_text: str, torch_text: str) -> str:
    return keras_text if out.framework == "keras" else torch_text


def output_findings(out: OutputView | None, loss: LossView | None, targets: Targets | None = None) -> list[Finding]:
    """The output activation against the loss (and, with targets, against their range)."""
    if out is None or loss is None:
        return []
    if loss.kind is None:  # a loss model_view does not classify: only the log-of-prediction ones are judged
        from .positive_loss import positive_output_findings

        return positive_output_findings(out, loss)
    act, units, spelled = out.activation, out.units, out.spelled()
    subject = out.layer
    ev = {"activation": act, "units": units, "loss": loss.name, "from_logits": loss.from_logits}
    wrong = "wrong-output-activation"
    if act == "softmax" and units == 1:
        if loss.kind == REGRESSION:
            fix = [_keras_or(out, "Use Dense(1) with no activation: a regression output is linear.",
                             "Remove the Softmax: a regression output is linear.")]
        else:
            fix = [_keras_or(out, "Use Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
                                  "activation='softmax') with sparse_categorical_crossentropy.",
                             "Use one output with a sigmoid (BCEWithLogitsLoss), or two outputs with CrossEntropyLoss.")]
        return [_finding(wrong, Severity.ERROR, f"{spelled} always outputs 1: a softmax over one unit",
                         "softmax normalises across the units; over a single unit it is the constant 1, so the "
                         "prediction never changes and every gradient is exactly zero", fix, subject, **ev)]
    if out.framework == "torch" and loss.kind == SPARSE_CE and units == 1 and act in ("linear", None):
        return [_finding(wrong, Severity.ERROR, f"{loss.name} over a single output ({spelled}): the loss is "
                         "exactly 0", f"{loss.name} takes a log-softmax across the outputs; over one logit it is 0 "
                         "whatever the value, so the loss is 0 and every gradient is exactly zero",
                         ["For a yes/no target: keep the one output and use nn.BCEWithLogitsLoss() on float 0/1 "
                          "targets.", f"Or use two outputs (nn.Linear(..., 2)) with {loss.name} on integer class "
                          "targets."], subject, **ev)]
    if act == "softmax" and (units or 0) > 1 and loss.kind == REGRESSION and \
            (targets is None or targets.onehot or _class_id_column(targets, units)):
        return [_softmax_regressed(out, loss, targets, subject, ev)]
    if act == "softmax" and (units or 0) > 1 and loss.kind == REGRESSION and targets is not None and \
            targets.width == units and not targets.rows_sum_to_one:
        return [_softmax_on_values(out, loss, targets, subject, ev)]
    if act == "softmax" and (units or 0) > 1 and loss.kind == BINARY_CE and targets is not None and \
            targets.multi_hot and targets.width == units:
        return [_softmax_multi_hot(out, loss, targets, subject, ev)]
    if out.framework == "torch":
        return []  # torch activation/loss wiring is judged by checks/static.py; targets below
    if loss.kind == CATEGORICAL_CE and units == 1:
        return [_finding(wrong, Severity.ERROR, f"{spelled} under {loss.name}: one output unit with a categorical "
                         "loss, so the loss is exactly 0",
                         "categorical_crossentropy rescales each row of outputs to sum to 1; a single unit always "
                         "becomes 1, so the loss is 0 whatever the label and every gradient is exactly zero",
                         ["One yes/no output: keep Dense(1, activation='sigmoid') and use loss='binary_crossentropy'.",
                          "Or one unit per class: Dense(K, activation='softmax') with categorical_crossentropy on "
                          "one-hot labels."], subject, **ev)]
    if loss.categorical and not loss.from_logits:
        ce = "sparse_categorical_crossentropy" if loss.kind == SPARSE_CE else "categorical_crossentropy"
        if act == "sigmoid" and (units or 0) > 1:
            return [_finding(wrong, Severity.WARNING, f"{spelled} under {loss.name}: sigmoid outputs do not sum to 1",
                             "a categorical cross-entropy expects one probability distribution over the classes; "
                             "independent sigmoids are renormalised, which mis-scales the loss and its gradients",
                             [f"Use Dense({units}, activation='softmax') with {ce}.",
                              "Keep sigmoid only for multi-label targets, with binary_crossentropy."], subject, **ev)]
        if act == "log_softmax":
            return [_finding(wrong, Severity.ERROR,
                             f"{spelled} under {loss.name}, which expects probabilities: log_softmax outputs "
                             "log-probabilities (all <= 0)",
                             "log_softmax is PyTorch's pairing with NLLLoss; Keras' cross-entropy takes the outputs as "
                             "probabilities and rescales each row by its sum, and the negative log-probabilities are "
                             "smallest for the likeliest class, so lowering the loss makes the true class less likely: "
                             "the loss falls while accuracy drops",
                             [f"Use activation='softmax' on the output layer: Dense({units}, activation='softmax').",
                              f"Or a linear output (Dense({units})) with from_logits=True in {ce}."], subject, **ev)]
        if act in ("linear", "relu", "leaky_relu", "elu", "selu", "gelu", "tanh"):
            return [_finding(wrong, Severity.WARNING,
                             f"{spelled} under {loss.name}, which expects probabilities: the output has no softmax",
                             "without a softmax the outputs are not probabilities; the loss clips and renormalises "
                             "them, so it is mis-scaled and can blow up",
                             [f"Add activation='softmax' to the last layer: Dense({units}, activation='softmax').",
                              f"Or keep it linear and pass from_logits=True to {ce}."], subject, **ev)]
    if loss.from_logits and act == "softmax" and loss.kind in (SPARSE_CE, CATEGORICAL_CE):
        return [Finding("double-softmax", Severity.WARNING, f"{spelled} before {loss.name}(from_logits=True), "
                        "which applies softmax again",
                        evidence={"subject": subject, CAUSE: True, **ev},
                        causes=["probabilities go in as logits: the loss is squashed near ln(C) and gradients are tiny"],
                        fixes=["Remove the softmax applied in call() and return the raw scores; keep from_logits=True."
                               if out.seen else f"Remove activation='softmax' (Dense({units})) and keep from_logits=True.",
                               "Or keep the softmax and set from_logits=False."])]
    if loss.kind == BINARY_CE:
        if loss.from_logits and act == "sigmoid":
            return [_finding(wrong, Severity.WARNING, f"{spelled} before {loss.name}(from_logits=True)",
                             "the loss applies a sigmoid itself: squashing twice shrinks gradients",
                             ["Remove activation='sigmoid' and keep from_logits=True.",
                              "Or keep the sigmoid and set from_logits=False."], subject, **ev)]
        if not loss.from_logits and act == "softmax" and (units or 0) > 1:
            onehot = targets is None or targets.onehot
            if onehot:
                return [_finding(wrong, Severity.WARNING, f"{spelled} with {loss.name}: a softmax with a binary loss",
                                 "binary cross-entropy scores each unit as its own yes/no question; with one class "
                                 "per sample its accuracy is inflated (it counts the easy 'no's) and the loss is "
                                 "mis-weighted",
                                 ["For one class per sample: use categorical_crossentropy with one-hot targets (or "
                                  "sparse_categorical_crossentropy with class ids).",
                                  f"For multi-label targets: Dense({units}, activation='sigmoid') with "
                                  "binary_crossentropy."], subject, **ev)]
        if not loss.from_logits and act in ("linear", "relu", "tanh"):
            return [_finding(wrong, Severity.WARNING, f"{spelled} under {loss.name}, which expects probabilities",
                             "outputs outside (0, 1) are clipped by the loss, which then passes no gradient",
                             [f"Add activation='sigmoid': Dense({units}, activation='sigmoid').",
                              "Or keep it linear and pass from_logits=True."], subject, **ev)]
    if loss.kind == REGRESSION:
        rng = OUTPUT_RANGES.get(act)
        if rng is not None and act != "softmax":
            inside = targets is not None and targets.lo >= rng[0] and targets.hi <= rng[1]
            if not inside:
                span = f"targets span [{targets.lo:.3g}, {targets.hi:.3g}]" if targets is not None else \
                    "regression targets usually take any value"
                scale = f"Or scale the targets into the {act}'s range."
                if targets is not None and np.isfinite(rng[1]) and targets.lo >= max(rng[0], 0.0) and targets.hi > rng[1]:
                    # Label scale vs output scale: non-negative targets (pixel values, counts) fit once divided.
                    scale = (f"Or scale the targets into the {act}'s range: y / {targets.hi:.3g} (and multiply "
                             "the predictions back).")
                return [_finding(wrong, Severity.WARNING,
                                 f"{spelled} on a regression output can only produce [{rng[0]:g}, {rng[1]:g}], but {span}",
                                 f"a {act} on the output bounds every prediction; targets outside its range are "
                                 "unreachable and the units saturate",
                                 ["Remove the activation on the last layer: Dense(1) with no activation (a linear "
                                  "output).", scale], subject, **ev, target_scale=targets.hi if targets else None)]
    from .bounded_logits import bounded_logits_findings  # relu/tanh logits before a from_logits loss

    return bounded_logits_findings(out, loss)


def _softmax_multi_hot(out: OutputView, loss: LossView, targets: Targets, subject: str, ev: dict) -> Finding:
    """A softmax over several units scored by a binary cross-entropy against multi-hot rows (several tags each).

    Each unit is its own yes/no question under the binary loss, but the softmax makes the units share one unit
    of probability: two tags cannot both be near 1, so rows with several tags can never be fitted and the loss
    stalls far above zero whatever the rate."""
    k = out.units
    keras = out.framework == "keras"
    if keras:
        fix = (f"Use Dense({k}, activation='sigmoid') instead of softmax for multi-label targets (one independent "
               "probability per tag), keeping binary_crossentropy.")
    elif loss.from_logits:
        fix = (f"Remove the softmax and give the {k} raw logits to {loss.name} (it applies a sigmoid per tag), "
               "instead of softmax probabilities.")
    else:
        fix = (f"Replace the softmax with a sigmoid (nn.Sigmoid() / torch.sigmoid) for multi-label targets, or drop "
               f"it and use nn.BCEWithLogitsLoss on the {k} logits.")
    return _finding("wrong-output-activation", Severity.WARNING,
                    f"{out.spelled()} over multi-hot targets under {loss.name}: a softmax cannot give several tags "
                    "a high probability at once",
                    "the targets are multi-label (rows with several 1s) and the binary loss scores each unit as its "
                    "own yes/no, but a softmax makes the units sum to 1: a row with two or three tags can never be "
                    "fitted, so the loss stalls far above zero", [fix], subject, **ev, multi_hot=True)


def _softmax_regressed(out: OutputView, loss: LossView, targets: Targets | None, subject: str,
                       ev: dict) -> Finding:
    """A softmax classifier trained with a regression loss (MSE/MAE) on one-hot targets or class ids.

    The fix leads the title: the symptoms this causes (a loss that barely moves, an accuracy near
    chance) otherwise get generic advice. On one column of class ids a Keras loss broadcasts each id
    against every probability, so nothing can fit; a torch loop one-hots the ids itself (MSELoss
    refuses mismatched shapes), so there the ids are what the user passed beside the loss.
    """
    units, spelled = out.units, out.spelled()
    ids = targets is not None and not targets.onehot and _class_id_column(targets, units)
    if out.framework == "keras" and ids:
        return _finding("wrong-output-activation", Severity.WARNING,
                        f"{spelled} trained with {loss.name} on one column of class ids: each id is compared with all "
                        f"{units} probabilities; use sparse_categorical_crossentropy",
                        f"the (N, 1) targets broadcast against the {units} softmax outputs, so the loss asks every "
                        "probability to equal the class id and no output can fit; a classifier wants a cross-entropy",
                        ["Use loss='sparse_categorical_crossentropy' with the integer class ids (or one-hot them with "
                         "keras.utils.to_categorical and use categorical_crossentropy)."], subject, **ev)
    if out.framework == "keras":
        use = "categorical_crossentropy"
        fix = (f"Use loss='categorical_crossentropy' with the one-hot targets (or sparse_categorical_crossentropy "
               f"with class ids), keeping Dense({units}, activation='softmax').")
    else:
        use = "logits with nn.CrossEntropyLoss"
        fix = (f"Drop the final Softmax and train the {units} logits with nn.CrossEntropyLoss() on the integer class "
               "ids (it applies log-softmax itself); apply softmax only at inference.")
    return _finding("wrong-output-activation", Severity.WARNING,
                    f"{spelled} trained with {loss.name}: a classifier with a regression loss; use {use}",
                    "mean squared error on softmax probabilities gives tiny gradients (each is scaled by p(1 - p), "
                    "near 0 when the model is confidently wrong), so the loss barely moves and the accuracy lags; "
                    "classification wants a cross-entropy", [fix], subject, **ev)


def _softmax_on_values(out: OutputView, loss: LossView, targets: Targets, subject: str, ev: dict) -> Finding:
    """A softmax head regressing several independent values (rows that do not sum to 1) under MSE/MAE.

    A softmax makes its outputs positive and sum to 1, so the head can only move a fixed amount of mass between
    its units: targets that are signed, larger than 1 or not summing to 1 per row are out of its reach, and the
    loss settles far above what a linear head reaches. Usually a classifier's head copied onto a regression."""
    k = out.units
    fix = _keras_or(out, f"Use Dense({k}) with no activation (a linear output) for {k} regression targets.",
                    f"Remove the final Softmax: return the {k} values of the last Linear layer as they are.")
    return _finding("wrong-output-activation", Severity.WARNING,
                    f"{out.spelled()} on {k} regression targets (values in [{targets.lo:.3g}, {targets.hi:.3g}], "
                    f"rows not summing to 1) under {loss.name}: a softmax's outputs are positive and sum to 1",
                    "a softmax only shares one unit of probability among its outputs; independent targets that are "
                    "negative, above 1 or not adding up to 1 per row can never be reached, so the loss stalls far "
                    "above zero", [fix], subject, **ev)


def _class_id_column(t: Targets, units: int | None) -> bool:
    """One column of integer ids 0..units-1, several of them: class labels, not a regression target."""
    return (t.width == 1 and t.integral and units is not None and t.lo >= 0 and t.hi <= units - 1
            and t.n_distinct >= 2)


def target_findings(targets: Targets | None, loss: LossView | None, out: OutputView | None = None, *,
                    constant: bool = True) -> list[Finding]:
    """Targets the loss cannot take, or that cannot be learned: each names the change to make.

    ``constant=False`` skips the constant-label check (one batch of sorted data holds one class).
    """
    if targets is None or targets.n < MIN_TARGETS:
        return []
    keras = out is None or out.framework == "keras"
    units = out.units if out is not None else None
    subject = "targets"
    ev = {"min": targets.lo, "max": targets.hi, "distinct": targets.distinct[:10], "width": targets.width,
          "loss": loss.name if loss else None}
    if targets.n_distinct == 1 and constant and targets.n >= MIN_CONSTANT:
        fixes = ["Check which array is passed as y / which field the loader returns as the label."]
        if loss is not None and loss.kind in (SPARSE_CE, CATEGORICAL_CE, BINARY_CE, NLL):
            # A classification target with one value: the training data holds only one class.
            fixes.append("If the rows were cleaned or filtered before training, check that every class survived: "
                         "the training data holds only one class when a dropna() meets a column that is empty for "
                         "the other classes, or a filter selects by the label; drop that column, not the rows.")
        if loss is not None and loss.kind == BINARY_CE and targets.distinct[0] == 1.0:
            # Every label 1 under a yes/no loss: the usual source is a text column cast to bool.
            fixes.insert(0, "If the labels were read as text ('False'/'True', 'no'/'yes', '0'/'1') and cast with "
                            "astype(bool) or bool(s), every non-empty string is True: map them explicitly, "
                            "y = (labels == 'True').astype('float32').")
        return [_finding("label-problem", Severity.ERROR, f"every target is {targets.distinct[0]:g}",
                         "the label column is constant (the wrong field, a failed join, rows of the other classes "
                         "removed, or labels scaled to nothing): the model learns to output that constant",
                         fixes, subject, **ev)]
    relative = _relative_loss_on_wrong_targets(targets, loss, subject, ev)
    if relative is not None:
        return [relative]
    if loss is None or loss.kind is None:
        return []
    lab = targets.distinct
    if loss.kind in (SPARSE_CE, NLL) and targets.width == 1:
        if not targets.integral:
            scaled = targets.hi <= 1.0 and targets.lo >= 0.0
            return [_finding("label-problem", Severity.ERROR,
                             f"class-id labels are fractions in [{targets.lo:.3g}, {targets.hi:.3g}]: {loss.name} "
                             "needs integer class ids",
                             "the loss truncates each label to an integer, so most labels become class 0"
                             + (" (labels divided by 255 along with the inputs?)" if scaled else ""),
                             ["Keep the labels as integer class ids 0..K-1; scale only the inputs (x / 255), never y."],
                             subject, **ev)]
        if targets.lo < 0:
            return [_finding("label-problem", Severity.ERROR, f"negative class ids {targets.lo:g} under {loss.name}",
                             "class ids must be 0..K-1", ["Map the labels to 0..K-1."], subject, **ev)]
        if units and targets.hi >= units > 1:
            k = int(targets.hi) + 1
            return [_finding("label-problem", Severity.ERROR, f"labels go up to {targets.hi:g} but the output has "
                             f"{units} units", "a class id at or above the number of outputs has no output to score it",
                             [_keras_or(out, f"Make the last layer Dense({k}, activation='softmax') for {k} classes.",
                                        f"Make the last layer output {k} classes.") if out else
                              f"Make the output {k} wide.", "Or map the labels to 0..K-1."], subject, **ev)]
    if loss.categorical and targets.multi_hot and (not units or targets.width == units):
        # Several 1s across the output units are several tags; a row of a class-id map (pixels) is not.
        return [_multi_label(targets, loss, out, ev)]
    if loss.kind == CATEGORICAL_CE:
        found = _categorical_targets(targets, loss, out, subject, ev)
        if found:
            return found
    if loss.kind == BINARY_CE and (targets.lo < 0 or targets.hi > 1):
        if targets.integral and targets.lo >= 0 and targets.n_distinct >= 3 and targets.width == 1:
            k = int(targets.hi) + 1
            fix = (f"Labels 0..{k - 1} are {k} classes: use Dense({k}, activation='softmax') with "
                   "sparse_categorical_crossentropy." if keras else
                   f"Labels 0..{k - 1} are {k} classes: output {k} logits (nn.Linear(..., {k})) and use "
                   "nn.CrossEntropyLoss with integer class ids.")
            return [_finding("label-problem", Severity.ERROR, f"labels take {targets.n_distinct} values "
                             f"({', '.join(f'{v:g}' for v in lab[:5])}) under {loss.name}, which needs 0 or 1",
                             "binary cross-entropy is for one yes/no per output; labels above 1 push the loss below "
                             "zero and the model cannot separate the classes", [fix], subject, **ev)]
        if set(lab) == {-1.0, 1.0}:
            return [_finding("label-problem", Severity.ERROR, f"labels are -1/+1 under {loss.name}, which needs 0 or 1",
                             "-1 is outside the [0, 1] a binary cross-entropy accepts: the loss goes negative and "
                             "the gradient pushes the wrong way", ["Map the labels to 0 and 1: y = (y + 1) / 2."],
                             subject, **ev)]
        if targets.n_distinct == 2:
            return [_two_valued_binary(targets, loss, keras, subject, ev)]
        if 0 <= targets.lo and 1 < targets.hi <= 100:
            # A binary cross-entropy was chosen for a probability; values in [0, 100] are that probability in percent.
            return [_finding("label-problem", Severity.ERROR,
                             f"targets in [{targets.lo:.3g}, {targets.hi:.3g}] under {loss.name}, which needs [0, 1]: "
                             "a rate in percent",
                             "the targets look like a probability or rate written in percent (0-100) rather than as a "
                             "fraction: above 1 the binary cross-entropy goes negative and is minimised by pushing "
                             "outputs to the extremes",
                             ["Divide the targets by 100 so they are fractions in [0, 1] (and multiply the predicted "
                              "rate by 100 to read it in percent).",
                              "If they are not rates but amounts, this is a regression: use a linear output with "
                              "mean_squared_error (mse)" + ("" if keras else " (nn.MSELoss)") + "."], subject, **ev)]
        return [_finding("label-problem", Severity.ERROR,
                         f"targets in [{targets.lo:.3g}, {targets.hi:.3g}] under {loss.name}, which needs [0, 1]",
                         "these are continuous values, not probabilities: the binary cross-entropy goes negative "
                         "and is minimised by pushing outputs to the extremes",
                         ["This is a regression: use a linear output with mean_squared_error (mse)"
                          + ("" if keras else " (nn.MSELoss)") + ".",
                          "Or, if they are probabilities, scale them into [0, 1]."], subject, **ev)]
    return []


def _two_valued_binary(targets: Targets, loss: LossView, keras: bool, subject: str, ev: dict) -> Finding:
    """Exactly two label values, not 0 and 1, under a binary cross-entropy: a yes/no column transformed on the way.

    Two values are a binary label whatever they are; when they are not 0 and 1 the column went through an affine
    map meant for the features (standardised with the whole table, shifted, multiplied), not a regression target.
    """
    a, b = targets.distinct[:2]
    remap = ("y = (y == y.max()).astype('float32')" if keras else "y = (y == y.max()).float()")
    return _finding("label-problem", Severity.ERROR,
                    f"the labels take two values, {a:.3g} and {b:.3g}, under {loss.name}: labels outside [0, 1], "
                    "where a binary cross-entropy needs 0 and 1",
                    "a 0/1 label reached the loss as two other values: coded another way in the source (1 = no, "
                    "2 = yes), or transformed with the inputs (the whole table standardised or scaled before the "
                    "label was split off); a target below 0 or above 1 rewards pushing the output without limit, so "
                    "the loss falls below zero and keeps falling while the accuracy stays wrong",
                    [f"Map the two values to 0 and 1 ({remap}); if the label went through the scaler with the "
                     "features, scale only the feature columns (split the label off first and fit the scaler on the "
                     "features alone)."], subject, **ev)


PERCENT_LOSSES = ("mape", "mean_absolute_percentage_error", "meanabsolutepercentageerror")
LOG_LOSSES = ("msle", "mean_squared_logarithmic_error", "meansquaredlogarithmicerror")
NEAR_ZERO_SHARE = 0.05  # a twentieth of the targets within a tenth of their RMS of zero


def _relative_loss_on_wrong_targets(targets: Targets, loss: LossView | None, subject: str, ev: dict) -> Finding | None:
    """A percentage or logarithmic regression loss on targets it cannot take.

    MAPE divides each error by |y|: on targets that cross zero (standardised ones) the few rows near 0 weigh
    thousands of times the rest, so the loss is noise and can fall while the absolute error does not.
    MSLE takes log(1 + y): targets below 0 are clipped, so it fits only non-negative targets."""
    name = (loss.name if loss is not None else "").lower().replace(" ", "")
    if targets.width != 1 or targets.n_distinct <= 2:
        return None
    if name in PERCENT_LOSSES and targets.near_zero >= NEAR_ZERO_SHARE:
        return _finding("loss-metric-mismatch", Severity.WARNING,
                        f"{loss.name} (a percentage error) on targets that come near zero",
                        f"a percentage error divides each error by |y|, and {targets.near_zero:.0%} of the targets "
                        f"read sit within a tenth of their scale of 0 (range {targets.lo:.3g} to {targets.hi:.3g}): "
                        "those rows dominate the loss, which swings and can fall while the absolute error does not",
                        ["Use a loss on the absolute error (mean_squared_error, mean_absolute_error or Huber) for "
                         "targets that cross or approach zero, such as standardised ones; keep MAPE for targets far "
                         "from zero (all positive, like prices or counts) or report it as a metric only."],
                        subject, **ev, near_zero_share=round(targets.near_zero, 4))
    if name in LOG_LOSSES and targets.lo < 0:
        return _finding("loss-metric-mismatch", Severity.WARNING,
                        f"{loss.name} (a log error) on targets below zero",
                        f"a logarithmic error takes log(1 + y) and the targets read go down to {targets.lo:.3g}: "
                        "targets at or below -1 are clipped and negative ones compressed, so the loss does not "
                        "measure the error the task cares about",
                        ["Use mean_squared_error or Huber for targets that go below zero; keep MSLE for "
                         "non-negative targets spanning orders of magnitude."], subject, **ev)
    return None


def _multi_label(targets: Targets, loss: LossView, out: OutputView | None, ev: dict) -> Finding:
    """0/1 target rows with several 1s under a softmax loss: a multi-label task wired as single-label."""
    k = targets.width
    keras = out is None or out.framework == "keras"
    fix = (f"Multi-label targets need one independent yes/no per tag: Dense({k}, activation='sigmoid') with "
           "binary_crossentropy (and metrics=['binary_accuracy'])." if keras else
           f"Multi-label targets need one independent yes/no per tag: keep {k} logits (no softmax) and use "
           "nn.BCEWithLogitsLoss.")
    subject = out.layer if out is not None else "targets"
    if targets.scrambled_onehot:
        return _finding("label-problem", Severity.ERROR,
                        "the one-hot targets are scrambled: about one 1 per row on average, as one-hot rows have, "
                        "but many rows hold no 1 and others several",
                        f"({targets.ones_per_row:.2f} ones per row, {targets.empty_rows:.0%} of the rows empty in the "
                        "sample read) a one-hot matrix stored class-major, (classes, samples), and turned into "
                        "rows with reshape(-1, K) interleaves the samples' labels: each row now mixes several samples, so the "
                        "labels no longer belong to their inputs (several real tags per sample rarely average "
                        "exactly one with many rows untagged)",
                        ["Transpose the class-major matrix (y.T, or np.moveaxis) instead of reshaping it; reshape "
                         "only keeps the order of the elements.",
                         "If the rows really are several tags per sample: " + fix], subject, **ev, multi_hot=True,
                        ones_per_row=round(targets.ones_per_row, 4), empty_rows=round(targets.empty_rows, 4))
    return _finding("wrong-output-activation", Severity.ERROR,
                    f"several tags per sample (0/1 rows with more than one 1) under {loss.name}: a softmax loss "
                    "can only pick one class", "a softmax spreads one unit of probability over the tags, so two true "
                    "tags can never both be predicted; the loss is minimised by splitting the probability between "
                    "them", [fix], subject, **ev, multi_hot=True)


def _categorical_targets(targets: Targets, loss: LossView, out: OutputView | None, subject: str,
                         ev: dict) -> list[Finding]:
    """categorical_crossentropy wants one row per sample that sums to 1 (one-hot or probabilities)."""
    units = out.units if out is not None else None
    if targets.width == 1 and (units or 0) > 1:
        # (n, 1) class ids broadcast against (n, K) probabilities: no error, and a meaningless loss.
        return [_finding("label-problem", Severity.ERROR,
                         f"one value per sample under {loss.name}, which needs one-hot rows of {units}",
                         "class ids given to a categorical cross-entropy are broadcast across the outputs "
                         "instead of selecting one, so the loss does not score the right class",
                         ["Use sparse_categorical_crossentropy with integer class ids, or one-hot the labels "
                          f"(keras.utils.to_categorical(y, {units}))."], subject, **ev)]
    if targets.width > 1 and (targets.lo < 0 or targets.hi > 1 or not targets.rows_sum_to_one):
        scaled = 0 <= targets.lo and targets.hi < 1 and not targets.integral
        # Real-valued rows with negative entries and a spread of several units are scores, not probabilities:
        # a model's raw outputs (a teacher's logits in distillation, a pseudo-labeller's) used as targets.
        scores = targets.lo < 0 and targets.hi - targets.lo > 2 and not targets.integral
        fixes = ["Give one-hot label rows (each sums to 1); scale only the inputs, never y."]
        if scores:
            fixes.insert(0, "These rows look like logits (negative entries, a spread far beyond [0, 1]): a model's "
                            "raw outputs, such as a teacher's in distillation, used as targets. Turn them into "
                            "probabilities first: y = softmax(teacher_logits / T) along the class axis.")
        return [_finding("label-problem", Severity.ERROR,
                         f"target rows under {loss.name} do not sum to 1 (values in [{targets.lo:.3g}, "
                         f"{targets.hi:.3g}])" + (": they look like logits" if scores else ""),
                         "a categorical cross-entropy compares each row with a probability distribution; rows "
                         "that do not sum to 1 scale the loss and point the gradient wrong"
                         + (" (targets divided by 255 along with the inputs?)" if scaled else ""),
                         fixes, subject, **ev)]
    return []


def structure_findings(model: Any, loss: Any = None, targets: Any = None, output_module: str | None = None, *,
                       constant: bool = True, output_scale: float | None = None,
                       seen_activation: str | None = None) -> list[Finding]:
    """All structure checks for a torch or Keras model (``loss=None``: a Keras model's compiled loss).

    ``output_scale``: the RMS of the untrained model's outputs on a batch, when it was measured.
    ``seen_activation``: the activation the output values show (a softmax applied in forward with
    ``F.softmax``), used where the modules show a linear output.
    """
    out = output_view(model, output_module)
    if out is not None and seen_activation and out.activation in ("linear", None):
        out.activation, out.seen = seen_activation, True
    lv = loss_view(loss, model)
    t = targets if isinstance(targets, Targets) or targets is None else \
        Targets.of(targets, getattr(loss, "ignore_index", None))
    from .loss_shape import loss_shape_findings  # the loss against the axes it works over

    found = loss_shape_findings(out, lv, t)
    if not any(f.id == "wrong-output-activation" for f in found):  # one verdict on the output layer
        found += output_findings(out, lv, t)
    found += target_findings(t, lv, out, constant=constant)
    if not any(f.id == "wrong-output-activation" for f in found):
        found += classes_regressed(out, lv, t, compiled_metrics(model))
    if not found:
        found += target_outliers(lv, t) or target_scale(out, lv, t, output_scale)
    if not found:
        from .huber_scale import huber_scale_findings  # a Huber delta far below the errors

        found += huber_scale_findings(loss if loss is not None else getattr(model, "loss", None), t)
    if not isinstance(targets, Targets) and targets is not None:
        from .loss_domain import loss_domain_findings  # a loss undefined at the targets (MAPE on zeros)

        found += loss_domain_findings(lv, targets)
    from .linear_stack import linear_stack_findings  # no activation between the hidden layers

    return found + linear_stack_findings(model)


TARGET_SCALE = 1e3  # regression targets this many times the output's scale (at least 1) cannot be reached


def _log_scale(loss_name: str) -> bool:
    """A regression loss computed on the logs of the targets (MSLE) or a Poisson deviance: the targets' unit
    does not make its value or its gradients large."""
    name = loss_name.lower().replace("_", "").replace(" ", "")
    return "logarithmic" in name or name == "msle" or "poisson" in name


def target_scale(out: OutputView | None, loss: LossView | None, targets: Targets | None,
                 output_scale: float | None = None) -> list[Finding]:
    """Label scale against output scale: regression targets thousands of times what the model outputs.

    An untrained network's output sits near its initial scale (about 1 with the usual inits); every
    step moves it by about the learning rate, so targets in the hundreds of thousands are out of
    reach, the squared error is in the billions and its gradients swamp everything else.

    Reported as ``high-initial-loss`` (the catalogue's "first loss far above chance level: initialisation
    or output scale"): a regression's chance level is the loss of predicting the targets' mean, and an
    output thousands of times below the targets' scale starts far above it. ``label-problem`` is for
    labels that are wrong (out of range, constant, unlearnable); targets in another unit are right
    labels at a scale the output cannot reach.
    """
    if loss is None or loss.kind != REGRESSION or targets is None or targets.n < MIN_TARGETS:
        return []
    if _log_scale(loss.name) or (out is not None and out.activation == "exponential"):
        return []  # the loss compares logs of the targets, or exp(z) reaches them as z grows by their log
    reference = max(output_scale if output_scale is not None and np.isfinite(output_scale) else 0.0, 1.0)
    ratio = targets.rms / reference
    if not ratio >= TARGET_SCALE:
        return []
    if targets.far:
        return []  # the scale is a few wild values, not the targets' unit (target_outliers names them)
    shown = "" if output_scale is None else f", while the untrained model outputs ~{output_scale:.2g}"
    centre = f"(y - {targets.mean:.3g}) / {targets.std:.3g}" if targets.std > 0 else f"y / {targets.rms:.3g}"
    return [_finding("high-initial-loss", Severity.WARNING,
                     f"regression targets sit at {targets.rms:.3g} (mean {targets.mean:.3g}, std {targets.std:.3g})"
                     f"{shown}: {ratio:.2g}x the output's scale",
                     "targets far beyond the output's scale: the squared error starts in the "
                     f"{targets.rms ** 2:.1g} range and each step moves the output by about the learning rate, so "
                     "the model cannot reach the targets in any reasonable number of steps",
                     [f"Scale the targets: train on {centre} (a StandardScaler on y) and map predictions back "
                      "(pred * std + mean).", "Or divide the targets by a round unit (thousands, 1e5) and multiply "
                      "the predictions back."], "target-scale", target_rms=targets.rms, output_scale=output_scale,
                     mean=targets.mean, std=targets.std, loss=loss.name)]


OUTLIER_SHARE = 0.1  # at most this share of far targets: a few entries, not a second population


def target_outliers(loss: LossView | None, targets: Targets | None) -> list[Finding]:
    """A few regression targets orders of magnitude beyond the rest: they dominate a squared error."""
    if loss is None or loss.kind != REGRESSION or targets is None or targets.n < MIN_TARGETS:
        return []
    if not 0 < targets.far <= OUTLIER_SHARE * targets.n:
        return []
    return [_outlier_targets(targets, loss)]


def _outlier_targets(targets: Targets, loss: LossView) -> Finding:
    far_by = max(abs(targets.hi - targets.median), abs(targets.lo - targets.median)) / max(targets.spread, 1e-12)
    return _finding("label-problem", Severity.WARNING,
                    f"{targets.far} of {targets.n} regression targets are outliers, up to {far_by:.2g} robust stds "
                    f"from the rest (median {targets.median:.3g}, robust std {targets.spread:.3g}, range "
                    f"{targets.lo:.3g} to {targets.hi:.3g})",
                    f"a few targets far outside the rest (data-entry errors, another unit, a sentinel value) "
                    f"dominate {loss.name}: each batch that holds one gets a loss and a gradient orders of magnitude "
                    "above the others, and the model is dragged towards them",
                    ["Clean the outlying targets: fix or drop the corrupted entries (check their units).",
                     "Or train with a robust loss such as " + ("loss='huber' (keras.losses.Huber())"
                                                                 if loss.framework == "keras" else
                                                                 "nn.HuberLoss() / nn.SmoothL1Loss()")
                     + ", which grows only linearly with the error."], "target-outliers", outliers=targets.far, median=targets.median,
                    robust_std=targets.spread, lo=targets.lo, hi=targets.hi, loss=loss.name)


MAX_CLASS_IDS = 20  # more distinct integer targets than this read as counts or scores, not class ids
_ACCURACY = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")


def classes_regressed(out: OutputView | None, loss: LossView | None, targets: Targets | None,
                      metrics: list[str]) -> list[Finding]:
    """Class ids fitted as one number with a regression loss while accuracy is tracked: a classifier in disguise.

    Integer targets with a few values are sometimes a real regression (ratings, counts), so the
    intent must be stated: an accuracy metric says the task is to pick the class.
    """
    if out is None or loss is None or loss.kind != REGRESSION or targets is None or targets.width != 1:
        return []
    if not targets.integral or targets.lo < 0 or not 2 <= targets.n_distinct <= MAX_CLASS_IDS or targets.n < MIN_TARGETS:
        return []
    if (out.units or 1) > 1:
        return _ids_against_scores(out, loss, targets)
    if not any(m in _ACCURACY for m in metrics):
        return []
    if targets.n_distinct == 2 and out.activation == "sigmoid":
        return []  # a sigmoid under mse on 0/1 labels learns; the cross-entropy is better, not a bug
    k = int(targets.hi) + 1
    labels = ", ".join(f"{v:g}" for v in targets.distinct[:6])
    if k <= 2:
        fix = "Two classes: Dense(1, activation='sigmoid') with binary_crossentropy and metrics=['accuracy']."
    else:
        fix = (f"{k} classes: Dense({k}, activation='softmax') with sparse_categorical_crossentropy (labels stay "
               "the integer class ids).")
    return [_finding("wrong-output-activation", Severity.WARNING,
                     f"class ids ({labels}) are fitted as one number with {loss.name} while accuracy is tracked: a "
                     "classification trained as a regression",
                     "one output regressed onto class ids treats them as ordered quantities (class 2 is 'twice' class "
                     "1) and its real-valued predictions almost never equal a class, so accuracy stays near zero",
                     [fix, "If the numbers really are quantities, drop the accuracy metric and keep mse."],
                     out.layer, activation=out.activation, units=out.units, loss=loss.name,
                     distinct=targets.distinct[:10])]


def _ids_against_scores(out: OutputView, loss: LossView, targets: Targets) -> list[Finding]:
    """One class id per row under a Keras regression loss against K > 1 outputs: the id is broadcast across
    the K scores, each regressed onto it. Only for Keras, where the targets fit() is given are the loss's;
    a torch loop may transform its targets before the loss, which checks/loss_identity.py reads instead."""
    k = int(out.units or 0)
    if loss.framework != "keras" or targets.hi >= k:
        return []
    return [_finding("loss-metric-mismatch", Severity.WARNING,
                     f"one class id per row ({', '.join(f'{v:g}' for v in targets.distinct[:6])}) under {loss.name} "
                     f"against {k} outputs: the id is broadcast across the {k} scores and regressed as a number",
                     f"a regression loss used for a classification: {loss.name} compares every one of the {k} "
                     "outputs with the class id itself, so the argmax of the outputs says nothing about the class; "
                     "the loss falls (the id is partly predictable) while accuracy stays near chance",
                     [f"Use sparse_categorical_crossentropy on the integer class ids (from_logits=True for a linear "
                      f"Dense({k}), or a softmax output), or one-hot the labels (keras.utils.to_categorical(y, {k})) "
                      "if a squared error is really wanted."],
                     out.layer, activation=out.activation, units=k, loss=loss.name, distinct=targets.distinct[:10],
                     explains=["stuck-at-chance", "label-problem", "no-learning"])]


def watch_findings(model: Any, loss_fn: Any, targets: Any, output_module: str | None,
                   already: list[Finding], outputs: Any = None) -> list[Finding]:
    """The structure checks ``traindoc.watch`` adds at its first step, on that step's targets.

    checks/static.py already judges torch activation/loss wiring; this adds the softmax over one
    unit and the targets against the loss (labels outside its domain, class ids beyond the
    outputs), each with its fix. One batch can be one class, so constant labels are left to the
    target probe, which counts many batches.
    """
    if is_keras(model):
        return []  # the Keras callback runs these itself, on the batches fit hands to train_step
    have = {f.id for f in already}
    from .static import probability_rows

    seen = "softmax" if probability_rows(outputs) else None  # F.softmax in forward: no module shows it
    found = structure_findings(model, loss_fn, targets, output_module, constant=False, seen_activation=seen)
    keep = ("label-problem",)  # a target finding is kept beside a symptom of the same id (the targets' scale too)
    return [f for f in found if f.id not in have or f.id in keep or f.evidence.get("subject") == "target-scale"]


def lead_watch(doc: Any) -> None:
    """Put a watcher's findings in cause-first order (its key index follows the new order)."""
    doc.findings[:] = lead_with_causes(doc.findings)
    doc._keys.clear()
    for i, f in enumerate(doc.findings):
        doc._keys[(f.id, str(f.evidence.get("subject") or tuple(f.series)))] = i


def is_cause(f: Finding) -> bool:
    if f.id == "dead-relu" and not f.evidence.get(CAUSE):  # the probe's share; a named setting is a cause itself
        shares = f.evidence.get("dead_share") or {}
        return bool(shares) and max(shares.values()) >= DEAD_CAUSE
    return bool(f.evidence.get(CAUSE))


__all__ = ["Targets", "output_findings", "target_findings", "structure_findings", "is_cause", "is_keras"]


def zero_gradients_finding(batches: int, step: float) -> Finding:
    """Every gradient exactly zero on the first batches: the loss does not depend on the weights."""
    return Finding("zero-gradients", Severity.ERROR,
                   f"every gradient was exactly zero on the first {batches} batches: the model cannot learn",
                   steps=[1.0, step], evidence={"subject": "model", "batches": batches, CAUSE: True},
                   causes=["the output does not depend on the weights: a softmax over one unit (always 1), an "
                           "output saturated or dead for every input, or a loss computed from a detached tensor"],
                   fixes=["Look at the last layer: a one-unit softmax must be a sigmoid (or two units); a ReLU "
                          "output must be linear.", "Check that the loss is computed from the model's output."])


def killed_by_first_update_finding(batches: int, lr: float | None, step: float) -> Finding:
    """Gradients alive on the first batch, exactly zero on every batch after: the first update broke the model."""
    rate = f" ({lr:.3g})" if lr is not None else ""
    return Finding("lr-too-high", Severity.ERROR,
                   f"the first update killed every gradient: exactly zero on (almost) every batch after it, so the "
                   f"learning rate{rate} is far too high",
                   steps=[2.0, step], evidence={"subject": "first-update", "batches": batches, "lr": lr, CAUSE: True},
                   causes=["one step at this learning rate threw the weights so far that the output saturated (a "
                           "softmax or sigmoid clipped at 0/1) or every ReLU died, and no gradient flows any more"],
                   fixes=[f"Lower the learning rate{rate} by 10-100x (a range test finds the rate: traindoc check).",
                          "Or clip gradients (clipnorm=1.0) so one step cannot move the weights that far."])


# Findings that describe how a run looks; when a structural or data cause explains the run,
# their generic advice (lower the LR, train longer...) would send the user the wrong way.
SYMPTOMS = {"stuck-at-chance", "no-learning", "divergence", "loss-spikes", "oscillation", "high-initial-loss",
            "lr-too-high", "update-ratio", "vanishing-gradients", "exploding-gradients", "loss-metric-mismatch",
            "cannot-overfit-batch", "stalled", "late-start", "poor-initialization", "zero-gradients",
            "metric-out-of-range", "saturated-activation"}
DEAD_CAUSE = 0.9  # a layer this dead explains a run that does not learn


def lead_with_causes(findings: list[Finding]) -> list[Finding]:
    """Causes first (worst first), then the rest; a symptom a cause explains points at that cause's fix.

    A named cause (a setting, the data, the structure: evidence ``cause``) comes before a
    mechanism that is a cause only by its size (a layer 90% dead), which is itself a consequence
    of such causes (raw inputs, NaN weights); that mechanism never jumps above a worse finding.
    """
    causes = [f for f in findings if is_cause(f) and f.severity >= Severity.WARNING and f.id != "zero-gradients"]
    if not causes:
        return list(findings)
    named = [f for f in causes if f.evidence.get(CAUSE)]
    top = max(named or causes, key=lambda f: int(f.severity))
    explains = set(top.evidence.get("explains") or ())  # symptoms this cause accounts for beyond SYMPTOMS
    for f in findings:
        if (f.id in SYMPTOMS or f.id in explains) and not is_cause(f) or (f.id == "zero-gradients" and f is not top):
            if "explained_by" not in f.evidence:
                f.evidence["explained_by"] = top.id
                f.causes = [f"Explained by {top.id}: {top.title}."]
                f.fixes = [f"Fix {top.id} first: {top.fixes[0]}"] if top.fixes else []
    worst_other = max((int(f.severity) for f in findings if not any(f is c for c in causes)), default=0)
    derived = [f for f in causes if not f.evidence.get(CAUSE) and int(f.severity) >= worst_other]
    # Among equally grave named causes, one whose fix is the exact change (evidence ``exact``) leads a generic one.
    first = (sorted(named, key=lambda f: (-int(f.severity), not f.evidence.get("exact")))
             + sorted(derived, key=lambda f: -int(f.severity)))
    rest = [f for f in findings if not any(f is c for c in first)]
    return first + rest


def pair_first_layer_input(model: Any, wrap: Any, on_pair: Any) -> tuple[str, list] | None:
    """Forward pre-hooks that hand ``on_pair(model_input, layer_input)`` what the model was given and what
    its first weighted layer then received, for each training forward with gradients on (the two differ
    only by what ``forward`` did first). Returns the layer's name and the hook handles; None when the
    model has no weighted layer below its root. The tensors are only referenced, never copied."""
    import torch

    first = next(((n, m) for n, m in model.named_modules() if type(m).__name__ in WEIGHTED), None)
    if first is None or first[1] is model:
        return None
    name, layer = first
    held: dict[str, Any] = {}

    def root_pre(mod, args):
        if torch.is_grad_enabled() and mod.training and args and isinstance(args[0], torch.Tensor):
            held["x"] = args[0]

    def layer_pre(mod, args):
        x = held.pop("x", None)
        if x is None or not args or not isinstance(args[0], torch.Tensor):
            return
        on_pair(x, args[0])

    return name, [model.register_forward_pre_hook(wrap(root_pre)), layer.register_forward_pre_hook(wrap(layer_pre))]
