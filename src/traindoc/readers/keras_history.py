"""A Keras ``History`` saved as JSON (``json.dump(history.history, f)``), or a hand-written history.

The file is a dict of equal-length lists, one value per epoch (or pandas' ``to_json()`` of it:
a dict of ``{"0": value, "1": value…}``). Epochs are numbered from 0 like
``history.epoch`` and the CSVLogger. ``null`` (a value json could not hold) becomes NaN.
Hand-written loops often save the other orientation instead: one object per epoch in a list under
a key (``{"config": {...}, "history": [{"epoch": 1, "train_loss": ...}, ...]}``) or as the whole
document (``df.to_json(orient="records")``, ``json.dump(epoch_logs)``), or one object per epoch under
its epoch's key (``{"epoch_1": {...}}``, ``df.to_json(orient="index")``'s ``{"0": {...}}``); those are
read as the rows of the run, numbered by their own epoch/step. Other shapes written by hand:
lists grouped by split (``{"train": {"loss": [...]}, "val": {"loss": [...]}}``, read as
``train/loss``, ``val/loss``), pandas' ``orient="split"`` (``columns``/``index``/``data``), and
``[step, value]`` pairs (``{"train_loss": [[100, 2.3], …]}``, on their own steps). Objects inside a
row (``{"epoch": 1, "train": {"loss": …}}``) are flattened the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import MEASURED_ROLES, Role, Run, Series, infer_role
from . import _split_keys as SK
from . import _table as T
from ._conventions import summary_note
from ._pyliteral import parse as parse_literal
from ._pyliteral import to_json_like
from ._safe import json_loads, salvage_list
from .base import HEAD_BYTES

NAME = "keras_history"
DIRECTORY = False

# A per-epoch list, or pandas' {"0": …} form of one, under a loss- or metric-like key.
_LIST_KEY = re.compile(r'"(?:val_)?[\w/]*(?:loss|acc|accuracy|mae|mse)[\w/]*"\s*:\s*(?:\[|\{\s*"0"\s*:)')


# A list of per-epoch objects under a key, whose first object holds a loss- or metric-like number.
_RECORDS_KEY = re.compile(r'"[^"\\]{1,100}"\s*:\s*\[\s*\{[^\[\]{}]{0,400}?"[\w/]*(?:loss|acc|accuracy|mae|mse)[\w/]*"\s*:\s*-?[\d.]')


# One object per epoch under its epoch's key ({"epoch_1": {…}}, pandas orient="index"'s {"0": {…}}),
# lists grouped by split ({"train": {"loss": [...]}}), pandas orient="split", and [step, value] pairs.
_KEYED_ROWS = re.compile(r'"(?:epoch|ep|step|iter|iteration)?[_ ]?\d+"\s*:\s*\{[^\[\]{}]{0,400}?'
                         r'"[\w/ ]*(?:loss|acc|accuracy|mae|mse)[\w/ ]*"\s*:\s*-?[\d.]', re.IGNORECASE)
_GROUPED = re.compile(r'"[\w/ -]{1,40}"\s*:\s*\{\s*"[\w/ ]*(?:loss|acc|accuracy|mae|mse)[\w/ ]*"\s*:\s*\[')
_PANDAS_SPLIT = re.compile(r'^\s*\{\s*"columns"\s*:\s*\[[^\]]{0,2000}(?:loss|acc|accuracy|mae|mse)')
_PAIRS = re.compile(r'"[\w/]*(?:loss|acc|accuracy|mae|mse)[\w/]*"\s*:\s*\[\s*\[\s*-?[\d.]')
# A whole document that is a list of per-epoch objects (pandas orient="records", json.dump(rows)).
_TOP_RECORDS = re.compile(r'^\s*\[\s*\{[^\[\]]{0,400}?"[\w/ ]*(?:loss|acc|accuracy|mae|mse)[\w/ ]*"\s*:\s*'
                          r'(?:-?[\d.]|\{)', re.IGNORECASE)
# ... or whose first object is numbered by its epoch or step beside other numbers ([{"epoch": 1, "train_cos":
# 0.63, "val_cos": 0.67}, ...]): a record per epoch whatever its measures are called.
# The keys that number a history's records (the x of a per-epoch object), and the names of a list that
# numbers the others ({"epochs": [1, 2, 3], ...}; a list is never called "gens").
_X_KEYS = ("epoch", "step", "global_step", "iteration", "iter", "generation", "gen")
_LIST_COUNTERS = "epoch|step|global_step|iteration|iter|generation"
_COUNTER_KEYS = r'"(?:' + "|".join(_X_KEYS) + r')"'
_TOP_COUNTED = re.compile(r'^\s*\[\s*\{\s*' + _COUNTER_KEYS + r'\s*:\s*\d+\s*,'
                          r'[^\[\]{}]{0,400}?"[^"\\]{1,100}"\s*:\s*-?[\d.]', re.IGNORECASE)
# ... or the same list under a key beside the run's settings ({"config": {...}, "history": [{"gen": 0,
# "best_reward": -2.9, ...}, ...]}, an evolution strategy's or a hand loop's log): counted the same way.
_RECORDS_COUNTED = re.compile(r'"[^"\\]{1,100}"\s*:\s*\[\s*\{\s*' + _COUNTER_KEYS + r'\s*:\s*\d+\s*,'
                              r'[^\[\]{}]{0,400}?"[^"\\]{1,100}"\s*:\s*-?[\d.]', re.IGNORECASE)

# ... or a list of whole histories (one per fold or launch): its first object holds a per-epoch list.
_TOP_HISTORIES = re.compile(r'^\s*\[\s*\{[^\[\]{}]{0,400}?"[\w/ ]*(?:loss|acc|accuracy|mae|mse)[\w/ ]*"\s*:\s*'
                            r'\[\s*-?[\d.]', re.IGNORECASE)


# A value or list under a key that is only a split ({"train": [...]}, {"5": {"val": 10.1}}): read when
# the file's name says what it holds (``losses.json``; see ``_split_keys``).
_SPLIT_KEY = re.compile(r'"(?:' + "|".join(SK.SPLITS) + r')"\s*:\s*(?:\[\s*-?[\d.]|-?[\d.])', re.IGNORECASE)


# A list of numbers under any key: read when the file's name says what they all are (``losses.json``
# holding ``{"L_G": [...], "L_D": [...]}``: each key is one of those losses).
_NUMBER_LIST = re.compile(r'"[^"\\]{1,100}"\s*:\s*\[\s*-?[\d.]')
# Bare shapes of one quantity in a file named for it (``loss_history.json``): numbers under their
# epoch's key (``{"0": 0.9, "1": 0.7}``: pandas' Series.to_json(), ``{"epoch_1": 0.9}``), or a column
# vector (``json.dump(losses.tolist())`` of an (n, 1) array: ``[[0.9], [0.7]]``), or such numbers under
# a key (``{"model_a": {"0": 0.9, ...}}``). Read only when the file's name says what they are.
_N = r'-?(?:[\d.]|NaN|Infinity)'
_COUNTED_NUMBERS = re.compile(r'^\s*\{\s*"(?:epoch|ep|step|iter|iteration)?[_ ]?\d+"\s*:\s*' + _N, re.IGNORECASE)
_NAMED_COUNTED = re.compile(r'"[^"\\]{1,100}"\s*:\s*\{\s*"(?:epoch|ep|step|iter|iteration)?[_ ]?\d+"\s*:\s*' + _N,
                            re.IGNORECASE)
# ``json.dump([losses_by_epoch])`` of dicts keyed by position (``[{"0": 0.61, "1": 0.52, ...}]``, pandas'
# ``Series.to_dict()`` kept in a list): one object per series (see ``_listed_counted``).
_LISTED_COUNTED = re.compile(r'^\s*\[\s*\{\s*"(?:epoch|ep|step|iter|iteration)?[_ ]?\d+"\s*:\s*' + _N, re.IGNORECASE)
# ``json.dump(record, f, indent=4)`` once per epoch or batch into one file: pretty-printed objects back to back
# (``}{`` or ``}`` and ``{`` on lines of their own), each naming a loss or metric (see ``_concatenated``).
_PRETTY_START = re.compile(r'^\s*\{[ \t]*\r?\n')
_NEXT_OBJECT = re.compile(r'\}\s*\{')
_MEASURE_FIELD = re.compile(r'"[\w/ ]*(?:loss|acc|accuracy|mae|mse)[\w/ ]*"\s*:\s*-?[\d.]', re.IGNORECASE)
_COLUMN_VECTOR = re.compile(r'^\s*\[\s*\[\s*' + _N + r'[^,\]]*\]\s*,\s*\[\s*' + _N + r'[^,\]]*\]')
_COUNTER_LIST_KEY = re.compile(r'"(?:' + _LIST_COUNTERS + r')s?"\s*:\s*\[\s*\d', re.IGNORECASE)
_RUNTIME_KEYS = re.compile(r"runtime|per_second|total_flos", re.IGNORECASE)

# Python's printed dict of a history (``str(history.history)``), bare or as a JSON string: a quoted
# loss- or metric-like key first, then a list (or numpy's ``array(``). Parsed by ``_pyliteral``, never run.
_PY_REPR = re.compile(r'''^\s*"?\{\s*(?:'|\\")[\w/ ]*(?:loss|acc|accuracy|mae|mse|auc|f1|iou|dice)[\w/ ]*(?:'|\\")\s*:\s*'''
                      r'''(?:\[|\(|(?:np\.|numpy\.)?array\()''', re.IGNORECASE)


def _final_values(doc: object) -> dict[str, float] | None:
    """A JSON object of numbers only, one at least naming a loss or metric: a final evaluation written
    once at the end (``json.dump({"Precision": p, "mAP": m}, f)``), no curve. Not the Trainer's
    ``all_results.json`` (runtime keys), which sits beside the log that holds the curve."""
    if not isinstance(doc, dict) or len(doc) < 2 or any(_RUNTIME_KEYS.search(str(k)) for k in doc):
        return None
    nums = {str(k): T.json_number(v) for k, v in doc.items() if not isinstance(v, bool)}
    if len(nums) != len(doc) or any(v is None for v in nums.values()):
        return None
    if 2 * sum(infer_role(k).role in MEASURED_ROLES for k in nums) < len(nums):
        return None  # mostly settings (a config's "loss_weight" among its batch size and seed): no evaluation
    return nums  # type: ignore[return-value]


# Python's printed form of the other history shapes (``print(rows)`` of per-epoch dicts, ``str({1: {...}})``
# keyed by epoch, ``{'train': {'loss': [...]}}``): a single-quoted key, or a bare whole-number key, where
# JSON quotes keys with '"'. Its head is given JSON's quoting (``_jsonish``) and sniffed like JSON.
_PY_KEY = re.compile(r"""[{,]\s*(?:'[^'\\\n]{1,100}'|-?\d+)\s*:""")
_SQ_STRING = re.compile(r"'([^'\\\n\"]{0,100})'")
_BARE_KEY = re.compile(r"([{,]\s*)(-?\d+)(\s*:)")
# numpy 2's printed scalars (``np.float64(0.69)``) and non-finite values, as numbers the JSON sniffers know
_NP_SCALAR = re.compile(r"\b(?:np|numpy)\.(?:float|int|uint)\d*\(\s*([^()]{1,40}?)\s*\)")
_NONFINITE = re.compile(r"(?<![\w.\"])-?(?:nan|inf)(?![\w.\"])")


def _jsonish(text: str) -> str | None:
    """The head of a printed Python literal with JSON's quoting (strings and whole-number keys in '"'), for the
    JSON sniffers; None when it is no such literal (JSON, or no dict key in Python's spelling)."""
    stripped = text.lstrip()
    quote = re.search(r"['\"]", stripped[:400])
    if not stripped.startswith(("{", "[")) or (quote and quote.group() == '"') or not _PY_KEY.search(stripped[:400]):
        return None  # JSON quotes its first key with '"'; a cut JSON file is salvaged as JSON
    plain = _NONFINITE.sub("0", _NP_SCALAR.sub(r"\1", stripped))
    return _BARE_KEY.sub(r'\1"\2"\3', _SQ_STRING.sub(r'"\1"', plain))


def _only_literal(text: str, cut: bool) -> bool:
    """Whether the text is one printed literal and nothing after it: a console that prints its config
    dict (or one dict per line, Hugging Face's) and then trains is the text log's. ``cut``: the text is a
    head, whose literal may not close in it."""
    depth, quote, escaped = 0, "", False
    for i, ch in enumerate(text):
        if quote:
            escaped, quote = (not escaped and ch == "\\"), ("" if ch == quote and not escaped else quote)
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth <= 0:
                return not text[i + 1:].strip()
    return cut


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None:
        return False
    if _PY_REPR.match(text):
        return True
    jsonish = _jsonish(text)
    if jsonish is not None and _only_literal(text, cut=len(head) >= HEAD_BYTES) \
            and _json_shapes(jsonish, whole=len(head) < HEAD_BYTES):
        return True
    return _json_shapes(text, path=path, whole=len(head) < HEAD_BYTES)


def _json_shapes(text: str, path: Path | None = None, whole: bool = False) -> bool:
    """Whether ``text`` (a JSON document's head; the whole of it when ``whole``) is in one of the history
    shapes this reader reads. ``path``: its name may say what every list holds (``losses.json``)."""
    stripped = text.lstrip()
    if path is not None and _names_one_measure(path) and (
            _COUNTED_NUMBERS.match(text) or _COLUMN_VECTOR.match(text) or _NAMED_COUNTED.search(text)
            or _LISTED_COUNTED.match(text)):
        return True
    if _PRETTY_START.match(text) and _NEXT_OBJECT.search(text) and _MEASURE_FIELD.search(text):
        return True  # pretty-printed objects back to back (a line per object is the generic table's)
    if stripped.startswith("["):
        # one document, not JSON lines (a line per object is the generic table's)
        return bool(_TOP_RECORDS.search(text) or _TOP_COUNTED.search(text) or _TOP_HISTORIES.search(text)) \
            and not _json_lines(text)
    if not stripped.startswith("{"):
        return False
    if '"log_history"' in text:
        return False
    if _LIST_KEY.search(text) or _RECORDS_KEY.search(text) or _RECORDS_COUNTED.search(text) or _KEYED_ROWS.search(text) \
            or _GROUPED.search(text) or _PANDAS_SPLIT.search(text) or _PAIRS.search(text):
        return True
    if _json_lines(text) or path is None:
        return False  # a Python literal: the shapes above only (a final evaluation is ``_final``'s)
    if SK.measure_of(path.stem) and (_SPLIT_KEY.search(text) or _NUMBER_LIST.search(text)):
        return True
    if _names_one_measure(path) and _COUNTER_LIST_KEY.search(text) and _NUMBER_LIST.search(text):
        return True
    if whole:  # the whole file: a final evaluation's numbers only
        try:
            return _final_values(json.loads(text)) is not None
        except (ValueError, RecursionError):
            return False
    return False


def _json_lines(text: str) -> bool:
    """One object per line (the generic table's JSON lines), not one document."""
    return "}\n{" in text.replace("\r", "").replace(" ", "")


def read(path: Path) -> list[Run]:
    text = T.read_text(path)
    note = None
    try:
        doc = json_loads(text)
        if isinstance(doc, str) and _PY_REPR.match(doc):  # json.dump(str(history.history)): a string of it
            return _read_doc(path, _python_repr(path, doc), _REPR_NOTE + " (inside a JSON string)")
    except ValueError as exc:
        objects = _concatenated(text) if _PRETTY_START.match(text) else None
        if objects is not None:
            runs = _read_records(path, None, objects)
            for run in runs:
                run.meta.notes.append(f"the file holds {len(objects)} JSON objects one after another (json.dump called "
                                      "once per record): read as records, in file order")
            return runs
        if _PY_REPR.match(text) or _jsonish(text[:HEAD_BYTES]) is not None:
            return _read_doc(path, _python_repr(path, text), _REPR_NOTE)
        if text.lstrip().startswith("["):  # a list of per-epoch objects cut while being written
            found = salvage_list(text, None)
            if not found or not found[0]:
                raise InputError(path, f"is not valid JSON ({exc}); expected a list of per-epoch objects") from None
            runs = _read_records(path, None, found[0])
            for run in runs:
                run.meta.notes.append(f"the file is not valid JSON ({str(exc)[:80]}): kept its {len(found[0])} "
                                      "complete per-epoch objects")
                run.meta.salvaged = True
            return runs
        doc = _salvage(text)  # a file cut while being written: keep every complete value
        if not doc:
            raise InputError(path, f"is not valid JSON ({exc}); expected a Keras history dict of lists") from None
        note = (f"the file is not valid JSON ({str(exc)[:80]}): kept the complete values of "
                f"{len(doc)} list(s)")
        runs = _read_doc(path, doc, note)
        for run in runs:
            run.meta.salvaged = True
        return runs
    return _read_doc(path, doc, note)


def _concatenated(text: str) -> list[dict] | None:
    """The objects of a file of JSON objects written back to back (see ``_PRETTY_START``), when it is
    two or more objects and nothing else; else None. Parsed as JSON only (nothing is run)."""
    decoder = json.JSONDecoder()
    out: list[dict] = []
    at, n = 0, len(text)
    while True:
        while at < n and text[at].isspace():
            at += 1
        if at >= n:
            break
        try:
            obj, at = decoder.raw_decode(text, at)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        out.append(obj)
    return out if len(out) >= 2 else None


_REPR_NOTE = "the file holds Python's printed dict (single quotes, nan, None), not JSON: read its literals"


def _python_repr(path: Path, text: str):
    """The literal a Python-printed history holds (see ``_pyliteral``): one line of refusal when it is not one."""
    try:
        return to_json_like(parse_literal(text))
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"looks like Python's printed dict of a history but is not a plain literal ({exc}); "
                               "expected a dict of per-epoch lists such as {'loss': [0.5, 0.4], 'val_loss': [...]}") from None


