"""What to draw for a run: panels of series and the findings' marks, shared by HTML and PNG.

Both renderers group series the same way (losses together, one panel per metric kind, the
learning rate and gradient norm apart) and place marks the same way, so the picture and
the page agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run, Series

# Share of the x range an EMA time constant spans by default; the HTML slider starts here.
DEFAULT_SMOOTHING = 0.02
# Series drawn in one panel before it is split, so legends stay readable.
MAX_PER_PANEL = 10
# Total drawn points per run, spread over its series: keeps a huge run's HTML small.
POINT_BUDGET = 120_000
MIN_POINTS, MAX_POINTS = 100, 4000


@dataclass
class PanelMark:
    """A finding's mark resolved to a panel: ``y`` is the exact value at a point mark."""

    kind: str  # "point" | "span" | "line"
    start: float
    end: float | None
    y: float | None  # None for spans and lines, and for points at a non-finite value
    label: str
    severity: str  # "error" | "warning" | "info" | "note"
    finding: int | None  # index into the run's findings, None for marks of our own (resume)
    series: str | None = None


@dataclass
class Panel:
    key: str
    title: str
    axis: str  # "step" | "epoch"
    scale: str  # default y scale: "linear" | "log"
    series: list[Series]
    marks: list[PanelMark] = field(default_factory=list)
    collapsed: bool = False  # "other" series: shown on demand
    sources: set[str] = field(default_factory=set)  # names of the run's series drawn here
    ylabel: str = ""  # the y axis title, with the direction that is better (↓ loss, ↑ accuracy)


_METRIC_TITLES = {"accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy", "f1": "F1", "map": "mAP",
                  "auc": "AUC", "precision": "Precision", "recall": "Recall", "iou": "IoU", "bleu": "BLEU / ROUGE",
                  "r2": "R²", "perplexity": "Perplexity", "wer": "WER", "cer": "CER", "error": "Error rate",
                  "mae": "MAE", "mse": "MSE", "mape": "MAPE"}


def _positive(series: list[Series]) -> bool:
    vals = [s.values[np.isfinite(s.values)] for s in series]
    vals = [v for v in vals if v.size]
    return bool(vals) and all(float(v.min()) > 0 for v in vals)


def default_scale(series: list[Series]) -> str:
    """Log when positive values span orders of magnitude (a blow-up would flatten the rest)."""
    if not _positive(series):
        return "linear"
    finite = np.concatenate([s.values[np.isfinite(s.values)] for s in series])
    return "log" if finite.max() / finite.min() > 1e4 else "linear"


def _metric_key(s: Series) -> str:
    if s.metric:
        return s.metric
    from ..run.roles import quantity_name  # same normalisation the role inference uses

    return quantity_name(s.name) or s.name


