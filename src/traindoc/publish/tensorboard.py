"""Findings in the run's own TensorBoard folder, beside its curves.

Written with TensorBoard's own event writer and protos (no TensorFlow) into ``<run dir>/traindoc/``:
a text summary per finding (tag ``traindoc/findings``, Markdown, at the step its evidence starts) and
a marker scalar ``traindoc/severity`` (1 info, 2 warning, 3 error) at the same step, so the finding
shows as a point on the time axis. A sub-folder, not a second file beside the run's own: the
TensorBoard reader would take two files in one folder for a resumed run.
Only runs read from TensorBoard have an event folder to write to; others are skipped with a note.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ..findings import Finding
from ..run import Run
from . import _text

NAME = "tensorboard"
FOLDER = "traindoc"


def event_dir(run: Run) -> Path | None:
    """The run's own event folder, or None for a run not read from TensorBoard."""
    if run.format != "tensorboard":
        return None
    src = Path(run.source)
    return src if src.is_dir() else src.parent


class TensorBoardPublisher:
    NAME = NAME

    def __init__(self, logdir: str | Path | None = None, say: Callable[[str], None] | None = None) -> None:
        self.logdir = Path(logdir) if logdir is not None else None
        self.say = say or (lambda _t: None)
        self._writers: dict[Path, object] = {}
        self._skipped: set[str] = set()

    def _writer(self, folder: Path):
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        w = self._writers.get(folder)
        if w is None:
            (folder / FOLDER).mkdir(parents=True, exist_ok=True)
            w = self._writers[folder] = EventFileWriter(str(folder / FOLDER), filename_suffix=".traindoc")
        return w

    def publish(self, run: Run, findings: list[Finding], events: list) -> None:
        folder = self.logdir or event_dir(run)
        if folder is None:
            if run.source not in self._skipped:
                self._skipped.add(run.source)
                self.say(f"tensorboard: {run.name} was not read from TensorBoard; its findings are not written there")
            return
        writer = self._writer(folder)
        for ev in events:
            if ev.kind == "resolved":
                text = f"no longer holds: **{ev.finding.id}** in {run.name}"
                level = 0.0
            else:
                text = ("update: " if ev.kind == "update" else "") + _text.markdown(ev.finding, run.name)
                level = float(int(ev.finding.severity))
            step = int(_text.onset(ev.finding))
            writer.add_event(_event(step, text, level))
        writer.flush()

    def close(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()


def _event(step: int, text: str, level: float):
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorboard.plugins.text import metadata as text_metadata

    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[text.encode("utf-8")],
                                    tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
    summary = summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="traindoc/findings", tensor=tensor,
                                  metadata=text_metadata.create_summary_metadata(display_name="traindoc findings",
                                                                                 description="")),
        summary_pb2.Summary.Value(tag="traindoc/severity", simple_value=level),
    ])
    return event_pb2.Event(wall_time=time.time(), step=step, summary=summary)
