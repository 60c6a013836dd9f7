"""Text (console) logs followed incrementally: each poll parses only the appended bytes, and the
result is what a one-shot read of the same complete lines gives.

The writer is real: a torch job reporting through Python ``logging`` in another process, polled
while it writes. Torn lines, ``\\r`` redraws and CRLF split across polls, a rotated or truncated
file, an endless line and a NUL-prefixed capture are replayed byte range by byte range.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from traindoc.errors import InputError
from traindoc.follow.loop import make_tail
from traindoc.follow.discover import Source
from traindoc.follow.tail_text import TextTail
from traindoc.readers import read_file, text_log
from traindoc.readers.text.decode import LINE_LIMIT
from traindoc.rules import diagnose_run

from .conftest import append, assert_same_runs

JOB = Path(__file__).parent / "jobs" / "text_logging.py"


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _prefix_runs(path: Path, upto: int, where: Path):
    """What the reader reads from the first ``upto`` bytes of ``path`` (same folder and file names)."""
    copy = where / path.parent.name / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "rb") as fh:
        copy.write_bytes(fh.read(upto))
    return read_file(copy)


def _same(got, want, context: str) -> None:
    assert_same_runs(got, want, context)
    assert [r.meta.notes for r in got] == [r.meta.notes for r in want], context


def _findings(runs) -> list[tuple]:
    return [(i, f.id, f.severity.label, tuple(f.series), f.title) for i, r in enumerate(runs) for f in diagnose_run(r)]


def test_followed_while_python_logging_writes_it(tmp_path):
    pytest.importorskip("torch")
    job = subprocess.Popen([sys.executable, str(JOB), str(tmp_path / "job")], env=_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    path = tmp_path / "job" / "text" / "train.log"
    tail = TextTail(path)
    read_bytes = []
    original = tail.cursor.read

    def counting(*a, **k):
        chunk = original(*a, **k)
        if chunk is not None:
            read_bytes.append(len(chunk.data))
        return chunk

    tail.cursor.read = counting
    checked = polls = 0
    deadline = time.monotonic() + 240
    while job.poll() is None and time.monotonic() < deadline:
        if tail.poll():
            polls += 1
            if polls % 5 == 1:  # the tail's runs between polls are the reader's on the lines so far
                try:
                    want = _prefix_runs(path, tail.cursor.offset, tmp_path / f"p{polls}")
                except InputError:  # too few lines yet for the reader to recognise the format
                    continue
                if all(not r.series for r in want) and not tail.runs():
                    continue  # an announced epoch and no value yet: nothing logged, read once or followed
                _same(tail.runs(), want, f"poll {polls}")
                checked += 1
        time.sleep(0.03)
    assert job.wait(timeout=60) == 0, job.stderr.read()[-2000:]
    tail.poll()
    want = read_file(path)
    _same(tail.runs(), want, "end")
    assert _findings(tail.runs()) == _findings(want)
    assert any(f[1] == "nonfinite" for f in _findings(want))
    assert polls >= 5 and checked >= 1, "the job wrote faster than the test polled: nothing was followed"
    # Incremental: bytes read over all polls are the file once, plus the re-read of torn last lines,
    # not the sum of the file's sizes at each poll.
    size = path.stat().st_size
    assert sum(read_bytes) <= size + polls * 200, (sum(read_bytes), size, polls)
    assert tail.cursor.offset == size


_SYNTHETIC = (
    b"\xef\xbb\xbfEpoch 1/3\r\n"
    + b"".join(b"\r%d/20 [====>....] - loss: %.4f - accuracy: 0.%d\x08\x08" % (b, 2.0 / b, b) for b in range(1, 21))
    + b"\r\n\x1b[32m20/20 - loss: 0.1000 - accuracy: 0.9000 - val_loss: 0.2000 - val_accuracy: 0.8800\x1b[0m\r\n"
    + b"Epoch 2/3\r\n"
    + b"".join(b"\r%d/20 [====>....] - loss: %.4f - accuracy: 0.%d" % (b, 1.0 / b, b) for b in range(1, 21))
    + b"\r\n20/20 - loss: 0.0500 - accuracy: 0.9500 - val_loss: nan - val_accuracy: 0.8\xff\xfe9\r\n"
    + b"Epoch 3/3\n" + b"step 7 loss=1e999 lr=0.1\n" + "métrique loss: 0.04 ✓\n".encode()
    + b"20/20 - loss: 0.0400 - accuracy: 0.9600 - val_loss: 0.1900 - val_accuracy: 0.9000\n"
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_any_split_of_the_bytes_reads_as_the_whole(tmp_path, seed):
    """Keras-style bars redrawn with \\r, CRLF, a BOM, colours, backspaces, invalid UTF-8 and
    multi-byte characters cut anywhere: after each poll the tail holds the reader's reading of the
    complete lines so far, never a half line."""
    path = tmp_path / "run" / "train.log"
    path.parent.mkdir()
    path.write_bytes(b"")
    tail = TextTail(path)
    rng = random.Random(seed)
    pos = 0
    while pos < len(_SYNTHETIC):
        step = rng.choice([1, 2, 3, 17, 64])
        append(path, _SYNTHETIC[pos:pos + step])
        pos += step
        tail.poll()
        done = tail.cursor.offset
        assert done == 0 or _SYNTHETIC[done - 1:done] in (b"\r", b"\n") or done == 3  # whole lines only
        if done > 3 and rng.random() < 0.3:
            try:
                want = _prefix_runs(path, done, tmp_path / f"c{pos}")
            except InputError:  # too few lines yet for the reader to recognise the format
                continue
            if all(not r.series for r in want) and not tail.runs():
                continue  # "Epoch 1/3" and no value yet: an empty run read once, no run followed; both say nothing logged
            _same(tail.runs(), want, f"{done} bytes")
    _same(tail.runs(), text_log.read(path), "end")
    assert tail.whole is None


def test_torn_last_line_waits_then_is_read(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("".join(f"step {i}: loss {3.0 / (1 + i):.4f}, lr 0.001\n" for i in range(30)) + "step 30: loss 0.09")
    tail = TextTail(path)
    assert tail.poll()
    assert tail.runs()[0].series["loss"].steps[-1] == 29
    assert tail.pending() == len("step 30: loss 0.09")
    append(path, b"68, lr 0.001\n")
    assert tail.poll()
    loss = tail.runs()[0].series["loss"]
    assert loss.steps[-1] == 30 and loss.values[-1] == pytest.approx(0.0968)
    assert not tail.poll()  # nothing new: a stat, no read


def test_rotated_or_truncated_log_restarts_cleanly(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("".join(f"step {i}: loss {1.0 / (i + 1):.4f}\n" for i in range(50)))
    tail = TextTail(path)
    tail.poll()
    assert len(tail.runs()[0].series["loss"]) == 50
    os.replace(path, tmp_path / "train.log.1")  # logging's RotatingFileHandler: rename, then a new file
    path.write_text("".join(f"step {i}: loss {5.0 + i:.4f}\n" for i in range(100, 120)))
    tail.poll()
    _same(tail.runs(), text_log.read(path), "rotated")
    path.write_text("step 0: loss 9.0\nstep 1: loss 8.0\nstep 2: loss 7.0\n")  # truncated in place
    tail.poll()
    _same(tail.runs(), text_log.read(path), "truncated")
    assert list(tail.runs()[0].series["loss"].values) == [9.0, 8.0, 7.0]


def test_endless_line_costs_bounded_memory(tmp_path):
    path = tmp_path / "train.log"
    path.write_text("".join(f"step {i}: loss {1.0 / (i + 1):.4f}\n" for i in range(20)))
    tail = TextTail(path)
    tail.poll()
    for _ in range(12):  # 3 MB without a line end, as a job printing a progress bar without \r would
        append(path, b"x" * (256 << 10))
        tail.poll()
        assert tail.pending() < 4 * LINE_LIMIT  # held back: at most one cut line's worth of bytes
    assert tail.cursor.offset == path.stat().st_size and tail.skipping
    append(path, b" end\n")
    tail.poll()
    append(path, b"step 20: loss 0.0476\n")
    tail.poll()
    _same(tail.runs(), text_log.read(path), "after the long line")
    assert tail.runs()[0].series["loss"].steps[-1] == 20


def test_nul_prefixed_capture_is_read_whole(tmp_path):
    """A truncated nohup.out starts with NULs: the reader decodes it whole, so the tail hands it over."""
    path = tmp_path / "nohup.out"
    path.write_bytes(b"\x00" * 4096 + "".join(f"step {i}: loss {1.0 / (i + 1):.4f}\n" for i in range(40)).encode())
    src = Source(str(path), text_log, path)
    tail = make_tail(src)
    assert isinstance(tail, TextTail)
    assert tail.poll()
    assert tail.whole is not None
    _same(tail.runs(), read_file(path), "nul prefix")


def test_loop_follows_text_logs_incrementally(tmp_path):
    from traindoc.follow.loop import FollowOptions, Follower

    log = tmp_path / "run" / "train.log"
    log.parent.mkdir()
    log.write_text("".join(f"step {i}: loss {2.0 / (i + 1):.4f}\n" for i in range(40)))
    import io

    out = io.StringIO()
    f = Follower([tmp_path], FollowOptions(interval=0.0), out=out)
    f.poll()
    (item,) = f.followed.values()
    assert isinstance(item.tail, TextTail)
    append(log, b"".join(b"step %d: loss nan\n" % i for i in range(40, 60)))
    f.poll(final=True)
    assert "nonfinite" in out.getvalue()
    shutil.rmtree(tmp_path / "run")
