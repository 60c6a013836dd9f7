"""Hugging Face ``trainer_state.json`` (written in every ``checkpoint-N`` folder and by ``save_state``).

``log_history`` mixes three kinds of entries: training logs (``loss``, ``grad_norm``,
``learning_rate``, ``epoch``, ``step``), evaluation logs (``eval_*``) and one final summary
(``train_loss``, ``train_runtime``…) that is an average, not a point: it goes to a note and
hparams, never into a curve. Every series is on the global-step axis.

Quirk: with ``logging_nan_inf_filter`` (on by default) the Trainer replaces a NaN/Inf step loss
by the mean of the losses logged so far, so a diverged run shows a flat, finite loss. The
gradient norm is not filtered: when it is non-finite while the loss stays finite, a note says so.

A directory scan reads only the newest state of an output folder (see ``superseded``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import InputError
from ..run import Run
from . import _table as T
from ._conventions import HF_SUMMARY_KEYS, summary_note
from ._safe import is_regular, json_loads, salvage_list

NAME = "hf_trainer_state"
DIRECTORY = False
SIDE_FILES = ("config.json",)  # read with the log beside them: not listed as skipped

_SUMMARY_KEYS = HF_SUMMARY_KEYS
_HPARAM_KEYS = ("max_steps", "num_train_epochs", "logging_steps", "eval_steps", "save_steps", "train_batch_size",
                "global_step", "epoch", "best_metric", "best_global_step", "best_model_checkpoint",
                "num_input_tokens_seen")


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.lstrip().startswith("{"):
        return False
    if '"log_history"' in text:
        return True
    return path.name == "trainer_state.json" and '"global_step"' in text


def superseded(path: Path) -> bool:
    """In a directory scan: an older checkpoint's state is a prefix of a later one's, so skip it.

    ``checkpoint-N/trainer_state.json`` is superseded by ``trainer_state.json`` in the output
    folder (``save_state``) or by a later ``checkpoint-M`` (M > N) beside it. Named explicitly, it
    is still read.
    """
    m = re.fullmatch(r"checkpoint-(\d+)", path.parent.name)
    if path.name != "trainer_state.json" or not m:
        return False
    out_dir = path.parent.parent
    if (out_dir / "trainer_state.json").is_file():
        return True
    n = int(m.group(1))
    for sib in out_dir.glob("checkpoint-*"):
        k = re.fullmatch(r"checkpoint-(\d+)", sib.name)
        if k and int(k.group(1)) > n and (sib / "trainer_state.json").is_file():
            return True
    return False


def _model_config(path: Path, run: Run) -> None:
    """num_labels / vocab_size from the model's config.json saved in the same checkpoint folder."""
    cfg = path.parent / "config.json"
    if not is_regular(cfg):
        return
    try:
        doc = json_loads(cfg.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError):
        return
    if not isinstance(doc, dict):
        return
    labels = doc.get("id2label")
    if isinstance(labels, dict) and labels and "num_labels" not in doc:
        doc["num_labels"] = len(labels)
    for key in ("num_labels", "vocab_size", "model_type", "problem_type"):
        if key in doc and isinstance(doc[key], (int, str)):
            run.meta.hparams[key] = doc[key]


def _epoch_restarts(run: Run, records: list) -> None:
    """Steps where the epoch counter went back while the step count went on (epoch 0.63 at step 1500,
    then 0.04 at step 2000): the Trainer resumed from a checkpoint (it restores the global step) with
    another epoch length: another data set, batch size or configuration. Recorded as a resume, with a
    note, so a jump in the loss there is judged as one (``resume-spike``)."""
    last = None  # (step, epoch) of the last entry holding both
    found = []
    for step, entry in records:
        epoch = T.json_number(entry.get("epoch")) if isinstance(entry, dict) else None
        if step is None or epoch is None or not math.isfinite(epoch):
            continue
        if last is not None and step > last[0] and epoch < last[1] - _EPOCH_BACK:
            found.append((float(step), last[1], epoch))
        last = (step, epoch)
    for step, before, after in found:
        if step not in run.meta.resume_steps:
            run.meta.resume_steps.append(step)
        run.meta.notes.append(f"the epoch counter went back from {before:g} to {after:g} at step {step:g} while the "
                              "step count went on: resumed from a checkpoint with another epoch length (another "
                              "data set, batch size or configuration)")


# The Trainer rounds the epoch it logs to 2 decimals (4 in newer versions): a fall larger than that rounding.
_EPOCH_BACK = 0.01


