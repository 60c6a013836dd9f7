"""Findings in Weights & Biases: ``wandb.alert`` for each new warning or error, a findings table.

Where they go: the W&B run given (``traindoc.watch(..., publish=[WandbPublisher(run=wandb.run)])``,
or the active ``wandb.run`` inside training), else a run of its own per followed run
(``job_type="traindoc"``, project ``$WANDB_PROJECT`` or ``traindoc``); a followed W&B run is resumed
by its id, so the findings join that run when it is synced. Offline mode works as W&B does.
The table lives in the run's summary (``traindoc/findings``), so a user's step count is untouched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

from ..findings import Finding, Severity, run_verdict
from ..run import Run
from . import _text

NAME = "wandb"
WRITTEN_WAIT = 15.0  # seconds an offline run's file is waited for after finish() (see wait_written)
_RUN_FOLDER = re.compile(r"^(?:offline-)?run-\d{8}_\d{6}-(?P<id>[a-z0-9]+)$")


def wandb_run_id(run: Run) -> str | None:
    """The W&B id of a run read from a W&B run folder or ``.wandb`` file."""
    if run.format != "wandb":
        return None
    src = Path(run.source)
    for part in (src.name, src.parent.name):
        m = _RUN_FOLDER.match(part)
        if m:
            return m.group("id")
    return None


class WandbPublisher:
    NAME = NAME

    def __init__(self, run=None, project: str | None = None, use_active: bool = False,
                 say: Callable[[str], None] | None = None) -> None:
        self.given = run
        self.use_active = use_active
        self.project = project or os.environ.get("WANDB_PROJECT") or "traindoc"
        self.say = say or (lambda _t: None)
        self._own: dict[str, object] = {}
        self._tables: dict[int, dict[str, list[list]]] = {}  # per W&B run: traindoc run -> rows

    def _target(self, run: Run):
        import wandb

        if self.given is not None:
            return self.given, False
        if self.use_active and wandb.run is not None:
            return wandb.run, False
        own = self._own.get(run.source)
        if own is None:
            wid = wandb_run_id(run)
            kwargs = {"id": wid, "resume": "allow"} if wid else {}
            own = wandb.init(project=self.project, name=f"traindoc: {run.name}", job_type="traindoc",
                             config={"traindoc_source": run.source}, reinit="create_new", **kwargs)
            self._own[run.source] = own
        return own, True

    def publish(self, run: Run, findings: list[Finding], events: list) -> None:
        import wandb

        target, _owned = self._target(run)
        for ev in events:
            f = ev.finding
            if ev.kind != "new" or f.severity < Severity.WARNING:
                continue
            level = wandb.AlertLevel.ERROR if f.severity >= Severity.ERROR else wandb.AlertLevel.WARN
            target.alert(title=f"traindoc: {f.id} in {run.name}", text=_text.markdown(f, run.name), level=level)
        rows = self._tables.setdefault(id(target), {})
        rows[run.source] = [_text.row(f, run.name) for f in findings]
        # In the summary, not the history: a history row would add a step to the user's own run.
        target.summary["traindoc/findings"] = wandb.Table(columns=_text.COLUMNS,
                                                          data=[r for rs in rows.values() for r in rs])
        target.summary["traindoc/verdict"] = run_verdict(findings).value

    def close(self) -> None:
        for own in self._own.values():
            log = _offline_log(own)
            own.finish()
            if log is not None:
                wait_written(log)
        self._own.clear()


def _offline_log(run) -> Path | None:
    """The ``.wandb`` file an offline run writes, or None (online: W&B's servers hold the run)."""
    try:
        settings = run.settings
        if settings.mode != "offline" or not settings.sync_file:
            return None
        return Path(settings.sync_file)
    except Exception:  # noqa: BLE001 - another wandb version's settings: nothing to wait for
        return None


def wait_written(log: Path, timeout: float = WRITTEN_WAIT) -> bool:
    """Wait (bounded) until an offline run's ``.wandb`` file holds its exit record; True once it does.

    Why: W&B's service process writes the file after ``run.finish()`` has returned (wandb 0.31:
    right after ``finish()`` the file can still hold only its 7-byte header, the alerts and the
    summary land a second or two later). Published should mean written: a ``wandb sync`` or a
    reader started right after the publisher closes must find the alerts. For a user's own run,
    call it after your ``run.finish()`` with ``Path(run.settings.sync_file)`` taken before it.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        if _has_exit(log):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _has_exit(log: Path) -> bool:
    from wandb.proto import wandb_internal_pb2 as pb

    from ..readers import _leveldblog as lv

    try:
        data = log.read_bytes()
    except OSError:
        return False
    for raw in lv.iter_records(data, lv.LogStatus()):
        rec = pb.Record()
        try:
            rec.ParseFromString(raw)
        except Exception:  # noqa: BLE001 - a record this wandb cannot parse: not the exit record
            continue
        if rec.WhichOneof("record_type") == "exit":
            return True
    return False
