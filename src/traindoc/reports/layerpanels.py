"""Per-layer statistics as small multiples: one panel per kind of statistic, one line per layer.

A live run logs dozens of per-layer series (gradient norms, update ratios, activation scales,
dead-unit shares, data statistics). Drawn together they are unreadable; grouped by what they
measure, with the layers that look worst first, each panel answers one question.
"""

from __future__ import annotations

import math
import re

import numpy as np

# (kind, panel title, y label, how to rank layers: the worst first) in the order panels appear.
_KINDS = (
    ("grad", "Gradient norm per layer", "gradient norm", "max"),
    ("update", "Update-to-weight ratio per layer", "update / weight (~1e-3 is healthy)", "ratio"),
    ("act", "Activations per layer", "activation", "max"),
    ("dead", "Dead-unit fraction per layer", "share of units never firing", "last"),
    ("weight", "Weight norm per layer", "weight norm", "max"),
    ("data", "Data statistics", "value", "name"),
)
_TITLES = {k: (t, y, r) for k, t, y, r in _KINDS}


def kind_of(name: str) -> str | None:
    """Which kind of per-layer statistic a series name is; None for counters and checks."""
    low = name.lower()
    if low.startswith("check/"):
        return None
    if "dead" in low:
        return "dead"
    if "update" in low or "ratio" in low:
        return "update"
    if "grad" in low:
        return "grad"
    if low.startswith("act") or "activation" in low or re.search(r"(^|[/._])act_", low):
        return "act"
    if "weight" in low or "param" in low:
        return "weight"
    if low.startswith(("input", "target", "data/", "data_", "batch")):
        return "data"
    return None


def statistic_of(name: str, kind: str) -> str:
    """The statistic a series shows, without its layer: act_std/3 -> act_std, layers.0.grad_rms -> grad_rms."""
    if kind == "data":
        return re.split(r"[_/]", name, maxsplit=1)[0]
    if "/" in name:
        return name.split("/", 1)[0]
    return name.rsplit(".", 1)[-1]


def _score(values: np.ndarray, how: str) -> float:
    v = values[np.isfinite(values)]
    if not v.size:
        return math.inf  # a layer gone non-finite is the worst of all
    if how == "max":
        return float(np.max(np.abs(v)))
    if how == "last":
        return float(v[-1])
    if how == "ratio":
        med = float(np.median(np.abs(v)))
        return abs(math.log10(med / 1e-3)) if med > 0 else math.inf
    return 0.0


def layer_panels(series: list, axis: str, suffix: str, per_panel: int) -> list:
    """Panels for the classified per-layer series; the rest are left for "other"."""
    from .plotdata import Panel, _positive

    groups: dict[tuple[str, str], list] = {}
    for s in series:
        kind = kind_of(s.name)
        if kind is not None:
            groups.setdefault((kind, statistic_of(s.name, kind)), []).append(s)
    order = [k for k, *_ in _KINDS]
    panels = []
    for (kind, stat), members in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        title, ylabel, how = _TITLES[kind]
        members.sort(key=lambda s: (-_score(s.values, how), s.name) if how != "name" else (0, s.name))
        scale = "linear"
        if _positive(members):
            finite = np.concatenate([m.values[np.isfinite(m.values)] for m in members])
            scale = "log" if finite.size and finite.max() / finite.min() > 100 else "linear"
        if kind == "dead":
            scale = "linear"
        for i in range(0, len(members), per_panel):
            chunk = members[i:i + per_panel]
            more = f" ({i + 1}-{i + len(chunk)} of {len(members)}, worst first)" if len(members) > per_panel else ""
            label = f"{title}: {stat}" if kind != "data" else f"{title}: {stat}"
            panels.append(Panel(f"layer-{kind}-{stat}-{axis}-{i}", label + more + suffix, axis, scale, chunk,
                                ylabel=ylabel))
    return panels
