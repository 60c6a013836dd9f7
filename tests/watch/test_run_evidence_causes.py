"""Causes named from what this run showed: the model's config, the loss, the optimizer, the targets.

Each check is judged on a buggy setting and on its repaired twin (the twin must stay quiet).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import traindoc
from traindoc.checks.label_link import LabelLink, unrelated_labels_finding

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")


# ---------------------------------------------------------------- labels not paired with their rows

def test_labels_unrelated_when_validation_never_beat_the_label_prior():
    link = LabelLink(rows=400, agreement=0.34, chance=0.335, z=0.2)
    # validation fell a little from its first reading, but never below ln 3 (guessing the shares): no signal
    val = [1.146, 1.13, 1.124, 1.122, 1.121, 1.126, 1.134]
    assert unrelated_labels_finding(link, val, 100.0) is None  # the old test alone: it ended below its start
    f = unrelated_labels_finding(link, val, 100.0, prior=math.log(3))
    assert f is not None and f.id == "label-problem"
    assert "never got below" in f.title and "same mask" in f.fixes[0]
    # validation that got below the prior found signal in the labels
    assert unrelated_labels_finding(link, [1.146, 1.0, 0.9, 0.95], 100.0, prior=math.log(3)) is None
    # neighbours that share labels far above chance: never named
    paired = LabelLink(rows=400, agreement=0.8, chance=0.335, z=20.0)
    assert unrelated_labels_finding(paired, val, 100.0, prior=math.log(3)) is None


# ---------------------------------------------------------------- optimizer epsilon

def test_large_epsilon_against_the_gradients_of_this_run():
    from traindoc.checks.optimizer_scale import large_epsilon_finding

    big = keras.optimizers.Adam(learning_rate=1e-3, epsilon=1.0)
    f = large_epsilon_finding(big, [0.01, 0.02, 0.015], True, "the training loss went 1.6 -> 1.6", 50.0)
    assert f is not None and f.id == "update-ratio" and "epsilon=1" in f.title
    assert "epsilon" in f.fixes[0] and f.evidence["step_share"] < 0.1
    assert large_epsilon_finding(big, [0.01], False, "", 50.0) is None  # the run fit: not judged
    assert large_epsilon_finding(big, [50.0], True, "", 50.0) is None  # gradients far above epsilon: no shrink
    default = keras.optimizers.Adam(learning_rate=1e-3)
    assert large_epsilon_finding(default, [1e-6], True, "", 50.0) is None  # the default epsilon
    sgd = keras.optimizers.SGD(learning_rate=1e-3)
    assert large_epsilon_finding(sgd, [0.01], True, "", 50.0) is None  # no division by sqrt(v) + epsilon


# ---------------------------------------------------------------- hidden softmax, long SimpleRNN

def test_hidden_softmax_layers_named_only_on_a_poor_fit():
    from traindoc.checks.linear_stack import hidden_softmax_finding, hidden_softmax_layers
    from keras import layers

    bad = keras.Sequential([keras.Input((6,)), layers.Dense(16, activation="softmax"),
                            layers.Dense(16, activation="softmax"), layers.Dense(4, activation="softmax")])
    good = keras.Sequential([keras.Input((6,)), layers.Dense(16, activation="relu"),
                             layers.Dense(4, activation="softmax")])
    assert len(hidden_softmax_layers(bad)) == 2 and hidden_softmax_layers(good) == []
    f = hidden_softmax_finding(bad, True, "the training loss went 1.39 -> 1.38", 10.0)
    assert f is not None and f.id == "saturated-activation" and "relu" in f.fixes[0]
    assert hidden_softmax_finding(bad, False, "", 10.0) is None
    from torch import nn

    seq = nn.Sequential(nn.Linear(6, 8), nn.Softmax(dim=1), nn.Linear(8, 3), nn.Softmax(dim=1))
    assert hidden_softmax_layers(seq) == ["nn.Softmax at position 1"]  # the output's softmax is not hidden


def test_simple_rnn_over_long_sequences():
    from traindoc.checks.rnn_span import long_simple_rnn_finding
    from keras import layers

    def model(kind, steps):
        return keras.Sequential([keras.Input((steps, 2)), kind(8), layers.Dense(1, activation="sigmoid")])

    f = long_simple_rnn_finding(model(layers.SimpleRNN, 48), True, "the training loss went 0.74 -> 0.64", 5.0)
    assert f is not None and f.id == "vanishing-gradients" and "LSTM" in f.fixes[0]
    assert long_simple_rnn_finding(model(layers.SimpleRNN, 48), False, "", 5.0) is None
    assert long_simple_rnn_finding(model(layers.SimpleRNN, 10), True, "", 5.0) is None
    assert long_simple_rnn_finding(model(layers.LSTM, 48), True, "", 5.0) is None


# ---------------------------------------------------------------- targets at an offset

def test_offset_targets_named_when_the_run_ended_far_above_their_variance():
    from traindoc.checks.model_view import LossView, REGRESSION
    from traindoc.checks.target_precision import offset_target_finding

    rng = np.random.default_rng(0)
    kelvin = (294 + 4 * rng.normal(size=(200, 1)))
    view = LossView(REGRESSION, False, "mse", "keras")
    f = offset_target_finding(view, kelvin, 0.3, 6.9e4, 100.0)
    assert f is not None and f.id == "high-initial-loss" and "Centre and scale the target" in f.fixes[0]
    assert offset_target_finding(view, kelvin, 0.3, 20.0, 100.0) is None  # the run reached the signal
    centred = (kelvin - 294) / 4
    assert offset_target_finding(view, centred, 0.3, 50.0, 100.0) is None  # no offset


def test_large_targets_named_when_the_run_ended_above_their_variance():
    from traindoc.checks.model_view import LossView, REGRESSION
    from traindoc.checks.target_precision import large_target_finding

    rng = np.random.default_rng(0)
    bp = 180 + 60 * rng.normal(size=(200, 1))  # a spread in basis points
    view = LossView(REGRESSION, False, "mse", "keras")
    f = large_target_finding(view, bp, 0.3, 2.4e4, 100.0)
    assert f is not None and f.id == "high-initial-loss" and f.fixes[0].startswith("Scale the targets")
    assert large_target_finding(view, bp, 0.3, 900.0, 100.0) is None  # ended below twice the variance: it learned
    assert large_target_finding(view, bp / 100, 0.3, 240.0, 100.0) is None  # percent: near the output's scale


def test_loss_summed_over_the_batch_doubles_on_repeated_rows():
    import keras

    from traindoc.checks.batch_sum import sums_over_batch

    class Squared(keras.losses.Loss):
        def __init__(self, per_sample):
            super().__init__()
            self.per_sample = per_sample

        def call(self, y_true, y_pred):
            d = keras.ops.square(y_true - y_pred)
            return keras.ops.mean(d, axis=-1) if self.per_sample else keras.ops.sum(d)

    y = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    assert sums_over_batch(Squared(False), y, (3,))
    assert not sums_over_batch(Squared(True), y, (3,))
    assert not sums_over_batch(keras.losses.MeanSquaredError(), y, (3,))
    assert not sums_over_batch("mse", y, (3,))  # built-ins by name are means
    assert not sums_over_batch(Squared(False), y, None)  # no output shape measured: no verdict


# ---------------------------------------------------------------- torch loss settings

def _regress(loss_fn, lr=0.05):
    torch.manual_seed(0)
    x = torch.randn(2048, 12)
    y = x[:, :3] @ torch.randn(3, 3)
    model = torch.nn.Sequential(torch.nn.Linear(12, 64), torch.nn.ReLU(), torch.nn.Linear(64, 3))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for i in range(0, 2048, 64):
            opt.zero_grad()
            loss = loss_fn(model(x[i:i + 64]), y[i:i + 64])
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x[i:i + 64], targets=y[i:i + 64])
    return doc.findings


def test_torch_loss_summed_over_the_batch_leads_the_blow_up():
    found = _regress(lambda o, t: ((o - t) ** 2).sum())  # a sum over 64 rows x 3 outputs under SGD 0.05: NaN
    led = [f for f in found if f.evidence.get("config") == "loss-sums-batch"]
    assert led and led[0].id in ("nonfinite-origin", "nonfinite", "divergence") and ".mean()" in led[0].fixes[0]
    assert not _regress(lambda o, t: ((o - t) ** 2).mean())  # the mean trains cleanly: nothing to say


def test_torch_sum_probe_leaves_the_random_streams_alone():
    from traindoc.checks.batch_sum import torch_sums_over_batch

    o, y = torch.randn(16, 3), torch.randn(16, 3)
    noisy = lambda a, b: ((a - b + 0.1 * torch.randn_like(a)) ** 2).sum()  # noqa: E731  a loss that samples
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    torch_sums_over_batch(noisy, o, y)
    assert torch.equal(torch.rand(3), expected)
    assert torch_sums_over_batch(lambda a, b: ((a - b) ** 2).sum(), o, y)
    assert not torch_sums_over_batch(torch.nn.MSELoss(), o, y)
    assert not torch_sums_over_batch(torch.nn.Linear(3, 3), o, y)  # a module with weights is never called

def test_kl_div_mean_under_sgd():
    from torch import nn

    from traindoc.checks.torch_config import kl_mean_findings

    class Distill(nn.Module):
        def __init__(self, reduction):
            super().__init__()
            self.kl = nn.KLDivLoss(reduction=reduction)

        def forward(self, s, t):
            return self.kl(torch.log_softmax(s, 1), t)

    net = nn.Linear(4, 3)
    sgd = torch.optim.SGD(net.parameters(), lr=0.1)
    f = kl_mean_findings(Distill("mean"), sgd)
    assert f and f[0].id == "update-ratio" and "batchmean" in f[0].fixes[0]
    assert kl_mean_findings(Distill("batchmean"), sgd) == []
    assert kl_mean_findings(Distill("mean"), torch.optim.Adam(net.parameters())) == []  # Adam divides it out


def test_multilabel_margin_loss_given_multi_hot_rows():
    from torch import nn

    from traindoc.checks.margin_labels import multi_hot_index_findings

    multi_hot = torch.tensor([[1, 0, 1, 1, 0, 0], [0, 1, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0]])
    f = multi_hot_index_findings(nn.MultiLabelMarginLoss(), multi_hot)
    assert f and f[0].id == "label-problem" and "BCEWithLogitsLoss" in f[0].fixes[0]
    indices = torch.tensor([[0, 2, 3, -1, -1, -1], [1, 2, -1, -1, -1, -1], [3, -1, -1, -1, -1, -1]])
    assert multi_hot_index_findings(nn.MultiLabelMarginLoss(), indices) == []
    assert multi_hot_index_findings(nn.BCEWithLogitsLoss(), multi_hot.float()) == []


def test_bce_targets_in_percent_are_named_as_percent():
    from traindoc.checks.model_view import BINARY_CE, LossView
    from traindoc.checks.structure import Targets, target_findings

    rng = np.random.default_rng(0)
    view = LossView(BINARY_CE, True, "BCEWithLogitsLoss", "torch")
    pct = np.abs(rng.normal(5, 4, size=(64, 1))).clip(0.2, 30)
    f = target_findings(Targets.of(pct), view)
    assert f and f[0].id == "label-problem" and "percent" in f[0].title and "by 100" in f[0].fixes[0]
    amounts = np.abs(rng.normal(500, 300, size=(64, 1)))  # beyond 100: not a percentage, a regression
    g = target_findings(Targets.of(amounts), view)
    assert g and "percent" not in g[0].title and "regression" in g[0].fixes[0]


# ---------------------------------------------------------------- Keras loss reduction and focal loss

def test_keras_sum_reduction_leads_the_step_symptom():
    from traindoc.findings import Finding, Severity
    from traindoc.probes.integrations.keras import _attribute_settings

    def model(reduction):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        m.compile(optimizer="sgd", loss=keras.losses.MeanSquaredError(reduction=reduction))
        return m

    for reduction, named in (("sum", True), ("sum_over_batch_size", False)):
        f = Finding("divergence", Severity.ERROR, "the loss grew", causes=["lr too high"], fixes=["lower the lr"])
        _attribute_settings(model(reduction), [f])
        assert ("reduction='sum'" in f.causes[0]) is named
        assert ("sum_over_batch_size" in f.fixes[0]) is named


def test_categorical_focal_loss_read_as_categorical():
    from traindoc.checks.model_view import CATEGORICAL_CE, loss_view

    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss=keras.losses.CategoricalFocalCrossentropy())
    view = loss_view(None, m)
    assert view is not None and view.kind == CATEGORICAL_CE


def test_losses_listed_in_another_order_than_the_outputs():
    from keras import layers

    from traindoc.probes.integrations.keras_outputs import swapped_losses_finding

    def model(losses):
        inp = keras.Input((5,))
        h = layers.Dense(8, activation="relu")(inp)
        m = keras.Model(inp, [layers.Dense(3, activation="softmax", name="species")(h),
                              layers.Dense(1, name="weight")(h)])
        m.compile(optimizer="adam", loss=losses)
        return m

    f = swapped_losses_finding(model(["mse", "categorical_crossentropy"]))
    assert f is not None and f.id == "loss-metric-mismatch" and "order of the outputs" in f.fixes[0]
    assert swapped_losses_finding(model(["categorical_crossentropy", "mse"])) is None


def test_whole_model_frozen_before_fit():
    from keras import layers

    from traindoc.probes.integrations.keras_outputs import nothing_trainable_finding

    m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")])
    assert nothing_trainable_finding(m) is None
    m.trainable = False
    f = nothing_trainable_finding(m)
    assert f is not None and f.id == "frozen-parameters" and "trainable = True" in f.fixes[0]


def test_class_ids_under_a_kl_divergence():
    from keras import layers

    from traindoc.probes.integrations.keras_outputs import class_ids_to_distribution_loss

    m = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss=keras.losses.KLDivergence())
    ids = np.arange(40, dtype="float32").reshape(-1, 1) % 4
    f = class_ids_to_distribution_loss(m, ids)
    assert f is not None and f.id == "label-problem" and "sparse_categorical_crossentropy" in f.fixes[0]
    assert class_ids_to_distribution_loss(m, np.eye(4, dtype="float32")[ids[:, 0].astype(int)]) is None  # one-hot


def test_split_share_advice_follows_how_the_validation_set_was_given():
    from traindoc.checks.split_share import split_share_finding

    split = split_share_finding(80, 1700, [0.01, 0.005], [0.9, 1.2], 50.0, split=0.8)
    assert split is not None and "validation_split=0.0" in split.fixes[0]
    given = split_share_finding(80, 1700, [0.01, 0.005], [0.9, 1.2], 50.0, split=0.0)
    assert given is not None and "validation_split" not in given.fixes[0] and "validation_data" in given.causes[0]
    unknown = split_share_finding(80, 1700, [0.01, 0.005], [0.9, 1.2], 50.0)
    assert unknown is not None and "validation_split" in unknown.fixes[0]


def test_mean_loss_divided_by_the_batch_again():
    import torch.nn.functional as F
    from torch import nn

    from traindoc.checks.loss_identity import divided_by_batch_findings

    torch.manual_seed(0)
    out, y = torch.randn(64, 3), torch.randint(0, 3, (64,))
    net = nn.Linear(3, 3)
    sgd = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    f = divided_by_batch_findings(F.cross_entropy(out, y) / len(y), out, y, sgd)
    assert f and f[0].id == "update-ratio" and f[0].evidence["rows"] == 64
    assert divided_by_batch_findings(F.cross_entropy(out, y), out, y, sgd) == []  # the plain mean
    assert divided_by_batch_findings(F.cross_entropy(out, y) / 2, out, y, sgd) == []  # an accumulation count
    adam = torch.optim.Adam(net.parameters())
    assert divided_by_batch_findings(F.cross_entropy(out, y) / len(y), out, y, adam) == []  # Adam divides it out
