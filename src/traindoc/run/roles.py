"""Infer what a logged series *is* from the name a framework gave it.

Format knowledge stays in the readers; this module only knows the naming habits that
frameworks share (``val_loss``, ``eval_loss``, ``train/loss``, ``lr-Adam``, ``grad_norm``…),
so every reader and the live watcher classify names the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    """What a series measures; rules ask for series by role, never by name."""

    TRAIN_LOSS = "train_loss"
    VAL_LOSS = "val_loss"
    TRAIN_METRIC = "train_metric"
    VAL_METRIC = "val_metric"
    LR = "lr"
    GRAD_NORM = "grad_norm"
    LAYER_STAT = "layer_stat"
    OTHER = "other"


# The roles a person reads as the run's outcome: a loss or a task metric, on either split (readers
# ask this of every name they consider; a tuple, so a plain role string tests equal too).
MEASURED_ROLES = (Role.TRAIN_LOSS, Role.VAL_LOSS, Role.TRAIN_METRIC, Role.VAL_METRIC)


@dataclass(frozen=True)
class RoleInfo:
    """The inferred role plus what a rule needs to read a metric the right way up."""

    role: Role
    higher_is_better: bool | None = None
    metric: str | None = None  # canonical metric kind: "accuracy", "f1", "map", "perplexity"…


# Tokens that mark a held-out split. "test" counts: people log the held-out set as test.
_VAL_TOKENS = {"val", "valid", "validation", "eval", "evaluation", "test", "testing", "dev", "holdout", "heldout",
               "validate", "evaluate"}
_TRAIN_TOKENS = {"train", "training", "trn"}
# Metrics where larger is better, by canonical kind, with the spellings that map to them.
_HIGHER = {
    "accuracy": {"acc", "accuracy", "top1", "top5", "acc1", "acc5", "top1_acc", "top5_acc", "categorical_accuracy",
                 "sparse_categorical_accuracy", "binary_accuracy", "accuracies", "accs"},  # plural: JSON lists per epoch
    "balanced_accuracy": {"balanced_accuracy", "bal_acc", "balanced_acc"},
    "f1": {"f1", "f1_score", "f1score", "fscore", "macro_f1", "micro_f1", "f1_macro", "f1_micro"},
    "map": {"map", "map50", "map50_95", "map_50", "map_75", "bbox_map", "segm_map", "ap", "ap50", "ap75",
            "bbox_map_50", "map_50_95", "aps", "apm", "apl", "ap_s", "ap_m", "ap_l"},
    "auc": {"auc", "roc_auc", "auroc", "pr_auc", "auprc"},
    "precision": {"precision", "prec"},
    "recall": {"recall", "rec", "sensitivity"},
    # torchmetrics logs its class name: MulticlassJaccardIndex, BinaryJaccardIndex (the IoU)
    "iou": {"iou", "miou", "jaccard", "dice", "jaccardindex", "multiclassjaccardindex", "binaryjaccardindex",
            "multilabeljaccardindex"},
    "bleu": {"bleu", "sacrebleu", "rouge", "rouge1", "rouge2", "rougel", "meteor", "chrf"},
    "r2": {"r2", "r2_score"},
    # cosine similarity to a target (a teacher's embedding in distillation, a paired caption): 1 is a match;
    # a cosine *loss* carries "loss" in its name and is read as a loss
    "similarity": {"cos", "cosine", "cos_sim", "cosine_sim", "cosine_similarity", "cossim"},
    # ranking and retrieval (recommenders, search): each read at a cut-off K ("NDCG@10", "HR@20", "MRR")
    "ndcg": {"ndcg"},
    "mrr": {"mrr"},
    "hit_rate": {"hit_rate", "hitrate"},  # "hits" alone may be a count: only with its K (see _AT_K)
    # image reconstruction / restoration quality against the target image: 1 (SSIM) or infinity (PSNR) is exact
    "ssim": {"ssim", "ms_ssim", "msssim"},
    "psnr": {"psnr"},
}
_LOWER = {
    "perplexity": {"perplexity", "ppl"},
    "wer": {"wer"},
    "cer": {"cer"},
    "error": {"error", "err", "error_rate", "top1_err", "top5_err"},
    "mae": {"mae", "mean_absolute_error", "l1"},
    "mse": {"mse", "mean_squared_error", "rmse", "root_mean_squared_error", "l2"},
    "mape": {"mape", "smape"},
    # a decoded sequence's distance to its reference (OCR, image-to-LaTeX): 0 is an exact transcript
    "edit_distance": {"edit_distance", "norm_edit_distance", "normalized_edit_distance", "edit_dist", "editdistance",
                      "levenshtein", "levenshtein_distance"},
    # a routing solver's mean tour length (travelling salesman, vehicle routing): the cost it minimises
    "tour_length": {"tour", "tour_len", "tour_length", "tourlen"},  # symmetric MAPE (pytorch-forecasting's SMAPE): 0 is a perfect forecast
}
_EVAL_ONLY = {"map", "bleu", "wer", "cer", "edit_distance", "ndcg", "mrr", "hit_rate"}
# A metric read at a cut-off K, the K glued on once "@" is dropped ("recall@20" -> "recall20", "HR@10" -> "hr10",
# "mAP@0.5:0.95" -> "map0"): the word before the digits names the kind. Ranked at K, it is scored on held-out
# data (a recommender's recall@20 over its test items) unless the name says train.
_AT_K = {"recall": "recall", "rec": "recall", "precision": "precision", "prec": "precision", "ndcg": "ndcg",
         "map": "map", "ap": "map", "hit": "hit_rate", "hits": "hit_rate", "hr": "hit_rate", "mrr": "mrr",
         "acc": "accuracy", "accuracy": "accuracy", "top": "accuracy"}
_AT_K_TOKEN = re.compile(r"([a-z]+)(\d+)")
_LR_NAMES = {"lr", "learning_rate", "learningrate", "lr_scheduler", "learning_rates"}
_GRAD_NAMES = {"gnorm", "grad_norm", "gradient_norm", "grad_norm_total", "total_grad_norm", "gradnorm", "global_grad_norm",
               "grad_norm_2_0_norm_total"}
# Names that are bookkeeping, not signals: never treat them as losses or metrics.
_BOOKKEEPING = {"epoch", "step", "global_step", "iter", "iteration", "time", "data_time", "eta", "runtime",
                "samples_per_second", "steps_per_second", "train_runtime", "train_samples_per_second",
                "train_steps_per_second", "total_flos", "memory", "mem", "gpu_mem", "batch", "batch_size",
                "wall_time", "timestamp", "_runtime", "_timestamp", "_step", "lr_step", "num_tokens", "tokens",
                # AMP's dynamic loss scale (Megatron "loss scale", fairseq "loss_scale") is no loss.
                "loss_scale", "loss_scaler", "scaler", "grad_scale", "loss_scale_factor"}
# Parts of a composite loss (detection, segmentation, multi-task): losses, but not *the* loss.
_COMPONENT_TOKENS = {"box", "bbox", "cls", "class", "dfl", "obj", "objectness", "rpn", "mask", "seg", "kpt", "keypoint",
                     "pose", "kobj", "giou", "iou", "l1", "reg", "ctr", "centerness", "aux", "kl", "recon", "reconstruction",
                     "distill", "distillation", "mlm", "nsp", "commitment", "vq", "perceptual", "adv", "gan", "dice",
                     "focal", "conf", "coord", "offset", "heatmap", "rpn_cls", "rpn_bbox", "angle", "ang", "rot"}

# Names of a loss that do not say "loss": a cross-entropy, a negative log-likelihood ("train_cross_entropy",
# "val_nll", "test_ce", "xent"). A log-likelihood (higher is better) and "entropy" alone is not one (a policy's entropy is a quantity, not the objective).
_LOSS_WORDS = {"nll", "ce", "xent", "crossentropy", "bce", "nlll"}

_SPLIT_RE = re.compile(r"[/\-.:\s()\[\]]+|_")
# camelCase / PascalCase word starts: "ValLoss" -> "Val Loss", "valAccuracy", "TestMAP50" -> "Test MAP50".
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(name: str) -> str:
    """The name with camelCase boundaries turned into separators (all-caps and all-lower names untouched)."""
    name = name.strip()
    return _CAMEL_RE.sub("_", name) if any(c.isupper() for c in name) and any(c.islower() for c in name) else name


def _tokens(name: str) -> list[str]:
    return _join_top([t for t in _SPLIT_RE.split(_words(name).lower().replace("@", "")) if t])


def _join_top(tokens: list[str]) -> list[str]:
    """``top-1`` / ``top_5`` -> ``top1`` / ``top5``: the top-K accuracy with its K split off by a separator."""
    if "top" not in tokens[:-1]:
        return tokens
    out: list[str] = []
    for t in tokens:
        if out and out[-1] == "top" and t.isdigit():
            out[-1] = "top" + t
        else:
            out.append(t)
    return out


def _at_k(tokens: list[str]) -> str | None:
    """The kind of a metric named with its cut-off K (see ``_AT_K``), else None."""
    for t in tokens:
        m = _AT_K_TOKEN.fullmatch(t)
        if m and m.group(1) in _AT_K:
            return _AT_K[m.group(1)]
    return None


def name_tokens(name: str) -> list[str]:
    """The lower-case words of a series name as role inference splits them (separators and camelCase)."""
    return _tokens(name)


def _lookup(name_key: str, tokens: list[str], table: dict[str, set[str]]) -> str | None:
    for kind, spellings in table.items():
        if name_key in spellings:
            return kind
    for kind, spellings in table.items():
        if any(t in spellings for t in tokens):
            return kind
    return None


def quantity_name(name: str) -> str:
    """Drop split and aggregation affixes so ``val/acc_epoch`` and ``acc`` compare equal: the name of what
    is measured, whatever split logged it (how rules pair a validation series with its training twin)."""
    key = _words(name).lower()
    key = re.sub(r"(_step|_epoch|/epoch|/step)$", "", key)
    key = re.sub(r"^(train|training|val|valid|validation|eval|evaluation|test|testing|dev|holdout|metrics|epoch)"
                 r"[/_.\-\s]", "", key)
    return key.strip("/_ ")


# Words of a schedule that sets a term's weight over training (LFADS's "train/wt_l2/ramp", and its weight
# itself, "valid/wt_l2"): the name carries a metric's word (l2), but the value is a setting, not a
# measurement. Not "coef": "dice_coef" is the Dice score of Keras segmentation scripts.
_SCHEDULE_WORDS = {"ramp", "schedule"}
# Keras logs "categorical_crossentropy" as a metric beside the loss it names: not the loss itself.
_KERAS_METRIC_WORDS = {"categorical", "binary", "sparse"}
_LOSS_FUNCTION_NAMES = {"cross_entropy", "crossentropy", "xent", "nll", "ce"}


def infer_role(name: str) -> RoleInfo:
    """Classify a series name. Deterministic, cheap, and overridable by the user (see Run)."""
    tokens = _tokens(name)
    key = quantity_name(name)
    if not tokens:
        return RoleInfo(Role.OTHER)
    lowered = name.strip().lower()
    if lowered in _BOOKKEEPING or key in _BOOKKEEPING or "_".join(tokens) in _BOOKKEEPING:
        return RoleInfo(Role.OTHER)
    if "momentum" in tokens or "beta1" in tokens or "beta2" in tokens:
        return RoleInfo(Role.OTHER)  # optimiser state logged beside the LR (lr-Adam-momentum), not an LR
    if key in _LR_NAMES or tokens[0] in {"lr", "learning_rate"} or (
        "lr" in tokens and not {"loss"} & set(tokens)
    ) or "learning_rate" in lowered:
        return RoleInfo(Role.LR)
    if key in _GRAD_NAMES or "grad_norm" in lowered or "gradient_norm" in lowered:
        return RoleInfo(Role.GRAD_NORM)
    is_val = bool(_VAL_TOKENS & set(tokens))
    if is_val and _TRAIN_TOKENS & set(tokens):
        # e.g. "train_vs_val_gap": ambiguous, let the first split token win.
        first = next(t for t in tokens if t in _VAL_TOKENS | _TRAIN_TOKENS)
        is_val = first in _VAL_TOKENS
    is_train = bool(_TRAIN_TOKENS & set(tokens))
    # "train_cross_entropy" / "test_nll": the loss named by its function, with a split to say so
    # (a bare "categorical_crossentropy" is a Keras metric beside the loss, and stays a metric).
    named_loss = key.replace("-", "_") in _LOSS_FUNCTION_NAMES and (is_val or is_train)
    named_loss = named_loss or (_names_a_loss(tokens) and not _KERAS_METRIC_WORDS & set(tokens)) or _cost(tokens)
    if "loss" in tokens or key.endswith("loss") or key.startswith("loss") or named_loss:
        return RoleInfo(Role.VAL_LOSS if is_val else Role.TRAIN_LOSS, higher_is_better=False, metric="loss")
    if lowered.startswith("hp/"):
        return RoleInfo(Role.OTHER)  # "hp/l2_ic_enc_scale": a hyperparameter logged under Lightning's hp/ namespace
    if _SCHEDULE_WORDS & set(tokens) or ("wt" in tokens and {"l1", "l2", "kl"} & set(tokens)):
        return RoleInfo(Role.OTHER)  # "train/wt_l2/ramp", "valid/wt_kl": a loss term's weight, not a metric
    # "mIoU", "valIoU": the camelCase split cuts the acronym IoU apart ("m_io_u"), so the words of the
    # name as written (split on separators only: "miou") and with the acronym kept whole ("val_iou")
    # are looked up as well, after the camelCase words. Losses were classified above, unchanged.
    plain = [t for t in _SPLIT_RE.split(name.strip().lower().replace("@", "")) if t] + _tokens(name.replace("IoU", "Iou"))
    for table, higher in ((_HIGHER, True), (_LOWER, False)):
        kind = _lookup(key, tokens, table) or _lookup(key, plain, table)
        if kind:
            # Detection, translation and speech metrics are evaluated on held-out data unless named train.
            held_out = is_val or (kind in _EVAL_ONLY and not is_train)
            return RoleInfo(Role.VAL_METRIC if held_out else Role.TRAIN_METRIC, higher_is_better=higher, metric=kind)
    kind = _at_k(tokens)
    if kind:
        held_out = is_val or (kind != "accuracy" and not is_train)
        return RoleInfo(Role.VAL_METRIC if held_out else Role.TRAIN_METRIC, higher_is_better=True, metric=kind)
    return RoleInfo(Role.OTHER)


def _cost(tokens: list[str]) -> bool:
    """``cost``, ``train_cost``, ``avg cost``: the objective as TensorFlow 1.x tutorials and Paddle's
    fluid examples name it. Any other word beside it (``batch_cost``, ``reader_cost``, ``time cost``,
    ``loading model cost``) makes it a time or a price, not the loss."""
    return "cost" in tokens and set(tokens) <= {"cost", "avg", "mean", "average"} | _VAL_TOKENS | _TRAIN_TOKENS


def _names_a_loss(tokens: list[str]) -> bool:
    """A cross-entropy / NLL named without the word loss ("train_cross_entropy", "val_nll", "test_ce")."""
    pairs = {a + "_" + b for a, b in zip(tokens, tokens[1:])}
    return bool(_LOSS_WORDS & set(tokens)) or bool(pairs & {"cross_entropy", "neg_log"})


# Words that name the adversary of a game inside a model: the domain classifier of a domain-adversarial
# network (DANN's ``domain_loss`` behind a gradient-reversal layer), a discriminator. Whole words of the
# series name only ("d0" is a decoder layer, "d_loss" is left to the GAN reading). Not "adv" or
# "adversarial" (adversarial training's ``adv_loss`` is the objective, on attacked inputs) nor "critic"
# (an actor-critic agent's value loss).
_ADVERSARY_WORDS = {"domain", "dom", "disc", "discriminator", "adversary", "gan"}


def names_an_adversary(name: str) -> bool:
    """The series is an adversary's own loss or accuracy (``domain_loss``, ``loss_disc``, ``domain_acc``):
    trained against the model's features, so the better the model, the nearer it sits to chance. Never
    the objective to judge while the model's own loss is logged."""
    return bool(_ADVERSARY_WORDS & set(_tokens(name)))


