"""Learn what each number of a line shape means, once per shape.

A line is split into its numbers and its *skeleton* (the line with every number replaced by
``#``, time stamps by ``@`` and runs of blanks by one space). Lines printed by the same
``print``/``logger`` call share a skeleton, so the meaning of each number slot is worked out
once per skeleton (``Template``) and later lines of that shape cost two regex passes and a dict
lookup: that is both the format learning and the speed.

A slot is named by the words written before it (``key: 1``, ``key=1``, ``key 1``,
``| lm loss: 1 |``, ``'loss': 1``), or is a *counter*: a step-like or epoch-like key
(``iter 5``, ``[step=5/100]``, ``Epoch 3/10``), an unnamed ``n/N`` progress count (tqdm,
Keras bars, ``[ 10/5005]``) or a bare integer opening the line (``120 train 2.31``).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .words import to_english

# Dates and clock times are never values: "2024-05-01 10:00:00,123", "[00:15<236:28:17".
_STAMP = re.compile(r"(?<!\d)\d\d/\d\d(?= \d\d:\d\d)|\d{4}[-/.]\d\d[-/.]\d\d(?:[T ]\d\d?:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
                    r"|(?<![\w.])\d+:\d\d(?::\d\d)?(?:[.,]\d+)?(?![\w.])")
_UNIT = r"(?:%|[A-Za-z]{1,3}(?:/[A-Za-z]+)?)?"
# A number not glued to a word (acc1, mAP50-95, v1.2.3, 1/N's N): its text, then an optional unit.
NUM = re.compile(
    r"(?<![\w.@/])(?<!\w-)(?!(?<=:)\.)"
    r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?=" + _UNIT + r"(?![\w.]))"
    r"|[-+]?(?:nan|inf(?:inity)?)(?![\w.]))",
    re.IGNORECASE,
)
_BLANKS = re.compile(r"[ \t]+")

STEP_KEYS = ("num_updates", "global_step", "step", "steps", "iter", "iters", "iteration", "it", "updates", "update",
             "total_steps", "global_iter", "train_step", "optimizer_step", "batch", "count")
# "Epoch no. = 3", "epoch number: 3": the epoch counted by a word for "number"
EPOCH_KEYS = ("epoch", "epochs", "train_epoch", "ep", "meta_epoch", "epoch_no", "epoch_no.", "epoch_number", "epoch_num",
              "epoch_nr")
# The same counters as a table's column names (``ep  loss  acc``, ``epoch_no,train_loss``), where they must
# hold whole numbers to count: "epochs" and "batch" are left out (in a table of runs or settings they are
# how long each trained and its batch size, not a counter).
EPOCH_COLUMNS = frozenset(EPOCH_KEYS) - {"epochs", "epoch_no."}
STEP_COLUMNS = frozenset({"step", "steps", "global_step", "iter", "iters", "iteration", "num_updates", "global_iter",
                          "train_step", "optimizer_step"})
# A step counted within its epoch, by its own name ("Epoch Step: 41"): placed after the steps of the
# epochs before it (the epoch from a header line above, "[Epoch 2] Training").
INNER_STEP_KEYS = ("epoch_step", "step_in_epoch", "epoch_iter", "iter_in_epoch")
SPLIT_WORDS = {"train", "training", "val", "valid", "validation", "eval", "evaluation", "test", "dev"}
_AGGREGATE = {"average", "avg", "mean", "running"}
_STOPWORDS = {"and", "or", "of", "for", "to", "in", "at", "with", "is", "are", "was", "were", "the", "a", "an", "from",
              "on", "by", "after", "over", "than", "per", "version", "v", "python", "cuda", "torch", "rank", "top",
              "gpu", "gpus", "pid", "line", "port", "size", "seed", "id", "workers", "x", "into", "as", "be", "has",
              "have", "using", "total", "all", "only", "first", "last", "every", "each", "about", "up", "within"}
_PROGRESS_ONLY = {"eta", "remaining", "elapsed"}
# Words a loop puts before the epoch it reports on ("Training Summary Epoch: [3]", "Validation Epoch: 3",
# "Eval results epoch 3"): still the epoch counter, the split saying which record follows.
_EPOCH_QUALIFIERS = SPLIT_WORDS | {"summary", "results", "result", "stats", "statistics"}


def _split_epoch(nk: str | None) -> bool:
    """An epoch counter named with its split or a summary word before it (``training_summary_epoch``)."""
    parts = (nk or "").split("_")
    return len(parts) >= 2 and parts[-1] == "epoch" and all(p in _EPOCH_QUALIFIERS for p in parts[:-1])
def _split_step(nk: str | None) -> bool:
    """A step counter named with the split whose evaluation it dates (``val_step``, ``eval_iter``)."""
    parts = (nk or "").split("_")
    return len(parts) == 2 and parts[0] in SPLIT_WORDS and parts[1] in ("step", "iter", "iteration")


# A key ends in a word or a bracketed unit; "acc(%)", "loss (%)" and "(%)" name the number after them too.
_WORD = re.compile(r"(?:[A-Za-z_][\w.@/\-()]*(?:\(%\))?|\((?:%|[A-Za-z/]+)\))$")
_CAMEL = re.compile(r"^[A-Za-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+$")
# A held-out (or fairseq "| train |" summary) context at the start of a line.
_CONTEXT = re.compile(r"(?:^|\|)\s*(valid|val|validation|test|eval|evaluation|train|dev)(?:\s+set)?\s*(\||:|\]|$)"
                      r"|^\s*\[(valid|val|validation|test|eval|dev)\]"
                      r"|\b(valid|test) on '|^\s*\*\s+(?=acc|prec|top|loss)()"
                      # a line opening with a held-out split word: Megatron "validation loss at iteration 100 | …"
                      r"|^[\W\d@]*(validation|valid|test|testing|eval|evaluation|dev)\b(?![_\-])", re.IGNORECASE)
# Progress bars: tqdm ("50%|###| 25/50 [00:01<00:00, 30.5it/s]") and Keras ("4/4 ━━━━ 0s 3ms/step").
_BAR = re.compile(r"#%\|[^|]*\||━|█|\u25ae|it/s|s/it|/step|\[[=.>]{5,}\]")


# An IoU range in a detection metric's name ("mAP@0.5:0.95", "AP@[.5:.95]"): part of the name, not two numbers.
# Its ":" is written "-" (same length, so number spans stay those of the line), which keeps both ends off NUM.
_IOU_RANGE = re.compile(r"(@\[?\d*\.?\d+):(?=\d*\.?\d+\]?)")


# A cut-off whose K is padded ("Recall@ 5:", f"Recall@{k:>2}"): still the name's K, written "@5: " (same length).
_PADDED_K = re.compile(r"(?<=[A-Za-z]@)(\s+)(\d{1,4})(\s*[:=])")


def _iou_ranges(line: str) -> str:
    if "@" not in line:
        return line
    return _PADDED_K.sub(lambda m: m.group(2) + m.group(3).strip() + m.group(1) + m.group(3)[:-1],
                         _IOU_RANGE.sub(r"\1-", line))


def split_line(line: str) -> tuple[str, list[str], str]:
    """(skeleton, number texts, stamped line) of one line."""
    line = _iou_ranges(line)
    stamped = _STAMP.sub("@", line) if (":" in line or "-" in line) else line
    if "#" in stamped:
        stamped = stamped.replace("#", "\u25ae")  # a literal "#" (tqdm's ascii bar) is no number slot
    return _BLANKS.sub(" ", NUM.sub("#", stamped)).strip(), NUM.findall(stamped), stamped


# Both regexes above treat every digit alike, so two lines that differ only in which digits they
# hold ("step 120 loss 2.3456" / "step 130 loss 2.3311") have their numbers at the same places:
# one analysis per *shape* (the line with every digit made 0) serves every later line of it.
_DIGIT0 = str.maketrans("123456789", "000000000")
_SHAPES: dict[str, tuple] = {}  # shape -> _Analysis
_MAX_SHAPES = 100_000
# A digit outside the numbers ("ROUGE1 : 0.1" and "ROUGE2 : 0.0", "top1"/"top5", the total in "step 5/200")
# is made 0 in the shape too, so each analysis keeps a getter of those places and the digits it saw there;
# a line of the same shape with other digits there is analysed (and kept) under its shape and those digits.
_Analysis = tuple  # (skeleton, number spans, getter of the other digits' places or None, the digits seen)
_NAMED: dict[str, _Analysis] = {}


def _analyse(line: str) -> _Analysis:
    line = _iou_ranges(line)
    filled = _STAMP.sub(lambda m: "@" * len(m.group()), line) if (":" in line or "-" in line) else line
    if "#" in filled:
        filled = filled.replace("#", "\u25ae")
    spans = tuple(m.span(1) for m in NUM.finditer(filled))
    in_numbers = {i for a, b in spans for i in range(a, b)}
    places = [i for i, c in enumerate(filled) if c.isdigit() and i not in in_numbers]
    getter = operator.itemgetter(*places) if places else None
    # "pas 120 | pierdere 0.41": the training words of another language, once per line shape.
    return to_english(split_line(line)[0]), spans, getter, getter(line) if getter else None


def split_fast(line: str) -> tuple[str, list[str]]:
    """(skeleton, number texts) of a line, from the cache of line shapes when it has been seen."""
    line = _iou_ranges(line)  # before its shape: the places of the digits outside numbers are the rewritten line's
    shape = line.translate(_DIGIT0)
    hit = _SHAPES.get(shape)
    if hit is None:
        hit = _analyse(line)
        if len(_SHAPES) + len(_NAMED) < _MAX_SHAPES:
            _SHAPES[shape] = hit
    elif hit[2] is not None and (seen := hit[2](line)) != hit[3]:
        key = shape + "\0" + "".join(seen)
        hit = _NAMED.get(key)
        if hit is None:
            hit = _analyse(line)
            if len(_SHAPES) + len(_NAMED) < _MAX_SHAPES:
                _NAMED[key] = hit
    return hit[0], [line[a:b] for a, b in hit[1]]


@lru_cache(maxsize=8192)
def norm_key(key: str) -> str:
    """``Train Loss`` -> ``train_loss``, ``ValLoss`` -> ``val_loss``, ``Acc@1`` -> ``acc1``; aggregation words dropped."""
    words = key.strip().strip("'\"").split()
    while len(words) > 1 and words[0].lower() in _AGGREGATE:
        words = words[1:]
    out = []
    for w in words:
        if _CAMEL.match(w):
            w = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", w)
        out.append(w)
    return "_".join(out).lower().replace("@", "")


def key_before(seg: str, glued: bool = False) -> tuple[str | None, str]:
    """The key written just before a number and its separator (``:``, ``=`` or a blank), from the
    skeleton text between it and the previous slot; ``glued``: that text starts right after a number,
    so a word at its very start is the number's unit (``3ms``), not a key."""
    s = seg[-160:].rstrip().rstrip("'\"").rstrip()  # a key is near its value; bounded work on long lines
    if s.endswith("["):
        s = s[:-1].rstrip()
    sep = " "
    if s.endswith(("->", "=>")):  # "loss -> 0.41": an arrow for "is"
        sep, s = ":", s[:-2].rstrip()
    elif s.endswith((":", "=")):
        sep = s[-1]
        s = s[:-1].rstrip().rstrip("'\"")
    elif _COPULA.search(s):  # "training loss is 0.53", "val acc was 0.8": the verb stands for ":"
        sep, s = ":", s[: _COPULA.search(s).start()].rstrip()
    elif s == seg or not s:
        return None, sep  # glued to something that is no key: "(#", "#/#"
    words: list[str] = []
    while True:
        m = _WORD.search(s)
        if not m or m.group(0).endswith(("-", ".")) and sep == " " or (glued and m.start() == 0):
            break
        words.insert(0, m.group(0).rstrip("'\""))
        s = s[: m.start()]
        if not (s.endswith(" ") and len(s) > 1 and (s[-2].isalnum() or s[-2] in "_)")):
            break
        if sep == " ":
            prev = _WORD.search(s.rstrip())
            if prev and prev.group(0).lower() in SPLIT_WORDS and len(words) == 1:
                words.insert(0, prev.group(0))
            break
        if len(words) >= 5:
            break
        s = s[:-1]
    if not words:
        return None, sep
    if sep == ":" and seg.endswith(":") and "/" in words[-1]:
        return None, sep  # a TensorFlow tensor name ("crf_loss/transition:0"), not a key and its value
    if len(words) == 1 and words[0].lower() in _STOPWORDS:
        return None, sep
    while words and words[0].lower() in _STOPWORDS and len(words) > 1:
        words = words[1:]
    return " ".join(words), sep


