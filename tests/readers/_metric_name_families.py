"""Generators of training consoles and tables whose READING needs more than a plain ``name: value``, one per
layout family (like ``_console_families``): random names, separators, counters at 0 or 1, CRLF, a missing
last line end, scientific notation; each returns a ``Console`` whose ``expected`` curves the reader must
find, and nothing else under a judged role.

Families:

- ``metric_at_k``: task metrics named with punctuation: a cut-off K (``recall@20``, ``NDCG@10``, ``HR@10``),
  an IoU range (``mAP@0.5:0.95``), a top-K accuracy (``top-1``) or a percent unit (``acc(%)``);
- ``ruled_header``: an epoch header underlined by a rule (``Epoch: 3`` over ``----------``), then one line per
  split (``Training loss: 0.41; Acc: 0.82``);
- ``header_steps``: an epoch header, then batch lines whose counter starts over with each epoch
  (``train epoch: 2`` over ``batch: 50, loss: 0.41``): one run, its steps made global;
- ``markdown_table``: a pipe table with its rule row (``| epoch | loss | val_loss |`` over ``|---|:---:|``);
- ``wide_table``: a hundred columns, one metric per class beside the losses (``class_12_f1``);
- ``py_named_console``: a console saved under a ``.py`` name (``20e0005lr.py``): no Python, so a log.

``near_misses`` gives files that must still be refused, each with the one-line error.
"""

from __future__ import annotations

import random

from ._console_families import TRAIN_LOSS, TRAIN_METRIC, VAL_LOSS, VAL_METRIC, Console, _curves, _ending

# (printed name, role it must get); the ranking metrics are scored on held-out items
_RANKED = [("recall@20", VAL_METRIC), ("Recall@10", VAL_METRIC), ("NDCG@10", VAL_METRIC), ("ndcg@20", VAL_METRIC),
           ("HR@10", VAL_METRIC), ("hit@5", VAL_METRIC), ("precision@20", VAL_METRIC), ("MRR", VAL_METRIC),
           ("mAP@0.5:0.95", VAL_METRIC), ("mAP@0.5", VAL_METRIC), ("val top-1", VAL_METRIC),
           ("top-1", TRAIN_METRIC), ("Top-5 Acc", TRAIN_METRIC), ("acc(%)", TRAIN_METRIC), ("acc@1", TRAIN_METRIC)]


def _num(rng: random.Random, v: float, sci: bool) -> str:
    return f"{v:.4e}" if sci else f"{v:.4f}"


def metric_at_k(seed: int) -> Console:
    """'Epoch 3 | loss: 0.4123 | NDCG@10: 0.2311' (one line, or the metric on an indented line under it)."""
    rng = random.Random(seed)
    n = rng.randint(6, 25)
    c = _curves(rng, n)
    name, role = rng.choice(_RANKED)
    pct = "%" in name
    metric = c[VAL_METRIC] if role == VAL_METRIC else c[TRAIN_METRIC]
    start = rng.choice([0, 1])
    sep = rng.choice([": ", "=", " ", " : "])
    join = rng.choice([" | ", ", ", "  ", "\t"])
    sci = rng.random() < 0.3
    split_line = rng.random() < 0.4
    lines = [f"Loading data... {rng.randint(1000, 90000)} items", ""]
    for e in range(n):
        m = f"{metric[e] * 100:.2f}" if pct else f"{metric[e]:.4f}"
        loss = f"loss{sep}{_num(rng, c[TRAIN_LOSS][e], sci)}"
        if split_line:
            lines += [f"Epoch {e + start}:", f"    {loss}", f"    {name}{sep}{m}"]
        else:
            lines.append(f"Epoch {e + start}{join}{loss}{join}{name}{sep}{m}")
    xs = [float(e + start) for e in range(n)]
    out = Console(_ending(rng, lines), {TRAIN_LOSS: (xs, c[TRAIN_LOSS]), role: (xs, metric)},
                  family="metric_at_k", name=rng.choice(["train.log", "train_log.txt", "output.out"]))
    if pct:
        out.percent.add(role)
    return out


