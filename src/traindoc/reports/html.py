"""One self-contained HTML report: annotated curves, finding cards, and an overview.

Everything the page needs is inside the file (CSS, the plotting script, the data as JSON),
so it opens offline and can be mailed or archived. Static parts (tables, cards, rule pages)
are rendered here with every logged name escaped; the script only draws the charts from the
embedded JSON and sets text with ``textContent``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from ..findings import Finding, Severity, too_short_to_judge, worst
from ..run import Role, Run, Series
from . import markdown
from .downsample import envelope
from .plotdata import DEFAULT_SMOOTHING, Panel, build_panels, default_scale, points_per_series, resolve_marks

Result = tuple[Run, list[Finding]]
OVERLAY_BOTH_MAX = 12  # runs up to which the overlay shows validation loss too


def _asset(name: str) -> str:
    return resources.files("traindoc.reports").joinpath("assets", name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _fmt(v: Any) -> str:
    """Numbers as a person reads them: 4 significant digits, integers whole."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e7:
            return _fmt(int(v))
        return f"{v:.4g}"
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return _fmt(v.tolist())
    if isinstance(v, (list, tuple)):
        items = [f"({_fmt(x)})" if isinstance(x, dict) else _fmt(x) for x in list(v)[:12]]
        return f"[{', '.join(items)}{', …' if len(v) > 12 else ''}]"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return str(v)


def _series_json(s: Series, color_index: int, max_points: int, run_label: str | None = None) -> dict:
    env = envelope(s.steps, s.values, max_points=max_points)
    out: dict[str, Any] = {"name": s.name if run_label is None else f"{run_label} · {s.name}", "role": s.role.value,
                           "c": color_index, "x": env.x, "y": env.y, "n": env.points}
    if env.nonfinite:
        out["nf"] = [list(r) for r in env.nonfinite]
    if env.downsampled:
        out["mx"], out["my"] = env.mean_x, env.mean_y
    if s.role == Role.VAL_LOSS or s.role == Role.VAL_METRIC:
        out["val"] = True
    return out


def _panel_json(pid: str, panel: Panel, max_points: int) -> dict:
    return {
        "id": pid, "title": panel.title, "ylabel": panel.ylabel, "axis": panel.axis, "scale": panel.scale,
        "collapsed": panel.collapsed,
        "series": [_series_json(s, i, max_points) for i, s in enumerate(panel.series)],
        "marks": [{"kind": m.kind, "start": m.start, "end": m.end, "y": m.y, "label": m.label, "sev": m.severity,
                   "finding": m.finding, "series": m.series} for m in panel.marks],
    }


def _final(s: Series | None) -> float | None:
    """The last logged value, NaN included: a run that ends in NaN must not look fine."""
    if s is None or not len(s):
        return None
    order = s.steps.argsort(kind="stable")
    return float(s.values[order[-1]])


def _last_step(run: Run) -> float | None:
    steps = [float(s.steps.max()) for s in run.series.values() if len(s) and s.axis == "step"]
    return max(steps) if steps else None


def _status(findings: list[Finding]) -> tuple[str, str]:
    sev = worst(findings)
    if too_short_to_judge(findings):
        return "info", "too short to judge"  # not enough data is not a clean bill of health
    if sev is None or sev == Severity.INFO:
        return "ok", "healthy"
    return sev.label, "problem" if sev == Severity.ERROR else "attention"


def _badge(kind: str, text: str) -> str:
    return f'<span class="badge sev-{escape(kind)}">{escape(text)}</span>'


_SEV_ICON = {"error": "✖", "warning": "▲", "info": "ℹ"}


def _rule_doc(fid: str) -> str | None:
    try:
        from ..rules import RULES
    except Exception:  # a broken rule module must not take the report down with it
        return None
    spec = RULES.get(fid)
    if spec is None:
        return None
    try:
        return spec.doc()
    except OSError:
        return None


def _card(run_idx: int, fi: int, f: Finding, has_marks: bool) -> str:
    sev = f.severity.label
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(_fmt(v))}</td></tr>" for k, v in f.evidence.items())
    where = []
    if f.series:
        where.append("series " + ", ".join(f"<code>{escape(s)}</code>" for s in f.series))
    if f.steps:
        span = _fmt(f.steps[0]) if len(f.steps) == 1 or f.steps[0] == f.steps[-1] else \
            f"{_fmt(f.steps[0])} – {_fmt(f.steps[-1])}"
        where.append(f"steps {escape(span)}")
    parts = [f'<article class="card sev-{sev}" id="run-{run_idx}-f{fi}" data-finding="{fi}">',
             '<header class="card-head">',
             f'<span class="sev-icon" aria-hidden="true">{_SEV_ICON.get(sev, "•")}</span>',
             f'<div class="card-title"><h3>{escape(f.title)}</h3>',
             f'<div class="card-meta">{_badge(sev, sev)} <code class="fid">{escape(f.id)}</code>',
             (" · " + " · ".join(where)) if where else "", "</div></div>"]
    if has_marks:
        parts.append(f'<button type="button" class="show-on-chart" data-run="{run_idx}" data-finding="{fi}">'
                     "show on chart</button>")
    parts.append("</header>")
    if rows:
        parts.append(f'<table class="evidence"><tbody>{rows}</tbody></table>')
    cols = []
    if f.causes:
        cols.append("<div><h4>Likely causes</h4><ol>" + "".join(f"<li>{escape(c)}</li>" for c in f.causes)
                    + "</ol></div>")
    if f.fixes:
        cols.append("<div><h4>What to do</h4><ol>" + "".join(f"<li>{escape(c)}</li>" for c in f.fixes)
                    + "</ol></div>")
    if cols:
        parts.append('<div class="card-cols">' + "".join(cols) + "</div>")
    doc = _rule_doc(f.id)
    if doc:
        parts.append(f'<details class="rule-doc"><summary>About <code>{escape(f.id)}</code></summary>'
                     f'<div class="md">{markdown.render(doc)}</div></details>')
    parts.append("</article>")
    return "".join(parts)


