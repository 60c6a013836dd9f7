"""The Trainer's label smoothing reaches the live run's hyper-parameters: it sets the least loss an
honest model can log, which the double-softmax rule must know (rules/softmax_twice.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from traindoc.probes.integrations.huggingface import TraindocCallback  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "newuser"))
from hf_runs import CLASSES, VOCAB, Tokens  # noqa: E402


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_the_callback_records_the_trainer_label_smoothing(tmp_path, smoothing):
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=32, num_labels=CLASSES)
    args = TrainingArguments(output_dir=str(tmp_path), num_train_epochs=1, learning_rate=5e-4,
                             per_device_train_batch_size=16, label_smoothing_factor=smoothing, save_strategy="no",
                             report_to=[], use_cpu=True, seed=0, disable_tqdm=True, logging_steps=1)
    callback = TraindocCallback(quiet=True)
    Trainer(model=BertForSequenceClassification(cfg), args=args, train_dataset=Tokens(32, 1, False),
            callbacks=[callback]).train()
    got = callback.doc.store.meta.hparams.get("label_smoothing_factor")
    assert got == (pytest.approx(smoothing) if smoothing else None)
