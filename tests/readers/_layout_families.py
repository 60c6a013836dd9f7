"""Generators of console and JSON layouts whose meaning the file itself states, for ``test_layout_families``:
each variant must read to exactly its curves; each near miss must keep being refused (or read as before)
in one line that says what was found.

Readable families:

- ``colon_rows``: ``12:0.5234`` / ``12: 0.5234`` lines (``print(f"{epoch}:{value}")``) in a file named for
  the value: the same rows as ``12 0.5234``;
- ``one_key_dicts``: spaCy's ``{'textcat': 0.123}`` printed once per epoch, in a file named for the loss;
- ``listed_keyed``: ``json.dump([series.to_dict()])``: one object keyed by position (``{"0": v, ...}``) in a
  list, in a file named for it; two such objects at one level are that loss's training and validation values;
- ``concatenated_json``: pretty-printed JSON objects written back to back (``json.dump`` once per epoch);
- ``titled_header``: a counter header with a few words of title (``Training Epoch: 3``, ``Epoch 3 training``,
  ``***TRAINING RESULT***EPOCH= 3``) above the epoch's ``name = value`` lines;
- ``counter_of_total``: ``Epoch 3 of 20`` (its total in words), the loop's phase words, then its values;
- ``phase_words``: ``Epoch 3`` alone, then the loop's phase (``Training...``) or its progress bar, then the values;
- ``newest_first``: ``Validation Report - Epoch N`` blocks pasted newest first: one run, in counter order;
- ``bracketed_counter``: ``Validation Loss (Epoch 3): 0.41, Validation Accuracy (Epoch 3): 0.88``;
- ``count_key``: ``count: 150, loss: 0.52`` under ``train epoch: N`` headers (``count`` is the batch counter);
- ``stamped_table``: a ``Timestamp | Step | Train Loss | Validation Loss`` table whose rows start with a date;
- ``dashed_table``: ``Epoch - Loss - Accuracy`` over ``0 - 0.4354 - 76.99`` rows;
- ``caffe2_print``: ``Tensor loss of type float. Dims: (): 2.34`` lines;
- ``padded_k``: ``Recall@ 1:`` / ``Recall@ 5:`` (a right-aligned K) under ``Epoch N`` headers.

Each draws its line ends (LF, CRLF, none after the last line), counters from 0 or 1, number format
(fixed, many digits, scientific) and, where a value can be one, a NaN or inf.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field


@dataclass
class Case:
    text: str
    name: str
    # series name -> (steps, values) the file must read to (one run); empty: it must be refused
    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    said: str = ""  # for a refusal: words the one-line message must hold
    runs: int = 1


def _fmt(rng: random.Random):
    style = rng.randrange(3)
    return lambda v: (("nan" if math.isnan(v) else "inf") if not math.isfinite(v) else
                      f"{v:.4f}" if style == 0 else repr(float(v)) if style == 1 else f"{v:.6e}")


def _exact(fmt, v: float) -> float:
    return float(fmt(v)) if math.isfinite(v) else v


def _curve(rng: random.Random, n: int, accuracy: bool = False, odd: bool = True) -> list[float]:
    lo, hi = (0.3, 0.95) if accuracy else (rng.uniform(0.05, 0.5), rng.uniform(1.0, 6.0))
    out = [(hi - (hi - lo) * math.exp(-4 * i / n)) if accuracy else lo + (hi - lo) * math.exp(-4 * i / n)
           for i in range(n)]
    out = [round(v * (1 + rng.gauss(0, 0.01)), 6) + 1e-7 for v in out]
    if odd and rng.random() < 0.25:
        out[rng.randrange(1, n)] = rng.choice([math.nan, math.inf])
    return out


def _join(rng: random.Random, lines: list[str]) -> str:
    end = rng.choice(["\n", "\r\n"])
    return end.join(lines) + rng.choice([end, ""])


def colon_rows(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(8, 40), rng.choice([0, 1])
    name, stem, acc = rng.choice([("loss.txt", "loss", False), ("val_acc.txt", "val_acc", True),
                                  ("train_loss.log", "train_loss", False), ("accuracy_history.txt", "accuracy_history", True)])
    fmt, sep = _fmt(rng), rng.choice([":", ": ", " : "])
    values = _curve(rng, n, accuracy=acc)
    lines = [f"{first + i}{sep}{fmt(v)}" for i, v in enumerate(values)]
    return Case(_join(rng, lines), name, {stem: ([float(first + i) for i in range(n)], [_exact(fmt, v) for v in values])})


def one_key_dicts(seed: int) -> Case:
    """spaCy's ``print(losses)`` once per epoch (``{'textcat': 0.123}``) in a file named for the loss."""
    rng = random.Random(seed)
    n = rng.randint(3, 40)
    key, q = rng.choice(["textcat", "ner", "tagger", "parser", "tok2vec"]), "'"  # JSON lines are the generic table's
    name = rng.choice(["loss.txt", "losses.log", "train_loss.txt"])
    fmt = _fmt(rng)
    values = _curve(rng, n)
    lines = [f"{{{q}{key}{q}: {fmt(v)}}}" for v in values]
    return Case(_join(rng, lines), name, {name.split(".")[0]: ([float(i) for i in range(n)], [_exact(fmt, v) for v in values])})