def ruled_header(seed: int) -> Console:
    """'Epoch: 3' over a rule, then 'Training loss: 0.41; Acc: 0.82' and 'Validation loss: …; Acc: …'."""
    rng = random.Random(seed)
    n = rng.randint(4, 20)
    c = _curves(rng, n)
    start = rng.choice([0, 1])
    rule = rng.choice(["-" * 10, "=" * 20, "*" * 8, "~" * 12, "_" * 15])
    head = rng.choice(["Epoch: {e}", "Epoch {e}", "epoch {e}", "Epoch {e}/{n}"])
    sep = rng.choice(["; ", ", ", " | ", "  "])
    blank = rng.random() < 0.5
    lines = ["Device: cuda", f"Train set: {rng.randint(1000, 20000)}", f"Val set: {rng.randint(100, 3000)}", ""]
    for e in range(n):
        lines += [head.format(e=e + start, n=n + start), rule,
                  f"Training loss: {c[TRAIN_LOSS][e]:.4f}{sep}Acc: {c[TRAIN_METRIC][e]:.4f}",
                  f"Validation loss: {c[VAL_LOSS][e]:.4f}{sep}Acc: {c[VAL_METRIC][e]:.4f}"]
        if blank:
            lines.append("")
    xs = [float(e + start) for e in range(n)]
    return Console(_ending(rng, lines), {r: (xs, c[r]) for r in (TRAIN_LOSS, VAL_LOSS, TRAIN_METRIC, VAL_METRIC)},
                   family="ruled_header", name=rng.choice(["training.out", "train.log"]))


def header_steps(seed: int) -> Console:
    """'train epoch: 2' then 'batch: 50, loss: 0.41' lines, the batch counted from 0 (or 1) in each epoch."""
    rng = random.Random(seed)
    epochs, per = rng.randint(2, 5), rng.randint(4, 12)
    every = rng.choice([1, 10, 50, 100])
    first = rng.choice([0, 1])
    l0, l1 = rng.uniform(2.0, 900.0), rng.uniform(0.05, 0.5)
    total = epochs * per
    vals = [round(l0 * (l1 / l0) ** (i / (total - 1)), 4) for i in range(total)]
    head = rng.choice(["INFO:root:train epoch: {e}", "Epoch {e}", "=== Epoch {e} ===", "Epoch: {e}", "epoch {e}"])
    word = rng.choice(["batch", "Batch", "iter", "step", "Iteration"])
    prefix = rng.choice(["", "INFO:root:", "  "])
    tail = rng.choice(["", ":", " "])
    lines = []
    for e in range(epochs):
        lines.append(head.format(e=e + rng.choice([0, 0]) + first))
        for b in range(per):
            lines.append(f"{prefix}{word}: {first + b * every}, loss:{vals[e * per + b]:.6f}{tail}")
    return Console(_ending(rng, lines), {TRAIN_LOSS: ([float(i) for i in range(total)], vals)},
                   family="header_steps", name="train.log")


def markdown_table(seed: int) -> Console:
    """A markdown table: '| epoch | loss | val_loss | acc |' over its rule row, one row per epoch."""
    rng = random.Random(seed)
    n = rng.randint(3, 20)
    c = _curves(rng, n)
    start = rng.choice([0, 1])
    cols = [("epoch", None), ("loss", TRAIN_LOSS), ("val_loss", VAL_LOSS)] + rng.choice(
        [[("acc", TRAIN_METRIC), ("val_acc", VAL_METRIC)], [("val_acc", VAL_METRIC)], []])
    rule = rng.choice(["---", ":---", ":---:", "------", "--"])
    pad = rng.choice(["", " "])
    row = lambda cells: "|" + "|".join(f"{pad}{x}{pad}" for x in cells) + "|"  # noqa: E731
    lines = [row([k for k, _ in cols]), row([rule] * len(cols))]
    for e in range(n):
        lines.append(row([str(e + start)] + [f"{c[r][e]:.4f}" for _, r in cols[1:]]))
    xs = [float(e + start) for e in range(n)]
    return Console(_ending(rng, lines), {r: (xs, c[r]) for _, r in cols[1:]}, family="markdown_table",
                   name=rng.choice(["results.md", "history.txt", "log.md"]))


