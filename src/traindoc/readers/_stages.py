"""Training stages told by a column of their own (``stage,epoch,...`` with ``1,1``…``1,5`` then ``2,1``…): the
epoch starting over where the stage changes is the next stage of the same training, not another run.

Why: a two-stage loop (the head trained on a frozen backbone, then the whole network fine-tuned) often counts
epochs per stage and writes the stage beside them. Read by the epoch alone, stage 2 looks like a second run
appended to the file, and each stage is judged on its own. Where the stage column changes value exactly
where the epoch goes back, the stages are joined into one run, the later stage's epochs continuing after the
earlier's last; where the epoch goes back with the stage unchanged (the same stage launched again), the run
is still split, as a relaunch is.
"""

from __future__ import annotations

import math
import re

from . import _table as T

_STAGE = re.compile(r"(?i)^\s*(?:training[_ ]?|train[_ ])?(?:stage|phase)(?:[_ ]?(?:id|no|num|idx|index))?\s*$")


def stage_key(records: list[dict[str, float]]) -> str | None:
    """The numeric column naming the training stage, if the table has one."""
    return next((k for r in records[:1] for k in r if _STAGE.match(k)), None)


def join_stages(attempts: list[T.Attempt], key: str | None, unit: str) -> list[T.Attempt]:
    """Attempts split where the x went back, joined where the stage ``key`` changed value at that point."""
    if key is None or len(attempts) < 2:
        return attempts
    out = [attempts[0]]
    for att in attempts[1:]:
        prev = out[-1]
        before, after = _stage(prev.records[-1][1], key), _stage(att.records[0][1], key)
        last_x, first_x = prev.records[-1][0], att.records[0][0]
        if before is None or after is None or before == after or not _finite(last_x) or not _finite(first_x):
            out.append(att)
            continue
        offset = last_x - first_x + 1
        prev.records.extend(((x + offset if _finite(x) else x), rec) for x, rec in att.records)
        prev.superseded += att.superseded
        prev.resume_steps.extend(s + offset for s in att.resume_steps)
        prev.notes.append(f"the {key} column goes from {before:g} to {after:g} where the {unit} starts over: the next "
                          f"stage of the same training, its {unit}s read as continuing from {last_x:g}")
    return out


def _stage(rec: dict[str, float], key: str) -> float | None:
    v = rec.get(key)
    return v if v is not None and _finite(v) else None


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