def listed_keyed(seed: int) -> Case:
    rng = random.Random(seed)
    n = rng.randint(5, 60)
    name = rng.choice(["loss.json", "loss_log.json", "losses.json", "loss_history.json"])
    stem = name[:-5]
    train = _curve(rng, n, odd=False)
    if rng.random() < 0.5:
        doc = [{str(i): v for i, v in enumerate(train)}]
        want = {stem: ([float(i) for i in range(n)], train)}
    else:
        val = [v * rng.uniform(1.02, 1.3) for v in train]
        doc = [{str(i): v for i, v in enumerate(train)}, {str(i): v for i, v in enumerate(val)}]
        want = {"train_loss": ([float(i) for i in range(n)], train), "val_loss": ([float(i) for i in range(n)], val)}
    text = json.dumps(doc, indent=rng.choice([None, 2, 4]))
    return Case(text + rng.choice(["", "\n"]), name, want)


_TITLES = ["Training Epoch: {n}", "Epoch {n} training", "train epoch: {n}", "***TRAINING RESULT***EPOCH= {n}",
           "==> Start epoch {n}", "Running epoch {n}", "[Train] Epoch {n}", "Validation - Epoch {n}"]


def concatenated_json(seed: int) -> Case:
    """``json.dump(record, f, indent=4)`` once per epoch into one file: objects back to back."""
    rng = random.Random(seed)
    n, first = rng.randint(3, 30), rng.choice([0, 1])
    loss = _curve(rng, n, odd=False)
    between = rng.choice(["", "\n"])
    parts = [json.dumps({"epoch": first + i, "loss": loss[i], "lr": 0.001}, indent=rng.choice([2, 4])) for i in range(n)]
    steps = [float(first + i) for i in range(n)]
    return Case(between.join(parts) + rng.choice(["", "\n"]), rng.choice(["loss.json", "history.json", "log.json"]),
                {"loss": (steps, loss)})


def titled_header(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(4, 30), rng.choice([0, 1])
    title, fmt = rng.choice(_TITLES), _fmt(rng)
    loss, acc = _curve(rng, n), _curve(rng, n, accuracy=True, odd=False)
    joiner = rng.choice([" = ", ": ", "="])
    lines = rng.choice([[], ["Loading data...", "Model built with 3 layers"]])
    for i in range(n):
        lines += [title.format(n=first + i), f"loss{joiner}{fmt(loss[i])}, accuracy{joiner}{fmt(acc[i])}"]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), rng.choice(["train.log", "output.txt", "training_result.txt"]),
                {"loss": (steps, [_exact(fmt, v) for v in loss]), "accuracy": (steps, [_exact(fmt, v) for v in acc])})


def counter_of_total(seed: int) -> Case:
    """``Epoch 3 of 20`` (the total in words, as ``Epoch 3/20``), then the loop's phase words, then its values."""
    rng = random.Random(seed)
    n, first = rng.randint(4, 30), rng.choice([0, 1])
    fmt = _fmt(rng)
    loss, val = _curve(rng, n), _curve(rng, n, odd=False)
    word = rng.choice(["Epoch", "epoch", "EPOCH"])
    lines: list[str] = []
    for i in range(n):
        lines.append(f"{word} {first + i} of {first + n - 1}")
        lines += rng.choice([[], ["Training"], ["Training", "Validating"]])
        lines += [f"Train Loss: {fmt(loss[i])}", f"Val Loss: {fmt(val[i])}"]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), rng.choice(["Outputs.md", "train.log", "output.txt"]),
                {"train_loss": (steps, [_exact(fmt, v) for v in loss]), "val_loss": (steps, [_exact(fmt, v) for v in val])})