def _names_one_measure(path: Path) -> bool:
    """Whether the file's name says what its numbers are (``loss_history.json``, ``val_acc.json``)."""
    return infer_role(path.stem).role in MEASURED_ROLES


def _named_by_file(path: Path, names: list[str]) -> bool:
    """Whether ``names`` is one key that names nothing in a file whose name says what its numbers are
    (``{"epochs": [...], "values": [...]}`` in ``val_acc.json``): that key holds the quantity the file names."""
    return len(names) == 1 and _names_one_measure(path) and infer_role(names[0]).role is Role.OTHER


# A file name that says its numbers were kept over the training (``val_acc_history.json``, ``acc_per_epoch.json``).
_OVER_TIME = re.compile(r"(?i)hist|log|curve|epoch|step|iter|progress|trend|over_time")


def _counted(obj, path: Path | None = None) -> list[tuple[int, float]] | None:
    """(counter, number) of an object whose keys are all counters (``"0"``, ``"epoch_1"``, ``"step 200"``)
    and whose values are all numbers, at least three, in counter order; else None. Under bare digits in a
    file named for a metric (``accuracy.json``: ``{"0": 0.91, "1": 0.85}``), the numbers may be per class,
    not per epoch: a curve only when the file's name says it is kept over the training (``path``; a
    loss per class is no thing scripts save)."""
    if not isinstance(obj, dict) or len(obj) < 3:
        return None
    if path is not None and all(str(k).strip().isdigit() for k in obj) and not (
            infer_role(path.stem).role in (Role.TRAIN_LOSS, Role.VAL_LOSS) or _OVER_TIME.search(path.stem)):
        return None
    out = []
    for k, v in obj.items():
        m = _ROW_KEY.match(str(k))
        value = T.json_number(v) if not isinstance(v, (dict, list)) else None
        if m is None or value is None:
            return None
        out.append((int(m.group(1)), value))
    return sorted(out, key=lambda p: p[0])


