"""Hugging Face Trainer runs a new user would write (a tiny BERT built from a config, no download)
diagnosed from the trainer_state.json the Trainer writes, with no class count given: a learning
rate of 0.5 and labels shuffled apart from the inputs are visible failures and must not be called
healthy; the same run at a sane learning rate stays clean."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402

VOCAB, LEN, CLASSES = 40, 8, 4


class _Tokens(torch.utils.data.Dataset):
    """The class is the band of the first token (4 bands): easy for a tiny transformer."""

    def __init__(self, n: int, seed: int, shuffle_labels: bool = False):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(4, VOCAB, (n, LEN), generator=g)
        self.y = (self.x[:, 0] - 4) * CLASSES // (VOCAB - 4)
        if shuffle_labels:  # the bug: labels permuted on their own
            self.y = self.y[torch.randperm(n, generator=g)]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.y[i]}


def _accuracy(p):
    logits, labels = p
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def _state(tmp_path, name: str, lr: float, shuffle_labels: bool = False, epochs: int = 8) -> str:
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=16, num_labels=CLASSES)
    args = TrainingArguments(output_dir=str(tmp_path / name), num_train_epochs=epochs, learning_rate=lr,
                             per_device_train_batch_size=32, per_device_eval_batch_size=256, eval_strategy="epoch",
                             logging_steps=2, save_strategy="no", report_to=[], use_cpu=True, seed=0,
                             disable_tqdm=True)
    trainer = Trainer(model=BertForSequenceClassification(cfg), args=args,
                      train_dataset=_Tokens(256, 1, shuffle_labels), eval_dataset=_Tokens(256, 2),
                      compute_metrics=_accuracy)
    trainer.train()
    path = tmp_path / name / "trainer_state.json"
    trainer.state.save_to_json(str(path))
    return str(path)


def _warnings(path: str):
    run = traindoc.load(path)[0]
    return [f for f in traindoc.diagnose(run) if f.severity >= Severity.WARNING]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hf7")
    return {"ok": _state(tmp, "ok", 2e-3), "lr": _state(tmp, "lr", 0.5),
            "shuffled": _state(tmp, "shuffled", 2e-3, shuffle_labels=True, epochs=12)}


def test_a_sane_learning_rate_stays_clean(states):
    hist = json.load(open(states["ok"]))["log_history"]
    assert max(h["eval_accuracy"] for h in hist if "eval_accuracy" in h) > 0.6  # it learned: a fair twin
    assert not _warnings(states["ok"]), [(f.id, f.title) for f in _warnings(states["ok"])]


def test_learning_rate_half_is_not_called_healthy_and_the_rate_leads(states):
    hist = json.load(open(states["lr"]))["log_history"]
    assert max(h["eval_accuracy"] for h in hist if "eval_accuracy" in h) < 0.45  # visibly broken
    found = _warnings(states["lr"])
    assert found, "a run whose accuracy never left one class was called healthy"
    lead = found[0]
    # one class for every item (stuck-at-chance), or an accuracy that never improved (lr-too-high):
    # either way the logged rate (0.49 after the first steps of the linear decay) is the lead cause
    assert lead.id in ("stuck-at-chance", "lr-too-high"), [(f.id, f.title) for f in found]
    c = lead.causes[0]
    assert "learning rate" in c and "too high" in c and "0.49" in c, c
    assert lead.fixes[0].startswith("lower the learning rate"), lead.fixes


def test_labels_shuffled_apart_from_inputs_name_the_labels(states):
    found = _warnings(states["shuffled"])
    assert found, "a run whose held-out loss only rose above ln 4 was called healthy"
    lead = found[0]
    # at chance (stuck-at-chance) or getting worse than a uniform guess (overfitting): either way the
    # count is read from both losses starting at ln 4 (no count given), and the labels lead
    assert lead.id in ("stuck-at-chance", "overfitting"), [(f.id, f.title) for f in found]
    assert lead.evidence["classes"] == CLASSES, lead.evidence
    assert "labels" in lead.causes[0] and "follow" in lead.causes[0], lead.causes[0]
    assert "loss" in lead.title and ("->" in lead.title or "falling" in lead.title)  # what training did meanwhile
