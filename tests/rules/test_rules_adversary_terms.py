"""A domain classifier (DANN's gradient-reversal branch) or a discriminator logged beside the task's
loss is meant to end at chance: its loss at ln C, its accuracy at 1/C, is the features carrying no
trace of the domain. stuck-at-chance and no-learning leave such a series alone; the task's own loss
is still judged."""

from __future__ import annotations

import math

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules.adversarial_pair import adversary_at_chance, names_an_adversary
from traindoc.rules._common import curve
from traindoc.run import Run


def _run(cols: dict) -> Run:
    x = list(range(1, 41))
    return Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="epoch")


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_adversary_names_are_whole_words():
    assert names_an_adversary("domain_loss") and names_an_adversary("train/loss_disc")
    assert names_an_adversary("domain_acc") and not names_an_adversary("decode.d0.loss_cls")
    # adversarial training's loss on attacked inputs is the objective, not an adversary's
    assert not names_an_adversary("adv_loss") and not names_an_adversary("critic_loss")
    assert not names_an_adversary("loss") and not names_an_adversary("val_accuracy")


def test_domain_loss_at_ln4_beside_a_learning_task_is_not_stuck():
    rng = np.random.default_rng(0)
    dom = list(math.log(4) + rng.normal(0, 0.002, 40))
    task = list(2.3 * np.exp(-np.arange(40) / 8) + 0.2 + rng.normal(0, 0.01, 40))
    run = _run({"domain_loss": dom, "class_loss": task})
    assert adversary_at_chance(run, curve(run.series["domain_loss"]))
    assert "stuck-at-chance" not in _ids(run) and "no-learning" not in _ids(run)


def test_a_task_loss_at_ln4_is_still_stuck():
    rng = np.random.default_rng(1)
    flat = list(math.log(4) + rng.normal(0, 0.002, 40))
    run = _run({"loss": flat, "val_loss": list(math.log(4) + rng.normal(0, 0.002, 40))})
    assert not adversary_at_chance(run, curve(run.series["loss"]))
    assert _ids(run) & {"stuck-at-chance", "no-learning"}


def test_a_domain_loss_alone_is_judged():
    # Nothing else is logged: no task loss to judge instead, so the adversary's name excuses nothing.
    rng = np.random.default_rng(2)
    run = _run({"domain_loss": list(math.log(4) + rng.normal(0, 0.002, 40))})
    assert not adversary_at_chance(run, curve(run.series["domain_loss"]))


def test_a_sum_of_two_binary_heads_at_2ln2_is_not_ln4():
    # ``loss`` is logged beside its two terms and equals their sum at every epoch: 2 ln 2 = 1.386 is
    # two binary heads each at chance or learning, not one four-class head at the prior.
    from traindoc.rules.progress import stuck_of

    rng = np.random.default_rng(3)
    a = math.log(2) + rng.normal(0, 0.001, 40)
    b = math.log(2) + rng.normal(0, 0.001, 40)
    run = _run({"loss": list(np.round(a, 4) + np.round(b, 4)), "head_a_loss": list(np.round(a, 4)),
                "head_b_loss": list(np.round(b, 4))})
    st = stuck_of(run)
    assert st is None or st.get("classes") != 4