def _bare_measure(path: Path, doc):
    """A document of one quantity in the file named for it (see ``_COUNTED_NUMBERS``), as rows (a list of
    objects numbered by ``epoch`` or ``step``) or as a dict of lists; anything else unchanged."""
    if not _names_one_measure(path):
        return doc
    name = path.stem
    counted = _counted(doc, path)
    if counted is not None:
        x = "step" if re.match(r"(?i)\s*(step|iter)", str(next(iter(doc)))) else "epoch"
        return [{x: n, name: v} for n, v in counted]
    if isinstance(doc, list) and len(doc) >= 3 and all(
            isinstance(r, list) and len(r) == 1 and T.json_number(r[0]) is not None and not isinstance(r[0], (list, dict))
            for r in doc):
        return {name: [r[0] for r in doc]}
    # under a model's or variant's key; under an epoch's key ({"ep1": {"0": ...}}) they are one curve's batches
    if isinstance(doc, dict) and doc and all(_counted(v, path) is not None for v in doc.values() if isinstance(v, dict)) \
            and any(isinstance(v, dict) for v in doc.values()) and not any(_ROW_KEY.match(str(k)) for k in doc):
        return {k: ({str(n): x for n, x in _counted(v)} if isinstance(v, dict) else v) for k, v in doc.items()}
    return doc


