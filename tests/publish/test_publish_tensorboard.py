"""Findings written into the run's own TensorBoard folder, read back with TensorBoard's EventAccumulator
and with tbparse; publishing must not change what ``diagnose`` says about the run afterwards."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import train_into_nan

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")


def _traindoc(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, env=_env(),
                          timeout=120)


@pytest.fixture
def diverging_tb_run(tmp_path) -> Path:
    tb = pytest.importorskip("torch.utils.tensorboard")
    run_dir = tmp_path / "runs" / "job"
    w = tb.SummaryWriter(str(run_dir))
    for i in range(100):
        loss = 2.0 * math.exp(-i / 20) + 0.1 if i < 60 else 0.2 * 2 ** ((i - 60) / 2)
        w.add_scalar("train/loss", loss if i < 90 else math.nan, i)
    w.close()
    return run_dir


def _accumulate(folder: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0, "scalars": 0})
    acc.Reload()
    return acc


def test_follow_publishes_text_and_markers_beside_the_curves(diverging_tb_run):
    before = json.loads(_traindoc("diagnose", str(diverging_tb_run.parent), "--json").stdout)
    res = _traindoc("diagnose", "--follow", str(diverging_tb_run.parent), "--interval", "0.2", "--idle", "1",
                    "--publish", "tensorboard")
    assert res.returncode == 1, res.stderr
    own = diverging_tb_run / "traindoc"
    acc = _accumulate(own)
    texts = [t.tensor_proto.string_val[0].decode() for t in acc.Tensors("traindoc/findings")]
    assert any(t.startswith("**ERROR nonfinite**") for t in texts), texts
    assert any("divergence" in t for t in texts)
    assert all("traindoc explain" in t for t in texts)
    markers = acc.Scalars("traindoc/severity")
    assert {m.value for m in markers} >= {3.0}
    nonfinite = next(t for t in acc.Tensors("traindoc/findings")
                     if "nonfinite" in t.tensor_proto.string_val[0].decode())
    assert nonfinite.step == 90  # at the step its evidence starts: where the NaN is on the curve
    # The run reads the same afterwards: the findings folder is not mistaken for data or a resume.
    after = json.loads(_traindoc("diagnose", str(diverging_tb_run.parent), "--json").stdout)
    assert [(r["name"], [f["id"] for f in r["findings"]]) for r in after["runs"]] == \
        [(r["name"], [f["id"] for f in r["findings"]]) for r in before["runs"]]


def test_diagnose_publish_read_back_with_tbparse(diverging_tb_run):
    tbparse = pytest.importorskip("tbparse")
    res = _traindoc("diagnose", str(diverging_tb_run), "--publish", "tensorboard")
    assert res.returncode == 1
    reader = tbparse.SummaryReader(str(diverging_tb_run / "traindoc"), pivot=False)
    scalars = reader.scalars
    assert set(scalars["tag"]) == {"traindoc/severity"}
    assert 3.0 in set(scalars["value"])


def test_publish_tensorboard_skips_runs_not_from_tensorboard(tmp_path):
    (tmp_path / "metrics.csv").write_text("epoch,step,train_loss\n" + "".join(
        f"0,{s},{'nan' if s > 30 else 1.0 / (s + 1)}\n" for s in range(40)))
    res = _traindoc("diagnose", str(tmp_path), "--publish", "tensorboard")
    assert res.returncode == 1
    assert "not read from TensorBoard" in res.stderr
    assert not (tmp_path / "traindoc").exists()


def test_watch_publishes_to_tensorboard_under_logdir(tmp_path):
    torch = pytest.importorskip("torch")
    doc = train_into_nan("tensorboard", loss_fn=torch.nn.MSELoss(), logdir=tmp_path)
    assert any(f.id == "nonfinite" for f in doc.findings)
    texts = [t.tensor_proto.string_val[0].decode() for t in _accumulate(tmp_path / "traindoc").Tensors(
        "traindoc/findings")]
    assert any("nonfinite" in t for t in texts)
