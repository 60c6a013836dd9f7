"""What a logged metric IS: its possible range, the scale it is logged on, and its direction.

One source for every rule that reads a metric's values against a range or a chance level. A
metric is judged in its own convention, read from its name first and its values second:

- fractions of items (accuracy, balanced accuracy, precision, recall, F1, IoU / Dice, AUC, mAP, an
  error *rate*) live on [0, 1], or on [0, 100] when logged in percent (detectron2's AP, Keras
  scripts that multiply by 100, SQuAD's exact match and F1, seqeval-style reports);
- text-overlap scores (BLEU, ROUGE, METEOR, chrF) live on [0, 1] or [0, 100] (sacrebleu);
- edit-distance rates (WER, CER) are >= 0 and may exceed 1 (insertions): lower is better;
- perplexity is >= 1; regression errors (MSE, MAE, RMSE, a reconstruction error) are >= 0 with no
  upper bound; R^2 is <= 1; correlation-type agreements (MCC, Cohen's kappa) live on [-1, 1] with
  0 for a predictor that ignores the input;
- a name whose head word is an error ("acc_error", "position_error", "recon_error") measures how
  far a quantity is off, not a rate: it has no upper bound, and a signed one no lower bound either.

Percent is a convention of the writer, so it is read where the writer shows it: the writer's stated
range, a name that says percent, a series that lives above 1 from its first point, or another
fraction metric of the same run logged in percent (one writer uses one scale). A series that starts
on the 0-1 scale and climbs past 1 with nothing else saying percent is out of range (a sum over
batches never divided by their count). ``metric_scale`` is that one reading, and every rule reads it:
``convention`` here and ``_common.normalised_metric`` for the rules that put a share on [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..run import Role, Run, Series
from ..run.roles import infer_role, name_tokens

FRACTIONS = frozenset({"accuracy", "balanced_accuracy", "f1", "map", "auc", "precision", "recall", "iou"})
OVERLAP = frozenset({"bleu"})  # BLEU, ROUGE, METEOR, chrF (one canonical kind in run.roles)
EDIT_RATES = frozenset({"wer", "cer"})
METRIC_ROLES = (Role.TRAIN_METRIC, Role.VAL_METRIC)

# Agreements between predictions and labels corrected for chance: 0 for a constant predictor.
_AGREEMENT = {"mcc": {"mcc", "matthews", "matthews_correlation", "matthewscorrcoef"},
              "kappa": {"kappa", "cohen_kappa", "cohens_kappa", "cohenkappa", "qwk"}}
# The head word of a name that measures a distance, not a share of items.
_ERROR_HEADS = {"error", "err", "errors", "distance", "dist", "deviation", "bias", "residual", "diff", "difference"}
# Words before "error" that make it a regression / reconstruction error rather than a rate.
_REGRESSION_WORDS = {"squared", "square", "absolute", "abs", "mean", "rms", "rmse", "mse", "mae", "recon",
                     "reconstruction", "l1", "l2", "relative", "rel", "euclidean", "position", "pose", "depth",
                     "angle", "angular", "quantization", "quantisation"}
_RATE_WORDS = {"rate", "top1", "top5", "top", "class", "classification", "cls", "test", "val", "train", "valid",
               "validation", "eval", "training", "testing", "error"}
_PERCENT_WORDS = {"%", "pct", "percent", "percentage", "perc"}
# The top of a percent scale with the float rounding a writer adds (100.0000076 in float32): a
# ten-thousandth, the tolerance metric-out-of-range allows on any scale.
_PERCENT_TOP = 100.0 * (1.0 + 1e-4)
_PERCENT_FLOOR = -100.0 * 1e-4


@dataclass(frozen=True)
class Convention:
    """A metric's kind, direction, possible range on the scale it is logged in, and chance level."""

    kind: str | None
    higher_is_better: bool | None
    lo: float | None  # None: unbounded below
    hi: float | None  # None: unbounded above
    divisor: float = 1.0  # 100 when a [0, 1] quantity is logged in percent
    chance: float | None = None  # the value of a predictor that ignores its input, where known
    scale: str = ""  # what showed the scale (``metric_scale``), for a share of items

    @property
    def bounded(self) -> bool:
        return self.lo is not None and self.hi is not None


