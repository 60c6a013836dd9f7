"""The HTML report: self-contained, escaped, data embedded safely, findings rendered, small for big runs."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.findings import Finding, Mark, Severity
from traindoc.reports.html import embed_json, render_report, write_report
from traindoc.reports.markdown import render as md
from traindoc.rules import RULES, RuleSpec
from traindoc.run import Role, Run, Series


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="td-data">(.*?)</script>', html, re.S)
    assert m, "data block missing"
    return json.loads(m.group(1))


def test_self_contained_nothing_fetched(tmp_path, sick, healthy):
    path = write_report(tmp_path / "out" / "report.html", [sick, healthy])
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # nothing the browser would fetch: no src/href to anything, no CSS imports or url()
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:|//|file:|data:)""", html, re.I)
    assert not re.search(r"<link\b|@import|url\(", html, re.I)
    assert "<script src" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#run-") or h == "#overview" for h in hrefs)


def test_log_text_is_escaped_and_json_cannot_close_the_script(tmp_path):
    evil = '</script><script>alert("x")</script><b>'
    run = Run(name=evil, source="a.csv", format="csv")
    run.add(Series.named(evil + "loss", [0, 1, 2], [1.0, 0.5, 0.25]))
    finding = Finding("divergence", Severity.ERROR, evil, series=[evil + "loss"], evidence={evil: evil},
                      causes=[evil], fixes=[evil], marks=[Mark("point", evil + "loss", 1.0, label=evil)])
    html = render_report([(run, [finding])])
    # exactly the two script elements we write, and no stray markup from the log
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert "<b>" not in html.replace("&lt;b&gt;", "")
    assert "&lt;/script&gt;&lt;script&gt;alert" in html
    data = embedded(html)
    assert data["runs"][0]["name"] == evil
    assert data["runs"][0]["panels"][0]["series"][0]["name"] == evil + "loss"
    assert data["runs"][0]["panels"][0]["marks"][0]["label"] == evil
    assert "\u2028" not in embed_json({"a": "x\u2028y"}) and json.loads(embed_json({"a": "x\u2028y"}))["a"] == "x\u2028y"


def test_findings_cards_and_marks(sick):
    run, findings = sick
    html = render_report([sick])
    data = embedded(html)
    for f in findings:
        assert f'id="run-0-f{findings.index(f)}"' in html
        assert f.title.replace('"', "&quot;") in html or f.title in html
    assert "Likely causes" in html and "What to do" in html and "early stopping at the best step" in html
    # titles carry the direction that is better: "Loss ↓", "Accuracy ↑"
    panels = {p["title"].replace(" ↓", "").replace(" ↑", ""): p for p in data["runs"][0]["panels"]}
    assert {"Loss", "Accuracy", "Learning rate", "Gradient norm"} <= set(panels)
    assert "Loss ↓" in [p["title"] for p in data["runs"][0]["panels"]]
    assert "Accuracy ↑" in [p["title"] for p in data["runs"][0]["panels"]]
    assert panels["Accuracy"]["ylabel"] == "Accuracy (higher is better)"
    assert panels["Learning rate"]["series"][0]["name"] == "lr"
    loss_marks = panels["Loss"]["marks"]
    kinds = {(m["kind"], m["label"]) for m in loss_marks}
    assert ("point", "first NaN") in kinds and ("point", "spike") in kinds
    assert ("line", "overfitting onset") in kinds and ("span", "plateau") in kinds and ("line", "resumed") in kinds
    spike = next(m for m in loss_marks if m["label"] == "spike")
    assert spike["y"] == pytest.approx(6.0) and spike["sev"] == "info"
    nan_mark = next(m for m in loss_marks if m["label"] == "first NaN")
    assert nan_mark["y"] is None and nan_mark["sev"] == "error" and nan_mark["finding"] == 0
    # the span without a series goes on every panel of the run; a series' mark only on its panel
    assert all(any(m["label"] == "plateau" for m in p["marks"]) for p in panels.values())
    assert not any(m["label"] == "first NaN" for m in panels["Accuracy"]["marks"])
    train = next(s for s in panels["Loss"]["series"] if s["name"] == "train/loss")
    assert train["nf"][0][0] == 2850 and train["nf"][0][2] == "nan"
    assert panels["Gradient norm"]["scale"] == "log" and panels["Loss"]["scale"] == "linear"


def test_overview_only_with_several_runs(sick, healthy):
    single = render_report([sick])
    assert 'id="overview"' not in single and embedded(single)["overlay"] is None
    both = render_report([sick, healthy])
    assert 'id="overview"' in both
    table = both[both.index('id="overview"'):both.index('id="run-0"')]
    assert 'href="#run-0"' in table and 'href="#run-1"' in table
    assert "Training loss became NaN" in table and "healthy" in table
    assert ">nan<" in table  # the sick run's final train loss is NaN, shown as such
    overlay = embedded(both)["overlay"]
    assert {s["run"] for s in overlay["series"]} == {0, 1}
    assert "No problems found in this run" in both


def test_rule_page_is_rendered_escaped(monkeypatch, tmp_path, sick):
    doc = tmp_path / "overfitting.md"
    doc.write_text("# Overfitting\n\nThe *gap* grows. <img src=x onerror=alert(1)>\n\n- stop early\n- add `dropout`\n")
    spec = RuleSpec("overfitting", "generalisation", Severity.WARNING, "Overfitting", (), lambda run: [])
    monkeypatch.setitem(RULES, "overfitting", spec)
    monkeypatch.setattr(RuleSpec, "doc_path", property(lambda self: doc))
    html = render_report([sick])
    assert "About <code>overfitting</code>" in html
    assert "<em>gap</em>" in html and "<li>add <code>dropout</code></li>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html