def _listed_counted(path: Path, doc) -> tuple[list[dict], str] | None:
    """(per-epoch rows, note) of a list of one or two objects keyed by position (``[{"0": 0.61, "1": 0.52, ...}]``)
    in a file named for one quantity (``loss.json``), else None. Each object is one series over the epochs,
    as a bare list would be (``value_list``): one is the quantity the file names; two are that quantity's
    training then validation values, by the rule two bare lists are read by (``_headerless.pair_names``:
    both at one level), else the file is refused. More than two name nothing either."""
    if not (isinstance(doc, list) and doc and all(isinstance(d, dict) for d in doc) and _names_one_measure(path)):
        return None
    counted = [_counted(d, path) for d in doc]
    if any(c is None for c in counted):
        return None
    counters = [[n for n, _ in c] for c in counted]  # type: ignore[union-attr]
    if any(c != list(range(c[0], c[0] + len(c))) for c in counters):
        return None  # keys that skip or repeat are no positions in a list
    what = (("one object" if len(doc) == 1 else f"{len(doc)} objects") + f" keyed by position (\"{counters[0][0]}\", "
            f"\"{counters[0][1]}\", ...), each a series of numbers")
    name = path.stem
    if len(doc) == 1:
        return [{"epoch": n, name: v} for n, v in counted[0]], f"{path.name} holds {what}: read as {name}"  # type: ignore[union-attr]
    pair = None
    if len(doc) == 2 and counters[0] == counters[1]:
        from ._headerless import pair_names

        pair = pair_names(name, infer_role(name), np.asarray([v for _, v in counted[0]]),  # type: ignore[union-attr]
                          np.asarray([v for _, v in counted[1]]))  # type: ignore[union-attr]
    if pair is None:
        raise InputError(path, f"holds {what}, that do not read as one quantity's training and validation values "
                         "(expected one such object, two at one level, or an object naming each, "
                         "{\"loss\": {...}, \"val_loss\": {...}})")
    rows = [{"epoch": n, pair[0]: a, pair[1]: b} for (n, a), (_, b) in zip(counted[0], counted[1])]  # type: ignore[arg-type]
    return rows, (f"{path.name} holds {what}: read as {pair[0]} and {pair[1]} (the order scripts write them in; "
                  f"the file name names one quantity and both sit at one level)")


