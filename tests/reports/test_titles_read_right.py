"""Every finding's title reads right with its own numbers, over the bench corpus and the demo runs.

A title is what a person reads first; "-10% better", "rose from 0.37 to 0.33" or "constant at nan"
say the opposite of the evidence. The checks are on the words' direction, not on one file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from traindoc.cli.demo import demo_dir
from traindoc.readers import load
from traindoc.rules import diagnose_run

ROOT = Path(__file__).resolve().parents[2]
NUM = r"(-?\d[\d.]*(?:e[+-]?\d+)?)"


@pytest.fixture(scope="module")
def titles() -> list[tuple[str, str, str]]:
    out = []
    for folder in (ROOT / "bench" / "corpus" / "public", ROOT / "bench" / "corpus" / "generated", demo_dir()):
        if not folder.exists():
            continue
        for run in load(folder).runs:
            out += [(run.name, f.id, f.title) for f in diagnose_run(run)]
    if len(out) < 20:
        pytest.skip("too few findings in this checkout's bench corpus to check titles on")
    return out


def test_no_negative_improvement_or_growth(titles):
    bad = [t for t in titles if re.search(r"-\d[\d.]*% (better|smaller|faster|higher|lower|worse)", t[2])]
    assert not bad, bad


def test_rose_and_fell_agree_with_their_numbers(titles):
    bad = []
    for run, fid, title in titles:
        for m in re.finditer(rf"\b(rose|grew|fell|dropped) from {NUM}(?: at [a-z]+ [\d.]+)? (?:to|->) {NUM}", title):
            verb, a, b = m.group(1), float(m.group(2)), float(m.group(3))
            if (verb in ("rose", "grew") and b < a) or (verb in ("fell", "dropped") and b > a):
                bad.append((run, fid, title))
        m = re.search(rf"rose from {NUM}.*\(started at {NUM}\)", title)
        if m and float(m.group(2)) <= float(m.group(1)):
            bad.append((run, fid, title))  # a start below the minimum reads as a contradiction
    assert not bad, bad


def test_no_nan_levels_or_bare_layer_indices(titles):
    bad = [t for t in titles if re.search(r"\b(at|is constant at|sits at) nan\b", t[2])
           or re.search(r"units of \d+\b|\(\d+: ", t[2])]
    assert not bad, bad


def test_generated_titles_say_what_the_rule_says():
    """The wording checks can fail: they catch the phrasings this issue reported."""
    assert re.search(r"-\d[\d.]*% (better)", "x stalled (-10% better than the start)")
    assert re.search(r"units of \d+\b|\(\d+: ", "100% of the units of 3 never fired")


def test_layer_titles_name_layers_not_bare_indices():
    """nn.Sequential children are named 0, 1, 2...: titles say 'layer 0', never '(0: 0)' or 'units of 3'."""
    from traindoc.run import Role, Run

    steps = list(range(0, 200, 5))
    cols = {"loss": (steps, [2.0 - 0.005 * s for s in steps]),
            "grad_norm/0": (steps, [0.0] * len(steps)), "grad_norm/2": (steps, [0.01] * len(steps)),
            "grad_norm/4": (steps, [0.14] * len(steps)), "dead_frac/3": (steps, [1.0] * len(steps))}
    run = Run.from_columns("seq", "seq.jsonl", "traindoc_jsonl", cols)
    for name in cols:
        if "/" in name:
            run.set_role(name, Role.LAYER_STAT)
    titles = {f.id: f.title for f in diagnose_run(run)}
    assert "vanishing-gradients" in titles and "dead-relu" in titles, titles
    assert "(layer 0) is zero" in titles["vanishing-gradients"] and "(0: 0)" not in titles["vanishing-gradients"]
    assert "units of layer 3" in titles["dead-relu"]