def phase_words(seed: int) -> Case:
    """``Epoch 3`` alone, then the phase the loop enters (``Training...``) or its progress bar, then the values."""
    rng = random.Random(seed)
    n, first = rng.randint(4, 30), rng.choice([0, 1])
    fmt = _fmt(rng)
    loss, val = _curve(rng, n), _curve(rng, n, odd=False)
    head = rng.choice(["Epoch {n}", "epoch {n}", "=== Epoch {n} ===", "Training Epoch: {n}", "EPOCH {n}:"])
    lines: list[str] = []
    for i in range(n):
        lines.append(head.format(n=first + i))
        lines += rng.choice([["Training..."], ["Training", "100%|##########| 50/50 [00:01<00:00, 30.12it/s]"],
                             ["Evaluating:"], ["Train phase"]])
        lines += [f"loss: {fmt(loss[i])}", f"val_loss: {fmt(val[i])}"]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), rng.choice(["train.log", "output.txt"]),
                {"loss": (steps, [_exact(fmt, v) for v in loss]), "val_loss": (steps, [_exact(fmt, v) for v in val])})


def newest_first(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(3, 20), rng.choice([0, 1])
    val, mrr = _curve(rng, n, odd=False), _curve(rng, n, accuracy=True, odd=False)
    rule = rng.choice(["=" * 40, "-" * 30, ""])
    lines: list[str] = []
    for i in reversed(range(n)):
        lines += [x for x in (rule, f"Validation Report - Epoch {first + i}", rule) if x]
        lines += [f"MRR:            {mrr[i]:.4f}", f"Val Loss:       {val[i]:.4f}", ""]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), "train_val_log.txt",
                {"mrr": (steps, [round(v, 4) for v in mrr]), "val_loss": (steps, [round(v, 4) for v in val])})


def bracketed_counter(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(4, 30), rng.choice([0, 1])
    fmt = _fmt(rng)
    loss, acc = _curve(rng, n), _curve(rng, n, accuracy=True, odd=False)
    word, op, cl = rng.choice(["Epoch", "epoch", "Step"]), *rng.choice([("(", ")"), ("[", "]")])
    lines = [f"Validation Loss {op}{word} {first + i}{cl}: {fmt(loss[i])}, Validation Accuracy {op}{word} {first + i}{cl}: "
             f"{fmt(acc[i])}" for i in range(n)]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), "valid_log.txt", {"validation_loss": (steps, [_exact(fmt, v) for v in loss]),
                                                     "validation_accuracy": (steps, [_exact(fmt, v) for v in acc])})


def count_key(seed: int) -> Case:
    rng = random.Random(seed)
    epochs, per, every = rng.randint(2, 4), rng.randint(4, 10), rng.choice([10, 50, 100])
    fmt = _fmt(rng)
    loss = _curve(rng, epochs * per, odd=False)
    prefix = rng.choice(["", "INFO:root:"])
    lines, steps = [], []
    for e in range(epochs):
        lines.append(f"{prefix}train epoch: {e}")
        for b in range(per):
            lines.append(f"{prefix}count: {b * every}, loss:{fmt(loss[e * per + b])}: ")
            steps.append(float(e * ((per - 1) * every + 1) + b * every))  # after the last step of each epoch before
    return Case(_join(rng, lines), "train.log", {"loss": (steps, [_exact(fmt, v) for v in loss])})


def stamped_table(seed: int) -> Case:
    rng = random.Random(seed)
    n, every = rng.randint(5, 40), rng.choice([1, 10, 100])
    fmt = _fmt(rng)
    train, val = _curve(rng, n, odd=False), _curve(rng, n, odd=False)
    head = rng.choice(["Timestamp", "Time", "Date"])
    lines = [f"{head} | Step | Train Loss | Validation Loss"] + (["-" * 50] if rng.random() < 0.5 else [])
    for i in range(n):
        lines.append(f"2025-04-{10 + i // 24:02d} {i % 24:02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} | "
                     f"{(i + 1) * every} | {fmt(train[i])} | {fmt(val[i])}")
    steps = [float((i + 1) * every) for i in range(n)]
    return Case(_join(rng, lines), "training_loss.txt", {"train_loss": (steps, [_exact(fmt, v) for v in train]),
                                                         "validation_loss": (steps, [_exact(fmt, v) for v in val])})


