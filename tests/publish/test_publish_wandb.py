"""Findings published to W&B in offline mode, read back from the offline run's own files: the alerts
in its ``.wandb`` record log (W&B's protos) and the findings table W&B saved."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")
pytest.importorskip("wandb")

from .conftest import train_into_nan, wandb_records, wandb_tables  # noqa: E402


def _env(tmp_path: Path) -> dict:
    return dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1",
                WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=str(tmp_path / "wb"), WANDB_PROJECT="tdtest")


def _csv(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("epoch,step,train_loss\n" + "".join(
        f"0,{s},{'nan' if s >= 70 else 2.0 / (1 + s / 10) if s < 50 else 0.2 * 3 ** ((s - 50) / 2)}\n"
        for s in range(80)))


def test_diagnose_publish_wandb_alerts_and_table(tmp_path):
    _csv(tmp_path / "job" / "metrics.csv")
    (tmp_path / "wb").mkdir()
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(tmp_path / "job"), "--publish", "wandb"],
                         capture_output=True, text=True, env=_env(tmp_path), timeout=180)
    assert res.returncode == 1, res.stderr
    (run_dir,) = (tmp_path / "wb" / "wandb").glob("offline-run-*")
    alerts = wandb_records(run_dir, "alert")
    titles = {a.title for a in alerts}
    assert {"traindoc: nonfinite in job/metrics.csv", "traindoc: divergence in job/metrics.csv"} <= titles
    assert all(a.level == "ERROR" for a in alerts if "nonfinite" in a.title)
    table = wandb_tables(run_dir)[-1]
    assert table["columns"][:3] == ["run", "id", "severity"]
    assert {row[1] for row in table["data"]} >= {"nonfinite", "divergence"}
    summaries = [u for s in wandb_records(run_dir, "summary") for u in s.update]
    assert any(u.key == "traindoc/verdict" and u.value_json == '"broken"' for u in summaries)


def test_watch_publishes_into_the_active_wandb_run(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    import wandb

    for k, v in _env(tmp_path).items():
        monkeypatch.setenv(k, v)
    (tmp_path / "wb").mkdir()
    run = wandb.init(project="tdtest", name="user-run")
    train_into_nan("wandb", log=lambda _step, loss: run.log({"loss": loss}))
    log = Path(run.settings.sync_file)
    run.finish()
    # finish() can return while W&B's service still holds the records (flaky before: 0-3 of 3 alerts
    # read back under load); the documented wait makes "published" mean "on disk".
    from traindoc.publish.wandb import wait_written

    assert wait_written(log)
    (run_dir,) = (tmp_path / "wb" / "wandb").glob("offline-run-*")
    assert any("nonfinite" in a.title for a in wandb_records(run_dir, "alert"))
    steps = [int(next(i.value_json for i in h.item if i.nested_key == ["_step"] or i.key == "_step"))
             for h in wandb_records(run_dir, "history")]
    assert steps == list(range(30)), "publishing must not add steps to the user's run"


def test_wandb_run_is_resumed_by_its_id(tmp_path):
    """Findings about a run read from a W&B run folder go to that same run (by id), not a new one."""
    env = _env(tmp_path)
    (tmp_path / "wb").mkdir()
    job = """
import math, wandb
run = wandb.init(project="tdtest", name="job")
for step in range(80):
    loss = 2.0 / (1 + step / 10) if step < 50 else (0.2 * 3 ** ((step - 50) / 2) if step < 70 else math.nan)
    run.log({"train_loss": loss})
print(run.id)
run.finish()
"""
    res = subprocess.run([sys.executable, "-c", job], capture_output=True, text=True, env=env, timeout=180)
    assert res.returncode == 0, res.stderr
    run_id = res.stdout.split()[-1]
    (source,) = (tmp_path / "wb" / "wandb").glob(f"offline-run-*-{run_id}")
    # W&B names an offline run's folder by the second it started: a resumption within the job's
    # second would share the job's folder name (seen under xdist), so let the clock pass one second.
    time.sleep(max(0.0, 1.05 - (time.time() - source.stat().st_mtime)))
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(source), "--publish", "wandb"],
                         capture_output=True, text=True, env=env, timeout=180)
    assert res.returncode == 1, res.stderr
    folders = sorted((tmp_path / "wb" / "wandb").glob(f"offline-run-*-{run_id}"))
    assert len(folders) == 2  # the job's, and traindoc's resumption of the same id
    published = next(f for f in folders if f != source)
    assert any("nonfinite" in a.title for a in wandb_records(published, "alert"))


def test_close_returns_once_the_offline_run_is_on_disk(tmp_path, monkeypatch):
    """The publisher's own runs: after close() the alerts are in the file, read at once, no waiting."""
    from traindoc.follow.changes import Event
    from traindoc.publish.wandb import WandbPublisher, _has_exit, _offline_log
    from traindoc.readers import read_file
    from traindoc.rules import diagnose_run

    for k, v in _env(tmp_path).items():
        monkeypatch.setenv(k, v)
    (tmp_path / "wb").mkdir()
    _csv(tmp_path / "job" / "metrics.csv")
    (run,) = read_file(tmp_path / "job" / "metrics.csv")
    findings = diagnose_run(run)
    pub = WandbPublisher()
    pub.publish(run, findings, [Event("new", f) for f in findings])
    (own,) = pub._own.values()
    log = _offline_log(own)  # where this process's wandb writes it (its settings outlive one test's env)
    pub.close()
    assert _has_exit(log)  # checked before wandb_records, which would wait
    titles = {a.title for a in wandb_records(log.parent, "alert")}
    assert "traindoc: nonfinite in job/metrics.csv" in titles