def _read_doc(path: Path, doc, note: str | None) -> list[Run]:
    """The runs of a parsed (or salvaged) history document; ``note`` goes on the runs that carry notes."""
    if isinstance(doc, dict) and isinstance(doc.get("history"), dict):
        doc = doc["history"]  # {"history": {...}, "params": {...}} wrappers
    listed = _listed_counted(path, doc)
    if listed is not None:
        doc, said = listed
        note = "; ".join(filter(None, [note, said]))
    doc = _bare_measure(path, doc)
    final = _final_values(doc)
    if final is not None:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.meta.notes.append(summary_note(final))
        run.meta.notes.append(f"{path.name} holds final values only (one number per name, no epoch or step): "
                              "no curve to judge")
        return [run]
    named = SK.named_splits(doc, path.stem)
    if named is not doc:
        doc = named
        note = "; ".join(filter(None, [note, SK.NOTE.format(SK.measure_of(path.stem))]))
    several = _histories(doc)
    if several is not None:
        return _runs_of_histories(path, several, note)
    if isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc):
        runs = _read_records(path, None, doc)
        for run in runs:
            run.meta.notes.extend([note] if note else [])
        return runs
    if not isinstance(doc, dict):
        raise InputError(path, "expected a Keras history: a JSON object of per-epoch lists")
    split = _pandas_split(doc)
    if split is not None:
        return _read_records(path, "data", split)
    records = _record_list(doc) or _keyed_rows(doc)
    if records is not None:
        runs = _read_records(path, *records)
        for run in runs:
            run.meta.notes.extend([note] if note else [])
        return runs
    pairs = _pair_lists(doc)
    if pairs:
        return _read_pairs(path, pairs)
    lists = {k: v for k, v in _grouped(doc).items() if isinstance(v, list) and v}
    for k, v in doc.items():  # pandas' DataFrame(history.history).to_json(): {"loss": {"0": 0.5, "1": 0.4}}
        if isinstance(v, dict) and v and all(str(i).isdigit() for i in v):
            lists[k] = [v[i] for i in sorted(v, key=int)]
    if not lists:
        raise InputError(path, "expected a Keras history: a JSON object of per-epoch lists")
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    if note:
        run.meta.notes.append(note)
    lengths = {len(v) for v in lists.values()}
    if len(lengths) > 1:
        run.meta.notes.append("history lists have different lengths " + str(sorted(lengths))
                              + ": each series keeps its own epochs from 0")
    # losses.json of keys that name nothing (L_G, L_D): each is one of the losses the file name names. When
    # some key names a loss already, the others are something else (a token or step count): kept as they are.
    measure = SK.measure_of(path.stem)
    if any(infer_role(k).role is not Role.OTHER for k in lists):
        measure = None
    unnamed = []
    x_name, xs = _counter_list(lists)
    if x_name is not None:
        run.meta.notes.append(f"the list under {x_name!r} counts up: it is the {_axis_of(x_name)} of the lists "
                              "of its length, not a series")
    rest = [k for k in lists if k != x_name]
    # {"epochs": [...], "values": [...]} in val_acc.json: the one list beside the counter is what the name names.
    only_one = x_name is not None and _named_by_file(path, rest)
    for name, values in lists.items():
        nums = [T.json_number(v) for v in values]
        if name == x_name or any(n is None for n in nums):
            continue  # the x axis, or not a numeric history entry
        role = None
        if (measure == "loss" or only_one) and infer_role(name).role is Role.OTHER:
            role = infer_role(path.stem)  # losses.json: every list in it is a loss, whatever its key
            unnamed.append(name)
        on_x = xs is not None and len(xs) == len(nums)
        run.add(Series.named(name, xs if on_x else list(range(len(nums))), nums,
                             axis=_axis_of(x_name) if on_x else "epoch", role=role))
    if unnamed:
        run.meta.notes.append(f"{', '.join(unnamed[:6])}: keys that name no loss or metric, in {path.name}: read as "
                              f"{path.stem}, the quantity the file name names")
    return [run] if run.series else []


