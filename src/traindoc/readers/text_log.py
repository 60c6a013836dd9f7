"""Plain-text logs of common training scripts: ``key value`` / ``key: value`` / ``key=value`` lines.

Recognised shapes (each line gives one record; its x is the step-like key on the line):
- nanoGPT: ``iter 100: loss 4.2345, time 12.34ms, mfu 3.21%`` and ``step 1000: train loss 2.1, val loss 2.3``
- ``step 200 | loss 3.1 | lr 1e-4`` and other ``|``/``,`` separated key-value lines
- fairseq: ``epoch 001 | loss 4.5 | ... | num_updates 100`` and ``train_inner`` ``key=value`` lines;
  lines of a ``valid``/``test`` context get that prefix (``valid_loss``), ``train`` epoch summaries ``epoch_``
- Keras ``fit(verbose=1|2)``: ``Epoch 3/10`` then ``... - loss: 0.5213 - accuracy: 0.81 - val_loss: 0.6120``
  (progress-bar redraws, ANSI colours and backspaces are cleaned; the last line of each epoch counts)
- PyTorch ImageNet example ``Epoch: [0][ 10/5005]\tTime ...\tLoss 6.9e+00 (6.9e+00)\tAcc@1 0.00 (0.10)``,
  its ``Test: [10/196]`` lines and `` * Acc@1 76.1 Acc@5 92.9`` summary (as ``test_*``), and the tutorial
  style ``Epoch [1/10], Step [100/600], Loss: 0.2345``: x = batches counted from the first epoch seen
  (``(epoch - first_epoch) * batches_per_epoch + batch``)
- Hugging Face Trainer console prints: ``{'loss': 0.68, 'grad_norm': 0.62, 'learning_rate': 0.09, 'epoch': 0.25}``
  (x = the fractional epoch; quoted keys and values are accepted)
- hand-written key=value prints: ``Epoch [001/30] TrainLoss=0.6931 | ValLoss=0.7012 | ValAcc=0.5123`` and
  ``Epoch 1/30 train_loss=0.69 val_loss=0.70`` (x = the epoch; CamelCase keys become snake_case: ``val_loss``)
- PyTorch examples (MNIST): ``Train Epoch: 1 [640/60000 (1%)]\\tLoss: 2.283`` (x = fractional epoch) and
  ``Test set: Average loss: 0.0335, Accuracy: 9890/10000 (99%)`` (at the end of that epoch)

The x key is the first of num_updates, global_step, step, iter, iteration, it on the line, else
epoch (axis "epoch"). In a log that has step-keyed lines, a line keyed only by epoch, or one
with no key at all (an evaluation summary), is placed at the last step seen. x going backwards
means another run was appended: a new Run. Sniffing needs several matching lines in the head.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..run import Role, RoleInfo, Run, infer_role
from . import _table as T
from .base import HEAD_BYTES, read_head

NAME = "text_log"
DIRECTORY = False

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_SPLIT_WORD = r"(?:train|training|val|valid|validation|eval|test|dev|average|avg|mean)"
_PAIR = re.compile(
    r"(?<![\w/.\-])['\"]?(?P<key>(?:" + _SPLIT_WORD + r"[ _])?[A-Za-z_][\w/.\-@]*)['\"]?"
    r"(?:\s*[:=]\s*|\s+)['\"]?"
    r"(?P<val>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?))"
    r"(?P<unit>%|ms|s)?['\"]?(?=$|[\s,;:|)\]}])",
    re.IGNORECASE,
)
_STEP_KEYS = ("num_updates", "global_step", "step", "iter", "iteration", "it", "updates")
_EPOCH_KEYS = ("epoch", "train_epoch")
_KERAS_EPOCH = re.compile(r"^\s*Epoch\s+(\d+)/(\d+)\s*$")
_KERAS_METRICS = re.compile(r"(?:^|\s-\s)[A-Za-z_][\w]*:\s*[-+]?(?:\d|nan|inf)", re.IGNORECASE)
_MNIST_TRAIN = re.compile(r"Train Epoch:\s*(\d+)\s*\[\s*(\d+)\s*/\s*(\d+)[^\]]*\]\s*Loss:\s*(\S+)")
_MNIST_TEST = re.compile(r"(Test|Validation) set:\s*Average loss:\s*(\S+?),\s*Accuracy:\s*(\d+)\s*/\s*(\d+)")
# "Epoch: [3][ 10/5005]" (PyTorch ImageNet example) and "Epoch [1/10], Step [100/600]" (tutorial style).
_EPOCH_BATCH = re.compile(r"Epoch:?\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]", re.IGNORECASE)
# Also unbracketed: "Epoch 3/30 train_loss=0.52 val_loss=0.61", "Epoch 1/3 Step 100/500 loss=0.5".
_BRACKET = re.compile(r"\b(epoch|step|iter|iteration|batch)\s*:?\s*(?:\[\s*(\d+)\s*/\s*(\d+)\s*\]|(\d+)\s*/\s*(\d+)\b)",
                      re.IGNORECASE)
# CamelCase keys (TrainLoss, ValAcc, LearningRate, trainLoss): split into words so roles are inferred.
_CAMEL = re.compile(r"^[A-Za-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+$")
_CONTEXT = re.compile(r"(?:^|\|)\s*(valid|val|validation|test|eval|train)\s*(?:\||:|$)|\b(valid|test) on '"
                      r"|^\s*\*\s+(?=acc|prec|top|loss)()", re.IGNORECASE)  # " * Acc@1 76.1": ImageNet test summary


def _lines(text: str) -> list[str]:
    text = _ANSI.sub("", text).replace("\x08", "")
    return [ln for ln in re.split(r"[\r\n]+", text) if ln.strip()]


@lru_cache(maxsize=4096)
def _norm(key: str) -> str:
    key = key.strip()
    if _CAMEL.match(key):
        key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)  # TrainLoss -> Train_Loss -> train_loss
    return re.sub(r"\s+", "_", key.strip().lower()).replace("@", "")  # Acc@1 -> acc1


def _pairs(line: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in _PAIR.finditer(line):
        key = _norm(m.group("key"))
        val = T.parse_number(m.group("val"))
        if val is not None and key not in out:
            out[key] = val
    return out


@lru_cache(maxsize=4096)
def _role(key: str) -> Role:
    return infer_role(key).role


def _meaningful(keys) -> bool:
    """A record needs at least one key that is a loss, metric, LR or gradient norm."""
    return any("loss" in k or _role(k) is not Role.OTHER for k in keys)


class _Parser:
    """Turns cleaned lines into (x, axis, {name: value}) records, one style at a time."""

    def __init__(self) -> None:
        self.records: list[tuple[float, str, dict[str, float]]] = []
        self.keras_epoch: float | None = None
        self.keras_pending: dict[str, float] | None = None
        self.mnist_epoch: float | None = None
        self.first_epoch: float | None = None
        self.redraws = 0

    def _flush_keras(self) -> None:
        if self.keras_pending is not None and self.keras_epoch is not None:
            self.records.append((self.keras_epoch, "epoch", self.keras_pending))
        self.keras_pending = None

    def feed(self, line: str) -> bool:
        """Parse one line; True when it matched a known shape."""
        m = _KERAS_EPOCH.match(line)
        if m:
            self._flush_keras()
            self.keras_epoch = float(m.group(1))
            return True
        m = _MNIST_TRAIN.search(line)
        if m:
            ep, done, total = (float(g) for g in m.group(1, 2, 3))
            loss = T.parse_number(m.group(4))
            self.mnist_epoch = ep
            self.records.append((ep - 1 + (done / total if total else 0.0), "epoch",
                                 {"loss": T.NAN if loss is None else loss}))
            return True
        m = _MNIST_TEST.search(line)
        if m:
            prefix = "test" if m.group(1).lower() == "test" else "val"
            loss = T.parse_number(m.group(2))
            correct, total = float(m.group(3)), float(m.group(4))
            x = self.mnist_epoch if self.mnist_epoch is not None else 0.0
            self.records.append((x, "epoch", {f"{prefix}_loss": T.NAN if loss is None else loss,
                                              f"{prefix}_accuracy": correct / total if total else T.NAN}))
            return True
        bracket = self._bracket_x(line)
        if bracket is not None:
            line = _BRACKET.sub(" ", _EPOCH_BATCH.sub(" ", line))
        pairs = _pairs(line)
        if not pairs:
            return False
        if self.keras_epoch is not None and _KERAS_METRICS.search(line) and _meaningful(pairs):
            self.keras_pending = pairs  # the last redraw of the epoch wins
            return True
        ctx = _CONTEXT.search(line)
        prefix = None
        if ctx:
            prefix = (ctx.group(1) or ctx.group(2) or "test").lower()
        xkey = next((k for k in _STEP_KEYS if k in pairs), None)
        axis = "step"
        if bracket is not None:
            xkey = "__bracket__"
            pairs[xkey], axis = bracket
        elif xkey is None:
            xkey = next((k for k in _EPOCH_KEYS if k in pairs), None)
            axis = "epoch"
        values = {k: v for k, v in pairs.items() if k != xkey and k not in _EPOCH_KEYS}
        if not _meaningful(values):
            return False
        if prefix == "train":  # an epoch summary (fairseq "train |"): kept apart from the per-update curve
            values = {f"epoch_{k}": v for k, v in values.items()}
        elif prefix:
            values = {(k if _role(k) in (Role.VAL_LOSS, Role.VAL_METRIC) else f"{prefix}_{k}"): v
                      for k, v in values.items()}
        if xkey is None:
            # Only an evaluation summary may borrow the last x; a settings print ("lr=5e-5") may not.
            held_out = any(_role(k) in (Role.VAL_LOSS, Role.VAL_METRIC) for k in values)
            if not self.records or not held_out:
                return False
            x, axis = self.records[-1][0], self.records[-1][1]
        else:
            x = pairs[xkey]
        self._append(x, axis, values)
        return True

    def _bracket_x(self, line: str) -> tuple[float, str] | None:
        """x of ``Epoch: [e][b/B]`` / ``Epoch [e/E], Step [b/B]``: a global batch count from the first epoch seen."""
        m = _EPOCH_BATCH.search(line)
        if m:
            epoch, batch, per_epoch = (float(g) for g in m.groups())
        else:
            found = {g[0].lower(): (float(g[1] or g[3]), float(g[2] or g[4])) for g in _BRACKET.findall(line)}
            if not found:
                return None
            inner = next((found[k] for k in ("step", "iter", "iteration", "batch") if k in found), None)
            if "epoch" not in found:
                return (inner[0], "step") if inner else None
            if inner is None:
                return found["epoch"][0], "epoch"
            epoch, (batch, per_epoch) = found["epoch"][0], inner
        if self.first_epoch is None:
            self.first_epoch = epoch
        return (epoch - self.first_epoch) * per_epoch + batch, "step"

    def _append(self, x: float, axis: str, values: dict[str, float]) -> None:
        """Add a record. At the same x as the last record, a line restating its keys (or more) is a
        progress-bar redraw and replaces it; one restating some of them (a final summary such as
        `` * Acc@1 76.1``) updates those values."""
        if self.records:
            px, pax, pvals = self.records[-1]
            if px == x and pax == axis and (pvals.keys() <= values.keys() or values.keys() <= pvals.keys()):
                self.records[-1] = (x, axis, {**pvals, **values} if values.keys() <= pvals.keys() else values)
                self.redraws += 1
                return
        self.records.append((x, axis, values))

    def finish(self) -> list[tuple[float, str, dict[str, float]]]:
        self._flush_keras()
        return self.records


def _own_role(name: str) -> RoleInfo | None:
    """fairseq spells the gradient norm ``gnorm``."""
    return RoleInfo(Role.GRAD_NORM) if name in ("gnorm", "epoch_gnorm") else None


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None:
        return False
    stripped = text.lstrip()
    if stripped.startswith(("[", "<")) or T.first_json_object(stripped) is not None:
        return False  # JSON and markup belong to other readers; Python dict prints ({'loss': …}) are ours
    if _claims(text):
        return True
    if len(head) < HEAD_BYTES or path.suffix.lower() not in _LOG_SUFFIXES:
        return False
    # Scripts often print a long banner (config, model summary) before the first epoch line:
    # a file named like a log gets a longer look before it is passed over.
    longer = T.head_text(read_head(path, _LONG_HEAD_BYTES))
    return longer is not None and _claims(longer)


_LOG_SUFFIXES = {".log", ".txt", ".out", ".err"}
_LONG_HEAD_BYTES = 64 * 1024


def _claims(text: str) -> bool:
    """Several lines of one recognised style: enough to say this text is a training log."""
    parser = _Parser()
    matched = sum(parser.feed(line) for line in _lines(text)[:1000])
    keras = parser.keras_epoch is not None and (parser.keras_pending is not None or parser.records)
    return matched >= 3 or bool(keras and matched >= 2)


def read(path: Path) -> list[Run]:
    parser = _Parser()
    for line in _lines(T.read_text(path)):
        parser.feed(line)
    records = parser.finish()
    has_steps = any(axis == "step" for _, axis, _ in records)
    placed: list[tuple[float, str, dict[str, float]]] = []
    last_step = 0.0
    for x, axis, values in records:
        if has_steps and axis == "epoch":
            x, axis = last_step, "step"  # an epoch summary among step lines: at the last step seen
        elif axis == "step":
            last_step = x
        placed.append((x, axis, values))
    attempts = T.stitch_resumes((x, (ax, values)) for x, ax, values in placed)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        axis = att.records[-1][1][0] if att.records else "step"  # the axis of the last line read
        cols = T.pivot_records((x, values) for x, (_, values) in att.records)
        T.add_column_series(run, cols, axis=axis, role_of=_own_role)
        if parser.redraws:
            run.meta.notes.append(f"{parser.redraws} redraw(s) or restatement(s) of the same step kept as their last values")
        T.resume_notes(run, att, unit=axis)
        if run.series:
            runs.append(run)
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="record")
