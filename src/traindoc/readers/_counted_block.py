"""A printed report whose one block of lines each gives a counter and a number, with text around it:
``Episodes 001-018:   7.24 ################`` ten times under a title, a learned policy printed after.

Why read it: such a report is the record of a run (an RL script printing its progress per block of
episodes), and refusing it leaves the user with nothing. What the number is, nothing on the line says,
so it must come from somewhere sure. An episode counter says it: what an RL loop reports per episode,
or per block of episodes, is the return the agent collected (losses are per update, not per episode),
so the series is ``episode_reward``, higher is better. A file name that names the quantity
(``rewards.txt``, ``val_loss.txt``) says it too. Any other counter beside an unnamed number in an
unnamed file (``Epoch 3: 0.52`` in ``progress.txt``) stays refused with its hint (``_unnamed``): it
could be a loss or an accuracy, and which way is better would be a guess.

Kept narrow: one unbroken stretch of at least ``MIN_LINES`` such lines, no other line giving a counter
and a number, the counter going up; a file small enough to be a report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import Role, RoleInfo, Run, Series
from . import _table as T
from ._unnamed import counted_value, counter_word

MIN_LINES = 5
_MAX_BYTES = 4 << 20
_REWARD = RoleInfo(Role.OTHER, higher_is_better=True, metric="reward")


def _block(lines: list[str]) -> tuple[list[tuple[int, float]], str] | None:
    """The (counter, value) pairs of the one unbroken stretch of counted lines and their counter word."""
    hits = [i for i, ln in enumerate(lines) if counted_value(ln) is not None]
    if len(hits) < MIN_LINES or hits[-1] - hits[0] + 1 != len(hits):
        return None
    words = {counter_word(lines[i]) for i in hits}
    pairs = [counted_value(lines[i]) for i in hits]
    xs = [n for n, _ in pairs]  # type: ignore[misc]
    if len(words) != 1 or any(b <= a for a, b in zip(xs, xs[1:])):
        return None
    return pairs, words.pop()  # type: ignore[return-value]


def counted_block_run(path: Path) -> Run | None:
    """The run of a report of counted lines (see the module doc), or None when the file is not one or
    nothing says what its number is."""
    from .value_list import _role_of  # the file-name naming value_list uses (rewards, losses, metrics)

    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        text = T.read_text(path)
    except (OSError, ValueError, InputError):  # binary or unreadable: the caller's refusal says why
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    found = _block(lines)
    if found is None:
        return None
    pairs, word = found
    if max(n for n, _ in pairs) >= 1e300:  # a counter no float holds is no episode count
        return None
    info = _role_of(path.stem)
    name = path.stem
    if info is None:
        if word != "episode":
            return None
        name, info = "episode_reward", _REWARD
    run = Run(name=T.run_name(path), source=str(path), format="value_list")
    xs = np.asarray([n for n, _ in pairs], dtype=float)
    run.add(Series.named(name, xs, np.asarray([v for _, v in pairs], dtype=float), role=info))
    said = "the file name" if name == path.stem else "the episode counter (an RL loop reports the return per episode)"
    run.meta.notes.append(f"{len(pairs)} lines each give {'an' if word[0] in 'aeiou' else 'a'} {word} count and one number, which {said} names "
                          f"{name}; the count (the last of a range) is the x axis")
    if len(lines) > len(pairs):
        run.meta.notes.append(f"{len(lines) - len(pairs)} other line(s) (a title, a summary) are text")
    return run