_COUNTER_LIST = re.compile(r"(?i)^(?:" + _LIST_COUNTERS + r")s?$")


def _axis_of(name: str | None) -> str:
    return "epoch" if name and name.lower().startswith(("epoch", "generation")) else "step"


def _counter_list(lists: dict) -> tuple[str | None, list[float] | None]:
    """(key, values) of the list that numbers the others (``{"epochs": [1, 2, 3], "values": [...]}``):
    under a counter's name, whole numbers that rise at every entry; (None, None) when there is none."""
    for name, values in lists.items():
        if not _COUNTER_LIST.match(str(name).strip()) or len(values) < 2:
            continue
        nums = [T.json_number(v) for v in values]
        if all(n is not None and float(n).is_integer() for n in nums) and all(b > a for a, b in zip(nums, nums[1:])):
            return str(name), nums
    return None, None




def _history_dict(obj) -> bool:
    """A Keras-orientation history: an object of per-epoch number lists, one of them a loss or metric."""
    if not isinstance(obj, dict) or not obj:
        return False
    lists = [k for k, v in obj.items() if isinstance(v, list) and v and all(T.json_number(x) is not None for x in v)]
    return len(lists) * 2 >= len(obj) and any(infer_role(str(k)).role in MEASURED_ROLES for k in lists)


