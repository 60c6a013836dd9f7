"""A second run appended to a log is a second run, not a spike or a resume (issue 10), counter or none.

The losses come from a real (tiny) torch training loop run twice; the logs are written the way
scripts write them: pandas ``to_csv(mode="a")``, ``json.dumps`` lines, Python ``logging``.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from traindoc.readers import read_file

torch = pytest.importorskip("torch")
pd = pytest.importorskip("pandas")


def _train(seed: int, steps: int = 40) -> list[float]:
    """SGD on a small regression: a loss that falls over many steps (retraceable)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 8, generator=g)
    y = x @ torch.randn(8, 1, generator=g) + 3.0
    model = torch.nn.Linear(8, 1)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    out = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out


@pytest.fixture(scope="module")
def two_runs() -> tuple[list[float], list[float]]:
    return _train(0), _train(1)


def _frame(losses):
    return pd.DataFrame({"loss": losses, "lr": [0.03] * len(losses)})


def _check_two(runs, first, second):
    assert len(runs) == 2, [r.name for r in runs]
    a, b = (r.series[next(n for n in r.series if "loss" in n)] for r in runs)
    np.testing.assert_allclose(a.values, first, rtol=1e-4)
    np.testing.assert_allclose(b.values, second, rtol=1e-4)
    assert any("appended" in n for n in runs[1].meta.notes)
    assert runs[0].meta.segment == (1, 2) and runs[1].meta.segment == (2, 2)


def test_pandas_csv_appended_with_header_again(tmp_path, two_runs):
    path = tmp_path / "losses.csv"
    for losses in two_runs:
        _frame(losses).to_csv(path, mode="a", index=False)  # header written again
    _check_two(read_file(path), *two_runs)


def test_csv_appended_without_header(tmp_path, two_runs):
    path = tmp_path / "losses.csv"
    _frame(two_runs[0]).to_csv(path, index=False)
    _frame(two_runs[1]).to_csv(path, mode="a", index=False, header=False)
    _check_two(read_file(path), *two_runs)


def test_json_lines_appended(tmp_path, two_runs):
    path = tmp_path / "losses.jsonl"
    with path.open("a") as f:
        for losses in two_runs:
            for v in losses:
                f.write(json.dumps({"loss": v}) + "\n")
    _check_two(read_file(path), *two_runs)


def test_text_log_appended(tmp_path, two_runs):
    path = tmp_path / "train.log"
    for losses in two_runs:
        logger = logging.getLogger(f"traindoc-test-{id(losses)}")
        handler = logging.FileHandler(path, mode="a")  # the second run appends to the same file
        handler.setFormatter(logging.Formatter("%(asctime)s INFO %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        for v in losses:
            logger.info("train loss: %.6f", v)
        handler.close()
        logger.removeHandler(handler)
    runs = read_file(path)
    assert len(runs) == 2
    for run, losses in zip(runs, two_runs):
        (name,) = [n for n in run.series if "loss" in n]
        np.testing.assert_allclose(run.series[name].values, losses, rtol=1e-4)


def test_appended_counterless_runs_cli_two_runs_and_nothing_beside(tmp_path, two_runs):
    path = tmp_path / "losses.csv"
    for losses in two_runs:
        _frame(losses).to_csv(path, mode="a", index=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--json", "--fail-on", "never", str(path)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["runs"]) == 2
    for run in report["runs"]:
        ids = {f["id"] for f in run["findings"]}
        assert "appended-runs" in ids and "loss-spikes" not in ids
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_real_spike_in_a_counterless_log_stays_one_run(tmp_path, two_runs):
    losses = list(two_runs[0]) * 1
    losses[25] = losses[0]  # one step back at the starting level, then straight back down: a spike
    path = tmp_path / "losses.csv"
    _frame(losses).to_csv(path, index=False)
    (run,) = read_file(path)
    np.testing.assert_allclose(run.series["loss"].values, losses, rtol=1e-6)


def test_a_divergence_in_a_counterless_log_stays_one_run(tmp_path, two_runs):
    first = two_runs[0]
    losses = first + list(np.linspace(first[-1], first[0] * 2, 30))  # climbs back over many rows
    path = tmp_path / "losses.csv"
    _frame(losses).to_csv(path, index=False)
    (run,) = read_file(path)
    assert len(run.series["loss"]) == len(losses)


@pytest.mark.parametrize("kind", ["json-lines", "console"])
def test_appended_run_whose_counter_restarts_is_a_second_run(tmp_path, two_runs, kind):
    """The same, with a counter that starts over: split on the counter (not a resume)."""
    path = tmp_path / ("metrics.jsonl" if kind == "json-lines" else "train.log")
    with path.open("a") as f:
        for losses in two_runs:
            for i, v in enumerate(losses):
                f.write(json.dumps({"step": i, "loss": v}) + "\n" if kind == "json-lines"
                        else f"step {i}/{len(losses)} | loss {v:.6f}\n")
    runs = read_file(path)
    assert len(runs) == 2 and [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    for run, losses in zip(runs, two_runs):
        assert not run.meta.resume_steps
        np.testing.assert_allclose(run.series["loss"].values, losses, rtol=1e-4)


def test_counterless_console_with_validation_lines_is_cut_for_both(tmp_path, two_runs):
    """Validation lines sit at the count of the training lines before them: one cut serves both."""
    path = tmp_path / "train.log"
    with path.open("w") as f:
        for losses in two_runs:
            for i, v in enumerate(losses):
                f.write(f"train loss: {v:.6f}\n")
                if i % 10 == 9:
                    f.write(f"validation loss: {v * 1.1:.6f}\n")
    runs = read_file(path)
    assert len(runs) == 2
    for run, losses in zip(runs, two_runs):
        np.testing.assert_allclose(run.series["train_loss"].values, losses, rtol=1e-5)
        np.testing.assert_allclose(run.series["validation_loss"].values, [v * 1.1 for v in losses[9::10]], rtol=1e-5)


def test_noise_and_random_walks_are_never_cut():
    """Seeded series that are no training curve (noise, random walks, ±1e308, small integers)."""
    from traindoc.readers._appended import appended_cuts as _starts

    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(0, 300))
        for v in (rng.normal(size=n), np.cumsum(rng.normal(size=n)), rng.choice([1e308, -1e308, 0, 1], size=n),
                  rng.integers(0, 3, size=n).astype(float)):
            with np.errstate(over="ignore", invalid="ignore"):
                assert _starts(v) == [], v.tolist()
    decays = np.tile(2.0 * np.exp(-np.arange(20) / 5), 3)  # three runs, each falling over ~10 rows
    assert _starts(decays) == [20, 40]
