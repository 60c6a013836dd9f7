"""Series that count on an x-axis of their own inside one log.

Why: Lightning's ``CSVLogger`` writes a metric logged per step in ``validation_step`` against the
validation loop's own batch counter (0, 1, 2… across validation runs), in the same ``step``
column as the training steps. Read as one stream the step keeps going back, which looks like
appended runs and resumes, and real training curves get cut apart. A group of rows that always
logs the same columns, whose own x never goes back, and whose removal leaves the rest of the
stream going forward, is such a series: it is read on its own axis instead.
"""

from __future__ import annotations

from typing import Hashable, Sequence


def _backs(xs: Sequence[float]) -> int:
    return sum(1 for a, b in zip(xs, xs[1:]) if b < a)


def own_counter_groups(rows: Sequence[tuple[float | None, Hashable]],
                       prefer: frozenset = frozenset()) -> set[Hashable]:
    """The row signatures (e.g. the frozenset of columns a row fills) logged on a counter of their own.

    ``rows`` are ``(x, signature)`` in file order. Only groups of at least two rows whose x never
    goes back, and whose removal removes every backward step of the stream, are returned: a genuine
    restart or resume (all groups going back together) returns nothing. Between groups that remove
    as many backward steps, one in ``prefer`` (what the format marks as an evaluation row) wins,
    then the smaller.
    """
    xs = [(x, sig) for x, sig in rows if x is not None]
    if _backs([x for x, _ in xs]) == 0:
        return set()
    by_sig: dict[Hashable, list[float]] = {}
    for x, sig in xs:
        by_sig.setdefault(sig, []).append(x)
    own: set[Hashable] = set()
    while True:  # greedily take the group whose removal removes the most backward steps
        now = _backs([x for x, s in xs if s not in own])
        if now == 0:
            return own
        best, gain = None, 0
        for sig, vals in by_sig.items():
            if sig in own or len(vals) < 2 or _backs(vals):
                continue
            g = now - _backs([x for x, s in xs if s != sig and s not in own])
            if g > gain or (g == gain and best is not None and g > 0
                            and (sig in prefer, -len(vals)) > (best in prefer, -len(by_sig[best]))):
                best, gain = sig, g
        if best is None or len(own) + 1 >= len(by_sig):
            return set()
        own.add(best)
