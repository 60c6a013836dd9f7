"""Lines to records: ``(x, axis, {name: value})``, by the templates of ``template`` and ``tables``.

The x of a line is its own counter: a step-like key wins; an epoch with a count inside it
(``Epoch [2/5], Step [100/600]``, ``Epoch: [3][10/5005]``) becomes a global batch count, or a
fractional epoch when the count is of samples with a percentage (``[640/60000 (1%)]``); a
progress bar's count is a redraw position, not an x, when an epoch is known. A line with a
counter but no values (``Epoch 3/10``, ``[step=5/100]``) is a *header*: the lines after it
without a counter of their own (Keras bars, indented ``name=value`` lines) belong to it. An
evaluation line without a training counter (``Test: [10/196] …``, ``Test set: …``) is placed at
the last training x, with the running averages in parentheses as its values. Redraws of the
same x collapse to their last values.
"""

from __future__ import annotations

import json
import math
import re

from ...run import Role, infer_role
from .. import _table as T
from .._conventions import is_hf_summary
from .._pyliteral import parse as parse_literal
from .._pyliteral import to_json_like
from .._unnamed import counted_value, counter_word
from . import tables
from .counted import CountedTables
from .store import RecordStore
from .template import INNER_STEP_KEYS, SPLIT_WORDS, Template, measured, norm_key, split_fast, template

_HELD_OUT = (Role.VAL_LOSS, Role.VAL_METRIC)
_JSON_X = ("step", "global_step", "iter", "iteration", "_step", "trainer/global_step", "steps", "num_updates")
_BOOK_X = {"step", "global_step", "iter", "iteration", "_step", "trainer/global_step", "steps", "num_updates",
           "epoch", "it", "iters", "batch"}
_MAX_JSON_LINE = 1 << 20
_MAX_PLANS = 20_000
# A script saying its loss went non-finite ("NaN loss detected! Skipping batch.", detectron2's "Loss became
# infinite or NaN at iteration=…") reports a NaN loss even when it logs no number for it.
_NONFINITE_WORDS = re.compile(r"(?i)\b(?:nan|inf|infinite|infinity)\b")
_NONFINITE_REPORT = re.compile(r"(?i)\b(?:nan|inf|infinite|infinity)\s+loss\b|\bloss\s+(?:is|was|became|becomes|"
                               r"went|turned)\s+(?:\w+\s+)?(?:nan|inf|infinite|infinity)\b")
NONFINITE_SERIES = "loss_reported_nonfinite"
# A line that is a counter and nothing else: "epoch   3", "Epoch: 3", "step 100", "## Epoch 3".
# Rules of "=", "-", "*" or brackets around it ("=== Epoch 3 ===", "----- epoch 3 -----", "[Epoch 3]") are
# decoration of the same header.
_RULE = r"[\s=\-*~#|<>\[\]]*"
# A line that is a rule and nothing else ("----------", "=====", "*****") underlines the header above it: it
# ends no block (a print loop writing "Epoch: 3", a rule, then "Training loss: 0.41; Acc: 0.82").
_DECORATION = re.compile(r"[=\-*~_#.+]{3,}")
_BARE_COUNTER = re.compile(r"(?i)" + _RULE + r"(?:epoch|step|iter|iteration)(?:\s+(?:no\.?|number|num\.?))?"
                           r"\s*[:#=]?\s*\d+" + _RULE)
# The same header with a few words of title around its counter ("Training Epoch: 3", "Epoch 3 training",
# "***TRAINING RESULT***EPOCH= 3", "train epoch: 0"): still one counter and nothing else on its line. Words
# that make the line a statement about some other epoch ("Best epoch: 12", "max epoch 100", "stopped at
# epoch 9", "resuming from epoch 5"), or a footer closing the epoch above ("Epoch 3 done"), are no header
# (``_NOT_TITLE``).
_TITLED_COUNTER = re.compile(r"(?i)" + _RULE + r"(?P<pre>(?:[A-Za-z][A-Za-z'-]*[\s*=:>|\-\[\]]*){0,3}?)"
                             r"(?:epoch|step|iter|iteration)\s*[:#=]?\s*\d+(?:\s*/\s*\d+)?"
                             r"(?P<post>(?:\s+[A-Za-z][A-Za-z'-]*){0,2})" + _RULE)
_NOT_TITLE = re.compile(r"(?i)\b(?:best|max|maximum|min|total|num|number|last|final|until|stop|stopped|stopping|early|"
                        r"save|saved|saving|load|loaded|loading|resume|resumed|resuming|from|restore|restored|restoring|"
                        r"checkpoint|of|at|after|before|per|every|each|warmup|warm|"
                        # a footer printed after the epoch's values ("Epoch 3 done"): no header of the lines below
                        r"done|finish|finished|complete|completed|end|ended|over)\b")
# What a loop prints between its epoch header and that epoch's values, which ends no block under the header:
# the phase it enters ("Training...", "Validating", "Evaluating:") or a progress bar ("100%|####| 50/50 [00:01<00:00]").
_PHASE_LINE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){0,2}\s*(?:\.{2,3}|…|:)?|.*\d%\|.*|.*\b(?:it/s|s/it)\b.*")
# A counter's total in words ("Epoch 3 of 20", "Step 120 of 5000"): the same as "Epoch 3/20".
_COUNTER_OF = re.compile(r"(?i)\b(epoch|step|iter|iteration|batch)(\s*[:#=]?\s*)(\d+)\s+of\s+(\d+)\b")
# A counter line whose values are all of names traindoc does not know is still a record when it
# names at least this many of them with "=" or ":" (one is a setting printed beside a header).
_KEYED_RECORD = 2
MAX_LINE = 1 << 16  # longer lines are cut: no training log prints a record that long
# pycocotools' summary table ("Average Precision (AP) @[ IoU=0.50 | area= all | maxDets=100 ] = 0.31"):
# the frameworks that print it also log the same numbers by name, so its lines are not read.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_ROW_X = ("epoch", "step", "iter", "iteration", "global_step")
_OWN_LINE = "traindoc: "
_COCO_SUMMARY = ("Average Precision", "Average Recall")
# A run saying it is over: Hugging Face's end-of-training record (``{'train_runtime': …}``) or a line
# such as "Training complete" / "Finished training". The counter going back after one is another run
# (a second stage, the next configuration), not a resume: a finished run is not resumed.
_END_KEYS = frozenset({"train_runtime", "total_flos"})
_DIGITS = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_MAX_BANNERS = 15  # a preamble line printed again more often than this is a per-epoch print, no launch
_MASK_DIGITS = str.maketrans("0123456789", "##########")
_END_LINE = re.compile(r"(?i)\b(?:training\s+(?:is\s+)?(?:complete|completed|finished|done|ended)|finished\s+training"
                       r"|done\s+training|end\s+of\s+training)\b(?!\s+(?:for\s+|of\s+)?(?:this\s+)?(?:epoch|step|batch|iter))"
                       # Lightning ("`Trainer.fit` stopped: `max_epochs=3` reached."), Ultralytics ("100 epochs
                       # completed in 1.234 hours."), behind any logging prefix
                       r"|`?Trainer\.fit`?\s+stopped\b|\b\d+\s+epochs?\s+completed\s+in\b")


