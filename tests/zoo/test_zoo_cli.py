"""The fast subset of the zoo through the real CLI: every fast case detected, its cause named, its twin clean."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("torch")


def _zoo(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "traindoc", "zoo", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_list_names_every_case_with_expectations():
    res = _zoo("--list", "--json")
    assert res.returncode == 0, res.stderr
    cases = json.loads(res.stdout)
    assert len(cases) >= 19
    assert all(c["expected"] and c["cause"] for c in cases)
    names = {c["case"] for c in cases}
    for required in ("late-start", "lr-too-high-nan", "dead-relu", "double-softmax", "scrambled-reshape",
                     "resume-without-optimizer-state", "no-zero-grad", "batchnorm-hides-bad-init"):
        assert required in names


def test_fast_subset_detects_names_cause_and_twins_clean():
    res = _zoo("--fast", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    cases = doc["cases"]
    assert len(cases) >= 6
    for c in cases:
        assert c["detected"], (c["case"], c["found"])
        assert set(c["detected"]) <= set(c["expected"]) and set(c["detected"]) <= set(c["found"])
        assert c["cause_named"], (c["case"], c["found"])
        assert c["fixed"]["clean"], (c["case"], c["fixed"]["problems"])
    t = doc["totals"]
    assert t["detected"] == t["cause_named"] == t["twins_clean"] == len(cases)


def test_table_and_repair_through_cli():
    res = _zoo("double-softmax", "no-zero-grad", "--repair", "--no-twin")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert max(len(line) for line in out.splitlines()) <= 80  # piped: 80 columns, tables wrap inside cells
    # at 80 columns the case table is one block per case: a head line, then what was expected and found
    head = next(line for line in out.splitlines() if line.startswith("double-softmax"))
    assert "detected: yes" in head and "cause named: yes" in head
    block = out.split(head)[1].split("\nno-zero-grad")[0]
    assert "found: double-softmax" in block
    flat = " ".join(out.split())  # the repair table wraps long cells at word boundaries
    repair = out.split("repair applied")[1]
    row = repair.split("\nno-zero-grad")[0]
    assert "remove the output" in row and "(double-softmax)" in row and " yes " in row
    assert "call zero_grad" in repair and "(grad-not-zeroed)" in repair
    assert "succeeded 2/2" in flat and "succeeded by editing what the fixed twin fixes 2/2" in flat


def test_unknown_case_is_a_one_line_error():
    res = _zoo("no-such-case")
    assert res.returncode == 2
    assert "no-such-case" in res.stderr and "Traceback" not in res.stderr
