"""The static picture: PNG and SVG with the same panels and marks as the HTML report."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.findings import Finding, Mark, Severity
from traindoc.reports.plotdata import smooth
from traindoc.reports.png import write_plot
from traindoc.run import Run, Series

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")


def test_png_is_a_nonblank_picture(tmp_path, sick):
    import matplotlib.image as mpimg

    path = write_plot(tmp_path / "curves.png", *sick)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    assert w > 1000 and h > 600  # four panels in a 2x2 grid
    rgb = img[..., :3]
    painted = (np.abs(rgb - 1.0).sum(axis=2) > 0.1).mean()
    assert 0.03 < painted < 0.6, painted
    # the error red of the NaN marker and title is in the picture
    red = (rgb[..., 0] > 0.75) & (rgb[..., 1] < 0.3) & (rgb[..., 2] < 0.3)
    assert red.sum() > 50


def test_svg_holds_curves_and_finding_labels(tmp_path, sick):
    path = write_plot(tmp_path / "curves.svg", *sick)
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count("<path") > 20
    for label in ("first NaN", "spike", "overfitting onset", "best step", "plateau", "resumed"):
        assert label in svg, label
    assert "resnet &lt;b&gt;" in svg  # the run name, escaped by matplotlib's SVG writer


def test_bad_suffix_and_unwritable_path(tmp_path, healthy):
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        write_plot(tmp_path / "curves.pdf", *healthy)
    blocker = tmp_path / "f"
    blocker.write_text("x")
    with pytest.raises(InputError):
        write_plot(blocker / "c.png", *healthy)


def test_million_step_plot_is_quick_and_complete(tmp_path):
    n = 1_000_000
    steps = np.arange(n, dtype=float)
    loss = np.exp(-steps / 3e5) + 0.02 * np.random.default_rng(2).standard_normal(n)
    loss[300_000] = 25.0
    run = Run(name="big", source="big", format="jsonl")
    run.add(Series.named("loss", steps, loss))
    f = Finding("loss-spikes", Severity.INFO, "spike", marks=[Mark("point", "loss", 300_000.0, label="the spike")])
    svg = write_plot(tmp_path / "big.svg", run, [f]).read_text()
    assert "the spike" in svg
    assert len(svg) < 3_000_000


def test_smoothing_has_no_lag_and_restarts_at_nan():
    x = np.arange(0.0, 1001.0)
    ramp = 5.0 - x / 200.0  # a falling loss
    sm = smooth(x, ramp, 0.02)  # tau = 20 steps
    # forward-only smoothing trails a falling curve by about tau * slope; forwards+backwards does not
    assert np.abs(sm[200:800] - ramp[200:800]).max() < 0.005  # a forward EMA trails by ~0.1 here
    noisy = ramp + np.random.default_rng(0).standard_normal(x.size) * 0.3
    assert np.std(smooth(x, noisy, 0.02) - ramp) < 0.35 * np.std(noisy - ramp)
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    out = smooth(np.arange(5.0), y, 0.25)
    assert np.isnan(out[2]) and 1.0 < out[0] < out[1] < 2.0 and 4.0 < out[3] < out[4] < 5.0
    assert np.allclose(smooth(np.arange(5.0), y, 0.0)[[0, 1, 3, 4]], y[[0, 1, 3, 4]])


def test_png_panels_have_ticks_and_labels_that_do_not_overlap(tmp_path):
    """On the bundled run whose loss explodes to 7e15: y tick labels on every panel, the raw
    explosion drawn at full height, the subtitle inside the figure, no mark label on another."""
    import matplotlib.pyplot as plt

    from traindoc.cli.demo import demo_dir
    from traindoc.readers import load
    from traindoc.reports.png import build_figure
    from traindoc.rules import diagnose_run

    run = load(demo_dir() / "lr-too-high").runs[0]
    findings = diagnose_run(run)
    fig = build_figure(run, findings)
    try:
        renderer = fig.canvas.get_renderer()
        peak = float(np.nanmax(run.series["train_loss_step"].values))
        assert peak > 1e15
        for ax in fig.axes:
            labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()
                      and ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]]
            assert len(labels) >= 3 and len(set(labels)) == len(labels), (ax.get_title(loc="left"), labels)
            assert ax.get_ylabel() and ax.get_xlabel() == "step"
            boxes = [a.get_window_extent(renderer) for a in ax._traindoc_labels]
            assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), ax.get_title()
        loss = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Loss"))
        assert loss.get_yscale() == "log" and loss.get_ylim()[1] >= peak
        drawn_max = max(np.nanmax(line.get_ydata()) for line in loss.get_lines() if len(line.get_ydata()) > 2)
        assert drawn_max >= 0.99 * peak  # the raw line keeps the explosion; smoothing does not replace it
        fig_box = fig.bbox
        for text in fig.texts:
            box = text.get_window_extent(renderer)
            assert box.x1 <= fig_box.x1 + 1 and box.y0 >= fig_box.y0 - 1, text.get_text()[:60]
    finally:
        plt.close(fig)