def test_markdown_subset():
    out = md("## Title\n\n1. one\n2. two **bold**\n\n```\na < b\n```\n\n| k | v |\n|---|---|\n| x | [t](http://e) |")
    assert "<h4>Title</h4>" in out and "<ol><li>one</li><li>two <strong>bold</strong></li></ol>" in out
    assert "<pre><code>a &lt; b</code></pre>" in out and "<td>t <span" in out and "href" not in out


def test_million_step_run_stays_small_and_keeps_spike_and_nan(tmp_path):
    n = 1_000_000
    steps = np.arange(n, dtype=float)
    rng = np.random.default_rng(7)
    loss = 3.0 * np.exp(-steps / 3e5) + 0.05 * rng.standard_normal(n) + 0.2
    loss[512_345] = 97.5
    loss[987_654:] = np.nan
    run = Run(name="big", source="big.jsonl", format="jsonl")
    run.add(Series.named("train_loss", steps, loss))
    run.add(Series.named("lr", steps, 1e-3 * np.exp(-steps / 5e5)))
    run.add(Series.named("grad_norm", steps, 1 + rng.random(n)))
    run.add(Series.named("val_loss", steps[::1000], loss[::1000] + 0.1))
    finding = Finding("loss-spikes", Severity.INFO, "1 spike", marks=[Mark("point", "train_loss", 512_345.0, label="spike")])
    path = write_report(tmp_path / "big.html", [(run, [finding])])
    size = path.stat().st_size
    assert size < 5_000_000, size
    data = embedded(path.read_text(encoding="utf-8"))
    loss_panel = data["runs"][0]["panels"][0]
    train = next(s for s in loss_panel["series"] if s["name"] == "train_loss")
    assert train["n"] == n and len(train["x"]) <= 4002
    i = train["y"].index(97.5)
    assert train["x"][i] == 512_345
    assert train["nf"] == [[987_654, 999_999, "nan", n - 987_654]]
    assert next(m for m in loss_panel["marks"] if m["label"] == "spike")["y"] == pytest.approx(97.5)


def test_unwritable_destination_is_an_input_error(tmp_path, healthy):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError) as err:
        write_report(blocker / "report.html", [healthy])
    assert "report.html" in str(err.value)


def test_run_without_series_and_no_runs():
    empty = Run(name="empty", source="e.csv", format="csv")
    html = render_report([(empty, [])])
    assert "no series to draw" in html
    assert "No runs to report" in render_report([])


def test_many_layer_series_share_the_point_budget(tmp_path):
    rng = np.random.default_rng(5)
    m = 100_000
    run = Run(name="wide", source="w.jsonl", format="jsonl")
    for i in range(60):
        values = rng.random(m)
        values[1234 * (i + 1)] = 10.0 + i  # one spike per layer, each must survive
        run.add(Series.named(f"layer{i}.grad_norm_ratio", np.arange(m, dtype=float), values, role=Role.LAYER_STAT))
    path = write_report(tmp_path / "wide.html", [(run, [])])
    assert path.stat().st_size < 5_000_000
    panels = embedded(path.read_text(encoding="utf-8"))["runs"][0]["panels"]
    # one kind of statistic, 60 layers: small multiples of 10 layers each, worst (highest) first
    assert all("per layer" in p["title"] and "of 60, worst first" in p["title"] for p in panels) and len(panels) == 6
    series = {s["name"]: s for p in panels for s in p["series"]}
    assert len(series) == 60
    for i in range(60):
        s = series[f"layer{i}.grad_norm_ratio"]
        assert max(s["y"]) == 10.0 + i and s["x"][s["y"].index(10.0 + i)] == 1234 * (i + 1)


def test_restarted_steps_draw_as_parts_and_resume_lines_are_not_doubled():
    run = Run(name="appended", source="a.csv", format="csv")
    run.meta.resume_steps = [150.0]
    steps = np.r_[np.arange(0.0, 200.0), np.arange(150.0, 300.0)]  # resumed at 150, re-ran 150..199
    run.add(Series.named("loss", steps, np.r_[np.linspace(2, 1, 200), np.linspace(1.5, 0.5, 150)]))
    finding = Finding("resume-spike", Severity.WARNING, "jump at resume",
                      marks=[Mark("line", "loss", 150.0, label="resume"), Mark("point", "loss", 150.0, label="jump")])
    panel = embedded(render_report([(run, [finding])]))["runs"][0]["panels"][0]
    names = [s["name"] for s in panel["series"]]
    assert names == ["loss (part 1)", "loss (part 2)"]
    assert panel["series"][0]["x"][-1] == 199 and panel["series"][1]["x"][0] == 150
    lines = [m for m in panel["marks"] if m["kind"] == "line"]
    assert [m["label"] for m in lines] == ["resume"]  # the finding's line, not a second "resumed"
    assert any(m["label"] == "jump" for m in panel["marks"])


def test_live_refresh_is_opt_in(tmp_path, healthy):
    assert "http-equiv" not in render_report([healthy])
    html = write_report(tmp_path / "live.html", [healthy], refresh_s=5).read_text()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind


def test_overlay_keeps_to_train_loss_with_many_runs(healthy):
    run, _ = healthy
    many = [(run, [])] * 13
    overlay = embedded(render_report(many))["overlay"]
    assert len(overlay["series"]) == 13 and all(s["role"] == "train_loss" for s in overlay["series"])
    few = embedded(render_report([(run, [])] * 2))["overlay"]
    assert sorted(s["role"] for s in few["series"]) == ["train_loss", "train_loss", "val_loss", "val_loss"]
