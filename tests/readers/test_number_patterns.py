"""A number pattern repeated inside a line pattern must not backtrack exponentially: ``\\d+\\.?\\d*`` could
split ``123`` as ``1``+``23`` or ``12``+``3``, so a long line of whole numbers with one stray character at
the end (a torn or damaged row) took minutes to refuse. The numbers are now matched one way only
(``\\d+(?:\\.\\d*)?``, the same numbers)."""

from __future__ import annotations

import time

import pytest

from traindoc.readers import _final, _unnamed, load
from traindoc.readers.text import parser

_LINE = ";".join(["1234567890"] * 40) + ";x"


@pytest.mark.parametrize("pattern", [_unnamed._BARE, _unnamed._ARRAY, _final._NUMBERS_LINE])
def test_a_damaged_line_of_whole_numbers_fails_to_match_at_once(pattern):
    text = f"[{_LINE.replace(';', ', ')}]" if pattern is _unnamed._ARRAY else _LINE
    t0 = time.perf_counter()
    assert pattern.fullmatch(text) is None
    assert time.perf_counter() - t0 < 2.0


def test_the_number_patterns_still_match_the_same_numbers():
    for good in ("0", "12", "1.", "1.5", ".5", "-3e-4", "+2.5E10", "100.000"):
        assert parser._PLAIN_NUMBER.fullmatch(good), good
        assert _unnamed._BARE.fullmatch(f"{good}, {good}; {good}"), good
    for bad in ("", ".", "e5", "1e", "--1", "1..2"):
        assert not parser._PLAIN_NUMBER.fullmatch(bad), bad


def test_a_header_of_counters_over_a_damaged_row_is_refused_quickly(tmp_path):
    path = tmp_path / "data.csv"
    counts = ";".join(str(i) for i in range(63))
    path.write_text(f"{counts}\n" + ";".join(f"{0.3 + i / 1000:.7f}" for i in range(63)) + "\n"
                    + ";".join(str(10 ** 9 + i) for i in range(40)) + ";\x00x\n")
    t0 = time.perf_counter()
    with pytest.raises(Exception) as err:
        load(path)
    assert type(err.value).__name__ == "InputError"
    assert time.perf_counter() - t0 < 10.0
