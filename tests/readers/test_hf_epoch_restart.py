"""A trainer_state.json whose epoch counter goes back while the step count goes on: the real
``Trainer`` resumed from a checkpoint (global step restored) on a data set of another size, so the
epoch it logs is computed from another epoch length. The reader records a resume there, with a
note, so a jump in the loss at that step is judged as a resume spike. Control: the same resume on
the same data keeps its epoch counting and records nothing."""

from __future__ import annotations

import json

import pytest

from traindoc import diagnose, load

from ._hf_toy import toy_data_and_model


def _train_and_resume(out, resumed_size: int):
    transformers = pytest.importorskip("transformers")
    from transformers import Trainer, TrainingArguments

    Data, Model = toy_data_and_model()
    transformers.logging.set_verbosity_error()
    common = dict(logging_steps=2, per_device_train_batch_size=8, report_to=[], use_cpu=True, learning_rate=0.05,
                  disable_tqdm=True, save_steps=8, seed=0)
    Trainer(model=Model(), args=TrainingArguments(str(out), max_steps=8, **common), train_dataset=Data(64)).train()
    resumed = Trainer(model=Model(), args=TrainingArguments(str(out), max_steps=24, **common),
                      train_dataset=Data(resumed_size))
    resumed.train(resume_from_checkpoint=str(out / "checkpoint-8"))
    resumed.save_state()
    return out / "trainer_state.json"


def test_epoch_counter_going_back_is_a_resume(tmp_path):
    path = _train_and_resume(tmp_path / "bigger", 1024)
    epochs = [e["epoch"] for e in json.loads(path.read_text())["log_history"] if "loss" in e]
    assert min(epochs[4:]) < max(epochs[:4])  # the real Trainer's epoch went back after the resume
    (run,) = load(path).runs
    assert 10.0 in run.meta.resume_steps
    assert any("epoch counter went back" in n for n in run.meta.notes)


def test_same_data_resume_records_no_epoch_restart(tmp_path):
    path = _train_and_resume(tmp_path / "same", 64)
    (run,) = load(path).runs
    assert not any("epoch counter went back" in n for n in run.meta.notes)


def test_loss_jump_at_an_epoch_restart_is_a_resume_spike(tmp_path):
    # The log_history the Trainer writes, as in a resumed fine-tune: epoch 0.63 at step 1500, 0.04 at 2000.
    hist = [{"epoch": round(s / 2375, 2), "learning_rate": 5e-5, "loss": 2.12 + 0.001 * (s // 500), "step": s}
            for s in range(500, 2000, 500)]
    hist += [{"epoch": round(s / 48221, 2), "learning_rate": 5e-5, "loss": 2.49 - 0.0004 * (s // 500), "step": s}
             for s in range(2000, 60000, 500)]
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 59500, "log_history": hist}))
    (run,) = load(path).runs
    assert run.meta.resume_steps == [2000.0]
    assert "resume-spike" in {f.id for f in diagnose(run)}
