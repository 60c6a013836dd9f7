"""``traindoc.watch(..., publish="mlflow")`` inside a real MLflow run (file store): the findings land
on the user's active run as tags and an artifact, read back with MLflow's own client."""

from __future__ import annotations

import json

import pytest

from .conftest import train_into_nan


def test_watch_publishes_into_the_active_mlflow_run(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    mlflow = pytest.importorskip("mlflow")

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    mlflow.set_tracking_uri(uri)
    try:
        with mlflow.start_run(run_name="user-run") as active:
            train_into_nan("mlflow", log=lambda step, loss: mlflow.log_metric("loss", loss, step=step))
    finally:
        mlflow.set_tracking_uri(None)
    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(active.info.run_id)
    assert run.data.tags["traindoc.verdict"] == "broken"
    assert run.data.tags["traindoc.finding.nonfinite"].startswith("error: ")
    path = client.download_artifacts(active.info.run_id, "traindoc/findings.json", str(tmp_path / "dl"))
    assert any(f["id"] == "nonfinite" for f in json.loads(open(path).read())["findings"])
    assert len(client.search_runs([run.info.experiment_id])) == 1  # no run of its own beside the user's
    assert [m.step for m in client.get_metric_history(active.info.run_id, "loss")] == list(range(30))