def _chunks(items: list[Series], size: int) -> list[list[Series]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


MAX_PARTS = 20


def split_restarts(s: Series) -> list[Series]:
    """One line per part where steps go back (runs appended to one log, a resume that re-ran
    steps), so sorting by step does not interleave the parts into a zig-zag."""
    back = np.flatnonzero(np.diff(s.steps) < 0) + 1
    if not back.size or back.size >= MAX_PARTS:
        return [s]
    bounds = np.r_[0, back, len(s)]
    return [Series(f"{s.name} (part {k + 1})", s.steps[a:b], s.values[a:b], None, s.role, s.higher_is_better,
                   s.metric, s.axis) for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]


def build_panels(run: Run) -> list[Panel]:
    """Group a run's non-empty series into panels, in the order a person reads them."""
    origin: dict[int, str] = {}
    series = []
    for whole in run.series.values():
        if len(whole):
            for part in split_restarts(whole):
                origin[id(part)] = whole.name
                series.append(part)
    axes = sorted({s.axis for s in series}, key=lambda a: (a != "step", a))
    panels: list[Panel] = []
    for axis in axes:
        on = [s for s in series if s.axis == axis]
        suffix = "" if axis == "step" else f" (per {axis})"
        losses = [s for s in on if s.role in (Role.TRAIN_LOSS, Role.VAL_LOSS)]
        primary = {r: getattr(run.primary(r), "name", None) for r in (Role.TRAIN_LOSS, Role.VAL_LOSS)}
        losses.sort(key=lambda s: (s.role != Role.TRAIN_LOSS, origin[id(s)] != primary[s.role], s.name))
        for i, chunk in enumerate(_chunks(losses, MAX_PER_PANEL) if losses else []):
            panels.append(Panel(f"loss-{axis}-{i}", "Loss ↓" + suffix, axis, default_scale(chunk), chunk,
                                ylabel="loss (lower is better)"))
        metrics: dict[str, list[Series]] = {}
        for s in on:
            if s.role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
                metrics.setdefault(_metric_key(s), []).append(s)
        for kind, group in metrics.items():
            group.sort(key=lambda s: (s.role != Role.TRAIN_METRIC, s.name))
            title = _METRIC_TITLES.get(kind, kind)
            better = direction(group)
            arrow = {True: " ↑", False: " ↓"}.get(better, "")
            ylabel = title + {True: " (higher is better)", False: " (lower is better)"}.get(better, "")
            for i, chunk in enumerate(_chunks(group, MAX_PER_PANEL)):
                panels.append(Panel(f"metric-{kind}-{axis}-{i}", title + arrow + suffix, axis, default_scale(chunk),
                                    chunk, ylabel=ylabel))
        for role, title, key in ((Role.LR, "Learning rate", "lr"), (Role.GRAD_NORM, "Gradient norm", "grad")):
            group = sorted((s for s in on if s.role == role), key=lambda s: s.name)
            for i, chunk in enumerate(_chunks(group, MAX_PER_PANEL) if group else []):
                scale = "log" if role != Role.LR and _positive(chunk) else "linear"
                if role == Role.LR and _positive(chunk):
                    finite = np.concatenate([c.values[np.isfinite(c.values)] for c in chunk])
                    scale = "log" if finite.size and finite.max() / finite.min() > 20 else "linear"
                panels.append(Panel(f"{key}-{axis}-{i}", title + suffix, axis, scale, chunk,
                                    ylabel=title.lower()))
        from .layerpanels import layer_panels

        layer_stats = [s for s in on if s.role == Role.LAYER_STAT]
        grouped = layer_panels(layer_stats, axis, suffix, MAX_PER_PANEL)
        panels += grouped
        placed = {id(x) for p in grouped for x in p.series}
        # Layer statistics of no known kind (check counters, batch sizes) go with the other series.
        other = sorted((s for s in on if s.role == Role.OTHER or (s.role == Role.LAYER_STAT and id(s) not in placed)),
                       key=lambda s: s.name)
        for i, chunk in enumerate(_chunks(other, 6) if other else []):
            panels.append(Panel(f"other-{axis}-{i}", "Other logged series" + suffix, axis, "linear", chunk,
                                collapsed=True, ylabel="value"))
    for panel in panels:
        panel.sources = {origin[id(s)] for s in panel.series}
    _place_marks(run, panels)
    return panels


def direction(series: list[Series]) -> bool | None:
    """True when higher is better for every series of a metric panel, False when lower is, else None."""
    dirs = {s.higher_is_better for s in series}
    return dirs.pop() if len(dirs) == 1 else None


def points_per_series(run: Run) -> int:
    """How many drawn points each series of this run may keep (the run's budget, shared)."""
    n = max(1, sum(1 for s in run.series.values() if len(s)))
    return int(min(MAX_POINTS, max(MIN_POINTS, POINT_BUDGET // n)))


def value_at(series: Series, step: float) -> float | None:
    """The logged value at (or nearest to) ``step``; None when it is not finite."""
    if not len(series):
        return None
    i = int(np.argmin(np.abs(series.steps - step)))
    v = float(series.values[i])
    return v if math.isfinite(v) else None


def _severity_label(sev: Severity) -> str:
    return sev.label


def resolve_marks(run: Run, findings: list[Finding], panels: list[Panel]) -> None:
    """Attach each finding's marks to the panels holding their series (or all, when unnamed)."""
    where = {name: p for p in panels for name in p.sources}
    primary = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    main_axis = primary.axis if primary is not None else (panels[0].axis if panels else "step")
    for fi, finding in enumerate(findings):
        for mark in finding.marks:
            name = mark.series
            if name is None and mark.kind == "point" and primary is not None:
                name = primary.name
            targets = [where[name]] if name in where else [p for p in panels if p.axis == main_axis and not p.collapsed]
            series = run.series.get(name) if name else None
            y = value_at(series, mark.start) if (mark.kind == "point" and series is not None) else None
            start, end = float(mark.start), None if mark.end is None else float(mark.end)
            if end is not None and end < start:
                start, end = end, start
            for panel in targets:
                panel.marks.append(PanelMark(mark.kind, start, end, y,
                                             mark.label or finding.title, _severity_label(finding.severity), fi,
                                             name if name in where else None))


    # A finding that already draws a line at a resume step says more than our plain "resumed".
    for panel in panels:
        lines = {m.start for m in panel.marks if m.kind == "line" and m.finding is not None}
        panel.marks = [m for m in panel.marks if not (m.finding is None and m.start in lines)]


def _place_marks(run: Run, panels: list[Panel]) -> None:
    """Marks of our own: where the run was resumed (readers record it in the metadata)."""
    for step in run.meta.resume_steps:
        for panel in panels:
            if panel.axis == "step" and not panel.collapsed:
                panel.marks.append(PanelMark("line", float(step), None, None, "resumed", "note", None))


def _ema_pass(x: np.ndarray, y: np.ndarray, tau: float) -> np.ndarray:
    out = np.full(y.shape, np.nan)
    acc = None
    prev = 0.0
    for i in range(y.shape[0]):
        v = y[i]
        if not math.isfinite(v):
            acc = None
            continue
        if acc is None or tau <= 0:
            acc = v
        else:
            acc = acc + (1.0 - math.exp(-abs(x[i] - prev) / tau)) * (v - acc)
        prev = x[i]
        out[i] = acc
    return out


def smooth(x: np.ndarray, y: np.ndarray, window: float) -> np.ndarray:
    """Exponential smoothing run forwards then backwards: no lag behind a falling loss.

    The time constant is ``window`` times the x range, in steps, so densely and sparsely
    logged curves smooth alike; NaNs restart the average. Mirrors ``smooth`` in report.js.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not y.size:
        return np.full(y.shape, np.nan)
    tau = window * float(x[-1] - x[0]) if x.size > 1 else 0.0
    forward = _ema_pass(x, y, tau)
    return _ema_pass(x[::-1], forward[::-1], tau)[::-1]