def _histories(doc) -> list[tuple[str, dict]] | None:
    """Several whole histories in one file, as (label, history): a list of them (one per fold or launch,
    ``json.dump([h.history for h in histories])``), or an object of them under run or model names
    (``{"resnet": {"loss": [...], "val_loss": [...]}, "vgg": {...}}``) that all log the same keys. Under
    split names (``train``/``val``) the objects are one run's splits, and objects of different keys are
    parts of one training (read as ``group/key`` by the caller): None for both."""
    if isinstance(doc, list):
        if len(doc) >= 2 and all(_history_dict(h) for h in doc):
            return [(str(i + 1), h) for i, h in enumerate(doc)]
        return None
    if not isinstance(doc, dict) or len(doc) < 2 or not all(_history_dict(v) for v in doc.values()):
        return None
    if any(str(k).strip().lower() in SK.SPLITS for k in doc):
        return None
    if len({frozenset(v) for v in doc.values()}) != 1:
        return None
    return [(str(k), v) for k, v in doc.items()]


def _runs_of_histories(path: Path, histories: list[tuple[str, dict]], note: str | None) -> list[Run]:
    """One run per history of a file holding several (see ``_histories``), named ``file#label``."""
    runs = []
    for i, (label, history) in enumerate(histories):
        for run in _read_doc(path, history, note):
            run.name = f"{T.run_name(path)}#{label}"
            run.meta.segment = (i + 1, len(histories))
            run.meta.notes.append(f"history {i + 1} of {len(histories)} in the file ({label}): several whole "
                                  "histories side by side are separate trainings, each read as a run of its own")
            runs.append(run)
    return runs


def _record_list(doc: dict) -> tuple[str, list[dict]] | None:
    """The longest list of per-epoch objects with numbers in them, and its key; None when there is none
    (a dict of lists is the Keras orientation, read by the caller)."""
    best = None
    for key, value in doc.items():
        if not (isinstance(value, list) and len(value) >= 1 and all(isinstance(r, dict) for r in value)):
            continue
        if not any(T.json_number(v) is not None for r in value[:5] for k, v in r.items() if k not in _X_KEYS):
            continue
        if best is None or len(value) > len(best[1]):
            best = (str(key), value)
    return best


_MAX_DEPTH = 3  # objects nested deeper than this in a history are not read


def _grouped(doc: dict, prefix: str = "", depth: int = 0) -> dict:
    """The document with its objects flattened into "outer/inner" keys ({"train": {"loss": [...]}} ->
    {"train/loss": [...]}), down to ``_MAX_DEPTH``; pandas' {"0": …} columns are left whole."""
    out: dict = {}
    for k, v in doc.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v and depth < _MAX_DEPTH and not all(str(i).isdigit() for i in v):
            out.update(_grouped(v, f"{name}/", depth + 1))
        else:
            out[name] = v
    return out


_ROW_KEY = re.compile(r"(?i)^\s*(?:epoch|ep|step|iter|iteration)?[_ ]?(\d+)\s*$")


