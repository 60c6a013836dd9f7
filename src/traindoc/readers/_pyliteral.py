"""Python's printed form of a history (``str(history.history)``, ``print(logs)``), parsed and never evaluated.

Why: a loop that saves ``str(history.history)`` (or ``json.dump(str(h), f)``, a JSON string holding it)
writes single quotes, ``nan``, ``inf``, ``True``/``False``/``None``, tuples, and with numpy values
``np.float64(0.69)`` or ``array([0.5, 0.4], dtype=float32)``: none of it JSON. The text comes from a
file anyone may hand us, so nothing in it is run: a small tokenizer reads literals only (dicts, lists,
tuples, strings, numbers, the constants above, and the numpy and torch wrappers around a number or a
list, whose keyword arguments are skipped). Anything else is a ``ValueError`` saying where it stopped.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_DEPTH = 64  # nesting a history never reaches; deeper is refused, not recursed into

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?j?)
  | (?P<str>[rRbBuU]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<sign>[-+])
  | (?P<punct>[{}\[\]():,=<>])
""", re.VERBOSE | re.DOTALL)

_CONST = {"nan": math.nan, "inf": math.inf, "infinity": math.inf, "True": True, "False": False, "None": None,
          "NaN": math.nan, "Infinity": math.inf}
# Wrappers around one number or one list that numpy, torch, JAX and TensorFlow print.
_WRAPPER = re.compile(r"(?:(?:np|numpy|jnp)\.)?(?:float|int|uint)(?:8|16|32|64|128)?|(?:(?:np|numpy)\.)?array"
                      r"|tensor|Array|tf\.Tensor|(?:np|numpy)\.str_|(?:np|numpy)\.bool_?|float|int")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v", "\n": ""}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"unexpected {text[pos:pos + 12]!r} at character {pos}")
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(), pos))
        pos = m.end()
    return out


def _string(tok: str) -> str:
    prefix = tok[0].lower() if tok[0] not in "'\"" else ""
    body = tok[len(prefix):][1:-1]
    if prefix == "r" or "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(c)
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ValueError("the text ends inside a value")
        if value is not None and tok[1] != value:
            raise ValueError(f"expected {value!r} at character {tok[2]}, found {tok[1][:12]!r}")
        self.i += 1
        return tok

    def value(self, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        kind, text, pos = self.take()
        if kind == "sign":
            inner = self.value(depth + 1)
            if isinstance(inner, bool) or not isinstance(inner, (int, float)):
                raise ValueError(f"a sign before something not a number at character {pos}")
            return -inner if text == "-" else inner
        if kind == "num":
            if text.endswith("j"):
                raise ValueError(f"a complex number at character {pos}")
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        if kind == "str":
            return _string(text)
        if kind == "name":
            if text in _CONST:
                return _CONST[text]
            if _WRAPPER.fullmatch(text) and self.peek() is not None and self.peek()[1] == "(":
                return self.call(depth)
            raise ValueError(f"a name that is no literal ({text[:40]!r}) at character {pos}")
        if text == "{":
            return self.items("}", depth, pairs=True)
        if text == "[":
            return self.items("]", depth)
        if text == "(":
            return tuple(self.items(")", depth))
        raise ValueError(f"unexpected {text!r} at character {pos}")

    def items(self, close: str, depth: int, pairs: bool = False) -> Any:
        out: Any = {} if pairs else []
        while True:
            tok = self.peek()
            if tok is not None and tok[1] == close:
                self.i += 1
                return out
            if pairs:
                key = self.value(depth + 1)
                if isinstance(key, (dict, list)):
                    raise ValueError("a dict key that is a dict or list")
                self.take(":")
                out[key] = self.value(depth + 1)
            else:
                out.append(self.value(depth + 1))
            tok = self.take()
            if tok[1] == close:
                return out
            if tok[1] != ",":
                raise ValueError(f"expected ',' or {close!r} at character {tok[2]}, found {tok[1][:12]!r}")

    def call(self, depth: int) -> Any:
        """``array([...], dtype=float32)``, ``np.float64(0.5)``, ``tensor(0.69, grad_fn=<NllLossBackward0>)``:
        the first argument; keyword arguments (a name, a string, a ``<...>`` tag) are skipped."""
        self.take("(")
        inner = self.value(depth + 1)
        while True:
            tok = self.take()
            if tok[1] == ")":
                return inner
            if tok[1] != ",":
                raise ValueError(f"expected ',' or ')' at character {tok[2]}")
            tok = self.take()
            if tok[1] == ")":
                return inner
            if tok[0] != "name":
                raise ValueError(f"expected a keyword argument at character {tok[2]}")
            self.take("=")
            tok = self.take()
            if tok[1] == "<":  # an object's repr: <NllLossBackward0>
                while self.take()[1] != ">":
                    pass
            elif tok[1] == "(":  # shape=()
                self.items(")", depth + 1)
            elif tok[0] not in ("name", "str", "num"):
                raise ValueError(f"an unexpected keyword value at character {tok[2]}")


def parse(text: str) -> Any:
    """The one literal ``text`` holds; ``ValueError`` when it holds anything else (see the module doc)."""
    p = _Parser(text)
    if not p.toks:
        raise ValueError("no value")
    out = p.value()
    if p.peek() is not None:
        raise ValueError(f"more after the value, at character {p.peek()[2]}")
    return out


def to_json_like(value: Any) -> Any:
    """Tuples as lists and keys as strings: the shape ``json.loads`` gives, so JSON readers take it as is."""
    if isinstance(value, dict):
        return {str(k): to_json_like(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_like(v) for v in value]
    return value
