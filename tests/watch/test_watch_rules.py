"""The internals rules as pure functions of a Run (the form `traindoc diagnose` gives them)."""

from __future__ import annotations

import math

from traindoc.rules import RULES
from traindoc.run import Role, Run, Series


def _run(**cols) -> Run:
    run = Run(name="r", source="mem", format="test")
    for name, (steps, values, role) in cols.items():
        run.add(Series.named(name.replace("__", "/"), steps, values, role=role))
    return run


def ids(run: Run, rule: str) -> list:
    return list(RULES[rule].func(run))


def test_exploding_growth_vs_isolated_overflow():
    steps = list(range(1, 41))
    grow = [1.0 * (1.4 ** i) for i in range(40)]  # ~7e5x
    assert ids(_run(grad_norm=(steps, grow, Role.GRAD_NORM)), "exploding-gradients")
    calm = [1.0 + 0.1 * math.sin(i) for i in range(40)]
    calm[12] = math.inf  # one skipped fp16 step, then back to normal
    assert ids(_run(grad_norm=(steps, calm, Role.GRAD_NORM)), "exploding-gradients") == []
    stuck = calm[:20] + [math.nan] * 20  # non-finite for good
    assert ids(_run(grad_norm=(steps, stuck, Role.GRAD_NORM)), "exploding-gradients")


def test_vanishing_uses_layer_order():
    s = [1, 2, 3, 4]
    run = _run(grad_norm__a=(s, [1e-7] * 4, Role.LAYER_STAT), grad_norm__b=(s, [1e-3] * 4, Role.LAYER_STAT),
               grad_norm__c=(s, [0.5] * 4, Role.LAYER_STAT))
    f = ids(run, "vanishing-gradients")[0]
    assert f.evidence["first_layer"] == "a" and f.evidence["last_layer"] == "c"
    flipped = _run(grad_norm__c=(s, [0.5] * 4, Role.LAYER_STAT), grad_norm__b=(s, [1e-3] * 4, Role.LAYER_STAT),
                   grad_norm__a=(s, [1e-7] * 4, Role.LAYER_STAT))
    assert ids(flipped, "vanishing-gradients") == []  # the input side has the big gradients: not vanishing


def test_unshuffled_compares_with_chance():
    s = list(range(1, 11))
    sorted_run = _run(target_single_class_batch=(s, [1.0] * 10, Role.LAYER_STAT),
                      target_single_class_expected=(s, [0.001] * 10, Role.LAYER_STAT),
                      target_classes_seen=(s, [4.0] * 10, Role.LAYER_STAT))
    assert ids(sorted_run, "unshuffled-data")
    # a heavily imbalanced but shuffled stream often has one-class batches by chance
    skewed = _run(target_single_class_batch=(s, [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0], Role.LAYER_STAT),
                  target_single_class_expected=(s, [0.6] * 10, Role.LAYER_STAT),
                  target_classes_seen=(s, [2.0] * 10, Role.LAYER_STAT))
    assert ids(skewed, "unshuffled-data") == []


def test_rules_ignore_series_with_other_roles():
    # A reader's series named like a probe series but not a layer statistic is not judged.
    s = [1, 2, 3, 4, 5]
    run = _run(dead_frac__x=(s, [1.0] * 5, Role.OTHER))
    assert ids(run, "dead-relu") == []
