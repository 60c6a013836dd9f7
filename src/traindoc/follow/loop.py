"""The follow loop: poll the logs, diagnose what changed, say what is new, publish, act.

Cost: each poll is one ``stat`` per known file and folder plus the bytes that were appended; a run
is diagnosed again only when it got new data, and never more often than its last diagnosis cost
allows (``DUTY`` of one core), so a run of a million steps is judged every few seconds while a
small one is judged on every poll.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Callable

from ..errors import InputError
from ..findings import Finding, Severity
from ..run import Run
from .changes import Event, Tracker
from .discover import Discovery, Source
from .tail_events import TensorBoardTail
from .tail_lines import JsonTableTail, KerasTail, LightningTail, WatchRecordTail
from .tail_mlflow import MlflowStoreTail
from .tail_text import TextTail
from .tail_whole import DUTY, WholeTail

Results = list[tuple[Run, list[Finding]]]
MANY_NEW = 10  # more new logs than this in one poll are announced in one line


@dataclass
class FollowOptions:
    interval: float = 2.0
    idle: float | None = None  # stop after this many seconds without new data
    fail_on: str = "warning"
    exec_cmd: str | None = None
    publish: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    as_json: bool = False
    num_classes: int | None = None  # --num-classes / --task, as diagnose applies them
    task: str | None = None
    brief: bool = False  # the final summary as diagnose --brief prints it
    baseline: str | None = None  # the final summary compared with this run, as diagnose --baseline


def make_tail(source: Source):
    """The incremental tailer for a format, or a re-read-on-change one."""
    name = source.reader.NAME
    if isinstance(source.path, str):  # a tracking server URL
        from ..remote.mlflow_rest import RestTail

        return RestTail(source.path)
    if name == "tensorboard":
        return TensorBoardTail(source.path)
    if name == "mlflow" and source.path.is_dir():
        return MlflowStoreTail(source.path)
    if name == "lightning_csv":
        return LightningTail(source.path)
    if name == "keras_csv":
        return KerasTail(source.path)
    if name == "traindoc-watch":
        return WatchRecordTail(source.path)
    if name == "text_log" and source.path.is_file():
        return TextTail(source.path)
    if name == "generic_table" and _json_lines(source.path):
        return JsonTableTail(source.path)
    return WholeTail(source.reader, source.path)


def _json_lines(path: Path) -> bool:
    """A generic table that is JSON lines (the reader's own test: ``{`` first, or the suffix)."""
    from ..readers._table import head_text
    from ..readers.base import read_head

    try:
        first = (head_text(read_head(path)) or "").lstrip()[:1]
    except OSError:
        return False
    return first == "{" or path.suffix.lower() in (".jsonl", ".ndjson")


@dataclass
class _Followed:
    source: Source
    tail: object
    trackers: dict[int, Tracker] = field(default_factory=dict)
    results: Results = field(default_factory=list)
    dirty: bool = False
    next_diag: float = 0.0


class Follower:
    """Follows the logs under ``paths`` until told to stop; see ``run``."""

    def __init__(self, paths, options: FollowOptions | None = None, out: IO | None = None,
                 publishers: list | None = None) -> None:
        from ..remote import is_remote

        from ..remote.mlflow_rest import is_mlflow_url

        self.urls = [str(p) for p in paths if is_remote(str(p))]
        self.roots = [Path(p) for p in paths if not is_remote(str(p))]
        for url in self.urls:
            if not is_mlflow_url(url):
                raise InputError(url, "--follow reads local paths and MLflow servers (mlflow+http://); mount or "
                                      "sync the remote folder to follow it")
        self.opts = options or FollowOptions()
        self.out = out or sys.stdout
        self.discovery = Discovery()
        self.followed: dict[str, _Followed] = {}
        self.publishers = list(publishers or [])
        # (publisher, log key, run index) -> what it has not yet received: a Ctrl-C in the middle of
        # a write-back (a slow tracking server) must not lose it; finish() delivers it.
        self._unsent: dict[tuple[int, str, int], tuple[Run, list[Finding], list[Event]]] = {}
        self.shown = 0
        self.exec_proc: subprocess.Popen | None = None
        self.exec_done = False
        self.threshold = None if self.opts.fail_on == "never" else Severity.parse(self.opts.fail_on)
        self.started = time.monotonic()
        self.last_data = self.started

    # ------------------------------------------------------------------ one poll

    def _url_sources(self) -> list[Source]:
        from ..readers import mlflow as mlflow_reader
        from ..remote.mlflow_rest import is_mlflow_url

        return [Source(str(u), mlflow_reader, str(u)) for u in self.urls if is_mlflow_url(str(u))]

    def poll(self, final: bool = False) -> bool:
        """Find new logs, read what was appended, diagnose what changed. True when data arrived."""
        got = False
        new: list[Source] = []
        for src in self._url_sources() + self.discovery.sources(self.roots):
            known = self.followed.get(src.key)
            if known is None or known.source.path != src.path or known.source.reader is not src.reader:
                self.followed[src.key] = _Followed(src, make_tail(src),
                                                   trackers=known.trackers if known else {})
                if known is None:
                    new.append(src)
        self._say_runs(new)
        for item in self.followed.values():
            if final and hasattr(item.tail, "force"):
                item.tail.force()  # the summary must see the latest state, whatever the CPU budget
            try:
                changed = item.tail.poll()
            except InputError:
                changed = False
            if changed:
                item.dirty = True
                got = True
        now = time.monotonic()
        for item in self.followed.values():
            if item.dirty and (final or now >= item.next_diag):
                self._diagnose(item)
        if got:
            self.last_data = time.monotonic()
        return got

    def _diagnose(self, item: _Followed) -> None:
        from ..rules import diagnose_run
        from ..rules.context import apply_context

        t0 = time.monotonic()
        runs = item.tail.runs()
        results: Results = []
        for run in runs:
            run.apply_overrides(self.opts.roles)
            apply_context(run, num_classes=self.opts.num_classes, task=self.opts.task)
            results.append((run, diagnose_run(run)))
        cost = time.monotonic() - t0
        item.next_diag = time.monotonic() + cost * (1 / DUTY - 1)
        item.dirty = False
        item.results = results
        for index, (run, findings) in enumerate(results):
            tracker = item.trackers.setdefault(index, Tracker())
            events = tracker.update(findings)
            for ev in events:
                self._show(run, ev)
            if events:
                self._publish((item.source.key, index), run, findings, events)
                self._maybe_exec(run, [e.finding for e in events if e.kind != "resolved"])

    # ------------------------------------------------------------------ output

    def _stamp(self) -> str:
        return datetime.now().strftime("%H:%M:%S")

    def _emit_json(self, doc: dict) -> None:
        self.out.write(json.dumps(doc, allow_nan=False) + "\n")
        self.out.flush()

    def _say_runs(self, sources: list[Source]) -> None:
        if self.opts.as_json:
            for src in sources:
                self._emit_json({"event": "following", "time": time.time(), "source": str(src.path),
                                 "format": src.reader.NAME})
            return
        if len(sources) > MANY_NEW:  # a folder of many runs: one line, not a screenful
            formats = sorted({s.reader.NAME for s in sources})
            self._line(f"[{self._stamp()}] following {len(sources)} logs ({', '.join(formats)})")
            return
        for src in sources:
            self._line(f"[{self._stamp()}] following {src.path} ({src.reader.NAME})")

    def _line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show(self, run: Run, ev: Event) -> None:
        from ..reports.terminal import WIDTH, finding_lines

        self.shown += ev.kind == "new"
        at = _last_step(run)
        if self.opts.as_json:
            self._emit_json({"event": ev.kind, "time": time.time(),
                             "run": {"name": run.name, "source": run.source, "format": run.format},
                             "at_step": at, "why": ev.why, "finding": ev.finding.to_json()})
            return
        where = f"{run.name}" + (f" at step {at:g}" if at is not None else "")
        if ev.kind == "new":
            self._line(f"[{self._stamp()}] {where}")
            for line in finding_lines(ev.finding, WIDTH, False):
                self._line(line)
        elif ev.kind == "update":
            self._line(f"[{self._stamp()}] {where}: update {ev.finding.id} ({ev.why})")
            self._line(finding_lines(ev.finding, WIDTH, False)[0])
        else:
            self._line(f"[{self._stamp()}] {where}: no longer holds: {ev.finding.id}")

    # ------------------------------------------------------------------ actions

    def _publish(self, where: tuple[str, int], run: Run, findings: list[Finding], events: list[Event],
                 only: object | None = None) -> None:
        for pub in [p for p in self.publishers if only is None or p is only]:
            slot = (id(pub), *where)
            waiting = self._unsent.pop(slot, None)
            events_due = (waiting[2] if waiting else []) + list(events)
            self._unsent[slot] = (run, findings, events_due)  # until delivered (Ctrl-C may cut the write)
            try:
                pub.publish(run, findings, events_due)
            except Exception as exc:  # noqa: BLE001 - a broken integration must not stop following
                self._line(f"traindoc: publishing to {getattr(pub, 'NAME', pub)} failed "
                           f"({type(exc).__name__}: {exc}); it is switched off")
                self.publishers.remove(pub)
                self._unsent = {k: v for k, v in self._unsent.items() if k[0] != id(pub)}
                continue
            del self._unsent[slot]

    def _deliver_unsent(self) -> None:
        """Write-backs a Ctrl-C cut short, sent once more with the latest findings of their run."""
        for slot, (run, findings, events) in list(self._unsent.items()):
            pub = next((p for p in self.publishers if id(p) == slot[0]), None)
            item = self.followed.get(slot[1])
            if item is not None and slot[2] < len(item.results):
                run, findings = item.results[slot[2]]
            if pub is None:
                del self._unsent[slot]
                continue
            self._unsent[slot] = (run, findings, events)
            self._publish(slot[1:], run, findings, [], only=pub)

    def _maybe_exec(self, run: Run, findings: list[Finding]) -> None:
        if self.exec_done or not self.opts.exec_cmd or self.threshold is None:
            return
        hit = next((f for f in findings if f.severity >= self.threshold), None)
        if hit is None:
            return
        self.exec_done = True
        env = dict(os.environ, TRAINDOC_FINDING=hit.id, TRAINDOC_SEVERITY=hit.severity.label,
                   TRAINDOC_RUN=run.name, TRAINDOC_SOURCE=run.source, TRAINDOC_TITLE=hit.title)
        try:
            # The user's own command line, run as their shell would run it.
            self.exec_proc = subprocess.Popen(self.opts.exec_cmd, shell=True, env=env)  # noqa: S602
        except OSError as exc:
            self._line(f"traindoc: --exec could not start ({exc})")
            return
        if not self.opts.as_json:
            self._line(f"[{self._stamp()}] ran --exec for {hit.id} in {run.name} (pid {self.exec_proc.pid})")

    # ------------------------------------------------------------------ the loop

    def results(self) -> Results:
        return [r for item in self.followed.values() for r in item.results]

    def run(self, sleep: Callable[[float], None] = time.sleep) -> int:
        """Follow until Ctrl-C or ``idle`` seconds without new data; print the summary; the exit code."""
        if not self.opts.as_json:
            every = f"every {self.opts.interval:g}s"
            idle = f", stopping after {self.opts.idle:g}s without new data" if self.opts.idle else ""
            where = ", ".join([*self.urls, *(str(r) for r in self.roots)])
            self._line(f"traindoc: following {where} ({every}{idle}; Ctrl-C to stop)")
        self.stop_requested = False
        restore = self._catch_stop_signals()
        try:
            while not self.stop_requested:
                t0 = time.monotonic()
                self.poll()
                if self.opts.idle is not None and time.monotonic() - self.last_data >= self.opts.idle:
                    break
                if not self.stop_requested:
                    sleep(max(0.0, self.opts.interval - (time.monotonic() - t0)))
        except KeyboardInterrupt:
            pass
        finally:
            restore()
        return self.finish()

    def _catch_stop_signals(self) -> Callable[[], None]:
        """Ctrl-C and SIGTERM (a scheduler stopping the job) both end with the summary. The flag keeps
        a Ctrl-C that Python swallows (raised inside a finaliser, printed as "Exception ignored")
        from being lost; the loop checks it on every turn."""
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def stop(_signum, _frame) -> None:
            self.stop_requested = True
            raise KeyboardInterrupt

        saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, old in saved.items():
                signal.signal(sig, old)

        return restore

    def finish(self) -> int:
        """Read the last of the data, print the final summary, close the integrations."""
        try:
            self.poll(final=True)
        except KeyboardInterrupt:
            pass
        for item in self.followed.values():
            if item.tail.pending():
                for run, _ in item.results:
                    run.meta.notes.append("following stopped while its last record or line was still being "
                                          "written; that part was not read")
        results = self.results()
        try:
            self._deliver_unsent()
        except KeyboardInterrupt:
            pass
        for pub in self.publishers:
            try:
                pub.close()
            except Exception as exc:  # noqa: BLE001
                self._line(f"traindoc: closing {getattr(pub, 'NAME', pub)} failed ({type(exc).__name__}: {exc})")
        if self.exec_proc is not None:
            try:
                self.exec_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if not results:
            waited = time.monotonic() - self.started
            problems = "; ".join(f"{p}: {why}" for p, why in self.discovery.problems.items())
            first = (self.urls + [str(r) for r in self.roots])[0]
            raise InputError(first, f"no training logs found (followed for {waited:.0f}s"
                                    + (f"; {problems}" if problems else "") + ")")
        comparisons = None
        if self.opts.baseline:
            from ..cli.compare import compare_to_baseline

            comparisons = compare_to_baseline(results, self.opts.baseline, as_json=True)
        if self.opts.as_json:
            from ..reports.json_report import to_doc

            self._emit_json({"event": "summary", "time": time.time(), **to_doc(results, comparisons)})
        else:
            from ..reports.terminal import render

            self._line("")
            self._line(f"traindoc: final summary after {time.monotonic() - self.started:.0f}s "
                       f"({len(results)} run(s), {self.shown} finding(s) shown while following)")
            self._line("")
            render(results, self.out, brief=self.opts.brief)
            if self.opts.baseline:
                from ..cli.compare import compare_to_baseline

                compare_to_baseline(results, self.opts.baseline, as_json=False, stream=self.out)
        return exit_code(results, self.opts.fail_on)


def exit_code(results: Results, fail_on: str) -> int:
    """As ``traindoc diagnose`` exits: 1 when a finding is at or above ``fail_on``, else 0."""
    from ..cli.diagnose import exit_code as diagnose_exit_code

    return diagnose_exit_code(results, fail_on)


def _last_step(run: Run) -> float | None:
    ends = [float(s.steps[-1]) for s in run.series.values() if len(s) and s.axis == "step"]
    return max(ends) if ends else None
