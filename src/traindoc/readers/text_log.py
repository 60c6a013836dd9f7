"""Plain-text training consoles and logs, read by learning each file's line templates.

No format list: every line is split into numbers and a skeleton (``text.template``); the words
before each number name it (``key: v``, ``key=v``, ``key v``, ``| key v |``, ``'key': v``, tqdm
postfixes ``[…, loss=0.3]``), and counters give the x (``step``/``iter``/``iteration``/
``num_updates``/``batch:`` keys, ``Epoch e/E``, ``[step=N/M]``, ``Epoch: [e][b/B]``, ``N/M``
progress counts, a bare integer opening the line). Multi-line records (a counter-only header
followed by ``name=value`` lines), printed tables (header row + rows, YOLO consoles, markdown)
and JSON lines (with or without a metadata record first) are read by the same parser
(``text.parser``, ``text.tables``). Captures in UTF-16, with a NUL-filled prefix (a truncated
``nohup.out``), ANSI colours or ``\\r`` redraws are cleaned first (``text.decode``).

Conventions kept from known writers: fairseq's ``| train |`` epoch summaries are ``epoch_*``
and its ``gnorm`` is the gradient norm; ``valid``/``test`` contexts prefix their keys; a value
keyed only by a split (build-nanogpt ``120 val 3.21``) is that split's loss; YOLO console and
``results.txt`` columns get their loss/metric names.

In a log that has step-keyed lines, a line keyed only by epoch (an epoch summary) is placed at
the last step seen. x going back to the first x means another run was appended (a new Run);
back to a later x is a resume. Sniffing needs several matching lines in the head.
"""

from __future__ import annotations

from pathlib import Path

from ..run import Role, RoleInfo, Run
from . import _table as T
from .base import HEAD_BYTES
from .text.decode import read_lines, sniff_text, clean_lines
from .text.parser import LineParser

NAME = "text_log"
DIRECTORY = False

_LOG_SUFFIXES = {".log", ".txt", ".out", ".err", ".md"}
_LONG_HEAD_BYTES = 64 * 1024
_SNIFF_LINES = 1000


def _own_role(name: str) -> RoleInfo | None:
    """fairseq spells the gradient norm ``gnorm``."""
    return RoleInfo(Role.GRAD_NORM) if name in ("gnorm", "epoch_gnorm") else None


def sniff(path: Path, head: bytes) -> bool:
    text = sniff_text(path, head, HEAD_BYTES)
    if text is None:
        return False
    stripped = text.lstrip()
    if stripped.startswith(("<", "[{", "[[", "[\n", "[\r", "{\n", "{\r", "{ \n")) or stripped.startswith("[") and \
            stripped[1:2].isspace():
        return False  # JSON documents and markup belong to other readers
    if _claims(text):
        return True
    if len(head) < HEAD_BYTES or path.suffix.lower() not in _LOG_SUFFIXES:
        return False
    # Scripts often print a long banner (config, model summary) before the first epoch line:
    # a file named like a log gets a longer look before it is passed over.
    longer = sniff_text(path, head, _LONG_HEAD_BYTES)
    return longer is not None and len(longer) > len(text) and _claims(longer)


def _claims(text: str) -> bool:
    """Several lines of one recognised shape: enough to say this text is a training log."""
    lines = clean_lines(text)[:_SNIFF_LINES]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the head's last line may be cut
    parser = LineParser()
    for line in lines:
        parser.feed(line)
    return len(parser.finish()) >= 2 and parser.matched >= 3


def read(path: Path) -> list[Run]:
    lines, notes = read_lines(path)
    parser = LineParser()
    for line in lines:
        parser.feed(line)
    records = parser.finish()
    if parser.counted_by_line:
        notes.append("some values have no step or epoch counter on their lines: their lines are counted in order as x")
    has_steps = any(axis == "step" for _, axis, _ in records)
    placed: list[tuple[float, str, dict[str, float]]] = []
    last_step = 0.0
    for x, axis, values in records:
        if has_steps and axis == "epoch":
            x, axis = last_step, "step"  # an epoch summary among step lines: at the last step seen
        elif axis == "step":
            last_step = x
        placed.append((x, axis, values))
    if parser.counted_by_line:  # line counts of different shapes interleave: they never mean a restart
        attempts = [T.Attempt()]
        attempts[0].records = [(x, (ax, values)) for x, ax, values in placed]
    else:
        attempts = T.stitch_resumes((x, (ax, values)) for x, ax, values in placed)
    if parser.split_keys:
        names = ", ".join(sorted(parser.split_keys))
        notes.append(f"values keyed only by a split name ({names}) read as that split's loss")
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        axis = att.records[-1][1][0] if att.records else "step"  # the axis of the last line read
        cols = T.pivot_records((x, values) for x, (_, values) in att.records)
        T.add_column_series(run, cols, axis=axis, role_of=_own_role)
        run.meta.notes.extend(notes)
        if parser.redraws:
            run.meta.notes.append(f"{parser.redraws} redraw(s) or restatement(s) of the same step kept as their last values")
        T.resume_notes(run, att, unit=axis)
        if run.series:
            runs.append(run)
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="record")
