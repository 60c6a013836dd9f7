"""Data check over a loader: input scale, label distribution, duplicates, batch composition.

Most nets assume inputs near zero with unit scale; skewed labels make accuracy misleading;
identical inputs with different labels cannot be learned; batches that each hold one class
(data sorted by label, never shuffled) make the gradient swing from class to class.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from typing import Any, Iterable

import torch

from ..findings import Finding, Severity
from ..stats.input_scale import FEATURE_SCALE_RATIO, feature_scale_ratio, input_scale_reasons
from ._torch import split_batch
from .result import Section

IMBALANCE_RATIO = 10.0  # largest class count / smallest
ONE_CLASS_BATCHES = 0.5  # share of batches holding a single class
CONFLICT_SHARE = 0.01


def _tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    try:
        return torch.as_tensor(value)
    except Exception:
        return None


def data_check(loader: Iterable[Any], *, max_batches: int = 200, n_classes: int | None = None,
               shuffled: bool | None = None, model: Any = None, negatives_unlabelled: bool = False,
               layer_input: Any = None, probe_forward: bool = False) -> Section:
    """Read up to ``max_batches`` batches in loader order and judge inputs and labels.

    ``negatives_unlabelled``: a negative label marks a row without a label (PyTorch, whose class losses
    raise on any negative label but their ignore_index), so it is left out of the label counts.

    ``layer_input``: what the model's first weight layer received on a training batch (the live Keras callback
    reads it in the user's own forward); ``probe_forward``: read it from one stopped inference forward instead
    (``check``, before training). A model that standardises its raw batches itself is not told they are raw.

    ``shuffled=True``: the training loop reorders the data itself (Keras ``fit`` on arrays, a
    DataLoader with a random sampler), so the order read here is not the order trained on and a
    sorted order is only noted.
    """
    count, total, total_sq = 0, 0.0, 0.0
    lo, hi = math.inf, -math.inf
    feat_sq: torch.Tensor | None = None
    feat_sum: torch.Tensor | None = None
    feat_n = 0
    labels: Counter = Counter()
    batch_classes: list[int] = []
    sequence: list[int] = []
    seen: dict[bytes, set] = {}
    rows = duplicates = 0
    n_batches = 0
    float_targets = False
    sample_rows: list = []  # up to 256 input rows, for the content checks (checks/input_content.py)
    from .input_scalers import input_scaler

    scaler = input_scaler(model)  # a Keras model's own leading Normalization / Rescaling: judge what it passes on
    raw_rows: list = []
    for batch in itertools.islice(iter(loader), max_batches):
        x, y = split_batch(batch)
        if scaler is not None and not scaler.batch_norm:
            if sum(len(r) for r in raw_rows) < 256:  # what fit was given, for the scaled-twice test
                raw_rows.append(x)
            x = scaler.apply(x)
        x, y = _tensor(x), _tensor(y)
        if x is None or y is None:
            continue
        n_batches += 1
        sample_x = x  # the model's input width is judged on one batch
        if sum(len(r) for r in sample_rows) < 256 and x.dim() >= 2:
            sample_rows.append(x.detach().reshape(x.shape[0], -1).cpu().double().numpy())
        if x.is_floating_point():
            xf = x.detach().double()
            fin = xf[torch.isfinite(xf)]
            count += fin.numel()
            total += float(fin.sum())
            total_sq += float((fin * fin).sum())
            if fin.numel():
                lo, hi = min(lo, float(fin.min())), max(hi, float(fin.max()))
            if xf.dim() == 2:
                s, q = xf.nan_to_num().sum(0), xf.nan_to_num().pow(2).sum(0)
                feat_sum = s if feat_sum is None else feat_sum + s
                feat_sq = q if feat_sq is None else feat_sq + q
                feat_n += xf.shape[0]
        yl = y.detach().reshape(y.shape[0], -1) if y.dim() else y.reshape(1, 1)
        if not y.is_floating_point() and yl.shape[1] == 1:
            ids = [int(v) for v in yl[:, 0].tolist()]
            if negatives_unlabelled:
                ids = [v for v in ids if v >= 0]
            labels.update(ids)
            sequence.extend(ids)
            batch_classes.append(len(set(ids)) if len(ids) >= 4 else -1)
        else:
            float_targets = True
        xr = x.detach().reshape(x.shape[0], -1).cpu().contiguous() if x.dim() else None
        if xr is not None:
            for i in range(xr.shape[0]):
                key = hashlib.blake2b(xr[i].numpy().tobytes(), digest_size=16).digest()
                target = tuple(yl[i].tolist()) if i < yl.shape[0] else None
                rows += 1
                if key in seen:
                    duplicates += 1
                    seen[key].add(target)
                else:
                    seen[key] = {target}
    if n_batches == 0:
        return Section("data", None, "the loader yielded no (inputs, targets) batches")
    findings: list[Finding] = _content_findings(sample_rows, _embeds(model))
    content = bool(findings)  # the inputs themselves were named: no generic scale or conflict verdict
    data: dict[str, Any] = {"batches": n_batches, "rows": rows}
    lines: list[str] = []
    if count:
        mean = total / count
        std = math.sqrt(max(total_sq / count - mean * mean, 0.0))
        data["input"] = {"mean": mean, "std": std, "min": lo, "max": hi}
        lines.append(f"inputs: mean {mean:.3g}, std {std:.3g}, range [{lo:.3g}, {hi:.3g}]")
        ratio = 1.0
        if feat_sum is not None and feat_n > 1:
            fm = feat_sum / feat_n
            ratio = feature_scale_ratio((feat_sq / feat_n - fm * fm).clamp_min(0).sqrt().tolist())
            if ratio > FEATURE_SCALE_RATIO:
                data["input"]["feature_scale_ratio"] = ratio
        # One verdict with the live watcher's unnormalized-input rule (stats/input_scale.py).
        reasons = input_scale_reasons(mean, std, lo, hi, ratio)
        from .input_norm import EVAL_CAUSE, EVAL_FIX, EVAL_UNTOUCHED, NORMALISES, input_norm_state

        norm = input_norm_state(model, sample_x) if model is not None else None
        if scaler is not None and scaler.batch_norm:
            norm = NORMALISES  # a leading Keras BatchNormalization standardises each training batch
        if reasons and norm is None and model is not None and (layer_input is not None or probe_forward):
            from .input_norm import scaled_inside, torch_first_input

            first = layer_input if layer_input is not None else torch_first_input(model, sample_x)
            if scaled_inside(sample_x, _tensor(first) if first is not None else None):
                norm = NORMALISES  # forward / call() standardises the raw batch before the first weight layer
        from .double_scaling import scaled_twice_finding

        twice = None if content or scaler is None else scaled_twice_finding(model, _rows(raw_rows))
        if content:
            pass
        elif twice is not None:  # scaled arrays scaled again by the model's own layers: the fix is to scale once
            findings.append(twice)
        elif reasons and scaler is not None and scaler.not_adapted:  # the model's scaler was never fitted
            from .structure import CAUSE
            from .input_scalers import NOT_ADAPTED_CAUSE, NOT_ADAPTED_FIX

            names = ", ".join(scaler.not_adapted)
            findings.append(Finding(
                id="unnormalized-input", severity=Severity.WARNING,
                title=f"inputs reach the network unscaled: {', '.join(reasons)}, and the Normalization layer "
                      f"({names}) was never adapted",
                evidence={"subject": "normalization-not-adapted", "mean": mean, "std": std, "min": lo, "max": hi,
                          "reasons": reasons, "layers": scaler.not_adapted, CAUSE: True},
                causes=[NOT_ADAPTED_CAUSE.format(names=names)], fixes=[NOT_ADAPTED_FIX]))
        elif reasons and norm == EVAL_UNTOUCHED:  # the input BatchNorm would scale them, but it is in eval mode
            findings.append(Finding(
                id="unnormalized-input", severity=Severity.WARNING,
                title="inputs are not normalised: " + ", ".join(reasons) + " (the input BatchNorm is in eval mode)",
                evidence={"mean": mean, "std": std, "min": lo, "max": hi, "reasons": reasons, "batches": n_batches,
                          "input_norm": norm},
                causes=[EVAL_CAUSE], fixes=[EVAL_FIX]))
        elif reasons and norm != NORMALISES:  # a first BatchNorm in train mode is the model's own scaler
            findings.append(Finding(
                id="unnormalized-input", severity=Severity.WARNING,
                title="inputs are not normalised: " + ", ".join(reasons),
                evidence={"mean": mean, "std": std, "min": lo, "max": hi, "reasons": reasons, "batches": n_batches},
                causes=["inputs are fed raw, without subtracting the mean and dividing by the std"],
                fixes=["standardise inputs with the training set's mean and std (per feature or channel)",
                       "apply the same normalisation at validation and test time",
                       "squash unbounded inputs (e.g. tanh(x / C) or log) before normalising"]))
    if labels:
        k = len(labels)
        counts = dict(sorted(labels.items()))
        data["labels"] = counts
        lines.append("labels: " + ", ".join(f"{c}: {n}" for c, n in list(counts.items())[:12])
                     + (" ..." if k > 12 else ""))
        bad = [c for c in counts if c < 0 or (n_classes is not None and c >= n_classes)]
        if bad:
            findings.append(Finding(
                id="label-problem", severity=Severity.ERROR,
                title=f"labels out of range: {bad[:5]}" + (f" (model has {n_classes} outputs)" if n_classes else ""),
                evidence={"labels": counts, "n_classes": n_classes},
                causes=["labels are not 0..K-1 class indices (1-based, -1 for missing, or remapped wrongly)"],
                fixes=["map labels to 0..K-1 and make the output layer K wide"]))
        if k == 1:
            findings.append(Finding(
                id="label-problem", severity=Severity.ERROR, title=f"every label is {next(iter(counts))}",
                evidence={"labels": counts},
                causes=["the label column is constant: a loading bug or the wrong column"],
                fixes=["check which field the loader returns as the target"]))
        elif k >= 2:
            big, small = max(counts.values()), min(counts.values())
            ratio = big / small
            data["imbalance_ratio"] = ratio
            if ratio >= IMBALANCE_RATIO:
                major = max(counts, key=counts.get)
                findings.append(Finding(
                    id="class-imbalance", severity=Severity.WARNING,
                    title=f"class {major} holds {big / sum(counts.values()):.0%} of the labels ({ratio:.0f}x the rarest)",
                    evidence={"labels": counts, "ratio": ratio, "majority_share": big / sum(counts.values())},
                    causes=["a heavily skewed label distribution: the model can score well by predicting the majority"],
                    fixes=["sample batches balanced across classes (weighted sampler)",
                           "or weight the loss by inverse class frequency",
                           "judge with balanced accuracy, per-class recall or F1, not accuracy"]))
            judged = [c for c in batch_classes if c >= 0]
            single = sum(1 for c in judged if c == 1) / len(judged) if judged else 0.0
            ordered = len(sequence) > 8 and all(a <= b for a, b in zip(sequence, sequence[1:]))
            data["one_class_batch_share"] = single
            if judged and (single >= ONE_CLASS_BATCHES or ordered) and shuffled:
                findings.append(Finding(
                    id="unshuffled-data", severity=Severity.INFO,
                    title="the data is stored sorted by label; the training loop shuffles it, so its batches mix classes",
                    evidence={"one_class_batch_share": single, "sorted": ordered, "batches": len(judged),
                              "loop_shuffles": True},
                    causes=["a data set saved in label order"],
                    fixes=["nothing for training; but a split taken from the end of sorted data (Keras "
                           "validation_split takes the last rows before shuffling) holds only the last classes: "
                           "shuffle before splitting"]))
            elif judged and (single >= ONE_CLASS_BATCHES or ordered):
                findings.append(Finding(
                    id="unshuffled-data", severity=Severity.WARNING,
                    title=f"{single:.0%} of batches hold a single class" + ("; labels arrive sorted" if ordered else ""),
                    evidence={"one_class_batch_share": single, "sorted": ordered, "batches": len(judged)},
                    causes=["the data set is sorted by label and the loader does not shuffle"],
                    fixes=["shuffle the training data every epoch (DataLoader(shuffle=True))"]))
    if rows:
        conflicts = sum(1 for targets in seen.values() if len(targets) > 1)
        data["duplicate_share"] = duplicates / rows
        data["conflicting_inputs"] = conflicts
        lines.append(f"duplicates: {duplicates} of {rows} rows; {conflicts} inputs with conflicting labels")
        if conflicts and conflicts / max(1, len(seen)) >= CONFLICT_SHARE and not float_targets and not content:
            findings.append(Finding(
                id="label-problem", severity=Severity.WARNING,
                title=f"{conflicts} identical inputs carry different labels",
                evidence={"conflicting_inputs": conflicts, "distinct_inputs": len(seen), "rows": rows},
                causes=["label noise or a join that attached the wrong labels"],
                fixes=["deduplicate and fix the labels of conflicting copies"]))
    ok = not any(f.severity >= Severity.WARNING for f in findings)
    summary = "inputs and labels look sound" if ok else "; ".join(f.title for f in findings)
    return Section("data", ok, summary, lines, data, findings)


def _rows(batches: list) -> Any:
    """Up to 256 sampled input rows, as one array (None when the batches do not stack)."""
    import numpy as np

    try:
        return np.concatenate([np.asarray(b) for b in batches])[:256] if batches else None
    except (TypeError, ValueError):
        return None


def _embeds(model: Any) -> bool:
    """The model holds an embedding layer (torch or Keras): its whole-number inputs are token ids."""
    if model is None:
        return False
    from .model_view import is_keras, nested_layers

    layers = nested_layers(model) if is_keras(model) else list(getattr(model, "modules", lambda: [])())
    return any(type(lay).__name__ in ("Embedding", "EmbeddingBag") for lay in layers)


def _content_findings(rows: list, token_ids: bool = False) -> list[Finding]:
    """Identical input rows, or rows standardised along axis=1, on up to 256 sampled rows."""
    if not rows:
        return []
    import numpy as np

    from .input_content import constant_inputs_finding, row_standardised_finding

    try:
        x = np.concatenate(rows)[:256]
    except ValueError:
        return []
    found = constant_inputs_finding(x, token_ids) or row_standardised_finding(x)
    return [found] if found is not None else []