_COPULA = re.compile(r"(?<=[A-Za-z_)]) (?:is|was|are|were|equals|became)$", re.IGNORECASE)


@dataclass
class Slot:
    kind: str  # "value", "step", "epoch", "progress", "lead", "total", "skip"
    key: str | None = None
    total: float | None = None  # for counters written n/N
    avg_slot: int | None = None  # index of a "(running average)" slot right after a value
    pct_after: bool = False  # "[640/60000 (1%)]": a sample count within the epoch


@dataclass
class Template:
    """What each number of one skeleton means."""

    skeleton: str
    slots: list[Slot] = field(default_factory=list)
    context: str | None = None  # "test"/"valid"/"val"/"eval" or "train" (fairseq epoch summary)
    bar: bool = False  # the line is a progress-bar redraw
    indented: bool = False
    n_values: int = 0
    keyed: int = 0  # distinct value names written "name=v" or "name: v" (named on purpose)
    # The held-out split the line's first loss or metric is named with ("val loss: 0.6, acc: 0.8",
    # "epoch 3 val loss 0.6 acc 0.8"): the metrics after it without a split of their own are that
    # split's, so its accuracy is not read as the training accuracy printed on the line above.
    key_split: str | None = None


# "iteration,1,train_loss,2.31,train_accuracy,0.05": names and values alternating, comma-separated
# (a script writing ``",".join(f"{k},{v}" ...)`` or ``csv.writer`` rows of pairs), no header.
_PAIRS = re.compile(r"\s*[A-Za-z_][\w.@/\-]*\s*,\s*#(?:\s*,\s*[A-Za-z_][\w.@/\-]*\s*,\s*#)+\s*,?\s*")
_PAIR_SEP = re.compile(r"\s*,\s*#")