def is_loss_component(name: str) -> bool:
    """A part of a composite loss (``loss_cls``, ``train/box_loss``, ``s0.loss_bbox``), not the total the
    optimiser minimises. Rules judge the total when a run logs one (see ``Run.primary``)."""
    tokens = _tokens(name)
    if "loss" not in tokens and not any(t.endswith("loss") for t in tokens):
        return False
    if {"total", "overall", "sum", "combined"} & set(tokens):
        return False
    return bool(_COMPONENT_TOKENS & set(tokens))


_SEP_RE = re.compile(r"([/\-.:\s()\[\]]+|_)")
_NOT_QUALIFIERS = _VAL_TOKENS | _TRAIN_TOKENS | {"loss", "losses", "step", "epoch", "mean", "avg", "metrics"}


def part_template(name: str) -> str | None:
    """``train/angle_loss`` -> ``train/*_loss``: a loss name with its one qualifying word blanked.

    Two losses of one run with the same template are parts of one objective (``train/box_loss``
    beside ``train/angle_loss``), even when only one of the qualifying words is a known part; a
    name with no or several qualifying words has no template."""
    pieces = _SEP_RE.split(_words(name).lower())
    words = [i for i, p in enumerate(pieces) if p and not _SEP_RE.fullmatch(p)]
    if not any(pieces[i] == "loss" or pieces[i].endswith("loss") for i in words):
        return None
    quals = [i for i in words if pieces[i] not in _NOT_QUALIFIERS and not pieces[i].isdigit()]
    if len(quals) != 1 or pieces[quals[0]] in {"total", "overall", "sum", "combined"}:
        return None  # a total is never a part, whatever its siblings are called
    pieces[quals[0]] = "*"
    return "".join(pieces)
