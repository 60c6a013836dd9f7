"""Hugging Face Trainer, round-8 new-user runs: a tiny BERT trained on 48 rows memorises them while
eval accuracy stays at chance. Read from trainer_state.json (which records the steps, epochs and
batch size) the lead cause is the tiny training set, not labels shuffled apart from the inputs;
a run on 1024 rows of the same task is clean, and 1024 shuffled rows still lead with the labels."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.huggingface import TraindocCallback  # noqa: E402

# the token data of the new-user runs (bench/newuser/hf_runs.py): the class is the most frequent of 4 token bands
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "newuser"))
from hf_runs import CLASSES, VOCAB, Tokens as _Tokens, acc as _accuracy  # noqa: E402


def _findings(tmp_path, rows: int, epochs: int, shuffle: bool = False, live: bool = False):
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=32, num_labels=CLASSES)
    args = TrainingArguments(output_dir=str(tmp_path), num_train_epochs=epochs, learning_rate=5e-4,
                             per_device_train_batch_size=16, per_device_eval_batch_size=128, eval_strategy="epoch",
                             logging_steps=3, save_strategy="no", report_to=[], use_cpu=True, seed=0,
                             disable_tqdm=True)
    callbacks = [TraindocCallback(logdir=str(tmp_path / "traindoc"), quiet=True)] if live else []
    trainer = Trainer(model=BertForSequenceClassification(cfg), args=args, train_dataset=_Tokens(rows, 1, shuffle),
                      eval_dataset=_Tokens(256, 2), compute_metrics=_accuracy, callbacks=callbacks)
    trainer.train()
    trainer.state.save_to_json(str(tmp_path / "trainer_state.json"))
    found = [f for f in traindoc.diagnose(str(tmp_path / "trainer_state.json")) if f.severity >= Severity.WARNING]
    if not live:
        return found
    log = traindoc.diagnose(traindoc.load(str(tmp_path / "traindoc"))[0])
    return found, [f for f in callbacks[0].doc.findings if f.severity >= Severity.WARNING], \
        [f for f in log if f.severity >= Severity.WARNING]


def test_a_tiny_training_set_leads_over_shuffled_labels(tmp_path):
    """Read from trainer_state.json, live from the callback, and from the callback's log."""
    for found in _findings(tmp_path, 48, 40, live=True):
        assert found, "48 rows memorised with eval accuracy at chance was called healthy"
        assert "training set is tiny" in found[0].causes[0] and "48 rows" in found[0].causes[0], found[0].causes


def test_shuffled_labels_on_a_real_training_set_still_lead_with_the_labels(tmp_path):
    found = _findings(tmp_path, 1024, 10, shuffle=True)
    lead = [f for f in found if f.id in ("stuck-at-chance", "overfitting")]
    assert lead and "tiny" not in lead[0].causes[0] and "label" in lead[0].causes[0], [(f.id, f.causes[:1]) for f in found]


def test_enough_rows_is_clean(tmp_path):
    assert not _findings(tmp_path, 1024, 6)