def agreement_kind(name: str) -> str | None:
    """"mcc" or "kappa" for a chance-corrected agreement named so (``eval_matthews_correlation``,
    ``val_mcc``, ``cohen_kappa``), else None."""
    toks = name_tokens(name)
    joined = "_".join(toks)
    for kind, words in _AGREEMENT.items():
        if any(t in words for t in toks) or any(w in joined for w in words if "_" in w):
            return kind
    return None


def _error_of_a_quantity(s: Series) -> bool:
    """A name whose last word is an error or a distance, qualified by a quantity or a regression
    word ("acc_error", "Mean Squared Error", "train/recon_error"): how far off, not a share."""
    toks = [t for t in name_tokens(s.name) if not t.isdigit()]
    if len(toks) < 2 or toks[-1] not in _ERROR_HEADS:
        return False
    quals = set(toks[:-1])
    if quals & _REGRESSION_WORDS:
        return True
    # "acc_error", "pos_error": a word that is neither a split nor a rate word qualifies the error
    return s.metric not in ("error", None) or bool(quals - _RATE_WORDS)


def says_percent(s: Series) -> bool:
    """The writer says the series is in percent: its stated range, or its name ("Acc (%)", "wer_percent")."""
    if s.value_range == (0.0, 100.0):
        return True
    return "%" in s.name or bool(set(name_tokens(s.name)) & _PERCENT_WORDS)


def lives_in_percent(y: np.ndarray) -> bool:
    """Finite values above 1 from the first point on, in [0, 100]: a fraction logged in percent."""
    return (y.size > 0 and float(y[0]) > 1.0 and float(np.median(y)) > 1.0 and float(np.max(y)) > 1.5
            and float(np.min(y)) >= _PERCENT_FLOOR and float(np.max(y)) <= _PERCENT_TOP)


def _climbs_into_percent(y: np.ndarray) -> bool:
    """Finite values that somewhere pass 1.5 and stay within [0, 100] (with a writer's float rounding):
    on the percent scale if anything else says so, else a fraction out of its range."""
    return bool(y.size) and 1.5 < float(np.max(y)) <= _PERCENT_TOP and float(np.min(y)) >= _PERCENT_FLOOR


def _exact_match(name: str) -> bool:
    """SQuAD's exact match ("eval_exact_match", "EM", "exact"): logged in percent beside its F1."""
    toks = name_tokens(name)
    return "exact" in toks or "em" in toks or "exact_match" in toks


def run_in_percent(run: Run | None, s: Series) -> bool:
    """The writer logs fractions in percent in this run (one writer uses one scale): another fraction
    metric of the run lives in percent, or SQuAD's exact match beside it is on 0-100 (the squad
    metric reports exact match and F1 in percent, both from 0 at an untrained first evaluation)."""
    if run is None:
        return False
    for o in run.series.values():
        if o is s:
            continue
        y = o.values[np.isfinite(o.values)]
        if o.role in METRIC_ROLES and o.metric in FRACTIONS and (says_percent(o) or lives_in_percent(y)):
            return True
        if o.role not in (Role.TRAIN_LOSS, Role.VAL_LOSS) and _exact_match(o.name) and _climbs_into_percent(y):
            return True
    return False


@dataclass(frozen=True)
class Scale:
    """The scale a [0, 1] quantity is logged on, and what showed it (reported in evidence)."""

    divisor: float  # 100 when logged in percent, else 1
    why: str


_FRACTION_SCALE = Scale(1.0, "values on the 0-1 scale")
_BEYOND_RATES = Scale(1.0, "an error beyond any rate scale from its first value")