@lru_cache(maxsize=16384)
def template(skeleton: str, indented: bool = False) -> Template:
    """Name every slot of a skeleton (cached: one analysis per line shape)."""
    t = Template(skeleton, indented=indented)
    segs = (_PAIR_SEP.sub("=#", skeleton) if _PAIRS.fullmatch(skeleton) else skeleton).split("#")
    n = len(segs) - 1
    ctx = _CONTEXT.search(skeleton)
    if ctx:
        word = (ctx.group(1) or ctx.group(3) or ctx.group(4) or ctx.group(6) or "test").lower()
        if word in ("train", "training"):
            t.context = "train" if ctx.group(2) == "|" else None
        else:
            t.context = word
    t.bar = bool(_BAR.search(skeleton))
    slots: list[Slot] = []
    settings: list[Slot] = []  # "epochs: 20" slots read as a setting
    i = 0
    while i < n:
        before, after = segs[i], segs[i + 1]
        key, sep = key_before(before, glued=i > 0)
        if t.bar and after.startswith("%|"):
            key = None  # the bar's own percentage
        total = None
        after_s = after.lstrip()
        if after_s.startswith("/"):
            lit = re.match(r"/\s*(\d+)", after_s)
            if lit:
                total = float(lit.group(1))
            elif after_s.strip() == "/" and i + 1 < n:
                total = -1.0  # the next slot is the total
        nk = norm_key(key) if key else None
        mode = re.fullmatch(r"(\w+)\((train|val|test)\)", nk or "")
        if mode:  # MMEngine "Epoch(train) [1][50/151]", "Iter(val) [50/500]"
            nk = mode.group(1)
            if mode.group(2) != "train" and t.context is None:
                t.context = mode.group(2)
        if nk == "batch" and sep == "=" and total is None:
            slot = Slot("value", nk)  # "batch=32": a setting, not a counter
        elif nk in ("epochs", "num_epochs") and sep in ":=" and total is None:
            slot = Slot("value", nk)  # "epochs: 20" in a config dump: how long to train, not the epoch
            settings.append(slot)  # ... unless the line also holds a loss or metric (below)
        elif nk in STEP_KEYS or nk in INNER_STEP_KEYS or (
                nk and nk.endswith(("_step", "_iter")) and nk.split("_")[0] in ("global", "train")):
            slot = Slot("step", nk, total)
        elif nk in EPOCH_KEYS:
            slot = Slot("epoch", nk, total)
        elif _split_epoch(nk):
            slot = Slot("epoch", "epoch", total)
        elif _split_step(nk):
            slot = Slot("step", "step", total)  # "Val step 500 | train loss …": the step an evaluation ran at
        elif nk in SPLIT_WORDS and re.match(r"^\s*\[\s*$", after) and i + 1 < n:
            slot = Slot("epoch", "epoch")  # timm "Train: 3 [ 100/1251 ( 8%)]"
        elif key is None and total is not None and slots and slots[-1].kind == "value" and \
                re.fullmatch(r"\s*\(\s*", before):
            slot = Slot("skip")  # "Recall@5: 0.2095 (318 / 1,518)": the value's own count of hits, no progress
        elif (key is None or nk in SPLIT_WORDS) and total is not None:
            slot = Slot("progress", None, total)  # tqdm "12/50", "[ 10/5005]", timm "Test: [ 10/49]"
        elif key is None and i == 0 and not before.strip("[ ") and re.fullmatch(r"\s*[A-Za-z_]", after[:2] or "x"):
            slot = Slot("lead")
        elif nk in _PROGRESS_ONLY:
            slot = Slot("skip")  # a progress bar's time left: changes with every redraw, says nothing of training
        elif key is not None:
            slot = Slot("value", nk, total)
        else:
            slot = Slot("skip")
        slots.append(slot)
        if total == -1.0:
            slot.total = None
            slots.append(Slot("total"))
            i += 1
            if slot.kind == "progress":
                slot.total = -1.0  # filled per line from the next slot
        i += 1
    # "n/N (p%)": a count within the epoch with its percent; "value (avg)": the running average beside it.
    for j, slot in enumerate(slots[:-1]):
        tail = segs[j + 1].strip()
        if slots[j + 1].kind == "skip" and re.fullmatch(r"(?:/\s*\d+)?\s*\(", tail):
            closing = segs[j + 2].lstrip()
            if closing.startswith("%") and slot.kind in ("progress", "step"):
                slot.pct_after = True
            elif closing.startswith(")") and slot.kind == "value":
                slot.avg_slot = j + 1
    _name_after_counter(segs, slots)
    _name_by_following_words(segs, slots)
    # ... but not in a printed dict ("{'lr': 0.001, 'loss_weights': [1.0, 0.5], 'epochs': 6}"): a config's
    # settings, whatever their names; a loop's own dict names its counter "epoch"
    if settings and not skeleton.lstrip().startswith("{") and any(
            sl.kind == "value" and sl not in settings and bool(sl.key) and measured(sl.key) for sl in slots):
        for sl in settings:  # "Epochs: 3 | Loss: 0.9": a record's counter, named in the plural
            sl.kind, sl.key = "epoch", "epochs"
    t.slots = slots
    t.n_values = sum(s.kind == "value" for s in slots)
    t.keyed = len({s.key for i, s in enumerate(slots) if s.kind == "value" and segs[i].rstrip().endswith(("=", ":"))})
    if t.context is None:
        first = next((j for j, sl in enumerate(slots) if sl.kind == "value" and _signal(sl.key)), None)
        if first is not None:
            t.context = _prefix_context("#".join(segs[: first + 1]), slots[first].key)
            if t.context is None:
                t.key_split = _PREFIX_SPLITS.get(slots[first].key.split("_")[0].lower())
    return t


