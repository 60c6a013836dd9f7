"""Findings on the MLflow run: tags people can filter on, and a findings artifact.

Tags: ``traindoc.verdict`` (healthy / worth a look / broken / too early to tell), ``traindoc.findings``
(the ids) and one ``traindoc.finding.<id>`` per id (``severity: title`` of its most severe finding),
removed when the finding stops holding. Artifact: ``traindoc/findings.json``, the same finding JSON as ``diagnose --json``.
Which run: the run the log was read from (file store, SQLite store, or a tracking server read over
REST), else the given or active run inside training, else (only when ``MLFLOW_TRACKING_URI`` is set)
a run of its own named ``traindoc: <run>``; otherwise the run is skipped with a note.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from ..findings import Finding, run_verdict
from ..run import Run

NAME = "mlflow"
_TAG_MAX = 4000


def mlflow_target(run: Run) -> tuple[str, str] | None:
    """``(tracking_uri, run_id)`` of a run read from an MLflow store or server."""
    if run.format != "mlflow":
        return None
    src = run.source
    if src.startswith("mlflow+http"):
        base, _, frag = src[len("mlflow+"):].partition("#")
        return base.rstrip("/"), frag.rsplit("/", 1)[-1]
    if "#" in src:  # SQLite store: "<path>#<run_uuid>"
        path, _, run_id = src.rpartition("#")
        return "sqlite:///" + str(Path(path).resolve()), run_id
    folder = Path(src)
    if (folder / "meta.yaml").is_file():  # file store run folder: <root>/<experiment>/<run_id>
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps the file store behind it
        return folder.resolve().parent.parent.as_uri(), folder.name
    return None


class MlflowPublisher:
    NAME = NAME

    def __init__(self, run_id: str | None = None, tracking_uri: str | None = None, use_active: bool = False,
                 say: Callable[[str], None] | None = None) -> None:
        self.run_id = run_id
        self.tracking_uri = tracking_uri
        self.use_active = use_active
        self.say = say or (lambda _t: None)
        self._own: dict[str, tuple[str, str]] = {}
        self._tagged: dict[tuple[str, str], set[str]] = {}
        self._skipped: set[str] = set()

    def _target(self, run: Run) -> tuple[str, str] | None:
        import mlflow

        if self.run_id is not None:
            return self.tracking_uri or mlflow.get_tracking_uri(), self.run_id
        found = mlflow_target(run)
        if found is not None:
            return found
        if self.use_active and mlflow.active_run() is not None:
            return mlflow.get_tracking_uri(), mlflow.active_run().info.run_id
        if run.source in self._own:
            return self._own[run.source]
        uri = self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            if run.source not in self._skipped:
                self._skipped.add(run.source)
                self.say(f"mlflow: {run.name} was not read from MLflow and MLFLOW_TRACKING_URI is not set; "
                         "its findings are not written there")
            return None
        client = mlflow.MlflowClient(tracking_uri=uri)
        name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or "traindoc"
        exp = client.get_experiment_by_name(name)
        exp_id = exp.experiment_id if exp is not None else client.create_experiment(name)
        created = client.create_run(exp_id, run_name=f"traindoc: {run.name}", tags={"traindoc.source": run.source})
        self._own[run.source] = (uri, created.info.run_id)
        return self._own[run.source]

    def publish(self, run: Run, findings: list[Finding], events: list) -> None:
        import mlflow

        target = self._target(run)
        if target is None:
            return
        uri, run_id = target
        client = mlflow.MlflowClient(tracking_uri=uri)
        tagged = self._tagged.setdefault(target, set())
        ids = {f.id for f in findings}
        # One tag per id: several findings of one id (NaN in the loss and in grad_norm) show the most
        # severe, with how many more there are, never whichever happened to be written last.
        worst: dict[str, Finding] = {}
        for f in findings:
            if f.id not in worst or f.severity > worst[f.id].severity:
                worst[f.id] = f
        for fid, f in worst.items():
            more = sum(g.id == fid for g in findings) - 1
            text = f"{f.severity.label}: {f.title}" + (f" (+{more} more)" if more else "")
            client.set_tag(run_id, f"traindoc.finding.{fid}", text[:_TAG_MAX])
        for old in tagged - ids:
            client.delete_tag(run_id, f"traindoc.finding.{old}")
        self._tagged[target] = ids
        client.set_tag(run_id, "traindoc.verdict", run_verdict(findings).value)
        client.set_tag(run_id, "traindoc.findings", ",".join(sorted(ids))[:_TAG_MAX])
        doc = {"run": run.name, "source": run.source, "verdict": run_verdict(findings).value,
               "findings": [f.to_json() for f in findings]}
        client.log_text(run_id, json.dumps(doc, indent=2, allow_nan=False), "traindoc/findings.json")

    def close(self) -> None:
        import mlflow

        for uri, run_id in self._own.values():
            mlflow.MlflowClient(tracking_uri=uri).set_terminated(run_id)
        self._own.clear()