def _run_section(idx: int, run: Run, findings: list[Finding], panels: list[Panel], back_link: bool = False) -> str:
    status, word = _status(findings)
    counts = {s: sum(1 for f in findings if f.severity.label == s) for s in ("error", "warning", "info")}
    chips = " ".join(_badge(s, f"{n} {s}{'s' if n != 1 else ''}") for s, n in counts.items() if n)
    train, val = run.primary(Role.TRAIN_LOSS), run.primary(Role.VAL_LOSS)
    facts = [("format", run.format), ("source", run.source)]
    if run.meta.task:
        facts.append(("task", run.meta.task))
    if run.meta.num_classes:
        facts.append(("classes", str(run.meta.num_classes)))
    last = _last_step(run)
    if last is not None:
        facts.append(("steps", _fmt(last)))
    for label, s in (("final train loss", train), ("final val loss", val)):
        v = _final(s)
        if v is not None:
            facts.append((label, _fmt(v)))
    facts_html = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    notes = "".join(f'<li>{escape(n)}</li>' for n in run.meta.notes)
    marked = {m.finding for p in panels for m in p.marks if m.finding is not None}
    out = [f'<section class="run status-{status}" id="run-{idx}" data-run="{idx}">',
           '<header class="run-head">',
           f'<div class="run-title"><h2>{escape(run.name)}</h2> {_badge(status, word)} {chips}'
           + ('<a class="back" href="#overview">↑ overview</a>' if back_link else "") + "</div>",
           f'<dl class="facts">{facts_html}</dl>']
    if notes:
        out.append(f'<ul class="notes">{notes}</ul>')
    out.append("</header>")
    problems = [f for f in findings if f.severity > Severity.INFO]
    if not problems:
        if too_short_to_judge(findings):
            out.append('<p class="healthy-banner">Not enough data to judge this run yet: no problems so far '
                       "(see the note below).</p>")
        else:
            out.append('<p class="healthy-banner">No problems found in this run'
                       + (" (a few notes below)." if findings else ".") + "</p>")
    if panels:
        out.append(f'<div class="controls" data-run="{idx}">'
                   '<label>smoothing <input type="range" class="smooth" min="0" max="0.2" step="0.005" '
                   f'value="{DEFAULT_SMOOTHING}"><output class="smooth-value">{DEFAULT_SMOOTHING:.1%}</output></label>'
                   '<label><input type="checkbox" class="show-raw" checked> raw</label>'
                   '<button type="button" class="reset-zoom" hidden>reset zoom</button>'
                   '<span class="hint">drag to zoom · double-click to reset · click a legend entry to hide it</span>'
                   "</div>")
        main = [p for p in range(len(panels)) if not panels[p].collapsed]
        other = [p for p in range(len(panels)) if panels[p].collapsed]
        out.append('<div class="charts">' + "".join(
            f'<div class="chart" data-run="{idx}" data-panel="{p}"></div>' for p in main) + "</div>")
        if other:
            out.append('<details class="others"><summary>Other logged series</summary><div class="charts">'
                       + "".join(f'<div class="chart" data-run="{idx}" data-panel="{p}"></div>' for p in other)
                       + "</div></details>")
    else:
        out.append('<p class="empty">This run has no series to draw.</p>')
    if findings:
        out.append('<div class="cards">' + "".join(_card(idx, i, f, i in marked) for i, f in enumerate(findings))
                   + "</div>")
    out.append("</section>")
    return "".join(out)


