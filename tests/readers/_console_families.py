"""Generators of hand-written training consoles, one per LAYOUT FAMILY, for the text-log reader's tests
and the fuzzer's seeds (``bench/fuzz_seeds.py``).

A real training loop prints its numbers in a layout its author chose: the names, the spacing, the
number format, the order of the fields and the noise between records all vary from script to script.
Each generator here draws those choices at random from one seed and returns the console text with the
series it holds (``Console.expected``: role -> (epochs, values), values as printed before any formatting
loss), so a test can ask of every variant that the reader finds exactly those curves, under those
roles, and nothing else that would be judged (no series invented from a banner, a config dump, a
model summary or a traceback).

Families:

- ``value_first``: the value printed BEFORE its name ("0.98 C.E. Loss, 94.28% Accuracy");
- ``bars_and_wandb``: ``Train Loss: … Val Loss: …`` lines between tqdm bars (``\\r`` redraws or one
  per line) and a wandb run's closing "Run history:" sparklines and "Run summary:" values;
- ``decorated``: ``key: value`` / ``key=value`` / ``key value`` records with units, percent signs,
  ``±`` spreads, brackets, thousands separators in counts, ANSI colours, tabs;
- ``repeated_header_table``: a tab- or space-aligned table whose header row is printed again every
  few epochs (or at each epoch);
- ``metric_blocks``: one block per quantity ("Train loss per epoch:" then one line per epoch);
- ``padded_counter``: ``[  3/120] loss: … | acc: …``, the epoch padded inside brackets opening the line;
- ``wrapped_numbers``: values inside a NumPy or torch repr (``array([0.52], dtype=float32)``, ``tensor([0.52])``).

Noise lines (a config dump, a model summary, a warning, a traceback that was caught) are put
around the records; they hold numbers of their own that must not become series.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

TRAIN_LOSS, VAL_LOSS, TRAIN_METRIC, VAL_METRIC = "train_loss", "val_loss", "train_metric", "val_metric"

_TRAIN_LOSS_NAMES = ["loss", "Loss", "train_loss", "Train Loss", "training loss", "Training Loss", "train loss",
                     "TrainLoss", "tr_loss", "Train_Loss", "avg loss", "Avg Train Loss"]
_VAL_LOSS_NAMES = ["val_loss", "Val Loss", "valid loss", "Validation Loss", "val loss", "ValLoss", "test loss",
                   "Test Loss", "eval_loss", "Valid Loss", "dev loss"]
_TRAIN_ACC_NAMES = ["acc", "Acc", "accuracy", "train_acc", "Train Acc", "Train Accuracy", "training accuracy",
                    "TrainAcc", "train accuracy"]
_VAL_ACC_NAMES = ["val_acc", "Val Acc", "Validation Accuracy", "val accuracy", "ValAcc", "test acc", "Test Accuracy",
                  "valid_acc", "eval_accuracy", "Dev Acc"]
# words after the value in the value-first family (the value is named by what follows it)
_VF_LOSS = ["Loss", "loss", "C.E. Loss", "CE loss", "NLL Loss", "train loss", "Training Loss"]
_VF_ACC = ["Accuracy", "accuracy", "Acc", "acc", "Train Accuracy"]
_VF_VAL_LOSS = ["Val Loss", "val loss", "Validation Loss", "test loss"]
_VF_VAL_ACC = ["Val Accuracy", "val acc", "Validation Accuracy", "test accuracy"]


@dataclass
class Console:
    text: str
    expected: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)  # role -> (x, values)
    percent: set[str] = field(default_factory=set)  # roles printed in percent (read as 0-100 or 0-1)
    name: str = "train.log"
    family: str = ""


def _curves(rng: random.Random, epochs: int) -> dict[str, list[float]]:
    """Plausible per-epoch curves: a falling training loss, a validation loss a little above it,
    accuracies rising towards a plateau; values rounded to what a format string keeps (4 places)."""
    l0, lmin = rng.uniform(0.8, 3.5), rng.uniform(0.02, 0.4)
    k = rng.uniform(0.15, 0.6)
    tl = [lmin + (l0 - lmin) * math.exp(-k * e) + rng.uniform(-0.01, 0.01) for e in range(epochs)]
    vl = [v * rng.uniform(1.02, 1.25) + 0.02 for v in tl]
    a_max = rng.uniform(0.7, 0.99)
    ta = [min(0.999, a_max * (1 - math.exp(-k * (e + 1))) + rng.uniform(0, 0.02)) for e in range(epochs)]
    va = [max(0.001, a - rng.uniform(0.0, 0.05)) for a in ta]
    r = lambda xs: [round(abs(x), 4) for x in xs]  # noqa: E731
    return {TRAIN_LOSS: r(tl), VAL_LOSS: r(vl), TRAIN_METRIC: r(ta), VAL_METRIC: r(va)}


def _noise(rng: random.Random) -> list[str]:
    """Lines a script prints besides its records, each holding numbers that are no training curve."""
    pool = [
        ["Config:", f"  lr: {rng.choice([1e-3, 3e-4, 0.01])}", f"  batch_size: {rng.choice([16, 32, 64, 128])}",
         f"  epochs: {rng.randint(5, 60)}", f"  weight_decay: {rng.choice([0.0, 1e-4, 5e-4])}",
         f"  dropout: {rng.choice([0.1, 0.2, 0.5])}"],
        [f"Namespace(batch_size={rng.choice([32, 64])}, lr={rng.choice([0.001, 0.01])}, momentum=0.9, seed={rng.randint(0, 99)})"],
        ["Model summary:", "  (conv1): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
         "  (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
         "  (fc): Linear(in_features=512, out_features=10, bias=True)",
         f"Total params: {rng.randint(10_000, 9_000_000):,}", f"Trainable params: {rng.randint(10_000, 9_000_000):,}"],
        [f"Loaded {rng.randint(1000, 60000)} training samples and {rng.randint(100, 10000)} validation samples"],
        ["/usr/lib/python3/site-packages/torch/nn/functional.py:1345: UserWarning: dropout2d: Received a 2-D input"],
        [f"Using device: cuda:0 ({rng.choice(['NVIDIA A100-SXM4-40GB', 'Tesla T4', 'GeForce RTX 3090'])})"],
        ["Traceback (most recent call last):", '  File "train.py", line 212, in <module>',
         "    main()", "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 11.17 GiB total capacity)",
         "Retrying with a smaller batch"],
        [f"Random seed set to {rng.randint(0, 9999)}"],
    ]
    rng.shuffle(pool)
    return [ln for block in pool[: rng.randint(1, 4)] for ln in block]


def _fmt(rng: random.Random, v: float, pct: bool, digits: int = 4) -> str:
    if pct:
        return f"{v * 100:.2f}%"
    return f"{v:.{digits}f}"


def _epoch_word(rng: random.Random) -> str:
    """One epoch counter format for the whole file (a script prints it with one format string)."""
    return rng.choice(["Epoch {e}/{n}", "Epoch {e}", "[Epoch {e}/{n}]", "epoch {e}", "Epoch: {e}", "EPOCH {e}/{n}",
                       "Epoch [{e}/{n}]", "epoch={e}", "Ep {e}", "Epoch {e:03d}"])


def value_first(seed: int) -> Console:
    """'Epoch 3/20 - 0.9812 C.E. Loss, 94.28% Accuracy | 1.0234 Val Loss, 91.30% Val Accuracy'."""
    rng = random.Random(seed)
    n = rng.randint(6, 25)
    c = _curves(rng, n)
    names = {TRAIN_LOSS: rng.choice(_VF_LOSS), TRAIN_METRIC: rng.choice(_VF_ACC), VAL_LOSS: rng.choice(_VF_VAL_LOSS),
             VAL_METRIC: rng.choice(_VF_VAL_ACC)}
    with_val = rng.random() < 0.7
    pct = rng.random() < 0.6
    sep = rng.choice([", ", " | ", "; ", " - "])
    roles = [TRAIN_LOSS, TRAIN_METRIC] + ([VAL_LOSS, VAL_METRIC] if with_val else [])
    lines = _noise(rng)
    ew, after = _epoch_word(rng), rng.choice([": ", " - ", " ", " | "])
    digits = rng.choice([4, 3, 5])
    for e in range(n):
        parts = [f"{_fmt(rng, c[r][e], pct and r in (TRAIN_METRIC, VAL_METRIC), digits)} {names[r]}" for r in roles]
        lines.append(f"{ew.format(e=e + 1, n=n)}{after}{sep.join(parts)}")
    exp = {r: (list(range(1, n + 1)), c[r]) for r in roles}
    return Console("\n".join(lines) + "\n", exp, {TRAIN_METRIC, VAL_METRIC} if pct else set(), family="value_first")


_SPARK = "▁▂▃▄▅▆▇█"


def _sparkline(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SPARK) for _ in range(min(n, 40)))


def bars_and_wandb(seed: int) -> Console:
    """tqdm bars (redrawn with '\\r' or one per line) between 'Train Loss: … Val Loss: …' epoch lines,
    then wandb's closing summary: 'Run history:' sparklines and 'Run summary:' last values."""
    rng = random.Random(seed)
    n = rng.randint(5, 20)
    c = _curves(rng, n)
    tl, vl, ta, va = (rng.choice(x) for x in (_TRAIN_LOSS_NAMES[2:], _VAL_LOSS_NAMES, _TRAIN_ACC_NAMES[3:], _VAL_ACC_NAMES))
    if tl.lower().split("_")[0].split()[0] not in ("train", "training", "tr", "avg"):
        tl = "Train Loss"
    with_acc = rng.random() < 0.6
    sep = rng.choice([" | ", ", ", "  ", "\t", " - "])
    colon = rng.choice([": ", " = ", "="])
    cr = rng.random() < 0.5
    batches = rng.choice([50, 100, 391])
    lines = ["wandb: Currently logged in as: someone (use `wandb login --relogin` to force relogin)",
             "wandb: Tracking run with wandb version 0.16.1", "wandb: Run data is saved locally in ./wandb/run-2024"]
    lines += _noise(rng)
    # 0-2: the epoch line has its counter, or an "Epoch e/n" line stands over it; 3: only the bar's
    # description names the epoch ("Train Epoch 3: 100%|███| 25/25"), the loop's lines after it have none
    lead_kind = rng.randint(0, 3)
    # a bar redrawn at every batch (thousands of redraws before the first epoch line) or a few times;
    # with the epoch in its description or none; with a running loss in its postfix or none
    flood = rng.random() < 0.3
    desc, postfix = rng.random() < 0.6 or lead_kind == 3, rng.random() < 0.6
    described = rng.choice(["Epoch {e}/{n}: ", "Epoch {e}: ", "Train Epoch {e}: ", "Training epoch {e}: ",
                            "epoch {e}: "]) if lead_kind == 3 else "Epoch {e}/{n}: "
    val_bar = lead_kind == 3 and rng.random() < 0.5  # a second bar over the validation batches
    if flood:
        batches = rng.choice([300, 469])
    for e in range(n):
        bar_parts = []
        for b in (range(1, batches + 1) if flood else sorted({1, batches // 3, 2 * batches // 3, batches})):
            pct = int(100 * b / batches)
            fill = "█" * (pct // 10) + " " * (10 - pct // 10)
            bar_parts.append((described.format(e=e + 1, n=n) if desc else "") + f"{pct:3d}%|{fill}| {b}/{batches} "
                             f"[00:{b % 60:02d}<00:{(batches - b) % 60:02d}, {rng.uniform(5, 30):.2f}it/s"
                             + (f", loss={c[TRAIN_LOSS][e] * rng.uniform(0.9, 1.1):.3f}]" if postfix else "]"))
        if cr:
            lines.append("\r".join(bar_parts))
        else:
            lines += bar_parts
        if val_bar:
            lines.append(f"VAL Epoch {e + 1}: 100%|██████████| 4/4 [00:01<00:00,  2.12VAL batch/s]")
        fields = [f"{tl}{colon}{c[TRAIN_LOSS][e]:.4f}"]
        if with_acc:
            fields.append(f"{ta}{colon}{c[TRAIN_METRIC][e]:.4f}")
        fields.append(f"{vl}{colon}{c[VAL_LOSS][e]:.4f}")
        if with_acc:
            fields.append(f"{va}{colon}{c[VAL_METRIC][e]:.4f}")
        lead = {0: f"Epoch {e + 1}/{n}{sep}", 1: f"Epoch {e + 1}: ", 2: "", 3: ""}[lead_kind]
        if lead_kind == 2:
            lines.append(f"Epoch {e + 1}/{n}")
        lines.append(lead + sep.join(fields))
        if lead_kind == 3:
            lines += [""] * rng.randint(0, 2) + (["saved model weights"] if rng.random() < 0.3 else [])
    # the closing summary as wandb prints it to a terminal, or without its prefix (a notebook's output saved as text)
    w = rng.choice(["wandb: ", ""])
    lines += ["wandb: Waiting for W&B process to finish... (success).", w, w + "Run history:"]
    hist = [("epoch", None), ("train_loss", TRAIN_LOSS), ("val_loss", VAL_LOSS)]
    if with_acc:
        hist += [("train_acc", TRAIN_METRIC), ("val_acc", VAL_METRIC)]
    width = max(len(h) for h, _ in hist) + 1
    lines += [f"{w}{h:>{width}} {_sparkline(rng, n)}" for h, _ in hist]
    lines += [w, w + "Run summary:"]
    lines += [f"{w}{h:>{width}} {c[r][-1] if r else n}" for h, r in hist]
    lines += [w, "wandb: 🚀 View run glorious-sun-12 at: https://wandb.ai/someone/proj/runs/abc123",
              "wandb: Synced 5 W&B file(s), 0 media file(s), 0 artifact file(s) and 0 other file(s)"]
    roles = [TRAIN_LOSS, VAL_LOSS] + ([TRAIN_METRIC, VAL_METRIC] if with_acc else [])
    exp = {r: (list(range(1, n + 1)), c[r]) for r in roles}
    return Console("\n".join(lines) + "\n", exp, family="bars_and_wandb", name=rng.choice(["train_logs.txt", "output.log"]))


def decorated(seed: int) -> Console:
    """Records with units, percent signs, '±' spreads, brackets, thousands separators, ANSI colours, tabs."""
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    c = _curves(rng, n)
    tl, vl, ta, va = (rng.choice(x) for x in (_TRAIN_LOSS_NAMES, _VAL_LOSS_NAMES, _TRAIN_ACC_NAMES, _VAL_ACC_NAMES))
    if ta.lower() in ("acc", "accuracy") and tl.lower() == "loss":
        pass
    pct = rng.random() < 0.5
    ansi = rng.random() < 0.4
    pm = rng.random() < 0.3
    sep = rng.choice([" | ", ", ", "  ", "\t", " ; "])
    kv = rng.choice([": ", "=", " = ", " ", ":", " -> "])
    bracket = rng.choice(["{}", "[{}]", "({})", "{}"])
    bars = rng.random() < 0.3  # a '\r'-redrawn progress bar before each record, on the same line
    col = (lambda s, k: f"\x1b[{k}m{s}\x1b[0m") if ansi else (lambda s, k: s)  # noqa: E731
    samples = rng.choice([50000, 1281167, 60000, 12000])
    lines = _noise(rng)
    ew, after = _epoch_word(rng), rng.choice([": ", " - ", " | ", "  "])
    extra_kind = rng.choice(["", "time", "samples", "lr"])
    for e in range(n):
        def val(r):
            v = c[r][e]
            txt = _fmt(rng, v, pct and r in (TRAIN_METRIC, VAL_METRIC))
            if pm:
                txt += f" ± {rng.uniform(0.001, 0.05):.3f}"
            return col(txt, rng.choice([32, 33, 36]))
        fields = [f"{tl}{kv}{val(TRAIN_LOSS)}", f"{ta}{kv}{val(TRAIN_METRIC)}", f"{vl}{kv}{val(VAL_LOSS)}",
                  f"{va}{kv}{val(VAL_METRIC)}"]
        fields = [bracket.format(f) for f in fields]
        extra = {"": "", "time": f"{sep}time{kv}{rng.uniform(10, 300):.1f}s", "samples": f"{sep}samples{kv}{samples:,}",
                 "lr": f"{sep}lr{kv}{0.001 * 0.9 ** e:.2e}"}[extra_kind]
        head = col(ew.format(e=e + 1, n=n), 1)
        bar = "".join(f"{k * 10:3d}%|{'#' * k}{' ' * (10 - k)}| {k * 10}/100\r" for k in (1, 5, 10)) if bars else ""
        lines.append(f"{bar}{head}{after}{sep.join(fields)}{extra}")
    exp = {r: (list(range(1, n + 1)), c[r]) for r in (TRAIN_LOSS, TRAIN_METRIC, VAL_LOSS, VAL_METRIC)}
    return Console("\n".join(lines) + "\n", exp, {TRAIN_METRIC, VAL_METRIC} if pct else set(), family="decorated")


def repeated_header_table(seed: int) -> Console:
    """An aligned table (tabs or spaces) with its header printed again every few epochs."""
    rng = random.Random(seed)
    n = rng.randint(6, 30)
    c = _curves(rng, n)
    tab = rng.random() < 0.5
    header = [rng.choice(["epoch", "Epoch", "ep"]), rng.choice(["train_loss", "TrainLoss", "trn_loss", "loss"]),
              rng.choice(["train_acc", "TrainAcc", "acc"]), rng.choice(["val_loss", "ValLoss", "valid_loss"]),
              rng.choice(["val_acc", "ValAcc", "valid_acc"]), "time"]
    every = rng.choice([1, 5, 10, n + 1])
    w = 12

    def row(cells):
        return "\t".join(cells) if tab else "".join(f"{x:>{w}}" for x in cells)
    lines = _noise(rng)
    for e in range(n):
        if e % every == 0:
            lines.append(row(header))
            if not tab and rng.random() < 0.5:
                lines.append("-" * (w * len(header)))
        lines.append(row([str(e + 1), f"{c[TRAIN_LOSS][e]:.4f}", f"{c[TRAIN_METRIC][e]:.4f}", f"{c[VAL_LOSS][e]:.4f}",
                          f"{c[VAL_METRIC][e]:.4f}", f"{rng.uniform(10, 99):.1f}"]))
    exp = {r: (list(range(1, n + 1)), c[r]) for r in (TRAIN_LOSS, TRAIN_METRIC, VAL_LOSS, VAL_METRIC)}
    return Console("\n".join(lines) + "\n", exp, family="repeated_header_table")


def metric_blocks(seed: int) -> Console:
    """One block per quantity: a title line naming it, then one line per epoch."""
    rng = random.Random(seed)
    n = rng.randint(5, 20)
    c = _curves(rng, n)
    titles = {TRAIN_LOSS: rng.choice(["Train loss", "Training Loss", "train_loss"]),
              VAL_LOSS: rng.choice(["Validation loss", "Val Loss", "val_loss"]),
              TRAIN_METRIC: rng.choice(["Train accuracy", "Training Accuracy", "train_acc"]),
              VAL_METRIC: rng.choice(["Validation accuracy", "Val Acc", "val_acc"])}
    roles = [TRAIN_LOSS, VAL_LOSS] + ([TRAIN_METRIC, VAL_METRIC] if rng.random() < 0.6 else [])
    line = rng.choice(["Epoch {e}: {v}", "epoch {e}\t{v}", "  Epoch {e} -> {v}", "[Epoch {e}] {v}"])
    lines = _noise(rng)
    for r in roles:
        lines.append(titles[r] + rng.choice([":", " per epoch:", ""]))
        lines += [line.format(e=e + 1, v=f"{c[r][e]:.4f}") for e in range(n)]
        lines.append("")
    exp = {r: (list(range(1, n + 1)), c[r]) for r in roles}
    return Console("\n".join(lines) + "\n", exp, family="metric_blocks", name="results.txt")


def split_lines(seed: int) -> Console:
    """An epoch header, then one line per split naming its values by the split first:
    'Epoch 3/20' / 'Train | loss: 0.41 | acc: 87.2%' / 'Valid | loss: 0.45 | acc: 85.0%'."""
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    c = _curves(rng, n)
    train_w = rng.choice(["Train", "train", "TRAIN", "Training", "[train]", "  train"])
    val_w = rng.choice(["Val", "Valid", "Validation", "val", "EVAL", "[valid]", "  test", "Test"])
    loss_w, acc_w = rng.choice(["loss", "Loss", "LOSS"]), rng.choice(["acc", "Acc", "accuracy", "Accuracy"])
    kv, sep = rng.choice([": ", "=", " "]), rng.choice([" | ", ", ", "  ", "\t", " - "])
    after = rng.choice([": ", " | ", " - ", " "])
    pct = rng.random() < 0.4
    header = rng.choice(["Epoch {e}/{n}", "=== Epoch {e} ===", "Epoch {e}", "epoch {e}/{n}:", "----- epoch {e} -----"])
    ansi = rng.random() < 0.3
    lines = _noise(rng)
    for e in range(n):
        h = header.format(e=e + 1, n=n)
        lines.append(f"\x1b[1m{h}\x1b[0m" if ansi else h)
        for split, lr, ar in ((train_w, TRAIN_LOSS, TRAIN_METRIC), (val_w, VAL_LOSS, VAL_METRIC)):
            lines.append(f"{split}{after}{loss_w}{kv}{c[lr][e]:.4f}{sep}{acc_w}{kv}{_fmt(rng, c[ar][e], pct)}")
        if rng.random() < 0.3:
            lines.append(f"Saved checkpoint to ckpt/epoch_{e + 1}.pt")
        if rng.random() < 0.5:
            lines.append("")
    exp = {r: (list(range(1, n + 1)), c[r]) for r in (TRAIN_LOSS, TRAIN_METRIC, VAL_LOSS, VAL_METRIC)}
    return Console("\n".join(lines) + "\n", exp, {TRAIN_METRIC, VAL_METRIC} if pct else set(), family="split_lines")


def eval_sentences(seed: int) -> Console:
    """A number alone per batch (``print(loss.item())``: nothing names it) with an evaluation sentence
    after each epoch ("The accuracy on the dev set is 0.5123", "Epoch 3 validation loss: 0.61"). Only the
    sentences name what they hold: they are the curve, the lone numbers are said in a note, not guessed at."""
    rng = random.Random(seed)
    n = rng.randint(5, 20)
    c = _curves(rng, n)
    r = rng.choice([VAL_METRIC, VAL_LOSS])
    what = {VAL_METRIC: rng.choice(["accuracy", "Accuracy", "acc"]), VAL_LOSS: rng.choice(["loss", "Loss"])}[r]
    split = rng.choice(["dev", "validation", "test", "eval"])
    form = rng.choice(["The {w} on the {s} set is {v}", "Epoch {e} {s} {w}: {v}", "{S} {w} after epoch {e} is {v}",
                       "{S} set {w} = {v}", "[epoch {e}] {s} {w} {v}"])
    per = rng.randint(3, 12)
    lines = _noise(rng)
    for e in range(n):
        lines += [repr(c[TRAIN_LOSS][e] * rng.uniform(0.9, 1.1)) for _ in range(per)]
        lines.append(form.format(w=what, s=split, S=split.capitalize(), e=e + 1, v=f"{c[r][e]:.4f}"))
    exp = {r: (list(range(1, n + 1)), c[r])}
    return Console("\n".join(lines) + "\n", exp, family="eval_sentences", name="training_results.txt")


def _ending(rng: random.Random, lines: list[str]) -> str:
    """The lines joined with LF or CRLF, with or without a line end after the last."""
    eol = rng.choice(["\n", "\r\n"])
    return eol.join(lines) + rng.choice([eol, ""])


def padded_counter(seed: int) -> Console:
    """The epoch alone in brackets, padded to its total's width, opening each line (f"[{e:3d}/{n}]"):
    '[  3/120] loss: 1.2e+00 | acc: 45.00%' — and so opening the file when nothing is printed before it."""
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    c = _curves(rng, n)
    width = rng.choice([3, 4, len(str(n)) + 1])
    counter = rng.choice(["[{e:>{w}}/{n}]", "[{e:{w}d}/{n}]", "[ {e}/{n} ]", "[{e:>{w}}/{n:>{w}}]"])
    loss_w, acc_w = rng.choice(["loss", "Loss", "train_loss"]), rng.choice(["acc", "Acc", "accuracy"])
    kv, sep = rng.choice([": ", "=", " "]), rng.choice([" | ", ", ", "  ", "\t"])
    with_val, pct, sci = rng.random() < 0.5, rng.random() < 0.4, rng.random() < 0.4
    roles = [(TRAIN_LOSS, loss_w), (TRAIN_METRIC, acc_w)] + (
        [(VAL_LOSS, "val_" + loss_w.lower().replace("train_", "")), (VAL_METRIC, "val_" + acc_w.lower())] if with_val else [])
    lines = _noise(rng) if rng.random() < 0.3 else []
    for e in range(n):
        parts = []
        for r, w in roles:
            v = c[r][e]
            text = _fmt(rng, v, pct) if r in (TRAIN_METRIC, VAL_METRIC) else (f"{v:.4e}" if sci else f"{v:.4f}")
            parts.append(f"{w}{kv}{text}")
        lines.append(counter.format(e=e + 1, n=n, w=width) + " " + sep.join(parts))
    exp = {r: (list(range(1, n + 1)), c[r]) for r, _ in roles}
    return Console(_ending(rng, lines), exp, {TRAIN_METRIC, VAL_METRIC} if pct else set(), family="padded_counter",
                   name=rng.choice(["train.log", "log.txt", "output.txt"]))


def wrapped_numbers(seed: int) -> Console:
    """Values printed inside their library's repr, without ``.item()``: a NumPy scalar or one-element array
    ('loss=array(0.52, dtype=float32)', 'array([0.52], dtype=float32)'), a one-element tensor
    ('tensor([0.5234], device='cuda:0')'), beside an epoch counter."""
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    c = _curves(rng, n)
    wraps = ["array({v})", "array({v}, dtype=float32)", "array([{v}], dtype=float32)", "array([{v}])",
             "tensor([{v}])", "tensor([{v}], device='cuda:0')", "np.array({v})", "tensor({v}, device='cuda:0')",
             "tensor([{v}], device='cuda:0', grad_fn=<MeanBackward0>)"]
    wrap = rng.choice(wraps)
    kv, sep = rng.choice([": ", "=", " = "]), rng.choice([", ", " | ", "  ", " - "])
    with_val = rng.random() < 0.5
    roles = [(TRAIN_LOSS, rng.choice(["loss", "train_loss", "Loss"]))] + (
        [(VAL_LOSS, rng.choice(["val_loss", "Val Loss"])), (VAL_METRIC, rng.choice(["val_acc", "Val Acc"]))]
        if with_val else [(TRAIN_METRIC, rng.choice(["acc", "accuracy"]))])
    ew = _epoch_word(rng)
    lines = _noise(rng)
    for e in range(n):
        parts = [f"{w}{kv}{wrap.format(v=f'{c[r][e]:.4f}')}" for r, w in roles]
        lines.append(f"{ew.format(e=e + 1, n=n)}{rng.choice([': ', ' | ', ' - ', ' '])}{sep.join(parts)}")
    exp = {r: (list(range(1, n + 1)), c[r]) for r, _ in roles}
    return Console(_ending(rng, lines), exp, family="wrapped_numbers")


FAMILIES = {"value_first": value_first, "bars_and_wandb": bars_and_wandb, "decorated": decorated,
            "repeated_header_table": repeated_header_table, "metric_blocks": metric_blocks, "split_lines": split_lines,
            "eval_sentences": eval_sentences, "padded_counter": padded_counter, "wrapped_numbers": wrapped_numbers}


def noise_only(seed: int) -> Console:
    """Only what a script prints besides its records (config dumps, model summaries, warnings, a
    traceback): nothing in it is a training series, so a reader must refuse it."""
    rng = random.Random(seed)
    lines = []
    while len(lines) < 12:
        lines += _noise(rng)
    return Console("\n".join(lines) + "\n", {}, family="noise_only", name=rng.choice(["train.log", "output.txt"]))


def mismatches(console: Console, runs) -> list[str]:
    """What the runs read from ``console.text`` get wrong: a curve missing, misplaced or changed, or
    a loss or metric that is not in the console (a series invented from noise). Empty when right."""
    from traindoc.run import MEASURED_ROLES

    if len(runs) != 1:
        return [f"{len(runs)} runs read, expected 1"]
    run = runs[0]
    got = {}
    for s in run.series.values():
        if s.role.value in console.expected or s.role in MEASURED_ROLES:
            got.setdefault(s.role.value, []).append(s)
    errs = []
    for role, (xs, vals) in console.expected.items():
        cands = got.get(role, [])
        ok = False
        for s in cands:
            v = list(s.values)
            if len(v) != len(vals):
                continue
            scale = 100.0 if role in console.percent and max(v) > 1.5 else 1.0
            if all(abs(a / scale - b) <= 1e-3 * max(1.0, abs(b)) + 5e-4 for a, b in zip(v, vals)):
                ok = True
                break
        if not ok:
            errs.append(f"{role}: expected {len(vals)} values {vals[:3]}..., read "
                        + ("; ".join(f"{s.name}({len(s)}: {list(s.values[:3])})" for s in cands) or "nothing"))
    for role, ss in got.items():
        if role not in console.expected:
            errs.append(f"invented {role}: " + ", ".join(s.name for s in ss))
        elif len(ss) > 1:
            extra = [s.name for s in ss if s is not run.primary(s.role)]
            if extra:
                errs.append(f"extra {role}: {extra}")
    return errs


def misread_variants(generate, seeds, tmp_path) -> dict:
    """{seed: (file name, mismatches)} for each variant ``generate(seed)`` that is not read to its curves, each
    written byte for byte (CRLF kept) under its own name in a folder of its own."""
    from traindoc.readers import load

    failed = {}
    for seed in seeds:
        console = generate(seed)
        path = tmp_path / f"{seed}" / console.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(console.text.encode("utf-8"))
        errs = mismatches(console, load(path).runs)
        if errs:
            failed[seed] = (console.name, errs)
    return failed