def metric_scale(s: Series, run: Run | None = None) -> Scale:
    """The one reading of whether a metric that is a share of items (accuracy, F1, mAP, IoU, an error
    rate, BLEU, WER) is logged in percent, from its values, its name and the run's other columns:

    - not a share at all (an agreement on [-1, 1], an error of a quantity, a bare "error" beyond any
      rate scale from its first value): the fraction scale, nothing is divided;
    - the writer says percent: its stated range or its name ("Acc (%)", "wer_percent");
    - the series lives above 1 from its first point, within [0, 100] (an edit rate, which may pass 1
      as a fraction, when its median does);
    - it starts under 1 and later lives above 1.5: percent only when another fraction of the run is in
      percent (one writer uses one scale) or the score is one usually reported on 0-100 (BLEU:
      sacrebleu); otherwise it is a fraction out of its range (a sum never divided by its count).

    Without ``run`` the run's other columns are not read."""
    if agreement_kind(s.name) is not None:
        return Scale(1.0, "an agreement on [-1, 1]")
    if s.metric not in (None, "loss") and _error_of_a_quantity(s):
        return Scale(1.0, "an error of a quantity, not a share")
    y = s.values[np.isfinite(s.values)]
    if s.metric == "error" and y.size and float(y[0]) > 100.0:
        return _BEYOND_RATES
    if says_percent(s):
        return Scale(100.0, "stated range 0-100" if s.value_range == (0.0, 100.0) else "its name says percent")
    if s.metric in EDIT_RATES:
        return Scale(100.0, "median above 1.5") if y.size and float(np.median(y)) > 1.5 else _FRACTION_SCALE
    if lives_in_percent(y):
        return Scale(100.0, "values above 1 from the first point, within 0-100")
    if _climbs_into_percent(y):
        if s.metric in OVERLAP:
            return Scale(100.0, "a score usually reported on 0-100 (sacrebleu)")
        if run_in_percent(run, s):
            return Scale(100.0, "the run's other fractions are in percent")
    return _FRACTION_SCALE


def on_unit_scale(y: np.ndarray, scale: Scale) -> np.ndarray:
    """Values divided to the [0, 1] scale, with the float rounding a writer adds at the top (100.0000076
    in float32, within a ten-thousandth) taken as the top itself."""
    y01 = y / scale.divisor if scale.divisor != 1.0 else y
    over = (y01 > 1.0) & (y01 <= 1.0 + 1e-4)
    return np.where(over, 1.0, y01) if over.any() else y01


def convention(s: Series, run: Run | None = None) -> Convention:
    """The convention of series ``s`` (of ``run``, whose other metrics show the writer's scale)."""
    agree = agreement_kind(s.name)
    if agree is not None:
        return Convention(agree, True, -1.0, 1.0, chance=0.0)
    kind = s.metric
    if kind is None or kind == "loss":
        return Convention(kind, s.higher_is_better, None, None)
    if _error_of_a_quantity(s):
        return Convention("distance", False, None, None)
    if kind in FRACTIONS or kind in OVERLAP or kind == "error":
        scale = metric_scale(s, run)
        if scale is _BEYOND_RATES:
            # A bare "error" is a rate in a classifier and the regression error (MSE, MAE) elsewhere:
            # beyond any rate scale from its first value, it is the unbounded one.
            return Convention("distance", False, None, None)
        div = scale.divisor
        chance = 0.5 if kind == "auc" else None
        return Convention(kind, kind != "error", 0.0, 1.0 * div, divisor=div,
                          chance=None if chance is None else chance * div, scale=scale.why)
    if kind in EDIT_RATES:
        scale = metric_scale(s, run)
        return Convention(kind, False, 0.0, None, divisor=scale.divisor, scale=scale.why)
    if kind == "perplexity":
        return Convention(kind, False, 1.0, None)
    if kind in ("mse", "mae", "mape"):
        return Convention(kind, False, 0.0, None)
    if kind == "r2":
        return Convention(kind, True, None, 1.0)
    return Convention(kind, s.higher_is_better, None, None)


def agreements(run: Run) -> list[tuple[Series, Role]]:
    """Chance-corrected agreements (MCC, kappa) the run logs, with the metric role of their split.
    Role inference does not know them as metrics, so they are read here by name."""
    out = []
    for s in run.series.values():
        if s.role in (Role.TRAIN_LOSS, Role.VAL_LOSS, Role.LR) or agreement_kind(s.name) is None:
            continue
        # the split as role inference reads it, from the name with the agreement word as an accuracy
        toks = name_tokens(s.name)
        role = infer_role("_".join(toks + ["acc"])).role
        out.append((s, role if role in METRIC_ROLES else Role.TRAIN_METRIC))
    return out


_PIXEL_WORDS = {"seg", "pixel", "aacc", "pa", "pixacc", "pixel_acc", "pixel_accuracy"}


def pixel_accuracy(s: Series) -> bool:
    """An accuracy over the pixels of a batch or a set (MMSegmentation's ``decode.acc_seg`` and
    ``aAcc``, ``pixel_acc``, a U-Net's "PA"), not over items."""
    return s.metric == "accuracy" and bool(set(name_tokens(s.name)) & _PIXEL_WORDS)
