"""An MLflow tracking server read over REST (``mlflow+http://host:port/#experiment``) and written back to
(``--publish mlflow``), against a real ``mlflow server`` on loopback; and the file store followed live."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from traindoc.readers import mlflow as store_reader
from traindoc.remote.mlflow_rest import read_url

from .conftest import Following, traindoc_env

mlflow = pytest.importorskip("mlflow")


def _traindoc(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True,
                          env=env or traindoc_env(), timeout=120)


@pytest.fixture(scope="module")
def logged(mlflow_server):
    url, root = mlflow_server
    client = mlflow.MlflowClient(tracking_uri=url)
    exp = client.create_experiment("follow-exp")
    runs = {}
    for name, diverge in (("healthy", False), ("diverged", True)):
        run = client.create_run(exp, run_name=name)
        rid = run.info.run_id
        client.log_param(rid, "num_classes", "10")
        for step in range(120):
            loss = 2.3 * math.exp(-step / 30) + 0.1
            if diverge and step >= 70:
                loss = 0.2 * 2 ** ((step - 70) / 2) if step < 100 else math.nan
            client.log_metric(rid, "train_loss", loss, step=step, timestamp=1_700_000_000_000 + step)
            if step % 20 == 19:
                client.log_metric(rid, "val_loss", loss * 1.1 if not math.isnan(loss) else loss, step=step)
        runs[name] = rid
    return url, root, runs


def test_rest_reader_matches_the_store_reader(logged):
    url, root, runs = logged
    rest = {r.name: r for r in read_url(f"mlflow+{url}/#follow-exp")}
    local = {r.name: r for r in store_reader.read(root / "mlflow.db")}
    assert set(rest) == set(local) == {"follow-exp/healthy", "follow-exp/diverged"}
    for name, run in rest.items():
        assert set(run.series) == set(local[name].series)
        for key, s in run.series.items():
            assert list(s.steps) == list(local[name].series[key].steps)
            assert [str(v) for v in s.values] == [str(v) for v in local[name].series[key].values]
        assert run.meta.num_classes == 10
        assert run.source.endswith(runs[name.split("/")[1]])


def test_diagnose_server_url(logged):
    url, _root, _runs = logged
    res = _traindoc("diagnose", f"mlflow+{url}/#follow-exp", "--json")
    assert res.returncode == 1, res.stderr
    found = {r["name"]: {f["id"] for f in r["findings"]} for r in json.loads(res.stdout)["runs"]}
    assert "nonfinite" in found["follow-exp/diverged"]
    assert not {"nonfinite", "divergence"} & found["follow-exp/healthy"]


def test_unknown_experiment_and_unreachable_server_are_one_line(logged):
    url, _root, _runs = logged
    res = _traindoc("diagnose", f"mlflow+{url}/#no-such-experiment")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "no experiment named" in res.stderr
    res = _traindoc("diagnose", "mlflow+http://127.0.0.1:9/#x")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "cannot reach" in res.stderr


def test_publish_tags_and_artifact_on_server_runs(logged, tmp_path):
    url, _root, runs = logged
    res = _traindoc("diagnose", f"mlflow+{url}/#follow-exp", "--publish", "mlflow")
    assert res.returncode == 1, res.stderr
    client = mlflow.MlflowClient(tracking_uri=url)
    tags = client.get_run(runs["diverged"]).data.tags
    assert tags["traindoc.verdict"] == "broken"
    assert "nonfinite" in tags["traindoc.findings"].split(",")
    assert tags["traindoc.finding.nonfinite"].startswith("error: ")
    path = client.download_artifacts(runs["diverged"], "traindoc/findings.json", str(tmp_path))
    doc = json.loads(open(path).read())
    assert doc["verdict"] == "broken" and any(f["id"] == "nonfinite" for f in doc["findings"])
    healthy = client.get_run(runs["healthy"]).data.tags
    assert healthy["traindoc.verdict"] in {"healthy", "worth a look"}
    assert "traindoc.finding.nonfinite" not in healthy


def test_follow_file_store_and_publish_tags(tmp_path, monkeypatch):
    """A run logging to a file store in another process, followed with --publish mlflow."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    store = tmp_path / "mlruns"
    job = f"""
import math, time, mlflow
mlflow.set_tracking_uri({store.as_uri()!r})
mlflow.set_experiment("live")
with mlflow.start_run(run_name="job"):
    for step in range(100):
        loss = 2.0 / (1 + step / 10) if step < 60 else (0.3 * 2 ** ((step - 60) / 2) if step < 80 else math.nan)
        mlflow.log_metric("train_loss", loss, step=step)
        time.sleep(0.01)
"""
    env = dict(traindoc_env(), MLFLOW_ALLOW_FILE_STORE="true")
    store.mkdir()
    follower = Following([str(store), "--interval", "0.3", "--publish", "mlflow"], env)
    subprocess.run([sys.executable, "-c", job], env=env, check=True, timeout=120)
    out, err, code = follower.stop()
    assert code == 1, err
    assert "ERROR   nonfinite" in out
    client = mlflow.MlflowClient(tracking_uri=store.as_uri())
    (run,) = client.search_runs([client.get_experiment_by_name("live").experiment_id])
    assert run.data.tags["traindoc.verdict"] == "broken"
    assert "traindoc.finding.nonfinite" in run.data.tags


def test_follow_server_while_a_job_logs(mlflow_server):
    url, _root = mlflow_server
    job = f"""
import math, time, mlflow
mlflow.set_tracking_uri({url!r})
mlflow.set_experiment("live-server")
with mlflow.start_run(run_name="job"):
    for step in range(60):
        loss = 2.0 / (1 + step / 10) if step < 30 else (0.3 * 2 ** ((step - 30) / 2) if step < 45 else math.nan)
        mlflow.log_metric("train_loss", loss, step=step)
        time.sleep(0.02)
"""
    subprocess.run([sys.executable, "-c", "import mlflow; mlflow.MlflowClient(%r).create_experiment('live-server')"
                    % url], check=True, timeout=60, env=traindoc_env())
    follower = Following([f"mlflow+{url}/#live-server", "--json", "--interval", "0.3"], traindoc_env())
    subprocess.run([sys.executable, "-c", job], env=traindoc_env(), check=True, timeout=120)
    out, err, code = follower.stop()
    assert code == 1, err
    events = [json.loads(line) for line in out.splitlines()]
    assert any(e["event"] == "new" and e["finding"]["id"] == "nonfinite" for e in events)
    summary = events[-1]
    (run,) = summary["runs"]
    assert run["name"] == "live-server/job"
    direct = json.loads(_traindoc("diagnose", f"mlflow+{url}/#live-server", "--json").stdout)
    assert [f["id"] for f in run["findings"]] == [f["id"] for f in direct["runs"][0]["findings"]]