# A number printed inside its library's repr: numpy 2 scalars (``np.float64(0.69)``), torch tensors
# (``tensor(0.6931, grad_fn=<NllLossBackward0>)``, ``device='cuda:0'``), JAX arrays (``Array(0.5,
# dtype=float32)``), TensorFlow (``tf.Tensor(0.5, shape=(), dtype=float32)``), NumPy arrays (``array(0.5,
# dtype=float32)``), and a one-element array or tensor of any of them (``array([0.5], dtype=float32)``,
# ``tensor([0.6931], device='cuda:0')``: the mean of a batch kept as a vector): ``print(f"loss: {loss}")``
# without ``.item()``. Unwrapped to the number before a line is read.
_NUM_TEXT = r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?nan|[-+]?inf)\s*"
_ONE_NUM = r"\s*(?:\[" + _NUM_TEXT + r"\]|" + _NUM_TEXT + r")\s*"
_WRAPPED = re.compile(r"\b(?:np\.|numpy\.)(?:float|int|uint)(?:8|16|32|64|128)?\(" + _NUM_TEXT + r"\)"
                      r"|\b(?:tensor|Array|tf\.Tensor|(?:np\.|numpy\.)?array)\(" + _ONE_NUM +
                      r"(?:,\s*[A-Za-z_]+=(?:'[^']*'|\"[^\"]*\"|<[^<>]*>|\(\)|[\w.:]+)\s*)*\)")


# "train_loss: [2.1, 1.7, 1.5]", "losses = [ ... ]", "val acc [0.5, 0.6, 0.7]": a name, then a list of numbers.
_LIST_LINE = re.compile(r"^\s*([A-Za-z_][\w ./-]{0,60}?)\s*[:=]?\s*\[([^\[\]]*)\]\s*$")
MIN_LIST = 3  # values a printed list needs to be a curve
# A name alone on its line over its list on the next (``for k, v in history.history.items(): print(k); print(v)``).
_LIST_TITLE = re.compile(r"\s*([A-Za-z_][\w ./-]{0,60}?)\s*[:=]?\s*")


def _python_dict(text: str) -> dict | None:
    """A dict printed by Python (``{'loss': [0.5, 0.4], …}``: single quotes, nan, None, numpy wrappers) read by
    the literal parser (``_pyliteral``: nothing in it is run); None when the line is no such literal."""
    if "'" not in text and "(" not in text:
        return None
    try:
        obj = parse_literal(text)
    except (ValueError, RecursionError):
        return None
    return to_json_like(obj) if isinstance(obj, dict) else None


# Caffe2's Print operator on a scalar blob ("Tensor loss of type float. Dims: (): 2.34371"): the blob's name
# and its value; the type and the (empty) shape are no numbers of the record.
_CAFFE2_PRINT = re.compile(r"\s*Tensor ([A-Za-z_][\w/.]{0,60}) of type \w+\. Dims: \(\):\s*(\S+)\s*")


def unwrap_numbers(line: str) -> str:
    """``loss: tensor(0.6931, grad_fn=<…>)`` -> ``loss: 0.6931`` (see ``_WRAPPED``); ``loss: (3, 0.52)``
    -> ``step 3 loss: 0.52`` (see ``_PAIR``); Caffe2's ``Tensor loss of type float. Dims: (): 0.52`` ->
    ``loss: 0.52`` (see ``_CAFFE2_PRINT``)."""
    if "(" not in line and "[" not in line:
        return line
    if line.lstrip().startswith("Tensor "):
        m = _CAFFE2_PRINT.fullmatch(line)
        if m:
            return f"{m.group(1)}: {m.group(2)}"
    if "np." in line or "tensor(" in line or "Array(" in line or "Tensor(" in line or "numpy." in line or "array(" in line:
        line = _WRAPPED.sub(lambda m: next(g for g in m.groups() if g is not None), line)
    if "," in line and _PAIR_HINT.search(line):
        line = _PAIR.sub(_pair_record, line)
    return line


# A counter glued to its abbreviation with its total after it ("[Fold 0] Head E1/6:", "Ep3/10", "It200/5000"):
# a hand-written f-string (f"E{epoch}/{epochs}"). Glued to a letter, the number is part of the word (as in
# "conv1", "resnet50"), so each epoch would be a line shape of its own, counted on its own. With the total
# after it the abbreviation is a counter, spelled out here so the line reads as "Epoch 1/6".
_GLUED_COUNTER = re.compile(r"(?<![\w.])(E|Ep|EP|Epoch|EPOCH|epoch|It|Iter|iter|Step|step)(\d+)\s*/\s*(\d+)(?![\w.])")
_GLUED_WORD = {"e": "Epoch", "ep": "Epoch", "epoch": "Epoch", "it": "Iter", "iter": "Iter", "step": "Step"}


# "Epoch #3", "Step #200", "Iter No. 5": a counter numbered with "#" or "No." (a hand-written print).
# The "#" is no number slot of the template, so without this the counter word is parted from its number.
_HASHED_COUNTER = re.compile(r"(?i)(?<![\w.])(epoch|step|iter|iteration|batch|fold|round)\s*(?:#|no\.)\s*(?=\d)")


def unhash_counters(line: str) -> str:
    """``Epoch #3`` -> ``Epoch 3`` (see ``_HASHED_COUNTER``)."""
    return _HASHED_COUNTER.sub(lambda m: m.group(1) + " ", line)


def unglue_counters(line: str) -> str:
    """``E1/6`` -> ``Epoch 1/6``, ``It200/5000`` -> ``Iter 200/5000`` (see ``_GLUED_COUNTER``)."""
    return _GLUED_COUNTER.sub(lambda m: f"{_GLUED_WORD[m.group(1).lower()]} {m.group(2)}/{m.group(3)}", line)


# A value printed as a pair with its counter: ``print("loss:", (epoch, loss))`` writes "loss: (3, 0.52)",
# a list of (step, loss) tuples printed one per line writes "loss (3, 0.52)". The whole number of the
# pair is its counter, on either side; a pair of two fractions ("(0.53, 0.61)") is no such record.
_PAIR_HINT = re.compile(r"[A-Za-z_]\s*[:=]?\s*[(\[]\s*[-+\d.]")
_PAIR = re.compile(r"(?<![\w.])([A-Za-z_][\w]*(?: [A-Za-z_][\w]*){0,3})\s*[:=]?\s*[(\[]\s*" + _NUM_TEXT.strip(r"\s*") +
                   r"\s*,\s*" + _NUM_TEXT.strip(r"\s*") + r"\s*[)\]]")
_WHOLE = re.compile(r"\+?\d+")


def _pair_record(m: re.Match) -> str:
    name, a, b = m.group(1), m.group(2), m.group(3)
    if _WHOLE.fullmatch(a) and not _WHOLE.fullmatch(b):
        return f"step {a} {name}: {b}"
    if _WHOLE.fullmatch(b) and not _WHOLE.fullmatch(a):
        return f"step {b} {name}: {a}"
    return m.group(0)


# A title line naming the quantity of the block under it ("Train loss per epoch:", "== Validation accuracy ==",
# "val_loss"): a script printing one block per quantity names it once, then prints "Epoch 3: 0.52" lines.
_BLOCK_TITLE = re.compile(r"^[\W_]*([A-Za-z][A-Za-z_ .]{1,40}?)(?:\s+(?:per|by|for each|over|vs\.?)\s+(?:epochs?|steps?|iter"
                          r"(?:ation)?s?|batch(?:es)?))?\s*(?:\((?:%|percent)\))?\s*[:=\-]*\s*$")
