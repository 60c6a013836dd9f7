"""Damaged, odd and empty TensorBoard event files: read what is good, say what is not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import read_file
from traindoc.readers._tfrecord import masked_crc

N = 40


@pytest.fixture(scope="module")
def event_file(tmp_path_factory) -> Path:
    from torch.utils.tensorboard import SummaryWriter

    d = tmp_path_factory.mktemp("good") / "run"
    w = SummaryWriter(str(d))
    for i in range(N):
        w.add_scalar("train/loss", 1.0 + i, i)
    w.close()
    return next(d.glob("events.out.tfevents.*"))


def _record_offsets(data: bytes) -> list[int]:
    """Start offsets of each TFRecord, walked independently of the reader."""
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        pos += 16 + int.from_bytes(data[pos:pos + 8], "little")
    assert pos == len(data)
    return offsets


def _copy(src: Path, dst_dir: Path, data: bytes) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    dst.write_bytes(data)
    return dst


def test_masked_crc_matches_tensorboard() -> None:
    from tensorboard.summary.writer.record_writer import masked_crc32c

    for payload in (b"", b"a", b"hello world" * 50):
        assert masked_crc(payload) == masked_crc32c(payload)


def test_truncated_mid_record_keeps_good_records(event_file: Path, tmp_path: Path) -> None:
    data = event_file.read_bytes()
    offsets = _record_offsets(data)
    cut = offsets[-1] + 20  # inside the last record (header plus a few data bytes)
    run = read_file(_copy(event_file, tmp_path, data[:cut]))[0]
    loss = run.series["train/loss"]
    assert list(loss.values) == [1.0 + i for i in range(N - 1)]
    assert any("truncated" in n and "inside a record" in n for n in run.meta.notes), run.meta.notes


def test_flipped_byte_costs_only_that_record(event_file: Path, tmp_path: Path) -> None:
    data = bytearray(event_file.read_bytes())
    offsets = _record_offsets(bytes(data))
    k = 25  # record 0 is the file-version event, so scalar i lives in record i + 1
    data[offsets[k] + 12 + 5] ^= 0x40  # a byte inside record k's data
    run = read_file(_copy(event_file, tmp_path, bytes(data)))[0]
    # The walk resyncs at the next record whose length and data checksums hold: only scalar k-1 is lost.
    assert list(run.series["train/loss"].values) == [1.0 + i for i in range(N) if i != k - 1]
    size = offsets[k + 1] - offsets[k]
    assert any("data checksum mismatch" in n and f"{size} byte(s)" in n and f"byte {offsets[k]}" in n
               for n in run.meta.notes), run.meta.notes


def test_corrupt_length_header_is_skipped_to_the_next_record(event_file: Path, tmp_path: Path) -> None:
    data = bytearray(event_file.read_bytes())
    offsets = _record_offsets(bytes(data))
    data[offsets[10] + 1] ^= 0x01  # length field no longer matches its checksum
    run = read_file(_copy(event_file, tmp_path, bytes(data)))[0]
    assert list(run.series["train/loss"].values) == [1.0 + i for i in range(N) if i != 9]
    assert any("length checksum mismatch" in n and "skipped 1 damaged region" in n for n in run.meta.notes)


def test_garbage_inserted_mid_file_is_skipped(event_file: Path, tmp_path: Path) -> None:
    data = event_file.read_bytes()
    offsets = _record_offsets(data)
    junk = bytes(range(256)) * 8 + b"\x00" * 64
    run = read_file(_copy(event_file, tmp_path, data[:offsets[20]] + junk + data[offsets[20]:]))[0]
    assert list(run.series["train/loss"].values) == [1.0 + i for i in range(N)]
    assert any(f"{len(junk)} byte(s)" in n for n in run.meta.notes), run.meta.notes


def test_no_good_record_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "events.out.tfevents.123.host"
    bad.write_bytes(b"\x00" * 7 + b"definitely not a tfrecord" * 3)
    with pytest.raises(InputError, match="not a readable TensorBoard event file"):
        read_file(bad)


def test_only_images_and_histograms_gives_clear_message(tmp_path: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(tmp_path / "noscalars"))
    for i in range(3):
        w.add_histogram("w", np.arange(5.0), i)
        w.add_image("img", np.zeros((3, 2, 2), dtype=np.uint8), i)
    w.close()
    with pytest.raises(InputError) as err:
        read_file(tmp_path / "noscalars")
    assert "no scalar summaries" in err.value.problem
    assert "3 histogram" in err.value.problem and "3 image" in err.value.problem


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "traindoc", "show", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_show_reads_event_dir_and_reports_truncation(event_file: Path, tmp_path: Path) -> None:
    data = event_file.read_bytes()
    damaged = _copy(event_file, tmp_path / "myrun", data[:-7])
    proc = _cli("--json", str(damaged.parent))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (run,) = doc["runs"]
    assert run["format"] == "tensorboard" and run["name"] == "myrun"
    (series,) = run["series"]
    assert series["name"] == "train/loss" and series["role"] == "train_loss" and series["points"] == N - 1
    assert any("truncated" in n for n in run["notes"])


def test_cli_garbage_event_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "events.out.tfevents.1.host"
    bad.write_bytes(b"garbage!" * 10)
    proc = _cli(str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "TensorBoard" in lines[0]


def test_one_bad_file_in_a_keras_layout_does_not_hide_the_other(event_file: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _copy(event_file, logs / "validation", event_file.read_bytes())
    (logs / "train").mkdir()
    (logs / "train" / "events.out.tfevents.1.host.v2").write_bytes(b"")  # a writer that never flushed
    run = read_file(logs)[0]
    assert len(run.series["validation/train/loss"]) == N
    assert any(n.startswith("skipped train/events.out.tfevents.1.host.v2") for n in run.meta.notes)


@pytest.mark.parametrize("chunk", [64, 97, 1000])
def test_records_straddling_chunk_boundaries(event_file: Path, tmp_path: Path, monkeypatch, chunk: int) -> None:
    """Tiny read chunks put record boundaries (and whole records larger than a chunk) everywhere."""
    from torch.utils.tensorboard import SummaryWriter

    from traindoc.readers import _tfrecord

    d = tmp_path / "img"
    w = SummaryWriter(str(d))
    for i in range(20):
        w.add_scalar("loss", float(i), i)
        if i % 5 == 0:
            w.add_image("big", np.random.default_rng(i).integers(0, 255, (3, 16, 16), dtype=np.uint8), i)
    w.close()
    expected = read_file(d)[0].series["loss"].values.copy()
    monkeypatch.setattr(_tfrecord, "CHUNK", chunk)
    run = read_file(d)[0]
    assert list(run.series["loss"].values) == list(expected) == [float(i) for i in range(20)]
    assert not run.meta.notes
    damaged = read_file(_copy(event_file, tmp_path / "cut", event_file.read_bytes()[:-3]))[0]
    assert len(damaged.series["train/loss"]) == N - 1 and damaged.meta.notes


def test_fuzzed_records_with_valid_checksums_never_crash(event_file: Path, tmp_path: Path) -> None:
    """Corrupt proto bytes behind correct checksums: the bad event is skipped, the rest read."""
    import random

    rng = random.Random(1234)
    data = event_file.read_bytes()
    offsets = _record_offsets(data)
    target = tmp_path / "fuzz" / event_file.name
    target.parent.mkdir()
    counts = set()
    for _ in range(80):
        buf = bytearray(data)
        k = rng.choice(offsets[1:])
        length = int.from_bytes(buf[k:k + 8], "little")
        for _ in range(rng.randint(1, 3)):
            buf[k + 12 + rng.randrange(length)] = rng.randrange(256)
        buf[k + 12 + length:k + 16 + length] = masked_crc(bytes(buf[k + 12:k + 12 + length])).to_bytes(4, "little")
        target.write_bytes(bytes(buf))
        (run,) = read_file(target)  # one bad event among good ones: never an InputError
        loss = run.series.get("train/loss")
        counts.add(len(loss) if loss is not None else 0)
    # only the damaged event can go missing (or be read under a mangled tag)
    assert counts <= {N - 1, N} and N - 1 in counts
