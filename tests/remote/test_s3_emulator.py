"""``s3://`` paths against a real S3 API: moto's server on loopback, written with boto3 and read by
traindoc through s3fs, as a bucket would be. Skipped where moto or s3fs is not installed (the
memory-filesystem tests in test_fsspec_paths.py cover the same code path without them)."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

moto = pytest.importorskip("moto")
pytest.importorskip("moto.server")
pytest.importorskip("s3fs")
boto3 = pytest.importorskip("boto3")

from traindoc.readers import load  # noqa: E402
from traindoc.remote import load_remote  # noqa: E402
from traindoc.rules import diagnose_run  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto_home = str(Path(moto.__file__).resolve().parents[1])  # where moto and its server's deps live
    env = dict(os.environ, PYTHONPATH=moto_home, **CREDENTIALS)
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start (exit {proc.poll()})")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_s3_bucket_reads_like_the_local_folder(s3_endpoint, tmp_path, monkeypatch):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)  # botocore (and so s3fs) sends every call here
    local = tmp_path / "runs"
    for name, nan_at in (("healthy", None), ("broken", 60)):
        d = local / name
        d.mkdir(parents=True)
        rows = ["epoch,step,train_loss\n"] + [
            f"0,{s},{math.nan if nan_at is not None and s >= nan_at else 2.0 / (1 + s / 10)}\n" for s in range(80)]
        (d / "metrics.csv").write_text("".join(rows))
        (d / "hparams.yaml").write_text("num_classes: 10\n")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket="training")
    for f in sorted(local.rglob("*")):
        if f.is_file():
            s3.put_object(Bucket="training", Key=f"exp1/{f.relative_to(local).as_posix()}", Body=f.read_bytes())
    remote = load_remote("s3://training/exp1")
    assert not remote.problems
    got = {r.source: (r.meta.num_classes, [f.id for f in diagnose_run(r)]) for r in remote.runs}
    want = {f"s3://training/exp1/{Path(r.source).relative_to(local).as_posix()}":
            (r.meta.num_classes, [f.id for f in diagnose_run(r)]) for r in load(local).runs}
    assert got == want and len(got) == 2
    assert "nonfinite" in got["s3://training/exp1/broken/metrics.csv"][1]