_TITLE_TAIL = {"history", "values", "curve", "log", "logs"}


def block_title(line: str) -> str | None:
    """The loss or metric a number-free title line names (``Train loss per epoch:`` -> ``train_loss``), else None."""
    m = _BLOCK_TITLE.match(line)
    if not m:
        return None
    words = m.group(1).replace(".", " ").split()
    while words and words[-1].lower() in _TITLE_TAIL:
        words.pop()
    if not words or len(words) > 4:
        return None
    key = norm_key(" ".join(words))
    return key if measured(key) else None


# wandb's own console lines ("wandb: Tracking run…", and at the end "wandb: Run history:" with a sparkline per
# key, "wandb: Run summary:" with each key's last value): never a record. The summary's values are the run's
# last ones restated, kept as a note like any other final summary.
_WANDB_LINE = re.compile(r"^\s*wandb:\s?(.*)$")
# wandb right-aligns each name; a name logged with spaces ("train loss") keeps them
_SPARK_ROW = re.compile(r"^[\w./-]+(?: [\w./-]+)*[ \t]+[\u2581-\u2588][\u2581-\u2588 ]*$")  # no two ways to match a blank
_WANDB_SUMMARY = re.compile(r"^\s*([\w./-]+(?: [\w./-]+)*)\s+(" + _PLAIN_NUMBER.pattern + r"|nan|inf)\s*$")


def role(key: str) -> Role:
    return _role_cached(key)


_ROLE_CACHE: dict[str, Role] = {}


def _role_cached(key: str) -> Role:
    r = _ROLE_CACHE.get(key)
    if r is None:
        r = infer_role(key).role
        if len(_ROLE_CACHE) < 65536:
            _ROLE_CACHE[key] = r
    return r


def meaningful(keys) -> bool:
    """A record needs at least one key that is a loss, metric, LR or gradient norm."""
    return any("loss" in k or _role_cached(k) is not Role.OTHER for k in keys)


def _summary_only(vals: dict[str, float], own_counter: bool) -> bool:
    """Every value is a best-so-far (``best_val_loss``), or, on a line with no counter, a final
    figure (``final_validation_accuracy``): a summary of the run, not a point of its curves."""
    if all(k.startswith("best_") for k in vals):
        return True
    return not own_counter and all(k.startswith("final_") for k in vals)


_COLUMN_SPLITS = {"testing": "test", "test": "test", "validation": "val", "validating": "val", "valid": "val",
                  "val": "val", "eval": "eval", "evaluation": "eval", "evaluating": "eval"}
_COLUMN_LABEL = re.compile(r" {8,}([A-Za-z]+):?(?=\s|$)")


def split_column(line: str) -> tuple[int, str] | None:
    """A header of a console printed in columns: a few words, no number, with a split's name far to the
    right of another label ("Training:" then "Testing:" 88 characters in). Returns where that column
    starts and its split: the lines indented to it hold that split's values, written beside the
    training lines of the same steps (so they are not the training loss printed again)."""
    if any(ch.isdigit() for ch in line) or len(line.split()) > 4:
        return None
    for m in _COLUMN_LABEL.finditer(line):
        w = m.group(1).lower()
        if w in _COLUMN_SPLITS and line[:m.start()].strip():
            return m.start(1), _COLUMN_SPLITS[w]
    return None


class _Plan:
    """A template compiled for fast per-line use."""

    __slots__ = ("values", "step", "epoch", "progress", "lead", "context", "bar", "pct", "tname", "n_slots",
                 "meaningful", "held_ctx", "split_keys", "keyed", "inner", "used", "bar_count", "epoch_line", "trains")

    def __init__(self, t: Template, parser: "LineParser") -> None:
        self.values = []  # (index, key, total, avg index)
        self.step = self.epoch = self.progress = self.lead = None  # (index, total, total index)
        self.pct = False
        self.keyed = t.keyed
        self.inner = False  # the step counts within its epoch by its own name ("Epoch Step: 41")
        self.used = False  # a line of this shape gave a record
        self.bar_count = False  # a line of this shape was placed by its progress bar's n/N count
        self.epoch_line = False  # a line of this shape (no bar) was placed on the epoch axis
        for i, s in enumerate(t.slots):
            total_i = i + 1 if s.total == -1.0 else None
            total = None if s.total in (None, -1.0) else s.total
            if s.kind == "value":
                self.values.append((i, s.key, total, s.avg_slot))
            elif s.kind == "step" and self.step is None:
                self.step = (i, total, total_i)
                self.inner = s.key in INNER_STEP_KEYS
                self.pct = self.pct or s.pct_after
            elif s.kind == "epoch" and self.epoch is None:
                self.epoch = (i, total, total_i)
            elif s.kind == "progress" and self.progress is None:
                self.progress = (i, total, total_i)
                self.pct = self.pct or s.pct_after
            elif s.kind == "lead":
                self.lead = (i, None, None)
        self.context = t.context
        self.bar = t.bar
        self.tname = t.skeleton
        self.n_slots = len(t.slots)
        self.held_ctx = t.context not in (None, "train")
        # The names a line of this shape gives its values never change: renamed once, here.
        seen: set[str] = set()
        # A value keyed by its split alone ("120 val 3.21") is that split's loss only on a line that
        # names no loss of its own: beside one ("loss = 0.78  eval = 0.79") it is a score of a kind
        # the line does not say (a batch accuracy), and is kept under its own name.
        own_loss = any("loss" in key for _, key, _, _ in self.values)
        self.split_keys = frozenset() if own_loss else frozenset(
            key for _, key, _, _ in self.values if key in SPLIT_WORDS)
        named = []
        for i, key, total, avg in self.values:
            if key in seen:
                continue
            seen.add(key)
            name = parser.rename(key, t.context, split_is_loss=not own_loss)
            if t.key_split and role(name) is Role.TRAIN_METRIC:
                name = f"{t.key_split}_{name}"
            named.append((i, name, total, avg))
        self.values = named
        self.meaningful = meaningful(n for _, n, _, _ in named)
        self.trains = any(role(n) in (Role.TRAIN_LOSS, Role.TRAIN_METRIC) for _, n, _, _ in named)


def _count_total(counter: tuple, nums: list[str]) -> float | None:
    """The total of a counter written n/N: fixed by the line's shape, or read from its own slot."""
    return counter[1] if counter[1] else (_num(nums[counter[2]]) if counter[2] is not None else None)


def _num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        v = T.parse_number(text)
        return T.NAN if v is None else v
    except OverflowError:
        return math.inf


def _titled_counter(line: str) -> bool:
    """Whether ``line`` is a counter header with a few words of title (see ``_TITLED_COUNTER``)."""
    if len(line) > 80:
        return False
    m = _TITLED_COUNTER.fullmatch(line.strip())
    return m is not None and (m.group("pre") or m.group("post")) and \
        _NOT_TITLE.search(m.group("pre") + " " + m.group("post")) is None


