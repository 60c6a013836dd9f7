"""Generators of pickled training histories (refused, never unpickled) and of text that opens like a
pickle but is a training log (read as before), for ``test_pickled_history``.

``pickled(seed)``: what ``pickle.dump(history, f)`` leaves, under the names scripts give it
(``training_history.txt``, ``losses.pkl``, ``history``): a list of losses, a dict of lists, a list
of (step, loss) pairs or two parallel lists, a Keras-like dict with ints, None, True, nan and inf,
tuples, in every protocol (0 and 1 are printable text), with or without a trailing newline.

``near_miss(seed)``: training logs whose first bytes are pickle opcodes (``(epoch 1) loss 0.5``,
``loss`` over one value per line, glog's ``I0512 …`` lines, ``]`` or ``}`` in a first line,
``N``/``F``/``S`` opening a header): each must still be read as the log it is.
"""

from __future__ import annotations

import math
import pickle
import random
from dataclasses import dataclass

_NAMES = ["training_history.txt", "history.pkl", "losses.pkl", "train_hist.pickle", "history", "loss_log.txt",
          "results.p", "hist.dat", "train_losses.pkl", "metrics.pkl"]


@dataclass
class Pickled:
    data: bytes
    name: str
    numbers: int  # numbers written as numbers (0 when the history holds objects rebuilt by name)
    protocol: int


def _curve(rng: random.Random, n: int) -> list[float]:
    start, end = rng.uniform(0.5, 5.0), rng.uniform(0.01, 0.4)
    out = [end + (start - end) * math.exp(-3 * i / n) + rng.gauss(0, 0.02) for i in range(n)]
    if rng.random() < 0.2:
        out[rng.randrange(n)] = rng.choice([math.nan, math.inf])
    return out


def pickled(seed: int) -> Pickled:
    rng = random.Random(seed)
    n = rng.randint(3, 300)
    shape = rng.randrange(6)
    if shape == 0:
        obj = _curve(rng, n)
    elif shape == 1:
        obj = {"loss": _curve(rng, n), "val_loss": _curve(rng, n)}
    elif shape == 2:
        obj = [(i * rng.choice([1, 10, 20]), v) for i, v in enumerate(_curve(rng, n))]
    elif shape == 3:
        obj = [[i * 20 for i in range(1, n + 1)], _curve(rng, n)]
    elif shape == 4:
        obj = {"epochs": n, "done": True, "best": None, "history": {"acc": tuple(_curve(rng, n)), "loss": _curve(rng, n)}}
    else:
        obj = {f"ep{e}": {b: v for b, v in enumerate(_curve(rng, 10))} for e in range(1, rng.randint(2, 6))}
    protocol = rng.randint(0, pickle.HIGHEST_PROTOCOL)
    data = pickle.dumps(obj, protocol=protocol)
    if rng.random() < 0.3:
        data += rng.choice([b"\n", b"\r\n", b"  \n"])
    return Pickled(data, rng.choice(_NAMES), _count(obj), protocol)


def _count(obj) -> int:
    if isinstance(obj, (bool, str)) or obj is None:
        return 0
    if isinstance(obj, (int, float)):
        return 1
    if isinstance(obj, dict):
        return sum(_count(k) + _count(v) for k, v in obj.items())
    return sum(_count(x) for x in obj)


@dataclass
class NearMiss:
    text: str
    name: str
    series: set[str]  # the series the reader must find (at least these)


def near_miss(seed: int) -> NearMiss:
    """A training log whose first bytes read as pickle opcodes, but which is text and must be read."""
    rng = random.Random(seed)
    n = rng.randint(6, 40)
    losses = _curve(rng, n)
    nl = rng.choice(["\n", "\r\n"])
    kind = rng.randrange(5)
    if kind == 0:  # "(" is MARK, "l" LIST: a header word in parentheses or "loss" over values
        lines = [f"(epoch {e + 1}) loss: {v:.4f}" for e, v in enumerate(losses)]
        return NearMiss(nl.join(lines) + nl * rng.randint(0, 1), rng.choice(["train.log", "out.txt"]), {"loss"})
    if kind == 1:
        lines = ["loss"] + [f"{v:.6g}" for v in losses]
        return NearMiss(nl.join(lines) + nl, rng.choice(["loss.txt", "losses.csv"]), {"loss"})
    if kind == 2:  # glog: "I" is INT
        lines = [f"I0512 12:{e % 60:02d}:00.{rng.randint(100, 999)} 123 train.py:88] Iteration {e * 20}, loss = {v:.5f}"
                 for e, v in enumerate(losses)]
        return NearMiss(nl.join(lines) + nl, "caffe_train.log", {"loss"})
    if kind == 3:  # "F" is FLOAT, "S" STRING, "N" NONE: header words that open with them
        first = rng.choice(["Step", "Final", "N", "Frame"])
        lines = [f"{first},loss"] + [f"{(e + 1) * 10},{v:.5f}" for e, v in enumerate(losses)]
        return NearMiss(nl.join(lines) + nl, "losses.csv", {"loss"})
    lines = [f"]epoch {e + 1}/{n} loss={v:.4f}" for e, v in enumerate(losses)]  # "]" is EMPTY_LIST
    return NearMiss(nl.join(lines) + nl, "train.log", {"loss"})