def _keyed_rows(doc: dict) -> tuple[str, list[dict]] | None:
    """Rows keyed by their epoch ({"epoch_1": {...}}, {"0": {...}}): as a list of objects, each with its
    number under "epoch" (or "step" when the keys say step/iter), in the order of those numbers."""
    items = [(k, v) for k, v in doc.items() if isinstance(v, dict)]
    if len(items) < 2 or len(items) * 2 < len(doc):
        return None
    rows = []
    for k, v in items:
        m = _ROW_KEY.match(str(k))
        if not m:
            return None
        x_name = "step" if re.match(r"(?i)\s*(step|iter)", str(k)) else "epoch"
        rows.append({**v, x_name: int(m.group(1))} if x_name not in v else v)
    # A dict written in hash order (Julia's Dict, a Python set of keys) lists its epochs scrambled.
    rows.sort(key=lambda r: T.json_number(r.get("epoch", r.get("step"))) or 0.0)
    return "(one object per epoch key)", rows


def _pandas_split(doc: dict) -> list[dict] | None:
    """pandas ``to_json(orient="split")``: {"columns": [...], "index": [...], "data": [[...], ...]}."""
    cols, data = doc.get("columns"), doc.get("data")
    if not (isinstance(cols, list) and isinstance(data, list) and all(isinstance(r, list) for r in data)):
        return None
    return [dict(zip((str(c) for c in cols), r)) for r in data]


def _pair_lists(doc: dict) -> dict[str, list]:
    """Series logged as [step, value] pairs: {"train_loss": [[100, 2.3], [200, 2.1]]}."""
    out = {}
    for k, v in doc.items():
        if isinstance(v, list) and v and all(isinstance(p, list) and len(p) == 2 for p in v):
            out[str(k)] = v
    return out


def _read_pairs(path: Path, pairs: dict[str, list]) -> list[Run]:
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    run.meta.notes.append("series written as [step, value] pairs: read on their own steps")
    for name, items in pairs.items():
        pts = [(T.json_number(a), T.json_number(b)) for a, b in items]
        pts = [(a, b) for a, b in pts if a is not None and a == a and b is not None]
        if pts:
            run.add(Series.named(name, [a for a, _ in pts], [b for _, b in pts], axis="step"))
    return [run] if run.series else []


def _read_records(path: Path, key: str | None, rows: list[dict]) -> list[Run]:
    """One series per numeric field of the rows, on the rows' own epoch/step numbers when they carry them."""
    rows = [_grouped(r) for r in rows if isinstance(r, dict)]
    if not rows:
        return []
    x_key = next((k for k in _X_KEYS if all(k in r and T.json_number(r[k]) == T.json_number(r[k]) for r in rows)), None)
    xs = [T.json_number(r[x_key]) for r in rows] if x_key else list(range(len(rows)))
    if len(set(xs)) == 1 and len(rows) >= 3:
        xs = list(range(len(rows)))  # one x in every object (a one-epoch fit called in a loop): rows in order
    axis = "step" if x_key and x_key not in ("epoch", "generation", "gen") else "epoch"  # a generation: one pass
    # The counter going back (a resume re-logging epochs, a second run appended) read as every table
    # reader reads it; objects of another kind at the same x (an evaluation beside training) are no step back.
    attempts = T.stitch_resumes(zip(xs, rows), kind=lambda r: "/".join(sorted(map(str, r))))
    runs, starts = [], []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.meta.notes.append(f"read the {len(att.records)} per-epoch object(s)" + (f" under {key!r}" if key else ""))
        T.resume_notes(run, att, unit=axis)
        part = [r for _, r in att.records]
        names = list(dict.fromkeys(k for r in part for k in r if k != x_key))
        found = {}
        for name in names:
            pts = [(x, T.json_number(r.get(name))) for x, r in att.records if name in r]
            pts = [(x, v) for x, v in pts if v is not None]
            if pts and len(pts) * 2 >= sum(name in r for r in part):
                found[str(name)] = pts
        # [{"epoch": 1, "value": 0.9}, ...] in loss_history.json: the one number beside the counter, under a key
        # that names nothing, is the quantity the file name names.
        role = None
        if _named_by_file(path, list(found)):
            role = infer_role(path.stem)
            run.meta.notes.append(f"{next(iter(found))!r}: the one number of each object, under a key that names "
                                  f"nothing, read as {path.stem}, the quantity the file name names")
        for name, pts in found.items():
            run.add(Series.named(name, [x for x, _ in pts], [v for _, v in pts], axis=axis, role=role))
        if run.series:
            runs.append(run)
            starts.append(att.start_row + 1)
    return T.segment_runs(path, NAME, runs, starts[1:], unit="object")


_ANY_LIST_KEY = re.compile(r'"([^"\\]{1,200})"\s*:\s*\[')


def _salvage(text: str) -> dict[str, list]:
    """The per-epoch lists of a torn or damaged history, each up to its first damaged value."""
    out = {}
    for key in dict.fromkeys(_ANY_LIST_KEY.findall(text)):
        found = salvage_list(text, key, accept=(int, float, type(None)))
        if found and found[0]:
            out[key] = found[0]
    return out