def read(path: Path) -> list[Run]:
    text = T.read_text(path)
    salvage_note = None
    try:
        doc = json_loads(text)
    except ValueError as exc:
        found = salvage_list(text, "log_history")
        if not found or not found[0]:
            raise InputError(path, f"is not valid JSON ({exc}); expected a Hugging Face trainer_state.json") from None
        doc = {"log_history": found[0]}  # a torn or damaged document: keep its complete entries
        salvage_note = (f"the file is not valid JSON ({str(exc)[:80]}): kept the {len(found[0])} complete "
                        f"log_history entries" + (f", skipping {found[1]} damaged stretch(es)" if found[1] else ""))
    if isinstance(doc, dict) and "log_history" not in doc and _summary_only(doc):
        # Only end-of-run figures (``{"epoch": 3, "training_loss": 0.22, "global_step": 21900, ...}``, a state
        # written by hand or cut down to its outcome): a real run with no curve, as when log_history holds
        # only the summary; too-short says there is nothing to judge.
        run = _empty_run(path, doc, "no log_history: only end-of-run figures (" + _summary_only(doc) + "), no curve")
        return [run]
    if not isinstance(doc, dict) or not isinstance(doc.get("log_history"), list):
        raise InputError(path, "expected a Hugging Face trainer_state.json with a log_history list")
    if not doc["log_history"]:
        return [_empty_run(path, doc, "log_history is empty: the run stopped before its first logging step")]
    summaries, records = [], []
    for entry in doc["log_history"]:
        if not isinstance(entry, dict):
            continue
        if _SUMMARY_KEYS & entry.keys() and "loss" not in entry and not any(k.startswith("eval_") for k in entry):
            summaries.append(entry)
            continue
        step = T.json_number(entry.get("step"))
        records.append((step if step is not None and math.isfinite(step) else None, entry))
    attempts = T.stitch_resumes(records)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        cols = T.pivot_records(att.records, skip=("step", "epoch"), convert=T.json_number, carry_x=True)
        T.add_column_series(run, cols, axis="step")
        T.resume_notes(run, att)
        _epoch_restarts(run, att.records)
        runs.append(run)
    runs = [r for r in runs if r.series]
    if not runs and summaries:
        # Trained to the end without one logging step (logging_steps above max_steps): a real run whose
        # only number is the summary's mean loss; the too-short rule says there is no curve to judge.
        runs = [_empty_run(path, doc, "log_history holds only the end-of-training summary: no training step "
                           "was logged")]
    for run in runs:
        if salvage_note:
            run.meta.notes.append(salvage_note)
            run.meta.salvaged = True
        _hparams(path, doc, run)
        _nan_filter_note(run)
    if runs and summaries:
        final = summaries[-1]
        runs[-1].meta.notes.append(summary_note(final))
        for k, v in final.items():
            if k in _SUMMARY_KEYS and isinstance(v, (int, float)):
                runs[-1].meta.hparams[f"summary.{k}"] = v
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="log_history entry")


def _summary_only(doc: dict) -> str:
    """``"epoch=3, training_loss=0.22, best_metric.eval_f1=85.6"``: the numbers of a state that has a step
    count and no log_history, else "" (a JSON with no step count is no trainer state)."""
    if not isinstance(doc.get("global_step"), (int, float)) or isinstance(doc.get("global_step"), bool):
        return ""
    flat = [(f"{k}.{k2}", v2) for k, v in doc.items() if isinstance(v, dict) for k2, v2 in v.items()]
    flat += [(k, v) for k, v in doc.items() if k != "global_step"]
    return ", ".join(f"{k}={v:g}" for k, v in flat if isinstance(v, (int, float)) and not isinstance(v, bool))


def _hparams(path: Path, doc: dict, run: Run) -> None:
    for key in _HPARAM_KEYS:
        if key in doc and isinstance(doc[key], (int, float, str)) and not isinstance(doc[key], bool):
            run.meta.hparams[key] = doc[key]
    if isinstance(doc.get("trial_params"), dict):
        run.meta.hparams.update(T.flatten_params(doc["trial_params"]))
    _model_config(path, run)
    T.hparams_num_classes(run)


def _empty_run(path: Path, doc: dict, why: str) -> Run:
    """A state with no logged step (saved before the first one, or a run shorter than its
    logging_steps) is a real run, not a broken file: keep its settings and say why there is nothing
    to plot; the too-short rule reports the rest."""
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    _hparams(path, doc, run)
    facts = [f"{key}={doc[key]:g}" for key in ("logging_steps", "global_step", "max_steps")
             if isinstance(doc.get(key), (int, float)) and not isinstance(doc.get(key), bool)]
    run.meta.notes.append(why + (f" ({', '.join(facts)})" if facts else ""))
    return run


def _nan_filter_note(run: Run) -> None:
    """Say where a finite-looking loss hides NaN/Inf steps (see the module docstring)."""
    gn, loss = run.series.get("grad_norm"), run.series.get("loss")
    if loss is None:
        return
    finite_loss = {s: v for s, v in zip(loss.steps, loss.values) if math.isfinite(v)}
    if gn is not None:
        bad = [s for s, v in zip(gn.steps, gn.values) if not math.isfinite(v) and s in finite_loss]
        evidence = "grad_norm is non-finite"
    else:
        # No gradient norm logged: a loss of exactly 0.0 after positive values, while an evaluation
        # loss is NaN/Inf, is what the filter leaves when every step since the last log was NaN.
        ev_bad = any(x.n_nonfinite for name, x in run.series.items() if name.startswith("eval_") and "loss" in name)
        seen_positive = False
        bad = []
        for s, v in finite_loss.items():
            if v > 0:
                seen_positive = True
            elif v == 0.0 and seen_positive and ev_bad:
                bad.append(s)
        evidence = "the loss is exactly 0.0 while the evaluation loss is NaN/Inf"
    if not bad:
        return
    zeros = all(finite_loss[s] == 0.0 for s in bad)
    run.meta.notes.append(
        f"{evidence} from step {min(bad):g} ({len(bad)} logged step(s)) while the logged loss stays finite"
        + (" (logged as exactly 0.0)" if zeros and gn is not None else "")
        + f": the Trainer's logging_nan_inf_filter (on by default) replaces NaN/Inf losses by the mean of "
        f"earlier ones, so the loss curve from step {min(bad):g} is not real")
