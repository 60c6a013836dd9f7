"""What the user or the files beside a log say about the task: class count, vocabulary, task kind.

Chance level is the yardstick of several rules (stuck-at-chance, high-initial-loss, stalled), and
most logs do not state it. Three sources, most trusted first:

1. the user: ``--num-classes`` / ``--task`` on the CLI, ``num_classes=`` / ``task=`` in the API;
2. the run's own metadata and hyper-parameters (readers fill them);
3. configs beside the log: a Hugging Face ``config.json`` (``id2label``, ``num_labels``,
   ``vocab_size``, ``architectures``), Lightning ``hparams.yaml``, W&B ``config.yaml``, an
   Ultralytics/YOLO ``data.yaml`` (``nc``, ``names``), ``args.json``/``training_args.json``.

Configs are parsed with the readers' bounded JSON / safe-YAML parsers only (nothing is evaluated), at most
1 MB each, and a file that does not parse is skipped with a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..run import Run
from ..readers._hparams import MAX_CLASSES
from ..readers._safe import is_regular, json_loads, yaml_load

TASKS = ("classification", "regression", "language-model", "detection")
_SIDE_FILES = ("config.json", "hparams.yaml", "config.yaml", "data.yaml", "dataset.yaml", "args.json",
               "training_args.json", "args.yaml", "opt.yaml")
_MAX_BYTES = 1_000_000
_CHECKED = "_traindoc_context_checked"


def _plausible_count(value: Any) -> bool:
    """A class count or vocabulary a config can really mean: an integer from 2 to MAX_CLASSES.

    A damaged or hostile config can hold a 400-digit integer, which would overflow every
    float computed from it (1/C, ln C)."""
    return isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= MAX_CLASSES


def _read(path: Path, notes: list[str]) -> Mapping[str, Any] | None:
    try:
        if not is_regular(path) or path.stat().st_size > _MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
        # The readers' bounded parsers: depth limits, alias budgets, saturating numbers.
        doc = json_loads(text) if path.suffix == ".json" else yaml_load(text)
    except (OSError, ValueError, Exception) as exc:  # noqa: BLE001 - a bad side file is skipped, never fatal
        notes.append(f"{path.name} beside the log could not be read ({type(exc).__name__}); skipped")
        return None
    return doc if isinstance(doc, Mapping) else None


def facts_from_config(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Class count, vocabulary size and task from one parsed config (top level or one level down)."""
    out: dict[str, Any] = {}
    levels = [doc] + [v for v in doc.values() if isinstance(v, Mapping)]
    for d in levels:
        for key in ("num_classes", "n_classes", "num_labels", "nb_classes", "nc", "number_of_classes"):
            v = d.get(key)
            if _plausible_count(v) and "num_classes" not in out:
                out["num_classes"] = v
                out["num_classes_from"] = key
        for key in ("id2label", "label2id", "names", "class_names", "classes"):
            v = d.get(key)
            if isinstance(v, (list, dict)) and 2 <= len(v) <= 1_000_000 and "num_classes" not in out:
                out["num_classes"] = len(v)
                out["num_classes_from"] = f"{key} ({len(v)} entries)"
        v = d.get("vocab_size")
        if _plausible_count(v) and "vocab_size" not in out:
            out["vocab_size"] = v
        arch = d.get("architectures")
        if isinstance(arch, list) and arch and isinstance(arch[0], str) and "task" not in out:
            a = arch[0]
            if a.endswith(("ForCausalLM", "LMHeadModel", "ForMaskedLM", "ForConditionalGeneration")):
                out["task"] = "language-model"
            elif a.endswith(("ForSequenceClassification", "ForTokenClassification", "ForImageClassification",
                             "ForAudioClassification", "ForMultipleChoice")):
                out["task"] = "classification"
            elif a.endswith(("ForObjectDetection",)):
                out["task"] = "detection"
    return out


def configs_beside(source: str, notes: list[str] | None = None) -> list[tuple[Path, Mapping[str, Any]]]:
    """Parsed configs in the log's folder (the folder itself when the log is one); a config that
    cannot be read adds a line to ``notes``, so the class count it might hold is not lost silently."""
    p = Path(source)
    folder = p if p.is_dir() else p.parent
    found = []
    notes = [] if notes is None else notes
    for name in _SIDE_FILES:
        f = folder / name
        if f.is_file() and f != p:
            doc = _read(f, notes)
            if doc:
                found.append((f, doc))
    return found


def apply_context(run: Run, num_classes: int | None = None, task: str | None = None) -> Run:
    """Set what is known about the task on ``run.meta`` (in place; returns the run).

    The user's values win; a config beside the log fills only what is still unknown, and each
    fact it supplies is recorded in ``meta.hparams`` under ``config_beside_log.*`` so evidence can
    name its source. Reading the files happens once per run.
    """
    meta = run.meta
    if num_classes is not None:
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
        meta.num_classes = int(num_classes)
    if task is not None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
        meta.task = task
    if getattr(meta, _CHECKED, False):
        return run
    setattr(meta, _CHECKED, True)
    if meta.num_classes and meta.task and meta.vocab_size:
        return run
    try:
        configs = configs_beside(run.source, meta.notes) if run.source and not run.source.startswith("<") else []
    except OSError:
        configs = []
    for path, doc in configs:
        facts = facts_from_config(doc)
        if facts.get("task") and not meta.task:
            meta.task = facts["task"]
        # A language model's config carries Hugging Face's default two-label id2label: its chance
        # level is over the vocabulary, never over those labels.
        lm = meta.task == "language-model"
        if facts.get("num_classes") and not meta.num_classes and not lm:
            meta.num_classes = facts["num_classes"]
            meta.hparams[f"config_beside_log.{path.name}.num_classes"] = f"{facts['num_classes']} from {facts['num_classes_from']}"
        if facts.get("vocab_size") and not meta.vocab_size:
            meta.vocab_size = facts["vocab_size"]
            meta.hparams[f"config_beside_log.{path.name}.vocab_size"] = facts["vocab_size"]
    return run