# "Loss at step 12: 5.3", "val acc for epoch 3 = 0.91": the value's name is written before its counter;
# "Validation Loss (Epoch 0): 4.09": the counter in brackets after the name (``opened``: closed before the ":").
_NAME_AT_COUNTER = re.compile(r"([A-Za-z][A-Za-z_]*(?: [A-Za-z][A-Za-z_]*){0,3})(?: (?:at|for|of|in|after|@) (?:the )?"
                              r"|\s?(?P<opened>[(\[]))"
                              r"(?:global )?(?:step|steps|iter|iteration|epoch|batch|update)\s*[#=:]?\s*$",
                              re.IGNORECASE)


# What joins a counter to its value: "Loss at step 12: 5.3", "… = 5.3", "Loss at epoch 2 is 5.3".
_COUNTER_TO_VALUE = {":", "=", "is", "is:", "was", "->", "=>"}
# A second counter chained to the first: "Loss at epoch 0 and iteration 500 is 0.21", "… epoch 3, step 40: …".
_CHAINED_COUNTER = re.compile(r"\s*(?:,|and|\||/)?\s*(?:global\s+)?(?:step|steps|iter|iteration|batch|epoch)\s*[#=:]?\s*$",
                              re.IGNORECASE)


def _name_after_counter(segs: list[str], slots: list[Slot]) -> None:
    """Name an unnamed value that follows a counter (or a chain of them) with only ``:``, ``=`` or
    ``is`` between them by the words before the first counter, so "Loss at step 12: 5.3" and "Loss at
    epoch 0 and iteration 500 is 0.21" are losses at their counters, not ignored numbers."""
    for j in range(1, len(slots)):
        if slots[j].kind != "skip" or slots[j - 1].kind not in ("step", "epoch") or slots[j - 1].total is not None:
            continue
        joiner = segs[j].strip().lower()
        closed = joiner[:1] in (")", "]")
        if (joiner[1:].strip() if closed else joiner) not in _COUNTER_TO_VALUE:
            continue
        first = j - 1
        while first > 0 and slots[first - 1].kind in ("step", "epoch") and slots[first - 1].total is None and \
                _CHAINED_COUNTER.fullmatch(segs[first]):
            first -= 1
        m = _NAME_AT_COUNTER.search(segs[first])
        if not m or closed != (m.group("opened") is not None):
            continue
        words = [w for w in m.group(1).split() if w.lower() not in _STOPWORDS or w.lower() in SPLIT_WORDS]
        if words:
            slots[j] = Slot("value", norm_key(" ".join(words)))


