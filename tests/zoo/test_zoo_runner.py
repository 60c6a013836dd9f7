"""The zoo in-process: seeded runs repeat exactly, and a repair acts on what was found."""

import pytest

pytest.importorskip("torch")

from traindoc.zoo.cases import BY_NAME  # noqa: E402
from traindoc.zoo.repairs import plan, repair_case  # noqa: E402
from traindoc.zoo.runner import run_config  # noqa: E402


def test_runs_are_deterministic():
    cfg = BY_NAME["sorted-by-label"].config.but(steps=60)
    a, b = run_config(cfg), run_config(cfg)
    assert a.result.losses == b.result.losses
    assert a.ids == b.ids and "unshuffled-data" in a.ids


def test_repair_is_chosen_from_findings_not_from_the_case():
    case = BY_NAME["unnormalized-input"]
    before = run_config(case.config.but(steps=60))
    fid, repair = plan(before, case.config)
    assert fid == "unnormalized-input" and repair.apply(case.config).normalize_inputs
    # A healthy run offers nothing to repair.
    healthy = run_config(case.fixed.but(steps=60))
    assert healthy.clean and plan(healthy, case.fixed) is None


def test_repair_verifies_clearing_and_loss():
    case = BY_NAME["layer-not-in-optimizer"]
    rep = repair_case(case)
    assert rep.steps == [{"finding": "frozen-parameters", "repair": "give every parameter to the optimizer"}]
    assert rep.cleared and rep.improved and rep.success
    assert rep.after.result.final_loss() < rep.before.result.final_loss()


def test_nan_case_is_repaired_by_an_lr_ladder():
    case = BY_NAME["lr-too-high-nan"]
    rep = repair_case(case)
    lrs = [s["repair"] for s in rep.steps]
    assert lrs[:2] == ["learning rate / 10", "learning rate / 10"]
    assert rep.before.result.final_loss() == float("inf") and rep.after.result.final_loss() < 1.0
    assert rep.success and not any(i in rep.after.ids for i in case.expect)
