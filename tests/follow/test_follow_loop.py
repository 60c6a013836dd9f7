"""The follow loop in-process: findings appear at the first poll whose data proves them, once each;
new runs in a folder are picked up; the final summary is what ``diagnose`` says on the same files."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest

from traindoc.findings import Severity
from traindoc.follow import Follower, FollowOptions
from traindoc.follow import loop as follow_loop
from traindoc.readers import load
from traindoc.rules import diagnose_run

from .conftest import append


@pytest.fixture(autouse=True)
def _no_budget_wait(monkeypatch):
    # Polls here come back to back; the CPU budget between diagnoses is measured in bench/, not here.
    monkeypatch.setattr(follow_loop, "DUTY", 1.0)


def _events(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def _diverging_events(root: Path) -> bytes:
    tb = pytest.importorskip("torch.utils.tensorboard")
    w = tb.SummaryWriter(str(root))
    for i in range(120):
        loss = 2.3 * math.exp(-i / 30) + 0.2 if i < 80 else 0.3 * math.exp((i - 80) / 3)
        w.add_scalar("train/loss", loss if i < 100 else math.nan, i)
    w.close()
    (f,) = root.glob("events.out.tfevents.*")
    return f.read_bytes()


def _records(data: bytes) -> list[int]:
    """Byte offsets just past each TFRecord."""
    import struct

    ends, pos = [], 0
    while pos < len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        pos += 12 + length + 4
        ends.append(pos)
    return ends


def test_findings_appear_at_the_poll_that_proves_them(tmp_path):
    data = _diverging_events(tmp_path / "writer")
    run_dir = tmp_path / "runs" / "job"
    run_dir.mkdir(parents=True)
    followed = run_dir / "events.out.tfevents.1.host"
    followed.write_bytes(b"")
    out = io.StringIO()
    follower = Follower([tmp_path / "runs"], FollowOptions(as_json=True), out=out)
    ends = _records(data)
    expected_so_far: set[str] = set()
    done = 0
    for k in range(3, len(ends), 4):
        cut = ends[k] - 7 if k % 8 == 3 else ends[k]  # every other poll ends inside a record
        append(followed, data[done:cut])
        done = cut
        before = len(_events(out))
        follower.poll()
        new_ids = {e["finding"]["id"] for e in _events(out)[before:] if e["event"] == "new"}
        complete = data[: max(e for e in ends if e <= cut)]
        (tmp_path / "prefix").mkdir(exist_ok=True)
        (tmp_path / "prefix" / followed.name).write_bytes(complete)
        try:
            runs = load(tmp_path / "prefix").runs
        except Exception:  # noqa: BLE001 - nothing scalar yet
            runs = []
        now = {f.id for r in runs for f in diagnose_run(r) if f.severity >= Severity.WARNING}
        assert new_ids == now - expected_so_far, f"poll after byte {cut}"
        expected_so_far |= now
    assert {"nonfinite", "divergence"} <= expected_so_far
    shown = [e["finding"]["id"] for e in _events(out) if e["event"] == "new"]
    assert len(shown) == len(set(shown)), "a finding was announced twice"


def test_new_runs_in_a_folder_are_followed_and_summary_matches_diagnose(tmp_path):
    out = io.StringIO()
    root = tmp_path / "lightning_logs"
    root.mkdir()
    follower = Follower([root], FollowOptions(as_json=True, idle=0.0), out=out)
    follower.poll()
    assert _events(out) == []
    header = "epoch,step,train_loss,val_loss\n"
    for v in range(2):
        d = root / f"version_{v}"
        d.mkdir()
        rows = [f"{s // 10},{s},{2.0 / (1 + s):.6f},\n" for s in range(50)]
        rows += [f"{e},{e * 10 + 9},,{0.5 + (0.1 * e if v else -0.01 * e):.6f}\n" for e in range(5)]
        (d / "metrics.csv").write_text(header + "".join(rows))
        follower.poll()
    following = [e["source"] for e in _events(out) if e["event"] == "following"]
    assert [Path(s).parent.name for s in following] == ["version_0", "version_1"]
    code = follower.finish()
    summary = _events(out)[-1]
    assert summary["event"] == "summary"
    loaded = load(root)
    want = {(r.source, f.id) for r in loaded.runs for f in diagnose_run(r)}
    got = {(r["source"], f["id"]) for r in summary["runs"] for f in r["findings"]}
    assert got == want
    assert code == (1 if any(f["severity"] != "info" for r in summary["runs"] for f in r["findings"]) else 0)


def test_update_line_only_on_material_change(tmp_path):
    """Overfitting that keeps getting worse is shown once, then updated as the gap grows, not every poll."""
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,step,train_loss,val_loss\n")
    out = io.StringIO()
    follower = Follower([path], FollowOptions(as_json=True), out=out)
    step = 0
    for epoch in range(40):
        rows = []
        for _ in range(10):
            rows.append(f"{epoch},{step},{2.0 / (1 + step / 20):.6f},\n")
            step += 1
        val = 1.0 - 0.05 * epoch if epoch < 10 else 0.5 + 0.04 * (epoch - 10) ** 1.3
        rows.append(f"{epoch},{step - 1},,{val:.6f}\n")
        append(path, "".join(rows).encode())
        follower.poll()
    events = _events(out)
    over = [e for e in events if e.get("finding", {}).get("id") == "overfitting"]
    assert over and over[0]["event"] == "new"
    assert sum(e["event"] == "new" for e in over) == 1
    updates = [e for e in over if e["event"] == "update"]
    assert updates and len(updates) < 10, [e["why"] for e in updates]
    assert all(e["why"] for e in updates)


def _diverging_csv_text(steps: int = 80) -> str:
    rows = ["epoch,step,train_loss\n"]
    for s in range(steps):
        loss = 2.0 / (1 + s / 10) if s < 50 else 0.2 * 3 ** ((s - 50) / 2)
        rows.append(f"{s // 10},{s},{loss if s < 70 else math.nan}\n")
    return "".join(rows)


class _CutOnce:
    """A publisher whose first write is cut by Ctrl-C (as a slow tracking server's would be)."""

    NAME = "cut-once"

    def __init__(self) -> None:
        self.calls = 0
        self.received: list[tuple[str, str]] = []
        self.last_ids: set[str] = set()

    def publish(self, run, findings, events) -> None:
        self.calls += 1
        if self.calls == 1:
            raise KeyboardInterrupt
        self.received += [(e.kind, e.finding.id) for e in events]
        self.last_ids = {f.id for f in findings}

    def close(self) -> None:
        pass


def test_ctrl_c_during_a_write_back_delivers_it_at_the_end(tmp_path):
    (tmp_path / "metrics.csv").write_text(_diverging_csv_text())
    pub = _CutOnce()
    follower = Follower([tmp_path], FollowOptions(as_json=True), out=io.StringIO(), publishers=[pub])
    with pytest.raises(KeyboardInterrupt):
        follower.poll()  # run() catches this one and calls finish()
    assert follower.finish() == 1
    assert ("new", "nonfinite") in pub.received
    assert len(pub.received) == len(set(pub.received))  # each event once
    assert "nonfinite" in pub.last_ids


def test_summary_says_when_a_line_was_still_being_written(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text(_diverging_csv_text(40))
    append(log, b"4,40,0.12")  # no line end: the writer is in the middle of this row
    out = io.StringIO()
    follower = Follower([tmp_path], FollowOptions(as_json=True), out=out)
    follower.finish()
    (run,) = _events(out)[-1]["runs"]
    assert any("still being written" in n for n in run["notes"])
    ((read, _),) = follower.results()
    assert read.series["train_loss"].steps[-1] == 39  # the half-written row was not read as 0.12


def test_a_link_out_of_the_followed_folder_is_not_followed(tmp_path):
    outside = tmp_path / "elsewhere" / "metrics.csv"
    outside.parent.mkdir()
    outside.write_text(_diverging_csv_text())
    root = tmp_path / "runs"
    (root / "mine").mkdir(parents=True)
    (root / "mine" / "metrics.csv").write_text(_diverging_csv_text(30))
    (root / "linked.csv").symlink_to(outside)
    (root / "linked_dir").symlink_to(outside.parent)
    follower = Follower([root], FollowOptions(as_json=True), out=io.StringIO())
    follower.finish()
    assert [run.source for run, _ in follower.results()] == [str(root / "mine" / "metrics.csv")]
    assert [r.source for r in load(root).runs] == [str(root / "mine" / "metrics.csv")]  # as diagnose reads it
