"""An event file whose name lost its dots (an upload, a hand copy) is still read, by its content."""

from __future__ import annotations

import os
import shutil

import pytest

from traindoc.readers import read_file
from traindoc.errors import InputError


def _write_events(logdir) -> str:
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(logdir))
    for step in range(30):
        w.add_scalar("train/loss", 2.0 / (1 + step), step)
    w.close()
    (name,) = os.listdir(logdir)
    return name


def test_an_event_file_with_underscores_for_dots_is_read_whole(tmp_path):
    pytest.importorskip("torch")
    name = _write_events(tmp_path / "tb")
    renamed = tmp_path / name.replace(".", "_")
    shutil.copy(tmp_path / "tb" / name, renamed)
    (run,) = read_file(renamed)
    (original,) = read_file(tmp_path / "tb" / name)
    assert run.format == "tensorboard"
    assert list(run.series["train/loss"].values) == list(original.series["train/loss"].values)
    assert len(run.series["train/loss"]) == 30


def test_a_binary_file_with_a_valid_looking_length_header_is_not_claimed(tmp_path):
    pytest.importorskip("torch")
    name = _write_events(tmp_path / "tb")
    data = bytearray((tmp_path / "tb" / name).read_bytes())
    # Same framing, but the payload is not an Event: the checksum alone must not claim it.
    start = data.index(b"brain.Event:")
    data[start:start + 12] = b"not an event"
    odd = tmp_path / "blob_bin"
    odd.write_bytes(bytes(data))
    with pytest.raises(InputError):
        read_file(odd)
