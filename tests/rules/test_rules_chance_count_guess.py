"""A stuck-at-chance title states its class count as fact only when the count is logged or the loss
sits tightly at ln(C) (``match_chance_tight``); a count matched loosely from a loss near ln(C), or
inferred from an accuracy near 1/C, is written as a guess ("about ln(6) ... if this is a uniform
guess"). Whether the finding fires does not change."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series


def _run(level: float, n: int, acc: float | None = 1 / 6) -> Run:
    """Training and validation losses flat at ``level`` for ``n`` epochs, a validation accuracy flat at ``acc``."""
    x = np.arange(1, n + 1, dtype=float)
    rng = np.random.default_rng(0)
    y = level + 1e-4 * rng.standard_normal(n)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", x, y))
    run.add(Series.named("val_loss", x, y + 0.001))
    if acc is not None:
        run.add(Series.named("val_accuracy", x, acc + 0.005 * rng.standard_normal(n)))
    return run


def _stuck(run: Run):
    return next(f for f in diagnose_run(run) if f.id == "stuck-at-chance")


def test_a_loss_tightly_at_ln6_is_titled_as_six_classes():
    f = _stuck(_run(1.80, 200))  # ln 6 = 1.7918: within 0.5%
    assert f.severity == Severity.WARNING
    assert "sits at 1.8 = ln(6), the loss of a uniform guess over 6 classes" in f.title


def test_a_loss_loosely_near_ln6_is_titled_as_a_guess():
    f = _stuck(_run(1.812, 200))  # 1.1% above ln 6: near, not at
    assert f.severity == Severity.WARNING
    assert "about ln(6) = 1.792: 6 classes if this is a uniform guess" in f.title
    assert "= ln(6)," not in f.title


def test_an_accuracy_reading_with_a_loose_count_says_the_count_is_a_guess():
    f = _stuck(_run(2.0, 30, acc=1 / 7))  # ln 7 = 1.946: the loss is 2.8% off
    assert "0.1429 if there are 7 classes; the count is a guess" in f.title
    firm = _stuck(_run(1.80, 30))  # the loss at ln 6 tightly backs the 1/6 accuracy
    assert "chance for 6 classes" in firm.title and "guess" not in firm.title


def test_a_logged_class_count_keeps_the_plain_title_however_loose_the_loss():
    run = _run(1.812, 200)
    run.meta.num_classes = 6  # the log says six classes
    f = _stuck(run)
    assert "= ln(6), the loss of a uniform guess over 6 classes" in f.title and "if this is" not in f.title
