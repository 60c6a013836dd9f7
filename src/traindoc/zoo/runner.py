"""Run a zoo case the way a user would meet traindoc, and score what it found.

Each run trains under ``traindoc.watch`` (the live path) when it is installed, diagnoses the
logged curves with the rule engine (the ``traindoc diagnose`` path: train loss, validation
loss and learning rate per step) and runs the cheap active checks (data and initialisation)
that ``traindoc check`` offers. Findings are merged by id. Nothing here knows which case is
running: the detectors see only the model, the data and the curves.
"""

from __future__ import annotations

import copy
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from ..findings import Finding, Severity
from ..run import Role, Run, Series
from .cases import Case
from .config import Config
from .train import Job, TrainResult, build_job, train


WATCH_EVERY = 5


@dataclass
class Outcome:
    """One training run of a case (faulty, fixed twin or repaired) and what traindoc said."""

    config: Config
    findings: list[Finding]
    result: TrainResult
    seconds: float
    sources: dict[str, list[str]] = field(default_factory=dict)  # id -> where it came from
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity >= Severity.WARNING]

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(f.id for f in self.findings))

    @property
    def clean(self) -> bool:
        return not self.problems


def _curve_run(job: Job, result: TrainResult, lrs: list[float]) -> Run:
    run = Run(name="zoo", source="zoo", format="zoo")
    steps = list(range(1, len(result.losses) + 1))
    run.add(Series.named("loss", steps, result.losses, role=Role.TRAIN_LOSS))
    if result.val_losses:
        run.add(Series.named("val_loss", [s + 1 for s in result.val_steps], result.val_losses, role=Role.VAL_LOSS))
    if lrs:
        run.add(Series.named("lr", steps[: len(lrs)], lrs, role=Role.LR))
    if job.cfg.loss == "ce":
        run.meta.task, run.meta.num_classes = "classification", job.cfg.n_classes
    else:
        run.meta.task = "regression"
    if result.resumed_at is not None:
        run.meta.resume_steps.append(float(result.resumed_at + 1))
    return run


class _LrRecorder:
    """Observer wrapper: forwards each step and records the optimizer's learning rate."""

    def __init__(self, job: Job, inner: Any) -> None:
        self.job, self.inner, self.lrs = job, inner, []

    def step(self, loss, inputs=None, targets=None, outputs=None):
        self.lrs.append(float(self.job.optimizer.param_groups[0]["lr"]))
        if self.inner is not None:
            self.inner.step(loss, inputs=inputs, targets=targets, outputs=outputs)


def _watched_run(doc: Any, job: Job, result: TrainResult) -> Run | None:
    """The watcher's recorded Run with the validation loss and what the zoo knows about the task."""
    store = getattr(doc, "store", None)
    if store is None or not hasattr(store, "to_run"):
        return None
    run = store.to_run()
    run.meta = copy.deepcopy(run.meta)
    if result.val_losses:
        run.add(Series.named("val_loss", [s + 1 for s in result.val_steps], result.val_losses, role=Role.VAL_LOSS))
    if job.cfg.loss == "ce":
        run.meta.task = run.meta.task or "classification"
        run.meta.num_classes = run.meta.num_classes or job.cfg.n_classes
    if result.resumed_at is not None:
        run.meta.resume_steps.append(float(result.resumed_at + 1))
    return run


def _rule_ids() -> set[str]:
    try:
        from ..rules import RULES
    except ImportError:
        return set()
    return set(RULES)


def _watch_factory():
    try:
        from ..probes.watch import watch
    except ImportError:
        return None
    return watch


def _diagnose(run: Run) -> list[Finding] | None:
    try:
        from ..rules import diagnose_run
    except ImportError:
        return None
    return diagnose_run(run)