# A value whose name follows it: "0.98 C.E. Loss, 94.28% Accuracy", "12.5 loss | 0.91 acc". Up to four
# words (abbreviations with dots allowed) right after the number (or its "%"), closed by a comma, ";",
# "|", a dash set apart by blanks (" - ", Keras' own field separator) or the line's end.
_NAME_AFTER = re.compile(r"%?\s*([A-Za-z][A-Za-z.]*(?:[ _-][A-Za-z][A-Za-z.]*){0,3})\s*(?:[,;|]|-(?=\s)|$)")


def _name_by_following_words(segs: list[str], slots: list[Slot]) -> None:
    """Name a value by the words printed right after it, when they name a loss or a metric and
    nothing before it did (no word, or one that means no measure): some loops print the number first. Only names that mean a loss
    or metric count, so a banner's "50000 training samples" stays unnamed."""
    for j, slot in enumerate(slots):
        if j + 1 >= len(segs) or not (slot.kind == "skip" or slot.kind == "value" and not _signal(slot.key)):
            continue  # only a value nothing named, or one named by a word that means no measure ("10:27 PM : 0.98")
        if segs[j].rstrip().endswith(("/", "(", "[")) or segs[j + 1].lstrip().startswith(("/", ")", "]")):
            continue  # a count or a bracketed aside, not a value and its name
        m = _NAME_AFTER.match(segs[j + 1])
        if not m or (m.group(0).rstrip()[-1:] not in (",", ";", "|", "-") and j + 2 < len(segs)):
            continue  # closed by the next number, not by a delimiter or the line's end: "Wrong 76 English Accuracy 0.8"
        key = norm_key(m.group(1).replace(".", ""))
        if _signal(key):
            slots[j] = Slot("value", key)


