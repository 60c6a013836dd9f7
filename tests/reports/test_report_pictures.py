"""The report's pictures do not lie: checked on what the page says it drew, in headless chromium.

Each chart publishes its drawn layout (plot box, tick labels with pixel positions, marker pixels)
as data-layout; the tests assert on it and on the canvas pixels: axes titled, ticks present and
distinct (constant and one-point series included), markers inside the plot and where their label
says, per-layer statistics grouped by kind, the direction that is better shown.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from traindoc.cli.demo import demo_dir
from traindoc.findings import Finding, Mark, Severity
from traindoc.readers import load
from traindoc.reports.html import write_report
from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series

from .test_report_browser import browser, keep, open_page  # noqa: F401  (the fixture is used by name)

LAYOUTS = """() => [...document.querySelectorAll('.chart[data-layout]')].filter(c => c.offsetParent).map(c => {
  const L = JSON.parse(c.dataset.layout); L.title = c.querySelector('h3').textContent;
  const sec = c.closest('section.run'); L.run = sec ? +sec.dataset.run : null;
  const cv = c.querySelector('canvas.grid-layer'), d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  L.gridPainted = n; return L;
})"""


def layouts(page) -> dict[str, dict]:
    return {L["title"]: L for L in page.evaluate(LAYOUTS)}


def pixel_of(L: dict, value: float) -> float:
    """Where ``value`` should be drawn, from two tick labels' pixel positions (log-aware)."""
    a, b = L["yticks"][0], L["yticks"][-1]
    va, vb = float(a["label"]), float(b["label"])
    if L["scale"] == "log":
        va, vb, value = np.log10(va), np.log10(vb), np.log10(value)
    return a["px"] + (value - va) / (vb - va) * (b["px"] - a["px"])


def series_values(page, name: str, run: int) -> list:
    data = json.loads(page.locator("#td-data").text_content())
    return [y for p in data["runs"][run]["panels"] for s in p["series"] if s["name"] == name for y in s["y"]]


def check_axes(L: dict) -> None:
    assert L["gridPainted"] > 200, L["title"]  # axes and grid are drawn
    ys, xs = [t["label"] for t in L["yticks"]], [t["label"] for t in L["xticks"]]
    assert len(ys) >= 2 and len(set(ys)) == len(ys), (L["title"], ys)
    assert len(xs) >= 2 and len(set(xs)) == len(xs), (L["title"], xs)
    assert L["xtitle"] in ("step", "epoch") and L["ytitle"], L["title"]
    box = L["plot"]
    for m in L["marks"]:
        assert box["l"] - 1 <= m["x"] <= box["r"] + 1 and box["t"] - 1 <= m["y"] <= box["b"] + 1, (L["title"], m)
    for a in L["labels"]:  # mark labels never sit on one another
        for b in L["labels"]:
            if a is not b:
                overlap = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] \
                    and b["y"] < a["y"] + a["h"]
                assert not overlap, (L["title"], a, b)


def test_constant_and_one_point_series_get_distinct_ticks(browser, tmp_path):  # noqa: F811
    run = Run(name="odd", source="odd.csv", format="csv")
    run.add(Series.named("lr", np.arange(500.0), np.full(500, 1e-5)))
    run.add(Series.named("val_loss", [350.0], [0.42]))
    run.add(Series.named("loss", np.arange(500.0), np.linspace(2, 1, 500)))
    page, problems, _ = open_page(browser, write_report(tmp_path / "odd.html", [(run, [])]))
    assert problems == []
    found = layouts(page)
    assert {"Loss ↓", "Learning rate"} <= set(found)
    for L in found.values():
        check_axes(L)
    lr = [t["label"] for t in found["Learning rate"]["yticks"]]
    assert any("1e-5" == t or t.startswith("1e-5") or t == "0.00001" for t in lr), lr
    page.close()