def dashed_table(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(4, 40), rng.choice([0, 1])
    fmt = _fmt(rng)
    loss, acc = _curve(rng, n, odd=False), _curve(rng, n, accuracy=True, odd=False)
    lines = ["Epoch - Loss - Training Accuracy"] + [f"{first + i} - {fmt(loss[i])} - {fmt(acc[i] * 100)}" for i in range(n)]
    steps = [float(first + i) for i in range(n)]
    return Case(_join(rng, lines), "train_result.txt", {"loss": (steps, [_exact(fmt, v) for v in loss]),
                                                        "training_accuracy": (steps, [_exact(fmt, v * 100) for v in acc])})


def caffe2_print(seed: int) -> Case:
    rng = random.Random(seed)
    n = rng.randint(5, 200)
    loss = _curve(rng, n, odd=False)
    lines = [f"Tensor loss of type float. Dims: (): {v:g}" for v in loss]
    return Case(_join(rng, lines), "loss.log", {"loss": ([float(i) for i in range(n)], [float(f"{v:g}") for v in loss])})


def padded_k(seed: int) -> Case:
    rng = random.Random(seed)
    n, first = rng.randint(4, 20), rng.choice([0, 1])
    r1, r5 = _curve(rng, n, accuracy=True, odd=False), _curve(rng, n, accuracy=True, odd=False)
    name = rng.choice(["Recall", "Hit", "Precision"])
    lines: list[str] = []
    for i in range(n):
        lines += [f"Epoch {first + i}", f"{name}@ 1:      {r1[i]:.4f}", f"{name}@ 5:      {r5[i]:.4f}"]
    steps = [float(first + i) for i in range(n)]
    low = name.lower()
    return Case(_join(rng, lines), "eval.log", {f"{low}1": (steps, [round(v, 4) for v in r1]),
                                                f"{low}5": (steps, [round(v, 4) for v in r5])})


FAMILIES = {f.__name__: f for f in (colon_rows, one_key_dicts, listed_keyed, concatenated_json, titled_header, counter_of_total, phase_words, newest_first, bracketed_counter,
                                    count_key, stamped_table, dashed_table, caffe2_print, padded_k)}


# -- near misses: still refused, in one line ----------------------------------------------------------------

def colon_rows_unnamed(seed: int) -> Case:
    """``12:0.52`` lines in a file whose name says nothing of the value: refused, the hint naming the layout."""
    case = colon_rows(seed)
    rng = random.Random(seed)
    return Case(case.text, rng.choice(["train.txt", "output.log", "results.txt"]), said="a counter and a number")


def keyed_apart(seed: int) -> Case:
    """Two position-keyed objects at different levels (a loss and an accuracy?) in ``loss.json``: refused."""
    rng = random.Random(seed)
    n = rng.randint(5, 40)
    a = _curve(rng, n, odd=False)
    b = [v * rng.uniform(20, 100) for v in a]
    return Case(json.dumps([{str(i): v for i, v in enumerate(a)}, {str(i): v for i, v in enumerate(b)}]), "loss.json",
                said="keyed by position")


def keyed_three(seed: int) -> Case:
    """Three position-keyed objects in ``losses.json``: which is which nothing says; refused."""
    rng = random.Random(seed)
    n = rng.randint(5, 40)
    doc = [{str(i): v for i, v in enumerate(_curve(rng, n, odd=False))} for _ in range(3)]
    return Case(json.dumps(doc), "losses.json", said="keyed by position")


def dicts_unnamed(seed: int) -> Case:
    """Dicts of numbers under names that say nothing, in a file whose name says nothing either: refused."""
    rng = random.Random(seed)
    n = rng.randint(3, 30)
    keys = rng.sample(["textcat", "ner", "tagger", "tok2vec", "alpha", "beta"], rng.randint(1, 3))
    lines = [str({k: round(rng.uniform(0.1, 5), 4) for k in keys}) for _ in range(n)]
    return Case(_join(rng, lines), rng.choice(["train.txt", "output.log", "progress.txt"]), said="a dict of numbers")


def one_line_unnamed(seed: int) -> Case:
    """One line of many numbers in a file whose name says no loss or metric: refused."""
    rng = random.Random(seed)
    values = _curve(rng, rng.randint(5, 80), accuracy=True, odd=False)
    text = rng.choice(["   ", ", ", " ", "\t"]).join(f"{v:.4f}" for v in values)
    return Case(text + rng.choice(["", "\n"]), rng.choice(["learning_curve.txt", "curve.txt", "data.txt"]),
                said="one line of")


NEAR_MISSES = {f.__name__: f for f in (colon_rows_unnamed, keyed_apart, keyed_three, dicts_unnamed, one_line_unnamed)}