def py_named_console(seed: int) -> Console:
    """A PyTorch example's console saved as '20e000005lr.py': 'Train Epoch: 0 [0/1464 (0%)]\\tLoss: 0.19'."""
    rng = random.Random(seed)
    epochs, per, size = rng.randint(3, 10), rng.randint(3, 6), rng.choice([1464, 6000, 60000])
    batch = size // per
    total = epochs * per
    l0, l1 = rng.uniform(0.2, 3.0), rng.uniform(0.005, 0.1)
    vals = [round(l0 * (l1 / l0) ** (i / (total - 1)), 6) for i in range(total)]
    lines = []
    for e in range(epochs):
        for b in range(per):
            lines.append(f"Train Epoch: {e} [{b * batch}/{size} ({round(100 * b * batch / size)}%)]\tLoss: "
                         f"{vals[e * per + b]:.6f}")
    xs = [e + b / per for e in range(epochs) for b in range(per)]
    return Console(_ending(rng, lines), {TRAIN_LOSS: (xs, vals)}, family="py_named_console",
                   name=f"{rng.randint(5, 50)}e{rng.randint(1, 9):06d}lr.py")


_PER_CLASS = ["class_{i}_f1", "cls{i}_acc", "val_precision_cls{i}", "acc_class{i}", "recall_{i}", "val_iou_c{i}",
              "f1_class_{i}"]


def wide_table(seed: int) -> Console:
    """A hundred columns: the losses and main metrics, then one metric per class ('class_12_f1'), as a CSV or a
    console line; the per-class ones are kept as series but judged by no rule, so only the main curves count."""
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    c = _curves(rng, n)
    k = rng.randint(5, 100)
    pats = rng.sample(_PER_CLASS, rng.randint(1, 2))
    first = rng.choice([0, 1])
    extra = [p.format(i=i + first) for p in pats for i in range(k)]
    start = rng.choice([0, 1])
    main = [("loss", TRAIN_LOSS), ("val_loss", VAL_LOSS), ("acc", TRAIN_METRIC), ("val_acc", VAL_METRIC)]
    csv = rng.random() < 0.5
    sep = rng.choice([",", "\t", ";"]) if csv else " "
    lines = [sep.join(["epoch"] + [m for m, _ in main] + extra)] if csv else []
    for e in range(n):
        cells = [f"{c[r][e]:.4f}" for _, r in main] + [f"{rng.random():.3f}" for _ in extra]
        if csv:
            lines.append(sep.join([str(e + start)] + cells))
        else:
            lines.append(f"Epoch {e + start}: " + " ".join(f"{name}={v}" for name, v in zip([m for m, _ in main] + extra,
                                                                                               cells)))
    xs = [float(e + start) for e in range(n)]
    return Console(_ending(rng, lines), {r: (xs, c[r]) for _, r in main}, family="wide_table",
                   name="metrics.csv" if csv else "train.log")


FAMILIES = {"wide_table": wide_table, "metric_at_k": metric_at_k, "ruled_header": ruled_header, "header_steps": header_steps,
            "markdown_table": markdown_table, "py_named_console": py_named_console}


def near_misses(seed: int) -> list[tuple[str, str]]:
    """(file name, text) pairs that are no training log, however close they look: a Python script named
    .py that prints the same records (its examples in comments), a rule-and-header skeleton with no values."""
    rng = random.Random(seed)
    n = rng.randint(3, 12)
    script = ["import torch", "", f"EPOCHS = {n}", "", "def train(model, loader):",
              "    for epoch in range(EPOCHS):",
              "        # Epoch 1 | loss: 0.6931 | NDCG@10: 0.1021", "        # Epoch 2 | loss: 0.5120 | NDCG@10: 0.1533",
              "        # Epoch 3 | loss: 0.4011 | NDCG@10: 0.1811",
              "        print(f'Epoch {epoch} | loss: {loss:.4f} | NDCG@10: {ndcg:.4f}')", ""]
    skeleton = [ln for e in range(n) for ln in (f"Epoch: {e + 1}", "-" * 10, "")]
    return [("train.py", _ending(rng, script)), ("training.out", _ending(rng, skeleton))]
