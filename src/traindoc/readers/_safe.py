"""Bounded parsing of untrusted files: JSON and YAML with depth, size and alias limits.

Why: a log is whatever a disk holds. ``json.loads`` recurses once per nesting level,
``yaml.safe_load`` follows aliases (a few hundred bytes can expand to gigabytes, or refer to
themselves), and a 400-digit integer overflows every ``float()`` downstream. Every reader parses
JSON and YAML through this module, so the limits hold everywhere, and any number too large for
a float saturates to ±inf and is counted so the reader can say so in a note.
"""

from __future__ import annotations

import contextvars
import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

MAX_DEPTH = 64  # deeper than any config or log a framework writes
MAX_ALIASES = 100  # YAML aliases per document: configs use a handful
MAX_YAML_BYTES = 8 << 20
MAX_YAML_NODES = 200_000  # values after aliases are expanded (what a consumer walking it would see)
_INT_DIGITS = 18  # below this an int is exact as a float's source; above, float() saturates

# Numbers saturated to ±inf while reading the current file (reset per file by the loader).
_saturated: contextvars.ContextVar[list[int]] = contextvars.ContextVar("traindoc_saturated", default=[0])
# The folder (or file) the user named: nothing outside it is read through a symlink.
_tree_root: contextvars.ContextVar[Path | None] = contextvars.ContextVar("traindoc_tree_root", default=None)


class TooDeep(ValueError):
    """Nesting beyond MAX_DEPTH: refused before the recursive parser sees it."""


def start_file() -> contextvars.Token:
    return _saturated.set([0])


def saturated_count() -> int:
    return _saturated.get()[0]


def saturation_note() -> str | None:
    n = saturated_count()
    return f"{n} number(s) too large for a float were read as ±inf" if n else None


def _count_saturated() -> None:
    _saturated.get()[0] += 1


def big_int(text: str) -> int | float:
    """A JSON/YAML integer literal: exact when small, else a float (±inf past 1e308, counted)."""
    if len(text) <= _INT_DIGITS:
        return int(text)
    value = float(text)
    if math.isinf(value):
        _count_saturated()
    return value


def to_float(value: Any) -> float:
    """``float(value)`` that saturates huge ints to ±inf instead of raising OverflowError."""
    try:
        return float(value)
    except OverflowError:
        _count_saturated()
        return math.inf if value > 0 else -math.inf


_BRACKET_PAIR = re.compile(r"\[\s*\]|\{\s*\}")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise TooDeep when brackets (outside strings) nest deeper than ``limit``.

    Iterative: each pass deletes the innermost empty pairs, so the number of passes is the depth.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    s = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(limit):
        shorter = _BRACKET_PAIR.sub("", s)
        if len(shorter) == len(s):
            return  # unbalanced or done: the parser reports what remains
        s = shorter
    if s:
        raise TooDeep(f"nested deeper than {limit} levels")


def _parse_constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        _count_saturated()
    return value