def _signal(key: str | None) -> bool:
    from ...run import Role, infer_role

    return bool(key) and ("loss" in key or infer_role(key).role is not Role.OTHER)


@lru_cache(maxsize=65536)
def measured(key: str) -> bool:
    """A loss or a metric: a key naming a loss, or one whose role is a loss or metric (not a learning rate,
    a gradient norm or a setting such as a batch size)."""
    from ...run import MEASURED_ROLES, infer_role

    return "loss" in key or infer_role(key).role in MEASURED_ROLES


_PREFIX_SPLITS = {"validation": "val", "valid": "valid", "val": "val", "evaluation": "eval", "eval": "eval",
                  "test": "test", "testing": "test", "dev": "dev"}


_KEYED_WORD = re.compile(r"[A-Za-z_]+\s*[:=]?\s*#")


def _prefix_context(prefix: str, first_key: str | None) -> str | None:
    """A held-out split named in the words before a line's first loss or metric ("Evaluation results:
    {'loss': …}", "EPOCH 3 VAL - Loss: …")."""
    # a split word that keys a number of its own ("| train 3.71 | val 3.42 | BLEU 25.8") names that
    # value, not the context of the line
    words = re.findall(r"[A-Za-z_]+", _KEYED_WORD.sub(" ", prefix))
    if first_key:
        words = words[: max(0, len(words) - len(first_key.split("_")))]
    for w in words:
        if w.lower() in _PREFIX_SPLITS:
            return _PREFIX_SPLITS[w.lower()]
    return None
