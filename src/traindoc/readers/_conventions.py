"""Writer conventions the readers know, so they never reach the rules as findings.

- COCO evaluation (pycocotools) reports ``-1`` for an AP/AR with nothing to measure ("no objects
  of this size", an empty category); MMDetection logs that ``-1`` as is.
- detectron2 turns the same case into NaN (``bbox/APs`` for a dataset without small objects,
  ``bbox/AP-<category>`` for a category without ground truth), and reports AP in percent.

Those points are "not measured", not a value and not a divergence: they are dropped with a note,
and detectron2's AP series are marked as living on 0-100.

- The Hugging Face Trainer ends its log history with one summary (``train_runtime``, ``total_flos``,
  ``train_loss``: the mean over the whole run), wherever that history is written (trainer_state.json,
  a CSV export, the printed console): an average, not a point of the curve.
- Scripts that print a column for a split they never evaluate (a test ratio of 0) fill it with
  one fixed negative number (``-1``, ``-0.100``): an accuracy cannot be negative, and one that is
  the same negative number at every row was never computed. Such a series is dropped with a note.
"""

from __future__ import annotations

import re

import numpy as np

from ..run import Run

# AP/AR series of a COCO-style evaluation: bbox/AP, segm/APs, bbox/AP-person, coco/bbox_mAP_s, coco/segm_mAP_l, AR@100.
_COCO_NAME = re.compile(r"(^|/)(a[pr](\d+|[sml])?|\w*?_?ma[pr](_?\d+|_?[sml])?)([-@].*)?$", re.IGNORECASE)


def is_coco_metric(name: str) -> bool:
    return bool(_COCO_NAME.search(name))


def drop_not_measured(run: Run, *, nan: bool, minus_one: bool) -> None:
    """Drop COCO AP/AR points that mean "nothing to measure" (NaN and/or -1), with one note."""
    dropped: dict[str, int] = {}
    for name, s in list(run.series.items()):
        if not is_coco_metric(name) or not len(s):
            continue
        bad = np.zeros(len(s), dtype=bool)
        if nan:
            bad |= np.isnan(s.values)
        if minus_one:
            bad |= s.values == -1.0
        if not bad.any():
            continue
        keep = ~bad
        s.steps, s.values = s.steps[keep], s.values[keep]
        if s.wall_time is not None:
            s.wall_time = s.wall_time[keep]
        dropped[name] = int(bad.sum())
        if not len(s):
            del run.series[name]
    if dropped:
        what = " or ".join(w for w, on in (("NaN", nan), ("-1", minus_one)) if on)
        names = ", ".join(f"{n} ({k})" for n, k in list(dropped.items())[:6]) + ("…" if len(dropped) > 6 else "")
        run.meta.notes.append(f"COCO AP/AR points written as {what} (no objects of that size or category to "
                              f"evaluate) are not measurements: dropped from {names}")


def mark_percent(run: Run) -> None:
    """detectron2 reports COCO AP/AR in percent: those series live on 0-100."""
    for name, s in run.series.items():
        if is_coco_metric(name):
            s.value_range = (0.0, 100.0)


_D2_NAME = re.compile(r"^(bbox|segm|keypoints|box_proposals)/A[PR]")


def detectron2_metrics(run: Run) -> None:
    """detectron2's COCO metrics however they were stored (its TensorBoard writer too): NaN means
    "nothing to evaluate", and AP/AR are in percent."""
    if any(_D2_NAME.match(n) for n in run.series):
        d2 = Run(run.name, run.source, run.format, meta=run.meta)
        d2.series = {n: s for n, s in run.series.items() if _D2_NAME.match(n)}
        drop_not_measured(d2, nan=True, minus_one=True)
        for n in [n for n in run.series if _D2_NAME.match(n) and n not in d2.series]:
            del run.series[n]
        mark_percent(d2)


HF_SUMMARY_KEYS = frozenset({"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos",
                             "train_loss"})


def is_hf_summary(keys) -> bool:
    """Whether a record with these keys is the Trainer's end-of-training summary (see module doc)."""
    keys = set(keys)
    return bool({"train_runtime", "total_flos"} & keys) and "loss" not in keys and \
        not any(str(k).startswith("eval_") for k in keys)


def summary_note(values: dict) -> str:
    """The note that keeps a summary's numbers once they are no curve point."""
    parts = [f"{k}={v:.4g}" for k, v in sorted(values.items()) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return "final summary (not a curve point): " + ", ".join(parts)


# Metrics that cannot be negative: a series of one negative number is a placeholder.
_NONNEGATIVE = {"accuracy", "balanced_accuracy", "f1", "map", "auc", "precision", "recall", "iou", "error", "wer", "cer",
                "mae", "mse", "rmse", "perplexity", "bleu", "rouge", "dice"}


def drop_placeholder_metrics(run: Run) -> None:
    """Drop metric series whose every point is one and the same negative number (see module doc)."""
    gone = []
    for name, s in list(run.series.items()):
        if s.metric not in _NONNEGATIVE or not len(s):
            continue
        y = s.values[np.isfinite(s.values)]
        if y.size == len(s) and y[0] < 0 and bool(np.all(y == y[0])):
            gone.append(f"{name} ({float(y[0]):g})")
            del run.series[name]
    if gone:
        run.meta.notes.append("metric series that hold one fixed negative number at every point (a placeholder for a "
                              "split never evaluated) dropped: " + ", ".join(gone[:6]))