def _overview(results: list[Result]) -> str:
    rows = []
    for idx, (run, findings) in enumerate(results):
        status, word = _status(findings)
        top = max(findings, key=lambda f: int(f.severity), default=None)
        worst_cell = (f'{_badge(top.severity.label, top.severity.label)} '
                      f'<a class="finding-link" href="#run-{idx}-f{findings.index(top)}">{escape(top.title)}</a> '
                      f'<code>{escape(top.id)}</code>') if top else '<span class="muted">—</span>'
        tl, vl = _final(run.primary(Role.TRAIN_LOSS)), _final(run.primary(Role.VAL_LOSS))
        last = _last_step(run)
        rows.append(f'<tr class="status-{status}"><td><a href="#run-{idx}">{escape(run.name)}</a>'
                    f'<div class="muted small">{escape(run.format)}</div></td>'
                    f"<td>{_badge(status, word)}</td><td>{worst_cell}</td>"
                    f'<td class="num">{escape(_fmt(tl)) if tl is not None else "—"}</td>'
                    f'<td class="num">{escape(_fmt(vl)) if vl is not None else "—"}</td>'
                    f'<td class="num">{escape(_fmt(last)) if last is not None else "—"}</td></tr>')
    return ('<section class="overview" id="overview"><h2>Overview</h2><table class="runs"><thead><tr>'
            '<th>run</th><th>status</th><th>worst finding</th><th class="num">final train loss</th>'
            '<th class="num">final val loss</th><th class="num">steps</th></tr></thead><tbody>'
            + "".join(rows) + '</tbody></table><div class="charts"><div class="chart" data-overlay="1"></div></div>'
            "</section>")


def _overlay(results: list[Result]) -> dict | None:
    """Every run's primary train and validation loss on one chart, one colour per run."""
    series, drawn = [], []
    # With many runs, validation lines would double an already busy chart: train loss only.
    roles = (Role.TRAIN_LOSS, Role.VAL_LOSS) if len(results) <= OVERLAY_BOTH_MAX else (Role.TRAIN_LOSS,)
    for idx, (run, _) in enumerate(results):
        for role in roles:
            s = run.primary(role)
            if s is not None and s.axis == "step":
                data = _series_json(s, idx, 2000, run_label=run.name)
                data["run"] = idx
                series.append(data)
                drawn.append(s)
    if not series:
        return None
    return {"id": "overlay", "title": "Loss, all runs", "ylabel": "loss (lower is better)", "axis": "step", "scale": default_scale(drawn),
            "collapsed": False,
            "series": series, "marks": [], "byRun": True}


def render_report(results: Iterable[Result], title: str = "traindoc report", refresh_s: float | None = None) -> str:
    """The whole page as one string; ``refresh_s`` makes the browser reload it (live training)."""
    from .. import __version__

    results = [(run, list(findings)) for run, findings in results]
    runs_json, sections = [], []
    for idx, (run, findings) in enumerate(results):
        panels = build_panels(run)
        resolve_marks(run, findings, panels)
        budget = points_per_series(run)
        runs_json.append({"name": run.name, "panels": [_panel_json(f"r{idx}p{p}", panel, budget)
                                                       for p, panel in enumerate(panels)],
                          "findings": [{"id": f.id, "title": f.title, "sev": f.severity.label} for f in findings]})
        sections.append(_run_section(idx, run, findings, panels, back_link=len(results) > 1))
    overlay = _overlay(results) if len(results) > 1 else None
    data = {"runs": runs_json, "overlay": overlay, "smoothing": DEFAULT_SMOOTHING}
    total = {s: sum(1 for _, fs in results for f in fs if f.severity.label == s) for s in ("error", "warning")}
    summary = (f"{len(results)} run{'s' if len(results) != 1 else ''}"
               + "".join(f" · {n} {s}{'s' if n != 1 else ''}" for s, n in total.items() if n))
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page_title = f"{title} · {results[0][0].name}" if len(results) == 1 else title
    body = ((_overview(results) if len(results) > 1 else "") + "".join(sections)) if results else \
        '<p class="empty">No runs to report.</p>'
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f'<meta http-equiv="refresh" content="{max(1, int(refresh_s))}">' if refresh_s else "",
        f"<title>{escape(page_title)}</title><style>{_asset('report.css')}</style></head><body>",
        '<header class="page-head"><div class="brand"><span class="logo" aria-hidden="true">◆</span>',
        f'<h1>{escape(title)}</h1></div><div class="page-meta">{escape(summary)} · traindoc {escape(__version__)}'
        f' · {escape(when)}</div>',
        '<button type="button" id="theme-toggle" title="light / dark">◐</button></header><main>',
        body,
        '</main><footer class="page-foot">Generated by traindoc. This file is self-contained and works offline.'
        "</footer>",
        f'<script type="application/json" id="td-data">{embed_json(data)}</script>',
        f"<script>{_asset('report.js')}</script></body></html>\n",
    ])


def write_report(path: str | Path, results: list[Result], *, refresh_s: float | None = None) -> Path:
    """Write the report for ``results`` (a list of (Run, findings)) to ``path``; returns the path.

    A live watcher that rewrites the file may pass ``refresh_s`` so an open page reloads itself.
    """
    path = Path(path)
    text = render_report(results, refresh_s=refresh_s)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a browser reloading a report the live watcher rewrites never sees half a file.
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InputError(path, f"cannot write the report: {exc.strerror or exc}") from None
    return path
