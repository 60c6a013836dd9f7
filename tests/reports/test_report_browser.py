"""The report in a real headless browser (Debian's chromium driven by playwright).

Skipped, saying why, only where chromium or playwright cannot be had: run
scripts/ensure_browser.sh (apt-get) and ``pip install playwright`` (never ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from traindoc.findings import Finding, Mark, Severity
from traindoc.reports.html import write_report
from traindoc.reports.plotdata import smooth
from traindoc.run import Run, Series

CHROMIUM = os.environ.get("TRAINDOC_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no headless browser at {CHROMIUM}: run scripts/ensure_browser.sh (installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright for Python is not installed (pip install playwright; no browser download needed)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        # a persistent context is how playwright takes a fresh --user-data-dir
        ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                    args=FLAGS, viewport={"width": 1280, "height": 900})
        yield ctx
        ctx.close()


def open_page(ctx, path: Path, scheme: str = "light"):
    page = ctx.new_page()
    problems: list[str] = []
    requests: list[str] = []
    def on_console(msg) -> None:
        # the tests' own getImageData reads trigger a performance hint; anything else counts
        if msg.type in ("error", "warning") and "willReadFrequently" not in msg.text:
            problems.append(f"console {msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.emulate_media(color_scheme=scheme)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # a frame for ResizeObserver redraws
    return page, problems, requests


def keep(shot: Path) -> None:
    """Copy a screenshot to $TRAINDOC_SHOTS, for a person to look at."""
    if os.environ.get("TRAINDOC_SHOTS"):
        shutil.copy(shot, Path(os.environ["TRAINDOC_SHOTS"]) / shot.name)


# Per chart: how many data-layer pixels are painted (the layer holds only curves and NaN bars).
PAINTED = """() => [...document.querySelectorAll('.chart')].filter(c => c.offsetParent).map(c => {
  const cv = c.querySelector('canvas.data-layer'); const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return {title: c.querySelector('h3').textContent, painted: n, w: cv.width, h: cv.height};
})"""


def test_report_renders_with_marks_and_no_errors(browser, tmp_path, sick, healthy):
    path = write_report(tmp_path / "report.html", [sick, healthy])
    page, problems, requests = open_page(browser, path)
    assert problems == []
    assert all(u.startswith("file:") for u in requests), requests  # nothing fetched from anywhere
    charts = page.evaluate(PAINTED)
    # overlay + 5 panels of the sick run + 1 of the healthy run
    assert len(charts) == 7, charts
    assert [c["title"] for c in charts] == ["Loss, all runs", "Loss ↓", "Accuracy ↑", "Learning rate", "Gradient norm",
                                            "Gradient norm per layer: grad_rms", "Loss ↓"]
    for c in charts:
        assert c["w"] > 300 and c["h"] > 150
        assert c["painted"] > 500, c  # curves were drawn, not a blank canvas
    # findings' marks are on the charts: the first NaN, spikes, the overfitting line, the plateau
    nan_mark = page.locator('#run-0 .mark-point.sev-error[data-finding="0"]')
    assert nan_mark.count() == 1 and nan_mark.is_visible()
    assert page.locator("#run-0 .mark-point.sev-info").count() == 2  # the two spikes
    assert page.locator("#run-0 .mark-line.sev-warning").count() == 1
    assert page.locator("#run-0 .mark-span").count() == 5  # the plateau, on every panel
    box = nan_mark.bounding_box()
    plot = page.locator("#run-0 .chart").first.locator(".plot").bounding_box()
    assert plot["x"] <= box["x"] <= plot["x"] + plot["width"] and plot["y"] - 8 <= box["y"] <= plot["y"] + plot["height"]
    # the log-text title shows as text, not markup
    assert page.locator("#run-0 h2").inner_text() == 'resnet <b>&</b> "quotes"'
    page.screenshot(path=str(tmp_path / "report-light.png"), full_page=True)
    shot = tmp_path / "report-light.png"
    assert shot.stat().st_size > 20_000
    keep(shot)
    page.close()


def test_interactions_zoom_scale_legend_theme(browser, tmp_path, sick):
    path = write_report(tmp_path / "one.html", [sick])
    page, problems, _ = open_page(browser, path, scheme="dark")
    before = page.evaluate(PAINTED)[0]["painted"]
    # hiding every loss series leaves only the NaN bar: far fewer painted pixels
    legend = page.locator("#run-0 .chart").first.locator(".legend button")
    for i in range(legend.count()):
        legend.nth(i).click()
    hidden = page.evaluate(PAINTED)[0]["painted"]
    assert hidden < before / 3, (before, hidden)
    for i in range(legend.count()):
        legend.nth(i).click()
    # drag-zoom into the first half, then the reset button appears and brings the full range back
    plot = page.locator("#run-0 .chart").first.locator(".plot")
    b = plot.bounding_box()
    page.mouse.move(b["x"] + 60, b["y"] + 100)
    page.mouse.down()
    page.mouse.move(b["x"] + 200, b["y"] + 102, steps=4)
    page.mouse.up()
    xr = page.evaluate("() => window.traindocCharts[0].xr")
    assert xr[1] < 2000, xr
    assert page.locator("#run-0 .reset-zoom").is_visible()
    # hovering shows a tooltip with the step
    page.mouse.move(b["x"] + 150, b["y"] + 100)
    tip = page.locator("#run-0 .chart").first.locator(".tip")
    assert tip.is_visible() and tip.inner_text().startswith("step")
    page.locator("#run-0 .reset-zoom").click()
    assert page.evaluate("() => window.traindocCharts[0].xr")[1] >= 2999
    # the page's smoothing is the same as the Python one the PNG uses
    js = page.evaluate("() => { const c = window.traindocCharts[0], s = c.p.series[0];"
                       " return {x: s.x, y: s.y, sm: c.smoothed(s).y, frac: c.group.frac}; }")
    y = np.array([np.nan if v is None else v for v in js["y"]])
    py = smooth(np.array(js["x"], dtype=float), y, js["frac"])
    jsm = np.array([np.nan if v is None else v for v in js["sm"]])
    assert np.allclose(py, jsm, equal_nan=True)
    # smoothing off: only raw lines, drawn at full strength
    page.locator("#run-0 .smooth").fill("0")
    assert page.locator("#run-0 .smooth-value").inner_text() == "0.0%"
    # a mark leads to its card, and a card's button back to its marks
    page.locator('#run-0 .mark-point[data-finding="0"]').click()
    page.wait_for_function("document.querySelector('#run-0-f0').classList.contains('highlight')")
    page.locator('#run-0-f1 .show-on-chart').click()
    assert page.locator('#run-0 .mark.flash[data-finding="1"]').count() >= 1
    # log scale and the theme toggle redraw without errors
    page.locator("#run-0 .chart").first.locator(".scale-toggle button", has_text="log").click()
    js = page.evaluate("() => { const c = window.traindocCharts[0], s = c.p.series[0];"
                       " return {x: s.x, y: s.y, sm: c.smoothed(s).y, frac: c.group.frac}; }")
    y = np.array([np.nan if v is None else v for v in js["y"]])
    with np.errstate(invalid="ignore", divide="ignore"):  # non-positive values are gaps on a log axis
        logy = np.where(y > 0, np.log(y), np.nan)
    logsm = np.exp(smooth(np.array(js["x"], dtype=float), logy, js["frac"]))  # log axis: mean of logs
    assert np.allclose(logsm, np.array([np.nan if v is None else v for v in js["sm"]]), equal_nan=True)
    page.locator("#theme-toggle").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(PAINTED)[0]["painted"] > 500
    page.screenshot(path=str(tmp_path / "report-dark.png"), full_page=True)
    keep(tmp_path / "report-dark.png")
    assert problems == []
    page.close()


def test_million_step_report_loads_and_shows_the_nan(browser, tmp_path):
    n = 1_000_000
    steps = np.arange(n, dtype=float)
    loss = 2.0 * np.exp(-steps / 2e5) + 0.03 * np.random.default_rng(1).standard_normal(n) + 0.1
    loss[400_000] = 30.0
    loss[950_000:] = np.nan
    run = Run(name="big", source="big.jsonl", format="jsonl")
    run.add(Series.named("loss", steps, loss))
    findings = [Finding("nonfinite", Severity.ERROR, "Loss became NaN", marks=[Mark("point", "loss", 950_000.0, label="first NaN")]),
                Finding("loss-spikes", Severity.INFO, "A spike", marks=[Mark("point", "loss", 400_000.0, label="spike")])]
    path = write_report(tmp_path / "big.html", [(run, findings)])
    page, problems, _ = open_page(browser, path)
    assert problems == []
    assert page.evaluate(PAINTED)[0]["painted"] > 500
    assert page.locator(".mark-point.sev-error").count() == 1
    # the spike's marker sits at the top of the curve: its pixel y is the highest point drawn
    spike = page.locator(".mark-point.sev-info").bounding_box()
    plot = page.locator(".plot").first.bounding_box()
    assert spike["y"] - plot["y"] < 40
    page.close()


def test_awkward_runs_render_without_errors(browser, tmp_path):
    """One point, all NaN, constant, negative values on a log toggle, epochs, odd marks, long names."""
    run = Run(name="x" * 300, source="odd.csv", format="csv")
    run.add(Series.named("loss", [5.0], [0.7]))
    run.add(Series.named("val_loss", [0, 1, 2], [np.nan, np.nan, np.inf]))
    run.add(Series.named("elbo_loss", np.arange(50.0), -np.linspace(1, 50, 50)))
    run.add(Series.named("acc", np.arange(50.0), np.full(50, 0.5)))
    run.add(Series.named("epoch_acc", np.arange(5.0), np.linspace(0.1, 0.9, 5), axis="epoch"))
    run.add(Series.named("throughput", np.arange(50.0), np.arange(50.0)))
    run.add(Series.named("empty_loss", [], []))
    findings = [Finding("nonfinite", Severity.ERROR, "val NaN", marks=[Mark("point", "val_loss", 0.0, label="first NaN"),
                                                                     Mark("span", "no-such-series", 10.0, 5.0, "backwards"),
                                                                     Mark("line", None, 1e9, label="far away")])]
    path = write_report(tmp_path / "odd.html", [(run, findings)])
    page, problems, _ = open_page(browser, path)
    page.locator(".chart").first.locator(".scale-toggle button", has_text="log").click()
    for i in range(page.locator(".chart").count()):
        page.locator(".chart").nth(i).locator(".scale-toggle button", has_text="log").click(force=True)
    page.locator("details.others summary").click()
    page.locator(".plot").first.hover()
    page.wait_for_timeout(100)
    assert problems == []
    titles = [c["title"] for c in page.evaluate(PAINTED)]
    assert "Accuracy ↑ (per epoch)" in titles and "Other logged series" in titles
    assert page.locator(".mark-point.sev-error").count() >= 1
    page.screenshot(path=str(tmp_path / "odd.png"), full_page=True)
    keep(tmp_path / "odd.png")
    page.close()


def test_the_error_check_catches_a_broken_page(browser, tmp_path):
    """Negative control: a script error on the page is seen by the checks above."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    page, problems, _ = open_page(browser, bad)
    assert problems and "undefinedFunction" in problems[0]
    page.close()
