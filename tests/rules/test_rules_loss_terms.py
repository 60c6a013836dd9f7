"""loss_terms.summed_terms is computed once per run and read by every rule that asks: the kept answer
is the one count_terms gives, and a run whose series change is read again."""

from __future__ import annotations

import numpy as np

from traindoc.rules.loss_terms import count_terms, summed_terms
from traindoc.run import Run, Series


def _run(parts: dict[str, list[float]], total: list[float]) -> Run:
    x = np.arange(1, len(total) + 1, dtype=float)
    return Run.from_columns("r", "<t>", "t", {"loss": (x, total), **{k: (x, v) for k, v in parts.items()}},
                            axis="step")


def test_summed_terms_is_kept_and_equals_a_fresh_count():
    a, b = [1.2, 0.8, 0.5, 0.4], [0.3, 0.25, 0.2, 0.1]
    run = _run({"loss_cls": a, "loss_box": b}, [x + y for x, y in zip(a, b)])
    loss = run.series["loss"]
    assert summed_terms(run, loss) == count_terms(run, loss) == 2
    assert summed_terms(run, loss) == 2  # the kept answer
    # the same run with one part replaced by a series that no longer adds up: read again
    run.add(Series.named("loss_box", loss.steps, [0.9, 0.1, 0.7, 0.05]))
    assert summed_terms(run, loss) == count_terms(run, loss) == 1
    # and a loss whose values are replaced (a live run that grew) is read again too
    loss.values = np.asarray([x + y for x, y in zip(a, [0.9, 0.1, 0.7, 0.05])])
    assert summed_terms(run, loss) == count_terms(run, loss) == 2


def test_summed_terms_of_one_run_does_not_answer_for_another():
    a, b = [1.2, 0.8, 0.5, 0.4], [0.3, 0.25, 0.2, 0.1]
    summed = _run({"loss_cls": a, "loss_box": b}, [x + y for x, y in zip(a, b)])
    single = _run({"loss_cls": a, "loss_box": b}, [2.0, 1.5, 1.4, 1.3])
    assert summed_terms(summed, summed.series["loss"]) == 2
    assert summed_terms(single, single.series["loss"]) == 1
