"""``traindoc.watch(..., publish="mlflow")`` inside a real MLflow run (file store): the findings land
on the user's active run as tags and an artifact, read back with MLflow's own client."""

from __future__ import annotations

import json

import pytest


def test_watch_publishes_into_the_active_mlflow_run(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    mlflow = pytest.importorskip("mlflow")

    import traindoc

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    mlflow.set_tracking_uri(uri)
    try:
        with mlflow.start_run(run_name="user-run") as active:
            model = torch.nn.Linear(4, 1)
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            with traindoc.watch(model, opt, quiet=True, publish="mlflow") as doc:
                for step in range(30):
                    x = torch.randn(8, 4)
                    loss = torch.nn.functional.mse_loss(model(x), x.sum(1, keepdim=True))
                    if step >= 20:
                        loss = loss * float("nan")
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    mlflow.log_metric("loss", loss.item(), step=step)
                    doc.step(loss)
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
