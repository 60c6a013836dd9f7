"""The annotated curves as a static picture (PNG or SVG), for papers, issues and chat.

Same panels and marks as the HTML report, drawn with matplotlib's Agg backend. matplotlib
is the optional ``plot`` extra, so it is imported only here, only when asked for.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np

from ..errors import InputError, TraindocError
from ..findings import Finding, worst
from ..run import Role, Run
from .downsample import envelope
from .plotdata import DEFAULT_SMOOTHING, Panel, build_panels, points_per_series, smooth, resolve_marks

SUFFIXES = (".png", ".svg")
_COLORS = ["#2563eb", "#ea580c", "#059669", "#9333ea", "#db2777", "#0891b2", "#ca8a04", "#4b5563", "#65a30d", "#7c3aed"]
_SEV = {"error": "#d92d20", "warning": "#d97706", "info": "#1570ef", "note": "#7a5af8"}


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise TraindocError("traindoc plot needs matplotlib: pip install 'traindoc[plot]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _line_arrays(x: list, y: list) -> tuple[np.ndarray, np.ndarray]:
    """Envelope lists to arrays, None (a line break) as NaN so matplotlib lifts the pen."""
    return np.asarray(x, dtype=float), np.asarray([np.nan if v is None else v for v in y], dtype=float)


def _log_label(v: float, _pos=None) -> str:
    """1, 10, 1000, 1e+06: short labels that still tell 1e6 from 1e15."""
    return f"{v:g}" if 1e-3 <= v < 1e5 else f"{v:.0e}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _label(ax, text: str, xy, coords, color: str, offset, va: str, ha: str = "left"):
    return ax.annotate(text, xy, xycoords=coords, xytext=offset, textcoords="offset points", color=color,
                       fontsize=7.5, fontweight="bold", va=va, ha=ha, annotation_clip=False,
                       bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})


def _declutter(fig, axes) -> None:
    """Move mark labels down, one line at a time, until none overlaps another in the same panel."""
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        placed = []
        for a in getattr(ax, "_traindoc_labels", []):
            box = a.get_window_extent(renderer)
            for _ in range(20):
                if not any(box.overlaps(p) for p in placed):
                    break
                step = (box.height + 2) * 72 / fig.dpi
                a.xyann = (a.xyann[0], a.xyann[1] - step)
                box = a.get_window_extent(renderer)
            placed.append(box)


def _draw_panel(ax, panel: Panel, budget: int) -> None:
    ax.set_title(panel.title, loc="left", fontsize=10, fontweight="bold")
    span = None
    nf_top = []
    for i, s in enumerate(panel.series):
        color = _COLORS[i % len(_COLORS)]
        env = envelope(s.steps, s.values, max_points=budget)
        x, y = _line_arrays(env.x, env.y)
        smoothed = s.role != Role.LR and (env.downsampled or len(x) > 30)
        dash = "--" if s.role in (Role.VAL_LOSS, Role.VAL_METRIC) else "-"
        label = s.name + (f"  ({sum(r[3] for r in env.nonfinite)} non-finite)" if env.nonfinite else "")
        if smoothed:
            # The raw line stays clearly visible: smoothing must never hide a spike or an explosion.
            ax.plot(x, y, color=color, lw=0.8, alpha=0.55)
            mx, my = (np.asarray(env.mean_x), np.asarray(env.mean_y)) if env.downsampled else (x, y)
            if panel.scale == "log":  # average the logarithms, as the HTML report does on a log axis
                with np.errstate(divide="ignore", invalid="ignore"):
                    line = np.exp(smooth(mx, np.where(my > 0, np.log(my), np.nan), DEFAULT_SMOOTHING))
            else:
                line = smooth(mx, my, DEFAULT_SMOOTHING)
            ax.plot(mx, line, color=color, lw=1.4, ls=dash, label=label, alpha=0.9)
        else:
            ax.plot(x, y, color=color, lw=1.4, ls=dash, label=label, marker="o" if len(x) == 1 else None, ms=3)
        nf_top.extend(env.nonfinite)
        if len(x):
            lo, hi = float(x.min()), float(x.max())
            span = (lo, hi) if span is None else (min(span[0], lo), max(span[1], hi))
    if panel.scale == "log":
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        decades = math.log10(hi / lo) if lo > 0 and hi > lo else 1.0
        # A few decades: 1-2-5 ticks; an explosion over many decades: powers of ten, at most ~7 labels.
        subs = (1.0, 2.0, 5.0) if decades <= 3 else (1.0,)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=8))
        ax.yaxis.set_major_formatter(FuncFormatter(_log_label))
        ax.yaxis.set_minor_formatter(NullFormatter())
    trans = ax.get_xaxis_transform()  # x in data, y in axes fraction: draws at the top edge
    for first, last, kind, count in nf_top:
        ax.plot([first, max(first, last)], [0.985, 0.985], transform=trans, color=_SEV["error"], lw=3, solid_capstyle="butt")
        ax.plot([first], [0.96], transform=trans, marker="v", color=_SEV["error"], ms=6, ls="none")
    labelled = set()
    labels = []  # every mark label, as an annotation that _declutter can move
    for m in panel.marks:
        color = _SEV.get(m.severity, _SEV["note"])
        text = m.label if (m.finding, m.kind, m.label) not in labelled else None
        labelled.add((m.finding, m.kind, m.label))
        if m.kind == "span":
            ax.axvspan(m.start, m.end if m.end is not None else m.start, color=color, alpha=0.12, lw=0)
            if text:
                labels.append(_label(ax, text, (m.start, 0.99), trans, color, (3, 0), "top"))
        elif m.kind == "line":
            ax.axvline(m.start, color=color, lw=1.1, ls="--", alpha=0.9)
            if text:
                labels.append(_label(ax, text, (m.start, 0.99), trans, color, (3, 0), "top"))
        else:
            finite_y = m.y is not None and math.isfinite(m.y) and not (panel.scale == "log" and m.y <= 0)
            if finite_y:
                ax.plot([m.start], [m.y], marker="o", ms=7, mfc="white", mec=color, mew=2, ls="none", zorder=5)
                if text:
                    labels.append(_label(ax, text, (m.start, m.y), "data", color, (7, -3), "top"))
            else:
                ax.plot([m.start], [0.985], transform=trans, marker="D", ms=6, mfc="white", mec=color, mew=2,
                        ls="none", zorder=5, clip_on=False)
                if text:
                    labels.append(_label(ax, text, (m.start, 0.9), trans, color, (-3, 0), "top", ha="right"))
    ax.grid(True, color="#e5e7eb", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.set_xlabel(panel.axis, fontsize=8, color="#667085")
    ax.set_ylabel(panel.ylabel, fontsize=8, color="#667085")
    if panel.series:
        ax.legend(fontsize=7.5, frameon=False, loc="best")
    ax._traindoc_labels = labels  # placed for good by _declutter once the layout is final


def write_plot(path: str | Path, run: Run, findings: list[Finding]) -> Path:
    """Draw ``run`` with its findings' marks to ``path``; the suffix (.png or .svg) picks the format."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(path, "expected an output name ending in .png or .svg")
    plt = _pyplot()
    fig = build_figure(run, findings)
    try:
        try:
            if not path.parent.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, format=path.suffix.lower()[1:])
        except OSError as exc:
            raise InputError(path, f"cannot write the picture: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return path


def build_figure(run: Run, findings: list[Finding]):
    """The matplotlib figure of ``run`` (the caller closes it): panels, marks, a wrapped subtitle."""
    plt = _pyplot()
    panels = [p for p in build_panels(run) if not p.collapsed]
    resolve_marks(run, findings, panels)
    budget = points_per_series(run)
    cols = 2 if len(panels) > 2 else 1
    rows = max(1, math.ceil(len(panels) / cols))
    height = 2.9 * rows + 1.2
    fig = plt.figure(figsize=(6.2 * cols, height), dpi=110)
    try:
        sev = worst(findings)
        status = "healthy" if sev is None or sev.label == "info" else sev.label
        fig.suptitle(f"{run.name} — {status}", x=0.01, ha="left", fontsize=12, fontweight="bold",
                     color=_SEV.get(status, "#079455"))
        problems = [f for f in findings if f.severity.label != "info"][:3]
        # The subtitle wraps to the figure's width (about 15 characters an inch at 8 pt), never cut.
        chars = int(6.2 * cols * 15)
        sub = [textwrap.shorten(f"[{f.severity.label}] {f.title}", chars * 2, placeholder=" …") for f in problems]
        sub_lines = [line for item in sub for line in textwrap.wrap(item, chars)]
        top = (0.5 + 0.15 * len(sub_lines)) / height
        if sub_lines:
            fig.text(0.01, 1 - 0.42 / height, "\n".join(sub_lines), fontsize=8, color="#475467", va="top")
        if not panels:
            fig.text(0.5, 0.5, "no series to draw", ha="center", color="#667085")
        shared = {}
        for i, panel in enumerate(panels):
            ax = fig.add_subplot(rows, cols, i + 1, sharex=shared.get(panel.axis))
            shared.setdefault(panel.axis, ax)
            _draw_panel(ax, panel, budget)
        fig.tight_layout(rect=(0, 0, 1, 1 - top))
        _declutter(fig, fig.axes)
    except Exception:
        plt.close(fig)
        raise
    return fig
