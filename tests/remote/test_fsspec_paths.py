"""Remote storage paths through fsspec, tested against fsspec's memory filesystem: the same runs and
findings as the same files read locally, the URL kept as the source, checkpoints never copied."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

fsspec = pytest.importorskip("fsspec")

from traindoc.cli import main  # noqa: E402
from traindoc.readers import load  # noqa: E402
from traindoc.remote import is_remote, load_remote  # noqa: E402
from traindoc.rules import diagnose_run  # noqa: E402


@pytest.fixture
def local_runs(tmp_path) -> Path:
    root = tmp_path / "runs"
    for name, nan_at in (("a", None), ("b", 60)):
        d = root / name
        d.mkdir(parents=True)
        rows = ["epoch,step,train_loss\n"]
        for s in range(80):
            loss = 2.0 / (1 + s / 10)
            rows.append(f"0,{s},{math.nan if nan_at is not None and s >= nan_at else loss}\n")
        (d / "metrics.csv").write_text("".join(rows))
        (d / "hparams.yaml").write_text("num_classes: 10\n")
        (d / "last.ckpt").write_bytes(b"\0" * 1000)
    return root


@pytest.fixture
def memory_copy(local_runs):
    fs = fsspec.filesystem("memory")
    base = "/bucket-test/runs"
    for f in local_runs.rglob("*"):
        if f.is_file():
            fs.pipe(f"{base}/{f.relative_to(local_runs).as_posix()}", f.read_bytes())
    opened = []
    real_get = fs.get_file

    def spy(rpath, lpath, **kw):
        opened.append(rpath)
        return real_get(rpath, lpath, **kw)

    fs.get_file = spy
    yield f"memory://{base}", opened
    fs.rm(base, recursive=True)
    del fs.get_file


def test_memory_filesystem_reads_like_local(local_runs, memory_copy):
    url, copied = memory_copy
    assert is_remote(url) and not is_remote(str(local_runs))
    remote = load_remote(url)
    local = load(local_runs)
    assert [r.source for r in remote.runs] == [r.source.replace(str(local_runs), url) for r in local.runs]
    for r, l in zip(remote.runs, local.runs):
        assert [f.id for f in diagnose_run(r)] == [f.id for f in diagnose_run(l)]
        assert r.meta.num_classes == 10  # hparams.yaml beside the log came along
    assert not any(p.endswith(".ckpt") for p in copied)


def test_cli_diagnose_memory_url(memory_copy):
    url, _ = memory_copy
    res = CliRunner().invoke(main, ["diagnose", url, "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.output)
    assert {r["source"] for r in doc["runs"]} == {f"{url}/a/metrics.csv", f"{url}/b/metrics.csv"}
    assert any(f["id"] == "nonfinite" for r in doc["runs"] for f in r["findings"])


def test_missing_remote_path_is_one_line():
    from .conftest import traindoc_env

    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "memory://nowhere/at/all"],
                         capture_output=True, text=True, env=traindoc_env(), timeout=60)
    assert res.returncode == 2
    assert res.stderr == "traindoc: error: memory://nowhere/at/all: no such remote file or folder\n"
