"""The W&B reader on a real offline run, decoded without wandb's own classes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load, read_file
from traindoc.readers import wandb as wandb_reader
from traindoc.run import Role

STEPS = 300
LONG = "x" * 40_000  # a config value longer than a 32 KiB block: its record spans chunks


def _loss(i: int) -> float:
    return {30: math.nan, 31: math.inf, 32: -math.inf}.get(i, 5.0 / (i + 1))


@pytest.fixture(scope="module")
def wandb_run(tmp_path_factory) -> Path:
    import wandb

    root = tmp_path_factory.mktemp("wandb")
    run = wandb.init(mode="offline", dir=str(root), project="traindoc-test",
                     config={"learning_rate": 0.003, "num_classes": 4, "optimizer": {"name": "sgd", "momentum": 0.9},
                             "notes": LONG},
                     settings=wandb.Settings(console="off", x_disable_stats=True))
    for i in range(STEPS):
        row = {"train/loss": _loss(i), "lr": 0.1 / (1 + i), "grads": {"norm": float(i % 7)}}
        if i % 25 == 0:
            row["val/accuracy"] = i / STEPS
            row["note"] = "text is not a curve"
        run.log(row, step=i)
    run.finish()
    # finish() can return before wandb-core has written the last records (seen under load):
    # tearing the service down waits for it; then wait until the log stops growing.
    wandb.teardown()
    (folder,) = list((root / "wandb").glob("offline-run-*"))
    log = next(folder.glob("run-*.wandb"))
    size, deadline = -1, time.monotonic() + 20
    while log.stat().st_size != size and time.monotonic() < deadline:
        size = log.stat().st_size
        time.sleep(0.2)
    return folder


def test_every_point_comes_back(wandb_run: Path) -> None:
    assert wandb_reader.sniff(wandb_run, b"")
    (run,) = read_file(wandb_run)
    assert run.format == "wandb"
    loss = run.series["train/loss"]
    assert loss.role == Role.TRAIN_LOSS and list(loss.steps) == list(range(STEPS))
    expected = np.array([_loss(i) for i in range(STEPS)])
    assert np.isnan(loss.values[30]) and np.isposinf(loss.values[31]) and np.isneginf(loss.values[32])
    fin = np.isfinite(expected)
    np.testing.assert_array_equal(loss.values[fin], expected[fin])
    np.testing.assert_array_equal(run.series["lr"].values, [0.1 / (1 + i) for i in range(STEPS)])
    assert run.series["lr"].role == Role.LR
    acc = run.series["val/accuracy"]
    assert acc.role == Role.VAL_METRIC and list(acc.steps) == list(range(0, STEPS, 25))
    nested = next(s for name, s in run.series.items() if name.endswith("norm"))
    np.testing.assert_array_equal(nested.values, [float(i % 7) for i in range(STEPS)])
    assert "note" not in run.series and any("note" in n for n in run.meta.notes)
    assert loss.wall_time is not None and np.all(np.diff(loss.wall_time) >= 0)


def test_config_becomes_hparams(wandb_run: Path) -> None:
    (run,) = read_file(wandb_run)
    hp = run.meta.hparams
    assert hp["learning_rate"] == 0.003 and hp["optimizer.name"] == "sgd" and hp["optimizer.momentum"] == 0.9
    assert run.meta.num_classes == 4
    assert hp["notes"] == LONG  # reassembled from FIRST/MIDDLE/LAST chunks
    assert not any(k.startswith("_wandb") for k in hp)


def test_parent_wandb_folder_and_log_file(wandb_run: Path) -> None:
    result = load(wandb_run.parent)  # the wandb/ folder with its latest-run symlink
    assert len(result.runs) == 1 and not result.problems
    (log,) = list(wandb_run.glob("run-*.wandb"))
    (run,) = read_file(log)
    assert len(run.series["train/loss"]) == STEPS


def _log(wandb_run: Path) -> Path:
    return next(wandb_run.glob("run-*.wandb"))


def test_truncated_log_keeps_earlier_history(wandb_run: Path, tmp_path: Path) -> None:
    data = _log(wandb_run).read_bytes()
    cut = tmp_path / "run-cut.wandb"
    cut.write_bytes(data[: len(data) * 2 // 3])
    (run,) = read_file(cut)
    n = len(run.series["train/loss"])
    assert 0 < n < STEPS
    assert list(run.series["train/loss"].steps) == list(range(n))
    assert any("truncated" in note for note in run.meta.notes)


def test_flipped_byte_stops_at_last_good_record(wandb_run: Path, tmp_path: Path) -> None:
    data = bytearray(_log(wandb_run).read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "run-flip.wandb"
    bad.write_bytes(bytes(data))
    (run,) = read_file(bad)
    assert 0 < len(run.series["train/loss"]) < STEPS
    assert any("checksum mismatch" in note for note in run.meta.notes)


def test_not_a_wandb_log(tmp_path: Path) -> None:
    bad = tmp_path / "run-abc.wandb"
    bad.write_bytes(b":W&B\x00\x00\x00garbage")
    with pytest.raises(InputError, match="W&B"):
        read_file(bad)


def test_cli_show(wandb_run: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "traindoc", "show", "--json", str(wandb_run)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (run,) = json.loads(proc.stdout)["runs"]
    loss = next(s for s in run["series"] if s["name"] == "train/loss")
    assert run["format"] == "wandb" and loss["points"] == STEPS and loss["nonfinite"] == 3


def test_fuzzed_records_with_valid_checksums_never_crash(wandb_run: Path, tmp_path: Path) -> None:
    """Corrupt protobuf behind a correct chunk CRC: that record is lost at most, the rest read."""
    import random
    import struct
    import zlib

    data = _log(wandb_run).read_bytes()
    chunks, pos = [], 7
    while pos < len(data):
        left = 32768 - pos % 32768
        if left < 7:
            pos += left
            continue
        _crc, length, kind = struct.unpack_from("<IHB", data, pos)
        if kind == 1 and length:
            chunks.append((pos, length))
        pos += 7 + length
    rng = random.Random(99)
    target = tmp_path / "run-fuzz.wandb"
    for _ in range(40):
        buf = bytearray(data)
        pos, length = rng.choice(chunks)
        for _ in range(rng.randint(1, 3)):
            buf[pos + 7 + rng.randrange(length)] = rng.randrange(256)
        body = bytes(buf[pos + 7:pos + 7 + length])
        struct.pack_into("<I", buf, pos, zlib.crc32(body, zlib.crc32(bytes((1,)))))
        target.write_bytes(bytes(buf))
        (run,) = read_file(target)  # one bad record among good ones: never an InputError
        assert len(run.series["train/loss"]) >= STEPS - 1