class LineParser:
    """Feeds lines one at a time; ``records`` (a ``RecordStore``) holds what was read."""

    def __init__(self) -> None:
        self.records = RecordStore()
        self.plans: dict[str, _Plan] = {}
        self.first_epoch: float | None = None
        self.sticky: tuple[float, str] | None = None  # a header line's x, for the lines under it
        self.sticky_counts = False
        self.bare_header = False  # the header was a counter alone ("epoch   3"), and no other line came since
        # Under a header that counts with its total ("Epoch 3/10", "#### Epoch 0/49"), lines without a
        # counter of their own are its record, indented or not, until a blank line after one of them,
        # the next header or a line saying the run is over (a print loop writing "Epoch i/N", then
        # "Train Loss: …", "Val Loss: …", then a blank line).
        self.block_open = False
        self.block_records = 0
        self.bare_line = False
        self.anchor: tuple[float, str] | None = None  # the last x a line gave by its own counter
        self.epoch_end: float | None = None  # where an evaluation after fractional-epoch lines goes
        self.headers: list[list[str]] = []
        self.pipe_header: list[str] | None = None  # the last header when it was a markdown (``| a | b |``) one
        self.row_header: dict[str, tuple[list[str], str | None]] = {}
        self.redraws = 0
        self.matched = 0
        self.countered = 0  # records placed by a counter of their own (step, epoch, iteration)
        self.run_ends: list[int] = []  # record counts at which a run said it was over (see ``_END_KEYS``)
        # records of a one-row-per-epoch layout at the epoch of the record before: another launch starts there
        self.relaunches: list[int] = []
        self.resized: list[int] = []  # records whose within-epoch count changed its total as x went back
        self.step_totals: dict[tuple, set[float]] = {}  # printed totals of a within-epoch count, per record layout
        self.summaries: list[tuple[int, dict[str, float]]] = []  # (record count then, HF end-of-training summary)
        self.title = ""  # the last non-blank line, for a table header under a title ("Accuracies:")
        self.json_records = 0
        self.split_keys: set[str] = set()  # split words read as a loss, in records kept (set by finish)
        self._split_at: dict[str, int] = {}
        self.cut_lines = 0
        self.range_rows = 0  # markdown rows whose step cell is a range ("3–5"): a hand summary, no point
        self.nonfinite_reports = 0
        self._ep: float | None = None  # epoch and largest step seen in it, for steps counted per epoch
        self._ep_max = 0.0
        self.step_offset = 0.0
        self.inner_steps = False
        self.header_epoch: float | None = None  # the epoch of the last header line that held only it
        # Lines with values but no counter anywhere before them ("Meta batch loss: 234.5"): counted
        # per line shape; kept only for shapes that repeat (a one-off settings print is no curve).
        self.implicit: dict[str, int] = {}
        self.implicit_at: list[tuple[int, str]] = []
        # Held-out lines placed at a counter-less record ("Valid: 818 images" after "Train: 6552
        # images"): (their record, the record they joined); dropped with it when it is dropped.
        self.followers: list[tuple[int, int]] = []
        # Rows of printed tables with no step or epoch column ("train_loss val_loss" summaries), counted.
        self.tables = CountedTables()
        self.fixed_layouts: set[str] = set()  # row shapes of a known headerless layout (YOLOv5 results.txt)
        self.fixed_rows = 0
        # Whole curves printed as lists ("train_loss: [2.1, 1.7, …]", "losses = [...]"), by name; read
        # only when the file holds no record of its own (see ``list_series``).
        self.lists: dict[str, list[float]] = {}
        # Lists of two values: a curve only when every printed list is one (see ``list_series``).
        self.short_lists: dict[str, list[float]] = {}
        self.list_title: str | None = None  # a loss or metric name alone on the last non-blank line
        self._glued: dict[str, bool] = {}  # line shapes with a glued counter ("E1/6"), see ``_glued_shape``
        # The quantity a title line named (``block_title``), for the counter-and-number lines under it;
        # None once a line of another kind comes. ``titled_lines``: lines named so.
        self.block_name: str | None = None
        self.titled_lines = 0
        self.wandb_summary = False  # inside wandb's closing "Run summary:" block
        self.wandb_plain = False  # inside that summary printed without the "wandb:" prefix
        self.last_bar = False  # the last record came from a progress bar
        self.trained = False  # a record holds a training loss or metric (or came from a table or JSON)
        self.bare_numbers = 0  # lines holding one number and nothing else: never read, said in a note
        self.bar_counted: set[int] = set()  # records placed by a progress bar's n/N count (see ``bar_copies``)
        # The lines printed before the first record (a banner, an argument dump), numbers masked; one of
        # them printed again after records came marks where another launch may have started writing
        # (``banners_again``: record counts then; ``_appended.loss_starts_over`` decides).
        self._preamble: set[str] = set()
        self._heads: set[str] = set()  # their first four characters
        self._again: dict[str, list[int]] = {}
        # A console printed in two columns under a header ("Training:" ... "Testing:" 88 characters in):
        # (that column's start, its split). Lines indented to it are that split's (see ``split_column``).
        self.split_column: tuple[int, str] | None = None

    # -- one line -------------------------------------------------------------------------
    def feed(self, line: str) -> bool:
        """Parse one line; True when it gave (or framed) a record."""
        if len(line) > MAX_LINE:  # before any pattern sees it: a megabyte of blanks must stay cheap
            line = line[:MAX_LINE]
            self.cut_lines += 1
        if line.lstrip().startswith(_OWN_LINE):
            # traindoc.watch's own lines in a captured console (``python train.py > log 2>&1``):
            # "... at step 2 (detected at step 6)" would be read as a step counter. Neither a
            # record nor the end of one.
            return False
        if "wandb:" in line[:16] and (m := _WANDB_LINE.match(line)):
            self._wandb(m.group(1).strip())
            return False
        if self.wandb_plain and self._wandb_row(line.strip()):
            return False
        if line[:1] == "R" and line.rstrip() in ("Run history:", "Run summary:"):
            # the same summary without its "wandb:" prefix (a notebook's output saved as text)
            self.wandb_plain = True
            self._wandb(line.strip())
            return False
        if self.split_column is not None and line[:1] == " " and line.strip() and \
                len(line) - len(line.lstrip(" ")) >= self.split_column[0] - 2:
            line = f"{self.split_column[1]} {line.lstrip()}"
        elif len(line) < 400 and "        " in line:
            self.split_column = split_column(line) or self.split_column
        line = unwrap_numbers(line)
        if " of " in line:
            line = _COUNTER_OF.sub(r"\1\2\3/\4", line)
        if "#" in line or "o." in line or "O." in line:  # cheap: the regex only where "#" or "No." can be
            line = unhash_counters(line)
        # "epoch 3" alone, or a line that introduces what follows with a colon ("Validation metrics at
        # epoch 0 :"): when it gives only a counter, the records right under it are that counter's
        self.bare_line = _BARE_COUNTER.fullmatch(line.strip()) is not None or line.rstrip().endswith(":") \
            or _titled_counter(line)
        if self.block_name is not None and line.strip():
            line = self._titled(line)
        got = self._feed(line)
        if len(line) < 200:
            self._banner(line)
        if not got and len(line) < 200 and _END_LINE.search(line):
            self._run_end()
            self.block_open = False
        if not line.strip() and self.block_records:
            self.block_open = False
        if line.strip() and not _DECORATION.fullmatch(line.strip()):
            if not got and not (self.bare_header and _PHASE_LINE.fullmatch(line.strip())):
                self.bare_header = False  # a line that is no record ends the block under a bare counter
                if len(line) < 80 and not any(ch.isdigit() for ch in line):
                    self.block_name = block_title(line.strip())
            self.title = line.strip()[:80]
        return got

    def _banner(self, line: str) -> None:
        """Keep a line printed before any record (see ``_preamble``), or mark it printed again."""
        head = line.lstrip()[:4].translate(_MASK_DIGITS)  # a timestamp's date at the start: any day
        if self.trained and head not in self._heads:
            return  # cheap: most lines of a long log start unlike any opening line
        key = _DIGITS.sub("#", " ".join(line.split()))
        if sum(ch.isalpha() for ch in key) < 4:
            return  # a rule, a blank, a bare count: printed anywhere
        if not self.trained:  # a settings record (``Namespace(lr=0.1, …)``) is still the preamble
            self._preamble.add(key)
            self._heads.add(head)
        elif key in self._preamble:
            at = self._again.setdefault(key, [])
            if not at or at[-1] != len(self.records):
                at.append(len(self.records))

    @property
    def banners_again(self) -> list[int]:
        """Record counts at which a line of the preamble was printed again (see ``_preamble``); a line
        printed again at most records (an evaluation header each epoch) marks nothing."""
        return sorted({at for marks in self._again.values() if len(marks) <= _MAX_BANNERS for at in marks})

    def _wandb(self, rest: str) -> None:
        """One of wandb's own lines (see ``_WANDB_LINE``): its closing summary is kept as a summary."""
        if rest.lower().startswith("run summary"):
            self.wandb_summary = True
            self.summaries.append((len(self.records), {}))
            return
        m = _WANDB_SUMMARY.match(rest) if self.wandb_summary else None
        if m is None:
            self.wandb_summary = self.wandb_summary and bool(rest) and not rest.endswith(":")
            return
        name = norm_key(m.group(1))
        if meaningful((name,)) and self.summaries:
            self.summaries[-1][1][name] = _num(m.group(2))

    def _wandb_row(self, rest: str) -> bool:
        """A row of wandb's closing blocks printed without the prefix ("train_loss ▁▃▅█", "train_loss 0.12");
        any other line ends them."""
        if _SPARK_ROW.match(rest) or (self.wandb_summary and _WANDB_SUMMARY.match(rest)):
            self._wandb(rest)
            return True
        self.wandb_plain = self.wandb_summary = False
        return False

    def _titled(self, line: str) -> str:
        """``Epoch 3: 0.52`` under a title naming its quantity (see ``block_title``) as ``Epoch 3 name: 0.52``;
        any other line ends the titled block."""
        found = counted_value(line) if len(line) < 120 else None
        if found is None:
            self.block_name = None
            return line
        self.titled_lines += 1
        return f"{counter_word(line)} {found[0]} {self.block_name}: {found[1]!r}"

    def _feed(self, line: str) -> bool:
        head = line.lstrip()
        if head.startswith(_COCO_SUMMARY):
            return False
        if head.startswith("{") and len(line) < _MAX_JSON_LINE and line.rstrip().endswith("}"):
            got = self._json(head)
            if got is not None:
                return got
        title, self.list_title = self.list_title, None
        if title is not None and not head.strip():
            self.list_title = title  # a blank line between the name and its list
        elif title is not None and head.startswith("[") and self._list(f"{title}: {head.strip()}"):
            return True
        if line.rstrip().endswith("]") and "[" in line and "," in line and self._list(line):
            return True
        if len(head) <= 64 and (m := _LIST_TITLE.fullmatch(line)) and measured(norm_key(m.group(1))):
            self.list_title = m.group(1)
        sk, nums = split_fast(line)
        if sk == "#" and not self.headers:
            self.bare_numbers += 1  # a number alone on its line: nothing names it (see ``bare_numbers``)
            return False
        if "/" in sk and self._glued_shape(sk):
            line = unglue_counters(line)
            sk, nums = split_fast(line)
        if len(line) < 200 and _NONFINITE_WORDS.search(line) and _NONFINITE_REPORT.search(line):
            return self._nonfinite_report()
        if "#" not in sk or "#%" in sk:
            cells = tables.header_cells(sk, line)
            if cells:
                cells = tables.titled(cells, self.title)
                self.pipe_header = cells if sk.count("|") >= 2 else None
                self.headers = (self.headers + [cells])[-4:]
                self.tables.header(cells, indented=line[:1] in " \t")
                return False
            if "#" not in sk:
                return False
        if self.pipe_header is not None and head.startswith("|"):
            got = self._pipe_row(line)
            if got is not None:
                return got
        if self.headers or len(nums) >= 12:
            got = self._row(sk, nums)
            if got is not None:
                return got
        plan = self.plans.get(sk)
        if plan is None:
            plan = _Plan(template(sk), self)
            if len(self.plans) < _MAX_PLANS:  # text that never repeats a shape must not fill memory
                self.plans[sk] = plan
        if len(nums) != plan.n_slots:
            return False
        return self._line(plan, nums, line[:1] in " \t" and not line.lstrip()[:1].isdigit())

    def _line(self, plan: _Plan, nums: list[str], indented: bool) -> bool:
        plan.used = True
        held_ctx = plan.held_ctx
        avg_ok = held_ctx and plan.progress is not None
        vals: dict[str, float] = {}
        for i, key, total, avg in plan.values:
            text = nums[avg] if (avg is not None and avg_ok) else nums[i]
            try:
                v = float(text)
            except ValueError:
                v = _num(text)
            if total:
                v = v / total
            vals[key] = v
        x, axis = self._x(plan, nums, held_ctx)
        own = x is not None
        by_bar = False  # placed by the progress bar's own n/N count
        if not plan.meaningful:
            if own and (plan.step is not None or plan.epoch is not None):
                self.sticky = (x, axis)  # a header: "Epoch 3/10", "[step=5/100]"
                if plan.step is None:
                    self.header_epoch = x
                # counts as the records' own counter when it is one for sure: "Epoch 3/10" (with its
                # total) or "epoch 3" alone on its line, not "epochs: 100" in a settings dump
                counter = plan.step if plan.step is not None else plan.epoch
                # A progress bar described by its epoch ("Train Epoch 3: 100%|███| 25/25 [00:51<00:00]") is
                # drawn by the loop itself: its epoch is one for sure, like "Epoch 3/10", and the lines the
                # loop prints after the bar ("Train Loss: 0.41  Val Loss: 0.39") are that epoch's record.
                looped = counter[1] is not None or counter[2] is not None or (plan.bar and plan.epoch is not None)
                self.sticky_counts = self.bare_line or looped
                # A header that is only a counter ("epoch   3"): the lines right under it, indented or
                # not, are its record (a print log writing "epoch N", then "loss: …", then "acc: …").
                self.bare_header = self.bare_line
                self.block_open = looped
                self.block_records = 0
                self.anchor = (x, axis)
                self.matched += 1
                if plan.keyed >= _KEYED_RECORD and not plan.bar and not plan.held_ctx:
                    # "epoch 3 | cross=0.09 rr=0.02 ff=0.02": a record of quantities traindoc has no
                    # name for (a GAN's own terms); kept so the run's length and restarts are seen
                    self._append(x, axis, vals)
                    self.countered += 1
                return True
            return False
        # Also before any record when the line names its own epoch, or when every value is a best-so-far: a
        # "Best Performance" block written at the top of the file ("Best Accuracy: 0.89 (Epoch 12)", "Best
        # Accuracy: 0.50" over the curves printed as lists) restates a later point, not a first one.
        if (self.records or own or all(k.startswith("best_") for k in vals)) and _summary_only(vals, own):
            # "Best val Loss: 0.0397 at epoch 48" after the last epoch: a restatement of an earlier
            # point, not a record (its counter going back is no new run), kept as the run's summary
            self.summaries.append((len(self.records), vals))
            self.matched += 1
            return True
        joined = None  # the counter-less record a held-out line joins, if any
        if x is None:
            if self.sticky is not None and (indented or plan.bar or plan.progress is not None or self.bare_header
                                            or self.block_open):
                x, axis = self.sticky  # Keras bars and indented "name=value" lines under "Epoch 3/10"
                self.block_records += 1
                if plan.bar or plan.progress is not None or self.sticky_counts:
                    self.countered += 1  # a record under its epoch header: counted by it
            elif self.records and any(role(k) in _HELD_OUT for k in vals) and not (
                    self.anchor is None and (any(role(k) is Role.TRAIN_LOSS for k in vals) or not self.trained)):
                # an evaluation line, at the last x; before any counter, a line that also holds a training
                # loss is a full record of a counter-less log, counted below, and so is one when no line
                # gave a training value yet (a log of evaluation sentences: there is no training x to join)
                if self.epoch_end is not None:
                    x, axis = self.epoch_end, "epoch"
                else:
                    x, axis = self.records.last_x()
                    if self.implicit_at and self.implicit_at[-1][0] == len(self.records) - 1:
                        joined = self.implicit_at[-1][0]
            elif self.anchor is None and plan.progress is None:
                x, axis = float(self.implicit.get(plan.tname, 0)), "step"
                self.implicit[plan.tname] = int(x) + 1
                self.implicit_at.append((self.records.append(x, axis, vals), plan.tname))
                self.trained = self.trained or plan.trains
                self._note_split(plan)
                self.matched += 1
                return True
            else:
                return False
        else:
            if plan.step is not None or plan.epoch is not None:
                self.sticky = None
            elif plan.bar and plan.progress is not None:
                plan.bar_count = by_bar = True
            self.anchor = (x, axis)
            if plan.step is not None or plan.epoch is not None or plan.progress is not None:
                self.countered += 1  # a named counter, or an n/N count (Keras and tqdm bars, "[1/10]")
        if axis == "epoch" and not plan.bar:
            plan.epoch_line = True  # by its own epoch counter or under an epoch header
        self.trained = self.trained or plan.trains
        relaunch = self._count_resized(plan, nums, x)
        self._append(x, axis, vals, plan.bar)
        if relaunch:
            self.resized.append(len(self.records) - 1)
        if by_bar:
            self.bar_counted.add(len(self.records) - 1)  # appended, or the redraw it replaced
        if joined is not None:
            self.followers.append((len(self.records) - 1, joined))
        self._note_split(plan)
        self.matched += 1
        return True

    def _count_resized(self, plan: _Plan, nums: list[str], x: float | None) -> bool:
        """A record whose within-epoch count has a printed total never seen before for records of its kind
        while its x goes back ("epoch:1/300,batch:7/16" ... then "epoch:1/300,batch:6/67"): the loader changed
        size (another batch size or dataset), which a resume from a checkpoint never does, so it is another
        launch appended to the file. Progress bars and evaluation lines (their own loaders) are not judged."""
        if plan.step is None or plan.epoch is None or plan.bar or plan.held_ctx or x is None:
            return False
        total = _count_total(plan.step, nums)
        if not total or total != total:
            return False
        seen = self.step_totals.setdefault((plan.context, tuple(k for _, k, _, _ in plan.values)), set())
        new = bool(seen) and total not in seen
        seen.add(total)
        last = self.records.last_x() if self.records else None
        return new and last is not None and last[1] == "step" and x < last[0]

    def _note_split(self, plan: _Plan) -> None:
        """Remember the record that read a split word as a loss, for the note (only if it is kept)."""
        for k in plan.split_keys:  # the last record is enough: counter-less (droppable) lines come first
            self._split_at[k] = len(self.records) - 1

    def _glued_shape(self, sk: str) -> bool:
        """Whether a line shape holds a counter glued to its abbreviation (``_GLUED_COUNTER``); asked
        once per shape, so a log of a million ordinary lines pays a dictionary lookup each."""
        glued = self._glued.get(sk)
        if glued is None:
            glued = _GLUED_COUNTER.search(sk) is not None
            if len(self._glued) < _MAX_PLANS:
                self._glued[sk] = glued
        return glued

    def _x(self, plan: _Plan, nums: list[str], held_ctx: bool) -> tuple[float | None, str]:
        def val(c):
            return _num(nums[c[0]])

        if plan.step is not None:
            step, total = val(plan.step), _count_total(plan.step, nums)
            if total and plan.epoch is not None:
                return self._global(val(plan.epoch), step, total, plan.pct)
            if plan.epoch is not None:
                return self._epoch_step(val(plan.epoch), step), "step"
            if self.header_epoch is not None:
                # a step under its epoch's header ("Epoch 2" over "batch: 50, loss: 0.4"): when it starts over
                # with each epoch, the steps of the epochs before it are added (see ``_epoch_step``)
                return self._epoch_step(self.header_epoch, step), "step"
            return step, "step"
        if plan.epoch is not None:
            if held_ctx and plan.progress is not None:
                return None, "step"  # an evaluation's own batch count ("Epoch(val) [1][50/335]")
            epoch = val(plan.epoch)
            if plan.progress is not None and not plan.bar:
                total = _count_total(plan.progress, nums)
                if total:
                    return self._global(epoch, val(plan.progress), total, plan.pct)
            self.epoch_end = None
            return epoch, "epoch"
        if held_ctx or (self.sticky is not None and (plan.bar or plan.progress is not None)):
            return None, "step"
        if plan.progress is not None:
            return val(plan.progress), "step"
        if plan.lead is not None:
            return val(plan.lead), "step"
        return None, "step"

    def _epoch_step(self, epoch: float, step: float) -> float:
        """A step printed beside an epoch: global, unless it starts over with each epoch
        ("Epoch: 2 | Step: 5000" after "Epoch: 1 | Step: 65000"); then the steps of earlier epochs
        (the largest step each printed) are added, so the x keeps going forward."""
        if self._ep is None or epoch != self._ep:
            if self._ep is not None and epoch > self._ep and step <= self._ep_max:
                # steps counted from 0 in each epoch: the epoch's step 0 comes one after the last one
                self.step_offset += self._ep_max + (1 if step == 0 else 0)
                self.inner_steps = True
            elif self._ep is not None and epoch < self._ep:
                self.step_offset = 0.0  # back to an earlier epoch: a resume or a new run, left to stitching
            self._ep, self._ep_max = epoch, step
        else:
            self._ep_max = max(self._ep_max, step)
        return step + self.step_offset

    def _global(self, epoch: float, inner: float, total: float, pct: bool) -> tuple[float, str]:
        """x of a count inside an epoch: a fractional epoch (sample counts) or a global batch count."""
        if self.first_epoch is None:
            self.first_epoch = epoch
        if pct:
            self.epoch_end = epoch - self.first_epoch + 1
            return epoch - self.first_epoch + inner / total, "epoch"
        self.epoch_end = None
        return (epoch - self.first_epoch) * total + inner, "step"

    def rename(self, k: str, context: str | None, split_is_loss: bool = True) -> str:
        """The series name of a key read in a context (``valid``, fairseq's ``train`` summaries)."""
        if k in SPLIT_WORDS and not split_is_loss:
            return f"{context}_{k}" if context and context != k else k
        if k in SPLIT_WORDS:  # build-nanogpt "120 val 3.21": a value keyed only by its split is its loss
            k = f"{k}_loss"
        if context == "train":  # fairseq "| train |": an epoch summary, kept apart from per-update points
            return f"epoch_{k}"
        if context and role(k) not in _HELD_OUT and k.split("_")[0] not in SPLIT_WORDS:
            return f"{context}_{k}"  # a key naming its own split ("train loss" on a "Val step" line) keeps it
        return k

    def _nonfinite_report(self) -> bool:
        """A NaN point in ``loss_reported_nonfinite`` at the current x, so the report is not lost."""
        at = self.anchor or self.records.last_x()
        if at is None:
            return False
        self.nonfinite_reports += 1
        last = self.records.last
        if last is not None and last[0] == at[0] and last[1] == at[1]:
            self.records.replace_last(at[0], at[1], {**last[2], NONFINITE_SERIES: math.nan})
        else:
            self.records.append(at[0], at[1], {NONFINITE_SERIES: math.nan})
        return True

    # -- printed lists --------------------------------------------------------------------
    def _list(self, line: str) -> bool:
        """A whole curve printed as a list under a loss or metric name (``print("val_loss:", losses)``)."""
        m = _LIST_LINE.match(line)
        if not m:
            return False
        name = norm_key(m.group(1))
        if not name or not measured(name):
            return False
        vals = [_num(c.strip()) for c in m.group(2).split(",") if c.strip()]
        if len(vals) < 2 or any(not _PLAIN_NUMBER.fullmatch(c.strip()) and c.strip().lower().lstrip("+-") not in
                                       ("nan", "inf") for c in m.group(2).split(",") if c.strip()):
            return False
        if len(vals) < MIN_LIST:
            self.short_lists[name] = vals
            return False  # read on as any other line; a curve only in ``list_series``
        self.lists[name] = vals
        return True

    def list_series(self) -> dict[str, list[float]]:
        """The printed lists, when no line of the file gave a record of its own (then those records
        are the curves and a list printed at the end repeats them). Lists of two values count only
        when there is no longer list and at least two of them, all of one length: a history of two
        epochs printed quantity by quantity, not a pair of settings under a metric's name."""
        if self.records or self.anchor:
            return {}
        if self.lists:
            return self.lists
        short = self.short_lists
        return dict(short) if len(short) >= 2 and len({len(v) for v in short.values()}) == 1 else {}

    # -- tables ---------------------------------------------------------------------------
    def _pipe_row(self, line: str) -> bool | None:
        """A row of a markdown table whose first column is the step or epoch, read by cell position.

        The pipes say which cell is which column, so a text column (a comment or a trend note in any
        language) is skipped instead of shifting the numbers, and a row whose step cell is no plain
        number (``3–5``, a range summarised by hand) is no point of the curve and is passed over.
        None when the row does not have the header's cell count (then the other readings try)."""
        header = self.pipe_header or []
        # markdown emphasis and a percent sign decorate a number; they do not make it text
        cells = [c.strip().strip("*_`").strip().removesuffix("%").strip() for c in line.strip().strip("|").split("|")]
        # Only under a counter column: in a table of models or settings a text cell names the row.
        if not header or header[0] not in _ROW_X or len(cells) != len(header) or \
                all(set(c) <= set("-: ") for c in cells):
            return None
        if not _PLAIN_NUMBER.fullmatch(cells[0]):
            if any(ch.isdigit() for ch in cells[0]):
                self.range_rows += 1
                return True
            return None
        names, nums = [], []
        for name, cell in zip(header, cells):
            if _PLAIN_NUMBER.fullmatch(cell):
                names.append(name)
                nums.append(cell)
        if not nums:
            return None
        return self._row_values(names, nums, None, None)

    def _row(self, sk: str, nums: list[str]) -> bool | None:
        shape = tables.row_shape(sk)
        if shape is None:
            return None
        cut, label, n = shape
        if label is not None and tables.is_counter(label):
            return None  # "Epoch 1/25" is a counter line (its own template), not a row under an earlier table
        known = self.row_header.get(cut)
        if known is None:
            names = tables.headerless(cut, n)
            if names is not None:
                self.fixed_layouts.add(cut)
            else:
                for header in reversed(self.headers):
                    names = tables.columns_for(header, label, n)
                    if names:
                        break
            if not names:
                return None
            known = self.row_header[cut] = (names, label)
        names, first_label = known
        if label is None and first_label is None and self.anchor is None and self.headers:
            # no counter read yet: each table is read under its own header (a header printed again with
            # its columns in another order renames them), and a pandas row index is no column of its own
            fresh = self.tables.columns(self.headers, n, nums[0])
            if fresh and fresh != names:
                names = fresh
                self.row_header[cut] = (names, label)
        if label != first_label:
            return True  # a per-class row under the "all" row: not a training curve
        return self._row_values(names, nums, label, cut)

    def _row_values(self, names: list[str], nums: list[str], label: str | None, cut: str | None) -> bool:
        """One table row's values under their column names, placed at its step, epoch or count."""
        self.trained = True
        n = len(nums)
        vals: dict[str, float] = {}
        x = axis = None
        for name, text in zip(names, nums):
            if not name or name in vals:
                continue
            v = _num(text)
            if x is None and (axis := tables.x_axis(name, v)) is not None:
                x = v
                continue
            vals[name] = v
        if not meaningful(vals):
            return True
        if x is None:
            if self.anchor is None and label is None and "" not in names[1:n] and \
                    len(vals) == sum(1 for nm in names[:n] if nm) and self.tables.counts(names[:n]):
                x = self.tables.next_x()
                self.tables.rows.append((self.records.append(x, "epoch", vals), self.tables.table))
                self.matched += 1
                return True
            if not self.records or not any(role(k) in _HELD_OUT for k in vals):
                return True
            x, axis = self.records.last_x()
        elif cut is None or cut not in self.fixed_layouts:
            self.countered += 1  # a counter column named by a printed header (a headerless layout is a guess)
        self.anchor = (x, axis)
        if cut is not None and cut in self.fixed_layouts:
            # a writer that fixes the layout writes each epoch's row once, when the epoch is over: the
            # same epoch again is another launch appended to the file, never a redraw
            last = self.records.last_x()
            index = self.records.append(x, axis, vals)
            if last == (x, axis):
                self.relaunches.append(index)
        else:
            self._append(x, axis, vals)
        self.matched += 1
        if cut is not None and cut in self.fixed_layouts:
            self.fixed_rows += 1
        return True

    # -- JSON lines -----------------------------------------------------------------------
    def _json(self, text: str) -> bool | None:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            obj = _python_dict(text)
            if obj is None:
                return None
            return True if self._dict_of_lists(obj) else None
        if not isinstance(obj, dict):
            return None
        if self._dict_of_lists(obj):
            return True
        vals: dict[str, float] = {}
        for k, v in obj.items():
            if isinstance(v, dict):
                for k2, v2 in list(v.items())[:256]:
                    if not isinstance(v2, (dict, list)):
                        self._json_value(vals, f"{k}/{k2}", v2)
            elif not isinstance(v, list):
                self._json_value(vals, str(k), v)
        xkey = next((k for k in _JSON_X if k in vals), None)
        axis = "step"
        if xkey is None and "epoch" in vals:
            xkey, axis = "epoch", "epoch"
        x = vals.get(xkey) if xkey else None
        vals = {k: v for k, v in vals.items() if k not in _BOOK_X}
        if not meaningful(vals):
            return True  # a metadata record (config, run info): read, nothing to plot
        if x is None and not self.records and not any(measured(k) for k in vals):
            return True  # a first record of settings only (lr, weight decay): the run's config, no point
        if x is None or not math.isfinite(x):
            x, axis = self.records.last_x() or (float(self.json_records), "step")
        else:
            self.countered += 1
        self.json_records += 1
        self.trained = True
        self._append(x, axis, vals)
        self.matched += 1
        return True

    def _dict_of_lists(self, obj: dict) -> bool:
        """``print(history.history)``: a dict of per-epoch lists, kept as printed lists (``_list``)."""
        got = False
        for k, v in obj.items():
            if not (isinstance(v, list) and len(v) >= MIN_LIST):
                continue
            name = norm_key(str(k))
            nums = [T.json_number(x) for x in v]
            if name and None not in nums and measured(name):
                self.lists[name] = nums
                got = True
        return got

    @staticmethod
    def _json_value(vals: dict[str, float], key: str, value) -> None:
        if isinstance(value, str) and len(value) > 40:
            return
        try:
            num = T.json_number(value)
        except OverflowError:
            num = math.inf if value > 0 else -math.inf
        if num is not None and not (value is None or isinstance(value, bool)):
            vals[key] = num

    def finish(self) -> RecordStore:
        """The records, without counter-less lines whose shape was printed only once, and without any
        counter-less lines at all when other lines carry counters (then those are config prints)."""
        self.records.dropped, self.split_keys = self.outcome()
        self.records.finish()
        return self.records

    def outcome(self) -> tuple[set[int], set[str]]:
        """What ``finish`` would decide now (records dropped, split words read as a loss), without
        changing anything: a follower asks this between lines and keeps feeding afterwards."""
        counted = self.anchor is not None
        once = {i for i, tname in self.implicit_at if counted or self.implicit.get(tname, 0) < 2}
        if self.implicit_at and not counted and not any(self._measures(t) for t in self.implicit if self.implicit[t] >= 2):
            # counter-less lines that repeat but hold no loss or metric (a config dump printed twice,
            # "lr: 0.001" / "batch_size: 16"): settings, not a curve
            once |= {i for i, _ in self.implicit_at}
        once |= {i for i, joined in self.followers if joined in once}
        once |= self.tables.dropped(counted)
        once |= self.bar_copies()
        dropped = self.records.dropped | once
        return dropped, {k for k, i in self._split_at.items() if i not in dropped}

    def bar_copies(self) -> set[int]:
        """Records placed by a progress bar's own n/N count, when lines counted by their epoch give every
        quantity the bar shows: the bar's count starts over each epoch (it would read as a new run each
        time) and its values are a running display of what the epoch line prints, so they are no records.
        Decided here, before runs are cut; ``text_log._without_bar_copies`` notes it in its one pass over
        what bars showed (where it also drops a bar's running value beside the printed one)."""
        if not self.bar_counted:
            return set()
        bar, epoch = set(), set()
        for plan in self.plans.values():
            if plan.bar_count:
                bar.update(role(name) for _, name, _, _ in plan.values if meaningful((name,)))
            if plan.epoch_line:
                epoch.update(role(name) for _, name, _, _ in plan.values if meaningful((name,)))
        return self.bar_counted if epoch and bar <= epoch else set()

    def bar_counted_names(self) -> set[str]:
        """The names of the values placed by a progress bar's own count (see ``bar_copies``)."""
        return {name for plan in self.plans.values() if plan.bar_count for _, name, _, _ in plan.values}

    def _measures(self, tname: str) -> bool:
        """Whether lines of this shape give a loss or a metric."""
        plan = self.plans.get(tname)
        return plan is not None and any(measured(n) for _, n, _, _ in plan.values)

    def bar_only_names(self) -> set[str]:
        """Names only progress-bar lines gave (a tqdm postfix ``loss=0.42``), not a line of their own."""
        bar, other = set(), set()
        for plan in self.plans.values():
            if plan.used:
                (bar if plan.bar else other).update(name for _, name, _, _ in plan.values)
        return bar - other

    @property
    def counted_by_line(self) -> bool:
        """True when the records are lines counted in order (no line carried a counter)."""
        return self.anchor is None and any(n >= 2 for n in self.implicit.values())

    # -- records --------------------------------------------------------------------------
    def _run_end(self) -> None:
        """The run printed that it is over: records from here on may belong to the next one."""
        n = len(self.records)
        if n and (not self.run_ends or self.run_ends[-1] != n):
            self.run_ends.append(n)

    def _append(self, x: float, axis: str, values: dict[str, float], bar: bool = False) -> None:
        if ("train_runtime" in values or "total_flos" in values) and is_hf_summary(values):
            # the Trainer's end-of-training summary: a mean, kept as a note
            self.summaries.append((len(self.records), values))
            self._run_end()
            return
        self._add(x, axis, values, bar)
        if not _END_KEYS.isdisjoint(values):
            self._run_end()

    def _add(self, x: float, axis: str, values: dict[str, float], bar: bool = False) -> None:
        """Add a record. At the same x as the last record, a line restating its keys (or more) is a
        progress-bar redraw and replaces it; one restating some of them (a final summary such as
        `` * Acc@1 76.1``) updates those values. A progress bar drawn after a line of the loop's own at
        that x (the next epoch's bar, under the last epoch header) changes none of that line's values."""
        last = self.records.last
        was_bar, self.last_bar = self.last_bar, bar
        if last is not None:
            px, pax, pvals = last
            if px == x and pax == axis and bar and not was_bar:
                self.records.replace_last(x, axis, {**values, **pvals})
                self.redraws += 1
                self.last_bar = False
                return
            if px == x and pax == axis:
                if pvals.keys() <= values.keys() or values.keys() <= pvals.keys():
                    self.records.replace_last(x, axis, {**pvals, **values} if values.keys() <= pvals.keys() else values)
                    self.redraws += 1
                    return
                kept = {k for k in pvals if meaningful((k,))}
                if kept and kept <= values.keys():
                    # a redraw whose earlier copy had other output glued on (a second process writing to
                    # the same console): the losses and metrics it restates decide
                    self.records.replace_last(x, axis, values)
                    self.redraws += 1
                    return
        self.records.append(x, axis, values)
