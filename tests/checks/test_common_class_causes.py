"""The usual source of a common finding is named when the evidence points at it, and only then: logit rows
as categorical targets, text labels cast to bool, a loss NaN from the first step, a 16-bit output layer,
units silent in a model resumed already fitted."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from traindoc.checks.half_output import half_output_finding, keras_output_dtype, step_at  # noqa: E402
from traindoc.checks.structure import structure_findings  # noqa: E402
from traindoc.rules import RULES  # noqa: E402
from traindoc.rules.internals import _loss_origin  # noqa: E402
from traindoc.run import Role, Run, Series  # noqa: E402

L = keras.layers
rng = np.random.default_rng(0)


def _model(units, act, loss, dtype=None):
    m = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu", dtype=dtype),
                          L.Dense(units, activation=act, dtype=dtype)])
    m.compile(optimizer="adam", loss=loss)
    return m


@pytest.mark.parametrize("rows,logits", [("logits", True), ("counts", False)])
def test_logit_rows_under_categorical_ce_name_a_softmax_of_them(rows, logits):
    if rows == "logits":
        y = (rng.normal(size=(96, 3)) * 6).astype("float32")  # a teacher's raw scores
    else:
        y = rng.integers(0, 4, size=(96, 3)).astype("float32")  # whole counts: not scores
    found = [f for f in structure_findings(_model(3, "softmax", "categorical_crossentropy"), None, y)
             if f.id == "label-problem"]
    assert found
    assert ("softmax(teacher_logits" in found[0].fixes[0]) == logits


@pytest.mark.parametrize("value,named", [(1.0, True), (0.0, False)])
def test_all_one_labels_under_a_binary_loss_name_text_cast_to_bool(value, named):
    y = np.full((96, 1), value, dtype="float32")
    (f,) = [f for f in structure_findings(_model(1, "sigmoid", "binary_crossentropy"), None, y)
            if f.id == "label-problem"]
    assert ("astype(bool)" in f.fixes[0]) == named


def test_a_loss_nan_from_the_first_step_leads_with_raw_logits_in_a_hand_written_loss():
    first = _loss_origin("loss", 1.0, first=True)
    assert "sigmoid" in first.fixes[0] and "hand-written" in first.causes[0]
    later = _loss_origin("loss", 40.0, first=False)
    assert "hand-written cross-entropy" not in " ".join(later.causes)


def test_a_float16_output_layer_past_its_range_and_a_coarse_bfloat16_one_are_named():
    over = half_output_finding("float16", True, 1e6, 3e4, 1e5, False, 10.0)
    assert over is not None and over.id == "nonfinite-origin" and "float32" in over.fixes[0]
    assert half_output_finding("float16", True, 300.0, 50.0, 30.0, False, 10.0) is None  # within range, fine grain
    coarse = half_output_finding("bfloat16", True, 296.0, 293.0, 1.5, False, 10.0)
    assert coarse is not None and coarse.id == "stalled" and coarse.evidence["rounding_step"] == 2.0
    assert half_output_finding("bfloat16", True, 3.0, 0.8, 1.0, False, 10.0) is None  # centred targets
    assert half_output_finding(None, True, 1e6, 3e4, 1e5, True, 10.0) is None
    assert step_at(293.0, "bfloat16") == 2.0 and step_at(293.0, "float16") == 0.25


def test_the_output_layer_dtype_is_read_from_the_keras_policy():
    assert keras_output_dtype(_model(1, None, "mse", dtype="mixed_float16")) == "float16"
    assert keras_output_dtype(_model(1, None, "mse")) is None


def _dead_run(train_acc):
    run = Run(name="r", source="mem", format="test")
    steps = list(range(1, 21))
    run.add(Series.named("dead_frac/dense_1", steps, [0.5] * 20, role=Role.LAYER_STAT))
    run.add(Series.named("train_loss", steps, [0.17 - 0.0005 * i for i in range(20)], role=Role.TRAIN_LOSS))
    run.add(Series.named("train_accuracy", steps, train_acc))
    return run


@pytest.mark.parametrize("acc,named", [([0.995] * 20, False), ([0.80] * 20, True)])
def test_units_silent_from_the_start_of_a_run_fitted_throughout_are_spare(acc, named):
    found = list(RULES["dead-relu"].func(_dead_run(acc)))
    assert bool(found) == named


def _keras_bce_wrapper(y_true, y_pred):
    return keras.losses.binary_crossentropy(y_true, y_pred, from_logits=True)


def _keras_two_losses(y_true, y_pred):
    return keras.losses.mean_squared_error(y_true, y_pred) + keras.losses.binary_crossentropy(y_true, y_pred)


def test_a_users_keras_loss_function_takes_the_kind_of_the_one_loss_it_wraps():
    from traindoc.checks.model_view import BINARY_CE, loss_view

    lv = loss_view(_keras_bce_wrapper)
    assert lv.kind == BINARY_CE and lv.from_logits
    assert loss_view(_keras_two_losses).kind is None
    y = rng.integers(0, 3, size=(96, 1)).astype("float32")  # three classes under the wrapped binary loss
    found = [f for f in structure_findings(_model(1, None, _keras_bce_wrapper), None, y) if f.id == "label-problem"]
    assert found and "sparse_categorical_crossentropy" in found[0].fixes[0]


@pytest.mark.parametrize("first_rate,never_stepped", [(0.0, True), (1e-3, False)])
def test_a_rate_zero_from_its_first_reading_names_a_scheduler_never_stepped(first_rate, never_stepped):
    from traindoc.rules.zero_rate import rate_zero

    run = Run(name="r", source="mem", format="test")
    steps = list(range(1, 31))
    run.add(Series.named("lr", steps, [first_rate] + [0.0] * 29, role=Role.LR))
    run.add(Series.named("train_loss", steps, [1.1 + 0.001 * (i % 3) for i in range(30)], role=Role.TRAIN_LOSS))
    (f,) = rate_zero(run)
    assert "LearningRateScheduler" in f.fixes[0]  # the Keras spelling of the same mistake stays first
    assert any("scheduler.step()" in fix for fix in f.fixes) == never_stepped


@pytest.mark.parametrize("delta,named", [(1e-3, True), (1.0, False)])
def test_a_huber_delta_far_below_the_targets_is_named(delta, named):
    import torch

    from traindoc.checks.huber_scale import huber_scale_findings
    from traindoc.checks.structure import Targets

    y = (3.0 * rng.normal(size=(128, 1))).astype("float32")
    keras_found = [f for f in structure_findings(_model(1, None, keras.losses.Huber(delta=delta)), None, y)
                   if str(f.evidence.get("subject")) == "huber-delta"]
    torch_found = huber_scale_findings(torch.nn.HuberLoss(delta=delta), Targets.of(y))
    assert bool(keras_found) == bool(torch_found) == named
    if named:
        assert "Raise the Huber delta" in keras_found[0].fixes[0]


@pytest.mark.parametrize("loss,act,named", [("mse", None, True), ("mean_squared_logarithmic_error", None, False),
                                            ("mse", "exponential", False)])
def test_target_scale_is_not_judged_on_a_log_loss_or_an_exponential_output(loss, act, named):
    y = (3e4 + 7e4 * np.abs(rng.normal(size=(128, 1)))).astype("float32")  # page-view counts
    found = [f for f in structure_findings(_model(1, act, loss), None, y)
             if str(f.evidence.get("subject")) == "target-scale"]
    assert bool(found) == named


@pytest.mark.parametrize("labels,kind", [("standardised", "two"), ("shifted", "two"), ("ratio", "regression"),
                                         ("zero_one", None)])
def test_a_yes_no_label_moved_off_zero_one_is_named_as_a_transformed_label(labels, kind):
    """Two label values under a binary loss are a yes/no column however they were scaled; many values are a
    regression. Read with the loss as a string, an object and a wrapping function."""
    y01 = rng.integers(0, 2, size=(96, 1)).astype("float32")
    y = {"standardised": (y01 - y01.mean()) / y01.std(), "shifted": y01 * 3 - 1,
         "ratio": rng.normal(size=(96, 1)).astype("float32") * 2, "zero_one": y01}[labels]
    for loss in ("binary_crossentropy", keras.losses.BinaryCrossentropy(from_logits=True), _keras_bce_wrapper):
        found = [f for f in structure_findings(_model(1, None, loss), None, y) if f.id == "label-problem"]
        if kind is None:
            assert not found
        elif kind == "two":
            assert found and "outside [0, 1]" in found[0].title and "scale only the feature" in found[0].fixes[0]
            assert "Map the two values to 0 and 1" in found[0].fixes[0]
        else:
            assert found and "regression" in found[0].fixes[0]
