"""A pickled training history is refused in one line that says what it is, that traindoc never unpickles,
and how to export it; nothing in it is ever run. Text that only opens like a pickle is read as before."""

from __future__ import annotations

import pytest

from traindoc.errors import InputError
from traindoc.readers import load

from ._cases import read, written
from ._pickle_families import near_miss, pickled

SEEDS = range(60)


def test_every_generated_pickle_is_refused_with_what_it_is(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = pickled(seed)
        runs, msg = read(written(tmp_path, seed, case.name, case.data))
        if msg is None:
            wrong[seed] = ("read", [sorted(r.series) for r in runs])
            continue
        want = [f"is a Python pickle (protocol {_shown_protocol(case)}", "never unpickles", "json.dump"]
        if case.numbers:
            want.append(f"it holds {case.numbers:,} numbers")
        missing = [w for w in want if w not in msg]
        if missing or "\n" in msg:
            wrong[seed] = (case.protocol, missing, msg)
    assert not wrong, wrong


def _shown_protocol(case) -> int:
    """The protocol the opcodes need: a protocol-1 pickle of only protocol-0 opcodes reads as 0."""
    import io
    import pickletools

    return max(op.proto for op, _, _ in pickletools.genops(io.BytesIO(case.data)))


def test_a_pickle_that_would_run_a_command_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    # protocol 0: os.system("touch <marker>"), what a hostile history file would hold
    evil = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    for name in ("training_history.txt", "history.pkl", "losses"):
        path = tmp_path / name
        path.write_bytes(evil)
        with pytest.raises(InputError, match="is a Python pickle .*never unpickles"):
            load(path)
    assert not marker.exists()


def test_a_folder_scan_lists_a_pickle_as_skipped_not_read(tmp_path):
    (tmp_path / "history.pkl").write_bytes(pickled(3).data)
    (tmp_path / "loss.txt").write_text("".join(f"{1 / (i + 1):.4f}\n" for i in range(10)))
    result = load(tmp_path)
    assert [r.format for r in result.runs] == ["value_list"]
    assert (str(tmp_path / "history.pkl"), "a Python pickle (never unpickled)") in result.skipped


def test_text_that_opens_like_a_pickle_is_still_read(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = near_miss(seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        if refused:
            wrong[seed] = refused
            continue
        found = {name for run in runs for name in run.series}
        if not case.series <= found:
            wrong[seed] = sorted(found)
    assert not wrong, wrong


def test_a_pickle_is_decoded_once_per_read(tmp_path, monkeypatch):
    """Its opcodes are decoded whole once, whether the file is named or met in a folder scan."""
    from traindoc.readers import _pickled

    calls = []
    real = _pickled._whole
    monkeypatch.setattr(_pickled, "_whole", lambda data: calls.append(1) or real(data))
    case = pickled(3)
    path = written(tmp_path, 3, case.name, case.data)
    with pytest.raises(InputError, match="is a Python pickle"):
        load(path)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(InputError):
        load(path.parent)  # the folder holds no log: the pickle is listed as skipped, decoded once
    assert len(calls) == 1
