"""Generators of files holding two or more runs appended one after another, one per FORMAT FAMILY and
SIGNAL, and of near-misses that hold one run and must stay whole (issue: appended runs in every format).

A file holds several runs when a restarted script appends to the same log, several configurations are
trained one after the other, or a notebook cell is run again. What marks the boundary varies: the
counter starting over (at 0 or 1), the header row or the console's opening lines (a banner, an
argument dump) written again, the loss back at the level of the first points. Each generator draws
the layout from one seed and returns the text with the number of runs it holds (``Appended.runs``);
runs of one file share their task, so they start near the same loss (as two configurations of one
model do).

Near-misses hold ONE run: a resume that writes the header or the banner again while the counter and
the loss go on (or the counter goes back a few epochs to the checkpoint), a warm restart of the
learning rate (the loss rises with the counter going on), a spike that recovers, a line printed before
training and again each epoch.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass


@dataclass
class Appended:
    text: str
    runs: int  # runs the file holds: 1 for a near-miss
    name: str


def _curve(rng: random.Random, n: int, start: float) -> tuple[list[float], list[float], list[float]]:
    """A falling training loss, a validation loss a little above it, an accuracy rising from 0.3."""
    end = start * rng.uniform(0.1, 0.4)
    tau = n / rng.uniform(2, 5)
    tl = [end + (start - end) * math.exp(-i / tau) * (1 + 0.02 * rng.gauss(0, 1)) for i in range(n)]
    vl = [v * rng.uniform(1.02, 1.15) for v in tl]
    acc = [min(0.99, 0.3 + 0.6 * (1 - math.exp(-i / tau))) for i in range(n)]
    return tl, vl, acc


def _runs(rng: random.Random) -> list[tuple[list[float], list[float], list[float]]]:
    s0 = rng.uniform(1.0, 3.0)
    return [_curve(rng, rng.randint(10, 40), s0 * rng.uniform(0.85, 1.15)) for _ in range(rng.choice([2, 2, 3]))]


_EPOCH_HEADERS = ["epoch,loss,val_loss,accuracy,val_accuracy", "epoch,train_loss,val_loss,train_acc,val_acc",
                  "Epoch,Train Loss,Val Loss,Train Acc,Val Acc"]
_BANNERS = ["Start training", "==> Training started", "Namespace(lr={lr}, epochs={n}, batch_size=32)",
            "Loading dataset from data/train ({lr} lr)"]


def epoch_table(rng: random.Random, restart: bool, header_again: bool) -> Appended:
    """An epoch-first CSV (Keras ``CSVLogger(append=True)``, a hand-written ``csv.writer``): the epoch
    starts over (``restart``) and/or the header row is written again at each run (``header_again``)."""
    hdr = rng.choice(_EPOCH_HEADERS)
    nl = rng.choice(["\n", "\r\n"])
    base = rng.choice([0, 1])
    lines = [hdr]
    e = base
    rs = _runs(rng)
    for j, (tl, vl, acc) in enumerate(rs):
        if j and header_again:
            lines.append(hdr)
        if j and rng.random() < 0.3:
            lines.append("")
        if restart:
            e = base
        for i in range(len(tl)):
            lines.append(f"{e},{tl[i]:.4f},{vl[i]:.4f},{acc[i]:.4f},{acc[i] - 0.02:.4f}")
            e += 1
    return Appended(nl.join(lines) + nl, len(rs), "log.csv")


def step_table(rng: random.Random) -> Appended:
    """A CSV whose step column is not first (pandas ``to_csv(mode="a")`` once per run): the header row
    written again, the global step going on."""
    hdr = "loss,val_loss,step"
    lines = [hdr]
    step, inc = rng.choice([0, 100]), rng.choice([1, 50])
    rs = _runs(rng)
    for j, (tl, vl, _) in enumerate(rs):
        if j:
            lines.append(hdr)
        for i in range(len(tl)):
            lines.append(f"{tl[i]:.4f},{vl[i]:.4f},{step}")
            step += inc
    return Appended("\n".join(lines) + "\n", len(rs), "metrics.csv")


def json_lines(rng: random.Random) -> Appended:
    """One JSON object per record, the counter starting over at each run."""
    key = rng.choice(["epoch", "step", "iteration"])
    base = rng.choice([0, 1])
    rs = _runs(rng)
    out = [json.dumps({key: base + i, "loss": round(tl[i], 4), "val_loss": round(vl[i], 4)})
           for tl, vl, _ in rs for i in range(len(tl))]
    return Appended("\n".join(out) + "\n", len(rs), "log.jsonl")


def console(rng: random.Random, restart: bool) -> Appended:
    """A printed console, a banner at each launch: ``Epoch i/N`` starting over (``restart``) or going on
    across runs (a script looping over configurations with one counter)."""
    rs = _runs(rng)
    total = sum(len(r[0]) for r in rs)
    banner = rng.choice(_BANNERS)
    form = rng.choice(["Epoch {e}/{n} - loss: {t:.4f} - val_loss: {v:.4f} - acc: {a:.4f}",
                       "Epoch [{e}/{n}] Train Loss: {t:.4f} Val Loss: {v:.4f} Val Acc: {a:.4f}"])
    out = []
    e = 1
    stamped = rng.random() < 0.4  # ``logging`` with a time stamp at the start of each line
    t0 = rng.randint(0, 10_000)

    def stamp(line: str) -> str:
        if not stamped:
            return line
        sec = t0 + 37 * len(out)
        return f"2024-05-{1 + sec // 86400 % 28:02d} {sec // 3600 % 24:02d}:{sec // 60 % 60:02d}:{sec % 60:02d} INFO {line}"

    for tl, vl, acc in rs:
        n = len(tl) if restart else total
        out.append(stamp(banner.format(lr=rng.choice([0.1, 0.01, 0.001]), n=n)))
        if rng.random() < 0.3:
            out.append("")
        if restart:
            e = 1
        for i in range(len(tl)):
            out.append(stamp(form.format(e=e, n=n, t=tl[i], v=vl[i], a=acc[i])))
            e += 1
    return Appended("\n".join(out) + "\n", len(rs), "train.log")


def json_history(rng: random.Random) -> Appended:
    """A JSON list of per-epoch objects (``json.dump(history)`` after each launch, appended to the list
    the file held), the epoch starting over at each run."""
    key = rng.choice(["epoch", "step"])
    base = rng.choice([0, 1])
    rs = _runs(rng)
    rows = [{key: base + i, "train_loss": round(tl[i], 4), "val_loss": round(vl[i], 4), "val_acc": round(acc[i], 4)}
            for tl, vl, acc in rs for i in range(len(tl))]
    return Appended(json.dumps(rows, indent=rng.choice([None, 2])), len(rs), "history.json")


# -- near-misses: one run each ---------------------------------------------------------------------

def resumed_table(rng: random.Random) -> Appended:
    """One run resumed: the header row written again, the counter and the loss going on (or the counter
    back to the checkpoint a few epochs before, those epochs logged again)."""
    tl, vl, acc = _curve(rng, rng.randint(20, 60), rng.uniform(1.0, 3.0))
    k = rng.randint(5, len(tl) - 5)
    hdr = rng.choice(["epoch,loss,val_loss,accuracy,val_accuracy", "loss,val_loss,step"])
    epoch_first = hdr.startswith("epoch")

    def row(i: int, scale: float = 1.0) -> str:
        t = f"{tl[i] * scale:.4f}"
        return f"{i},{t},{vl[i]:.4f},{acc[i]:.4f},{acc[i] - 0.02:.4f}" if epoch_first else f"{t},{vl[i]:.4f},{i}"

    back = rng.choice([0, 0, 2])
    lines = [hdr, *(row(i) for i in range(k)), hdr, *(row(i, 1.01) for i in range(k - back, k)),
             *(row(i) for i in range(k, len(tl)))]
    return Appended("\n".join(lines) + "\n", 1, "log.csv")


def resumed_console(rng: random.Random) -> Appended:
    """One run resumed: the banner printed again, the counter and the loss going on; maybe a line
    printed before training and again each epoch, maybe a one-epoch spike that recovers."""
    n = rng.randint(20, 60)
    tl, vl, acc = _curve(rng, n, rng.uniform(1.0, 3.0))
    k = rng.randint(5, n - 5)
    banner = rng.choice(["Start training", f"Namespace(lr=0.001, epochs={n}, batch_size=32)",
                         "Loading checkpoint from ckpt/last.pt"])
    each = rng.random() < 0.5
    spike = rng.randint(5, n - 3) if rng.random() < 0.5 else None
    out = [banner] + (["Evaluating model on validation set"] if each else [])
    for i in range(n):
        if i == k:
            out.append(banner)
        if each:
            out.append("Evaluating model on validation set")
        t = tl[0] * 1.05 if i == spike else tl[i]
        out.append(f"Epoch {i + 1}/{n} - loss: {t:.4f} - val_loss: {vl[i]:.4f} - acc: {acc[i]:.4f}")
    return Appended("\n".join(out) + "\n", 1, "train.log")


def warm_restart(rng: random.Random) -> Appended:
    """One run with a warm restart of the learning rate: the loss rises part of the way back, the epoch
    going on, no header or banner again."""
    tl, vl, _ = _curve(rng, 30, rng.uniform(1.0, 3.0))
    tl2, vl2, _ = _curve(rng, 30, tl[0] * 0.7)
    lines = ["epoch,loss,val_loss"] + [f"{i},{t:.4f},{v:.4f}" for i, (t, v) in enumerate(zip(tl + tl2, vl + vl2))]
    return Appended("\n".join(lines) + "\n", 1, "log.csv")


def resumed_json(rng: random.Random) -> Appended:
    """One run resumed, as a JSON list of per-epoch objects: the epochs since the checkpoint logged
    again (the counter back by 1-3), the loss going on at about the level it had there."""
    n = rng.randint(20, 50)
    tl, vl, acc = _curve(rng, n, rng.uniform(1.0, 3.0))
    k = rng.randint(5, n - 5)
    back = rng.choice([1, 1, 2, 3])
    idx = [*range(k), *range(k - back, n)]
    rows = [{"epoch": i, "avg_loss": round(tl[i] * (1.01 if j >= k else 1.0), 4), "val_loss": round(vl[i], 4),
             "time_sec": 200.0 + j} for j, i in enumerate(idx)]
    return Appended(json.dumps(rows, indent=2), 1, "train_log.json")


def written_twice(rng: random.Random) -> Appended:
    """One run whose console prints its epoch table again at the end, in other words (a summary under
    the live lines, its own names, maybe rounded to fewer digits). The counter rewinds, the values at each epoch are the
    very ones logged before."""
    n = rng.randint(10, 40)
    tl, vl, acc = _curve(rng, n, rng.uniform(1.0, 3.0))
    d = rng.choice([6, 4, 3])
    live = [f"Epoch {i + 1}/{n} - loss: {tl[i]:.6f} - val_loss: {vl[i]:.6f} - val_acc: {acc[i]:.6f}" for i in range(n)]
    summary = ["", "Summary:"] + [f"epoch {i + 1}: valid_loss={vl[i]:.{d}f} accuracy={acc[i]:.{d}f}" for i in range(n)]
    return Appended("\n".join(["Start training", *live, *summary]) + "\n", 1, "train.log")


APPENDED = {
    "epoch-restart": lambda rng: epoch_table(rng, restart=True, header_again=False),
    "epoch-header-again": lambda rng: epoch_table(rng, restart=False, header_again=True),
    "epoch-restart-header-again": lambda rng: epoch_table(rng, restart=True, header_again=True),
    "step-header-again": step_table,
    "jsonl-restart": json_lines,
    "console-restart": lambda rng: console(rng, restart=True),
    "console-banner-again": lambda rng: console(rng, restart=False),
    "json-history-restart": json_history,
}
NEAR_MISSES = {"resumed-table": resumed_table, "resumed-console": resumed_console, "warm-restart": warm_restart,
               "resumed-json": resumed_json, "written-twice": written_twice}