def test_markers_sit_where_their_label_says(browser, tmp_path):  # noqa: F811
    """On the demo run whose learning rate is too high: every marker inside its plot, a minimum at the bottom."""
    runs = load(demo_dir() / "lr-too-high").runs + load(demo_dir() / "overfitting").runs
    results = [(r, diagnose_run(r)) for r in runs]
    path = write_report(tmp_path / "demo.html", results)
    page, problems, _ = open_page(browser, path)
    assert problems == []
    page.screenshot(path=str(tmp_path / "demo-report.png"), full_page=True)
    keep(tmp_path / "demo-report.png")
    found = page.evaluate(LAYOUTS)
    assert found
    points = 0
    for L in found:
        check_axes(L)
        for m in L["marks"]:
            if m["value"] is None or m["atTop"]:
                continue
            points += 1
            # drawn at its value: the pixel agrees with the axis ticks' own scale (within 2 px)
            assert abs(m["y"] - pixel_of(L, m["value"])) <= 2, (L["title"], m)
            if "minimum" in m["label"] or "best" in m["label"]:
                # and a minimum is one: no logged value of its series is lower
                values = [v for v in series_values(page, m["series"], L["run"]) if v is not None]
                assert values and m["value"] <= min(values) * (1 + 1e-5), (L["title"], m)  # drawn data: 6 digits
    assert points >= 1
    page.close()


def test_layer_statistics_are_small_multiples_by_kind(browser, tmp_path):  # noqa: F811
    rng = np.random.default_rng(0)
    run = Run(name="live", source="live.jsonl", format="traindoc_jsonl")
    steps = np.arange(300.0)
    run.add(Series.named("loss", steps, np.exp(-steps / 100) + 0.1))
    for i, name in enumerate(("hidden1", "hidden2", "head")):
        run.add(Series.named(f"grad_norm/{name}", steps, (10.0 ** (i - 2)) * (1 + 0.1 * rng.random(300)),
                             role=Role.LAYER_STAT))
        run.add(Series.named(f"act_std/{name}", steps, 1 + 0.1 * rng.random(300), role=Role.LAYER_STAT))
        run.add(Series.named(f"dead_frac/relu{i}", steps, np.full(300, 0.2 * i), role=Role.LAYER_STAT))
    for name in ("input_min", "input_max", "target_batch_size", "check/grad-not-zeroed/optimizer"):
        run.add(Series.named(name, steps, rng.random(300), role=Role.LAYER_STAT))
    page, problems, _ = open_page(browser, write_report(tmp_path / "live.html", [(run, [])]))
    assert problems == []
    page.locator("details.others summary").first.click()
    page.wait_for_timeout(100)
    charts = page.evaluate("""() => [...document.querySelectorAll('.chart')].map(c => ({
        title: c.querySelector('h3').textContent,
        series: [...c.querySelectorAll('.legend .name')].map(n => n.textContent)}))""")
    by_title = {c["title"]: c["series"] for c in charts}
    grads = by_title["Gradient norm per layer: grad_norm"]
    assert grads == ["grad_norm/head", "grad_norm/hidden2", "grad_norm/hidden1"]  # worst (largest) first
    assert by_title["Dead-unit fraction per layer: dead_frac"][0] == "dead_frac/relu2"
    assert set(by_title["Activations per layer: act_std"]) == {f"act_std/{n}" for n in ("hidden1", "hidden2", "head")}
    # no panel mixes kinds; counters and checks are with the other series
    for title, names in by_title.items():
        if "per layer" in title:
            assert len({n.split("/")[0] for n in names}) == 1, (title, names)
    other = [names for title, names in by_title.items() if title.startswith("Other logged series")]
    assert any("check/grad-not-zeroed/optimizer" in names for names in other)
    for L in layouts(page).values():
        check_axes(L)
    page.screenshot(path=str(tmp_path / "layers.png"), full_page=True)
    keep(tmp_path / "layers.png")
    page.close()


def test_the_layout_check_catches_repeated_ticks():
    """Negative control: the axis check fails on the labels this issue reported."""
    bad = {"title": "lr", "gridPainted": 1000, "xtitle": "step", "ytitle": "lr", "marks": [], "labels": [],
           "plot": {"l": 0, "t": 0, "r": 1, "b": 1},
           "yticks": [{"label": "1e-5", "px": 1}, {"label": "1e-5", "px": 2}], "xticks": [{"label": "350", "px": 1},
                                                                                      {"label": "351", "px": 2}]}
    with pytest.raises(AssertionError):
        check_axes(bad)
    json.dumps(bad)
