"""Generators of training histories saved as Python's printed form (``f.write(str(history))``,
``print(history, file=f)``, ``pprint``), for ``test_pyliteral_families``: never JSON (single quotes,
``nan``/``inf``, ``True``/``None``, tuples, ``np.float64(…)``, whole-number keys), parsed, never evaluated.

Shapes, each in the layout its writer leaves (one line, or ``pprint``'s lines), LF or CRLF, with or
without a final line end:

- ``columns``: ``{'loss': [...], 'val_loss': [...], 'accuracy': [...]}`` (Keras' ``history.history``);
- ``records``: ``[{'epoch': 0, 'loss': …, 'val_loss': …}, …]`` (a list of per-epoch dicts);
- ``keyed``: ``{1: {'loss': …, 'val_loss': …}, 2: {…}}`` (per-epoch dicts under their epoch);
- ``grouped``: ``{'train': {'loss': [...]}, 'val': {'loss': [...]}}`` (one dict per split).

``Literal.expected``: series name -> values (as printed), for a test to ask that exactly those are read.
``near_miss``: printed literals that must not be read as curves: lists under model names, settings only.
"""

from __future__ import annotations

import math
import pprint
import random
from dataclasses import dataclass


@dataclass
class Literal:
    text: str
    name: str
    expected: dict[str, list[float]]
    shape: str


_NAMES = ["history.txt", "training_history.txt", "train_history.json", "hist.log", "model_history.txt", "history"]


def _curve(rng: random.Random, n: int, start: float, end: float) -> list[float]:
    return [round(end + (start - end) * math.exp(-3 * i / n) + rng.gauss(0, 0.01), 4) for i in range(n)]


def _number(rng: random.Random, wrap: bool):
    """How a value is written: a float, or numpy's ``np.float64(0.5)`` (numpy 2 prints scalars so)."""
    return (lambda v: _Wrapped(v)) if wrap else (lambda v: v)


class _Wrapped(float):
    def __repr__(self) -> str:
        return f"np.float64({float.__repr__(self)})"


def generate(seed: int) -> Literal:
    rng = random.Random(seed)
    n = rng.randint(4, 40)
    loss, val = _curve(rng, n, rng.uniform(1, 3), 0.2), _curve(rng, n, rng.uniform(1, 3), 0.3)
    acc = _curve(rng, n, 0.3, 0.9)
    if rng.random() < 0.3:
        val[rng.randrange(n)] = rng.choice([math.nan, math.inf])
    w = _number(rng, rng.random() < 0.3)
    with_acc = rng.random() < 0.5
    shape = rng.choice(["columns", "records", "keyed", "grouped"])
    expected = {"loss": loss, "val_loss": val, **({"accuracy": acc} if with_acc else {})}
    if shape == "columns":
        seq = tuple if rng.random() < 0.3 else list
        obj = {k: seq(w(v) for v in vs) for k, vs in expected.items()}
    elif shape == "records":
        base = rng.choice([0, 1])
        obj = [{"epoch": base + i, **{k: w(vs[i]) for k, vs in expected.items()}} for i in range(n)]
    elif shape == "keyed":
        base = rng.choice([0, 1])
        obj = {base + i: {k: w(vs[i]) for k, vs in expected.items()} for i in range(n)}
    else:
        obj = {"train": {"loss": [w(v) for v in loss], **({"accuracy": [w(v) for v in acc]} if with_acc else {})},
               "val": {"loss": [w(v) for v in val]}}
        expected = {"train/loss": loss, "val/loss": val, **({"train/accuracy": acc} if with_acc else {})}
    text = pprint.pformat(obj, width=rng.choice([80, 120])) if rng.random() < 0.4 else repr(obj)
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    text += rng.choice(["", "\n", "\r\n"])
    return Literal(text, rng.choice(_NAMES), expected, shape)


def near_miss(seed: int) -> Literal:
    """A printed literal whose numbers name no loss or metric, or that holds settings only: not read as curves."""
    rng = random.Random(seed)
    n = rng.randint(6, 30)
    if rng.random() < 0.5:
        obj = {m: _curve(rng, n, rng.uniform(1, 3), 0.2) for m in rng.sample(["resnet", "Quantum_QVAE", "vgg16", "run_a",
                                                                                 "baseline"], 2)}
    else:
        obj = {"lr": 1e-3, "epochs": n, "batch_size": 32, "dropout": 0.2, "shuffle": True, "scheduler": None}
    return Literal(repr(obj) + "\n", rng.choice(["config.txt", "results.txt", "train_log.txt"]), {}, "near_miss")