def json_loads(text: str | bytes) -> Any:
    """``json.loads`` with a depth limit and saturating numbers; raises ValueError on bad input."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    check_depth(text)
    try:
        return json.loads(text, parse_int=big_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        raise TooDeep(f"nested deeper than {MAX_DEPTH} levels") from None


_NEXT_ITEM = re.compile(r"[,\[]\s*\{")


def salvage_list(text: str, key: str | None, accept: tuple[type, ...] = (dict,)) -> tuple[list, int] | None:
    """The complete objects of the list under ``"key": [`` in a torn or damaged JSON document (with
    ``key=None``: of the list that is the whole document).

    Why: a ``trainer_state.json`` cut mid-write (or with one damaged entry) still holds every
    entry before (and after) the damage. Returns (objects, number of damaged stretches skipped),
    or None when the document has no such list. ``accept``: the item types kept; past damage the
    walk resumes at the next object only when objects are what it collects.
    """
    m = re.match(r"\s*\[", text) if key is None else re.search(r'"%s"\s*:\s*\[' % re.escape(key), text)
    if m is None:
        return None
    decoder = json.JSONDecoder(parse_int=big_int, parse_float=_parse_float, parse_constant=_parse_constant)
    skip = re.compile(r"[\s,]*")
    items: list[dict] = []
    damaged = 0
    in_damage = False
    pos = m.end()
    while True:
        pos = skip.match(text, pos).end()
        if pos >= len(text) or text[pos] == "]":
            break
        try:
            # The C scanner raises RecursionError on deep nesting; no per-item pre-check, which
            # would make every damaged stretch rescan the text after it.
            obj, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            damaged += not in_damage  # one damaged stretch, however many restarts it takes
            in_damage = True
            # Objects: resume at the next one that starts a list item (after "," or "["), never
            # inside a damaged object's nested values.
            m = _NEXT_ITEM.search(text, pos + 1) if dict in accept else None
            if m is None:
                break
            pos = m.end() - 1
            continue
        in_damage = False
        if text[end:].strip() == "" and not isinstance(obj, (dict, list)):
            break  # a number at the very end may be cut short (0.165 of 0.16529): not complete
        if isinstance(obj, accept) and not isinstance(obj, bool):
            items.append(obj)
        pos = end
    return items, damaged


# ---------------------------------------------------------------------------------------- YAML
def _loader_class():
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader that refuses deep nesting, self-reference and alias budgets beyond MAX_ALIASES."""

        def __init__(self, stream) -> None:
            super().__init__(stream)
            self._depth = 0
            self._aliases = 0
            self._open: set[str] = set()

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (an alias bomb?)")
                if event.anchor in self._open:
                    raise yaml.YAMLError(f"anchor &{event.anchor} refers to itself")
                return super().compose_node(parent, index)
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
            anchor = getattr(event, "anchor", None)
            if anchor:
                self._open.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
                if anchor:
                    self._open.discard(anchor)

    # Integers too long for a float saturate (and count) instead of raising or growing unbounded.
    def construct_int(loader, node):
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
        if isinstance(value, int) and abs(value).bit_length() > 60:
            return to_float(value)
        return value

    BoundedLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return BoundedLoader


_LOADER = None


def yaml_load(text: str) -> Any:
    """``yaml.safe_load`` within limits; every problem is a ``yaml.YAMLError``."""
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    if len(text) > MAX_YAML_BYTES:
        raise yaml.YAMLError(f"larger than {MAX_YAML_BYTES >> 20} MiB")
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_YAML_NODES:
            raise yaml.YAMLError(f"expands to more than {MAX_YAML_NODES} values through aliases")
        return loader.construct_document(node)
    except (ValueError, RecursionError, OverflowError) as exc:
        raise yaml.YAMLError(f"{type(exc).__name__}: {exc}") from None
    finally:
        loader.dispose()


def _expanded_size(root) -> int:
    """How many values the document holds once aliases are expanded (shared nodes counted per use)."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        kids = _children(node)
        if done:
            total = 1 + sum(sizes[id(k)] for k in kids)
            sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in sizes)
    return sizes[id(root)]


def _children(node) -> list:
    value = node.value
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        out.extend(item if isinstance(item, tuple) else (item,))
    return out


# ----------------------------------------------------------------------------------- file system
def set_tree_root(path: Path) -> contextvars.Token:
    try:
        root = Path(path).resolve()
    except (OSError, RuntimeError):
        root = Path(os.path.abspath(path))
    return _tree_root.set(root)


def reset_tree_root(token: contextvars.Token) -> None:
    _tree_root.reset(token)


def inside_tree(path: Path) -> bool:
    """Whether ``path`` (links resolved) lies inside the tree the user named; True when none is set."""
    root = _tree_root.get()
    if root is None:
        return True
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return real == root or root in real.parents


def is_regular(path: Path) -> bool:
    """A regular file (links followed) inside the named tree: never a FIFO, socket or device."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(st.st_mode) and inside_tree(path)


def not_regular_reason(path: Path) -> str | None:
    """Why ``path`` must not be opened, or None when it is a regular file (or a folder) in the tree."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    if not inside_tree(path):
        return "is a symbolic link to outside the folder given (not followed)"
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
    return f"is {kind}, not a regular file (expected a training log file)"