def run_config(cfg: Config, *, use_watch: bool = True, use_checks: bool = True) -> Outcome:
    """Train one config under traindoc and collect every finding, merged by id."""
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    job = build_job(cfg)
    findings: dict[str, Finding] = {}
    sources: dict[str, list[str]] = {}
    notes: list[str] = []

    def add(fs, source: str) -> None:
        for f in fs:
            if f.id not in findings or f.severity > findings[f.id].severity:
                findings[f.id] = f
            sources.setdefault(f.id, [])
            if source not in sources[f.id]:
                sources[f.id].append(source)

    if use_checks:
        from ..checks.data_check import data_check
        from ..checks.init_check import init_check

        batches = job.batches.epoch(limit=64)
        add(data_check(batches).findings, "check")
        add(init_check(job.model, batches[0], job.loss_fn).findings, "check")
    watch = _watch_factory() if use_watch else None
    if watch is not None:
        # A fixed sampling interval (not the adaptive, timing-driven one) keeps the zoo deterministic.
        with watch(job.model, job.optimizer, loss_fn=job.loss_fn, every=WATCH_EVERY, quiet=True) as doc:
            rec = _LrRecorder(job, doc)
            result = train(job, observer=rec)
        # Live, the watcher evaluates its rules whenever its time budget allows, so which findings
        # it raised mid-run depends on the machine's load. The zoo scores the final verdict instead:
        # the same rules on everything the watcher recorded, plus the validation curve it cannot see.
        final = _watched_run(doc, job, result)
        verdict = _diagnose(final) if final is not None else None
        if verdict is None:
            add(list(doc.findings), "watch")
        else:
            add(verdict, "watch")
            rule_ids = _rule_ids()
            add([f for f in doc.findings if f.id not in rule_ids], "watch")
    else:
        if use_watch:
            notes.append("traindoc.watch is not installed: live probes skipped")
        rec = _LrRecorder(job, None)
        result = train(job, observer=rec)
    diagnosed = _diagnose(_curve_run(job, result, rec.lrs))
    if diagnosed is None:
        notes.append("rules not installed: curves not diagnosed")
    else:
        add(diagnosed, "curves")
    ordered = sorted(findings.values(), key=lambda f: -int(f.severity))
    return Outcome(cfg, ordered, result, time.perf_counter() - t0, sources, notes)


TOP_CAUSES = 2  # a cause counts as named only among the first two a finding ranks


def _cause_named(case: Case, outcome: Outcome) -> bool:
    """The expected cause is named: a finding that is the cause, or a raised finding whose top causes say it."""
    if any(i in outcome.ids for i in case.cause_ids):
        return True
    terms = [re.compile(re.escape(t), re.IGNORECASE) for t in case.cause_terms]
    for f in outcome.findings:
        if f.id not in case.expect and f.severity < Severity.WARNING:
            continue
        texts = [f.title] + list(f.causes[:TOP_CAUSES])
        if any(t.search(text) for t in terms for text in texts):
            return True
    return False


@dataclass
class CaseReport:
    case: Case
    faulty: Outcome
    fixed: Outcome | None

    @property
    def detected(self) -> list[str]:
        return [i for i in self.case.expect if i in self.faulty.ids]

    @property
    def cause_named(self) -> bool:
        return _cause_named(self.case, self.faulty)

    def to_json(self) -> dict[str, Any]:
        f = self.faulty
        out = {"case": self.case.name, "summary": self.case.summary, "expected": list(self.case.expect),
               "expected_cause": self.case.cause, "found": f.ids,
               "found_problems": [x.id for x in f.problems], "sources": f.sources,
               "detected": self.detected, "cause_named": self.cause_named,
               "final_loss": _num(f.result.final_loss()), "seconds": round(f.seconds, 3),
               "findings": [x.to_json() for x in f.findings], "notes": f.notes}
        if self.fixed is not None:
            out["fixed"] = {"clean": self.fixed.clean, "problems": [x.id for x in self.fixed.problems],
                            "found": self.fixed.ids, "final_loss": _num(self.fixed.result.final_loss()),
                            "seconds": round(self.fixed.seconds, 3)}
        return out


def _num(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)


def run_case(case: Case, *, twin: bool = True, use_watch: bool = True) -> CaseReport:
    faulty = run_config(case.config, use_watch=use_watch)
    fixed = run_config(case.fixed, use_watch=use_watch) if twin else None
    return CaseReport(case, faulty, fixed)
