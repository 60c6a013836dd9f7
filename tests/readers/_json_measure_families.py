"""Generators of JSON files that hold one quantity in a bare shape, for ``test_json_measure_families``:
files whose meaning is certain from the file's name or the counter's key (read to exactly their curve),
and near misses (refused).

Readable families (the file named for the quantity: ``loss_history.json``, ``losses.json``,
``val_acc.json``…, unless said otherwise):

- ``counted_numbers``: numbers under their epoch's or step's key (pandas' ``Series.to_json()``:
  ``{"0": 0.9, "1": 0.7}``; ``{"epoch_1": 0.9}``, ``{"step 200": 0.9}``), counted from 0 or 1, every k;
- ``column_vector``: ``json.dump(losses.tolist())`` of an (n, 1) array: ``[[0.9], [0.7], ...]``;
- ``named_counted``: such numbers under a model's or variant's key (``{"resnet": {"0": 0.9, ...}}``);
- ``counter_list``: ``{"epochs": [1, 2, 3], "values": [...]}``: the list under a counter's name is the x;
- ``unnamed_records``: ``[{"epoch": 1, "value": 0.9}, ...]``, bare or under a key;
- ``generations``: an evolution strategy's log under any name (``train_log.json``): ``{"config": {...},
  "history": [{"gen": 0, "best_reward": ..., "mean_reward": ...}, ...]}`` read on its generations.

Each draws indentation (none, 2, 4), line ends (LF, CRLF, none after the last line), number format
(short, full repr, scientific) and a NaN or Infinity among the values (Python's json writes them).

Near misses (``near_miss``): the first two shapes under a name that names nothing (``history.json``,
``train_log.json``, ``results.json``), and numbers under bare digits in a file named for a metric
(``accuracy.json``: per class as likely as per epoch): refused, since nothing says what the numbers are.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

_NAMED = ["loss_history.json", "losses.json", "train_loss.json", "val_loss_history.json", "val_acc.json",
          "accuracy_history.json", "loss.json"]
_UNNAMED = ["history.json", "train_log.json", "results.json", "training_history.json", "log.json", "data.json"]


@dataclass
class Case:
    text: str
    name: str
    series: dict[str, tuple[list[float], list[float]]]  # name -> (steps, values) it must read to; {} = refused


def _curve(rng: random.Random, n: int, rising: bool) -> list[float]:
    lo, hi = (0.3, 0.95) if rising else (rng.uniform(0.05, 0.5), rng.uniform(1.0, 6.0))
    out = [(hi - (hi - lo) * math.exp(-4 * i / n)) if rising else lo + (hi - lo) * math.exp(-4 * i / n)
           for i in range(n)]
    digits = rng.choice([4, 6, 17])
    out = [round(v * (1 + rng.gauss(0, 0.01)), digits) + (1e-7 if digits < 17 else 0.0) for v in out]
    if rng.random() < 0.3:
        out[rng.randrange(1, n)] = rng.choice([math.nan, math.inf])
    return out


def _dump(rng: random.Random, doc) -> str:
    text = json.dumps(doc, indent=rng.choice([None, 2, 4]))
    if rng.random() < 0.3:  # scientific notation, as other writers print it
        text = text.replace("e-05", "E-05")
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    return text + rng.choice(["", "\n", "\r\n"])


def _over_time(name: str) -> bool:
    """Bare digits as keys are epochs only in a file named for a loss or kept over time (``val_acc.json``
    holding ``{"0": 0.91, ...}`` may be per class)."""
    return "loss" in name or "history" in name


def _named(rng: random.Random) -> str:
    return rng.choice(_NAMED)


def _setup(seed: int, name: str | None = None):
    rng = random.Random(seed)
    name = name or _named(rng)
    stem = name.rsplit(".", 1)[0]
    n = rng.randrange(8, 60)
    values = _curve(rng, n, rising="acc" in stem)
    return rng, name, stem, n, values


def counted_numbers(seed: int, name: str | None = None) -> Case:
    rng, name, stem, n, values = _setup(seed, name)
    start, every = rng.choice([0, 1]), rng.choice([1, 1, 5, 100])
    form = rng.choice(["{}", "epoch_{}", "epoch {}", "step_{}", "ep{}"] if _over_time(name) else ["epoch_{}", "step_{}"])
    steps = [float(start + every * i) for i in range(n)]
    doc = {form.format(int(s)): v for s, v in zip(steps, values)}
    return Case(_dump(rng, doc), name, {stem: (steps, values)})


def column_vector(seed: int, name: str | None = None) -> Case:
    rng, name, stem, n, values = _setup(seed, name)
    return Case(_dump(rng, [[v] for v in values]), name, {stem: ([float(i) for i in range(n)], values)})


def named_counted(seed: int, name: str | None = None) -> Case:
    rng, name, stem, n, values = _setup(seed, name)
    if not _over_time(name):
        name = rng.choice(["loss_history.json", "losses.json", "val_acc_history.json"])
        stem = name.rsplit(".", 1)[0]
    keys = rng.sample(["resnet", "vgg", "model_a", "model_b", "Quantum_QVAE", "Classical_AE", "baseline"], rng.randrange(1, 3))
    start = rng.choice([0, 1])
    doc, want = {}, {}
    for k in keys:
        vals = [v * rng.uniform(0.8, 1.2) for v in values]
        doc[k] = {str(start + i): v for i, v in enumerate(vals)}
        want[k] = ([float(i) for i in range(n)], vals)
    return Case(_dump(rng, doc), name, want)


def counter_list(seed: int, name: str | None = None) -> Case:
    rng, name, stem, n, values = _setup(seed, name)
    x_key = rng.choice(["epoch", "epochs", "step", "steps", "iterations"])
    every = 1 if x_key.startswith("epoch") else rng.choice([10, 100])
    start = rng.choice([0, 1])
    steps = [float(start + every * i) for i in range(n)]
    key = rng.choice(["values", "history", "value", "data"])
    doc = {x_key: [int(s) for s in steps], key: values} if rng.random() < 0.5 else {key: values, x_key: [int(s) for s in steps]}
    return Case(_dump(rng, doc), name, {key: (steps, values)})


def unnamed_records(seed: int, name: str | None = None) -> Case:
    rng, name, stem, n, values = _setup(seed, name)
    x_key, start = rng.choice(["epoch", "step", "iteration"]), rng.choice([0, 1])
    key = rng.choice(["value", "val", "y", "result"])
    steps = [float(start + i) for i in range(n)]
    rows = [{x_key: int(s), key: v} for s, v in zip(steps, values)]
    doc = rows if rng.random() < 0.5 else {"config": {"lr": 0.001, "model": "cnn"}, "records": rows}
    return Case(_dump(rng, doc), name, {key: (steps, values)})


def generations(seed: int, name: str | None = None) -> Case:
    rng = random.Random(seed)
    name = name or rng.choice(_UNNAMED + ["es_log.json"])
    n = rng.randrange(5, 80)
    best = [-3.0 + 2.5 * (1 - math.exp(-3 * i / n)) + rng.gauss(0, 0.01) for i in range(n)]
    mean = [b - abs(rng.gauss(0.3, 0.05)) for b in best]
    x_key = rng.choice(["gen", "generation"])
    rows = [{x_key: i, "best_reward": b, "mean_reward": m} for i, (b, m) in enumerate(zip(best, mean))]
    doc = {"history": rows, "best_params": [rng.uniform(-1, 1) for _ in range(rng.randrange(3, 12))],
           "best_reward": max(best)}
    if rng.random() < 0.5:
        doc = {"config": {"generations": n, "popsize": 12, "sigma": 0.3}, **doc}
    steps = [float(i) for i in range(n)]
    return Case(_dump(rng, doc), name, {"best_reward": (steps, best), "mean_reward": (steps, mean)})


FAMILIES = {"counted_numbers": counted_numbers, "column_vector": column_vector, "named_counted": named_counted,
            "counter_list": counter_list, "unnamed_records": unnamed_records, "generations": generations}


def near_miss(seed: int) -> Case:
    """One of the bare shapes under a name that says nothing of what its numbers are, or numbers under
    bare digits in a file named for a metric (per class as likely as per epoch): to be refused."""
    rng = random.Random(seed)
    if rng.random() < 0.3:
        name = rng.choice(["accuracy.json", "val_acc.json", "per_class_accuracy.json", "f1.json", "iou.json"])
        values = [round(rng.uniform(0.3, 0.99), 4) for _ in range(rng.randrange(3, 40))]
        return Case(_dump(rng, {str(i): v for i, v in enumerate(values)}), name, {})
    family = rng.choice([counted_numbers, column_vector])
    case = family(seed, rng.choice(_UNNAMED))
    return Case(case.text, case.name, {})
