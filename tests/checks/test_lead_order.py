"""Cause-first ordering: a named cause leads ahead of a layer that is a cause only by being dead."""

from __future__ import annotations

from traindoc.checks.structure import CAUSE, lead_with_causes
from traindoc.findings import Finding, Severity


def _dead(share=0.97):
    return Finding("dead-relu", Severity.WARNING, "dead", evidence={"dead_share": {"dense": share}},
                   fixes=["use LeakyReLU"])


def test_raw_inputs_lead_ahead_of_the_dead_layer_they_caused_and_symptoms_point_at_them():
    raw = Finding("unnormalized-input", Severity.WARNING, "raw", evidence={CAUSE: True}, fixes=["standardise"])
    stuck = Finding("stuck-at-chance", Severity.WARNING, "stuck", fixes=["lower the LR"])
    out = lead_with_causes([_dead(), stuck, raw])
    assert [f.id for f in out] == ["unnormalized-input", "dead-relu", "stuck-at-chance"]
    assert stuck.fixes == ["Fix unnormalized-input first: standardise"]


def test_a_dead_layer_does_not_jump_above_a_nan_error_but_leads_when_it_is_the_worst():
    nan = Finding("nonfinite-origin", Severity.ERROR, "nan in dense")
    assert [f.id for f in lead_with_causes([nan, _dead()])] == ["nonfinite-origin", "dead-relu"]
    stuck = Finding("stuck-at-chance", Severity.WARNING, "stuck", fixes=["lower the LR"])
    assert [f.id for f in lead_with_causes([stuck, _dead()])] == ["dead-relu", "stuck-at-chance"]


def test_a_cause_may_name_the_symptoms_it_explains():
    val = Finding("unnormalized-input", Severity.WARNING, "validation raw",
                  evidence={CAUSE: True, "explains": ["overfitting"]}, fixes=["same scaler"])
    over = Finding("overfitting", Severity.WARNING, "val rises", fixes=["regularise"])
    out = lead_with_causes([over, val])
    assert out[0] is val and over.fixes == ["Fix unnormalized-input first: same scaler"]
