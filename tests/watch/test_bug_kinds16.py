"""Session 14's bug classes: class ids regressed by every one of K scores (read from the loss the first step
computed, and from a Keras model's compiled loss), and a gradient that decays layer after layer through a deep
stack. The live tests train real tiny models next to their correct twins; the rule tests use synthetic runs.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from traindoc.checks.loss_identity import class_ids_regressed_findings  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.rules import RULES  # noqa: E402
from traindoc.run import Role, Run, Series  # noqa: E402


def _classes(n=384, d=6, k=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x @ torch.randn(d, k, generator=g)).argmax(1)


def _mlp(d=6, k=4):
    return nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, k))


# ---------------------------------------------------------------- class ids regressed by K scores

@pytest.mark.parametrize("reduce", ["mean", "sum", "rows"])
def test_regression_losses_of_the_class_id_are_recognised_whatever_the_reduction(reduce):
    g = torch.Generator().manual_seed(1)
    out, y = torch.randn(32, 5, generator=g), torch.randint(0, 5, (32,), generator=g)
    col = y.float().unsqueeze(1)
    for fn in (F.mse_loss, F.l1_loss, F.smooth_l1_loss):
        value = fn(out, col.expand_as(out), reduction="sum" if reduce != "mean" else "mean")
        value = value / 32 if reduce == "rows" else value
        found = class_ids_regressed_findings(float(value), out, y)
        assert found and found[0].id == "loss-metric-mismatch" and "CrossEntropyLoss" in found[0].fixes[0]


def test_losses_that_score_the_class_are_not_taken_for_regressed_ids():
    g = torch.Generator().manual_seed(2)
    out, y = torch.randn(32, 5, generator=g), torch.randint(0, 5, (32,), generator=g)
    assert class_ids_regressed_findings(float(F.cross_entropy(out, y)), out, y) == []
    onehot = F.one_hot(y, 5).float()  # a squared error on one-hot rows is a choice, not this bug
    assert class_ids_regressed_findings(float(F.mse_loss(out, onehot)), out, y) == []
    counts = y.float() * 3 + 7  # whole numbers beyond the outputs: not class ids of these scores
    value = float(F.mse_loss(out, counts.unsqueeze(1).expand_as(out)))
    assert class_ids_regressed_findings(value, out, counts) == []


def test_mse_on_class_ids_is_named_live_and_cross_entropy_is_quiet(fit):
    torch.manual_seed(0)
    x, y = _classes()
    found = fit(_mlp(), lambda out, t: F.mse_loss(out, t.float().unsqueeze(1)), x, y)
    named = [f for f in found if f.evidence.get("subject") == "loss.class-ids-regressed"]
    assert named and named[0].severity == Severity.WARNING and named[0].evidence["classes"] == 4
    torch.manual_seed(0)
    assert not [f for f in fit(_mlp(), nn.CrossEntropyLoss(), x, y) if f.severity >= Severity.WARNING]


def test_keras_scores_under_mse_on_an_id_column_are_named():
    keras = pytest.importorskip("keras")
    import numpy as np

    from traindoc.checks.structure import structure_findings

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=(256, 1)).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse")
    found = [f for f in structure_findings(model, None, y) if f.id == "loss-metric-mismatch"]
    assert found and "sparse_categorical_crossentropy" in found[0].fixes[0]
    onehot = np.eye(4, dtype="float32")[y[:, 0].astype(int)]  # one-hot rows under mse: not this bug
    assert not [f for f in structure_findings(model, None, onehot) if f.id == "loss-metric-mismatch"]
    wide = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])  # ids 0-3 beyond three outputs
    wide.compile(optimizer="adam", loss="mse")
    assert not [f for f in structure_findings(wide, None, y) if f.id == "loss-metric-mismatch"]


# ---------------------------------------------------------------- a gradient that decays through the depth

def _grads(values):
    run = Run(name="r", source="mem", format="test")
    steps = [1, 2, 3, 4, 5]
    for i, v in enumerate(values):
        run.add(Series.named(f"grad_norm/{2 * i}", steps, [v] * 5, role=Role.LAYER_STAT))
    return list(RULES["vanishing-gradients"].func(run))


def test_a_steady_decay_through_a_deep_stack_is_vanishing_before_it_reaches_1000x():
    decay = [0.2 * 0.6 ** (12 - i) for i in range(13)]  # 0.6x per layer: the first at 1/460 of the last
    found = _grads(decay)
    assert found and found[0].evidence["per_layer_factor"] == pytest.approx(0.6, rel=0.01)
    assert "ReLU instead of sigmoid" in found[0].fixes[0] and "xavier" in found[0].fixes[1]


def test_uneven_or_shallow_gradients_are_not_a_steady_decay():
    # the same 1/460 end to end, but up and down between layers (embeddings, attention blocks, norms)
    uneven = [0.2 * 0.6 ** (12 - i) * (8 if i % 2 else 1) for i in range(12)] + [0.2]
    assert _grads(uneven) == []
    assert _grads([0.2 * 0.3 ** (4 - i) for i in range(5)]) == []  # five layers, 1/120: too few for a decay
    assert _grads([0.2 * 0.8 ** (12 - i) for i in range(13)]) == []  # 0.8x per layer: 1/15 end to end


# ---------------------------------------------------------------- convolutions given no activation

def test_a_convolution_stack_without_activation_is_one_linear_map():
    from traindoc.checks.linear_stack import linear_stack_findings

    found = linear_stack_findings(nn.Sequential(nn.Conv1d(1, 8, 3), nn.Conv1d(8, 8, 3), nn.AdaptiveAvgPool1d(1),
                                                nn.Flatten(), nn.Linear(8, 1)))
    assert found and found[0].id == "linear-network" and "nn.ReLU() after each hidden nn.Conv1d" in found[0].fixes[0]
    # an activation, or a max pool (not linear), anywhere: not judged
    assert not linear_stack_findings(nn.Sequential(nn.Conv1d(1, 8, 3), nn.ReLU(), nn.Conv1d(8, 8, 3),
                                                   nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 1)))
    assert not linear_stack_findings(nn.Sequential(nn.Conv1d(1, 8, 3), nn.MaxPool1d(2), nn.Conv1d(8, 8, 3),
                                                   nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 1)))


def test_keras_conv_layers_left_linear_are_named_with_their_kind():
    keras = pytest.importorskip("keras")
    from traindoc.checks.linear_stack import linear_stack_findings

    def net(act):
        return keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(4, 3, activation=act),
                                 keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")])
    found = linear_stack_findings(net(None))
    assert found and "activation='relu' to the hidden Conv2D layers" in found[0].fixes[0]
    assert not linear_stack_findings(net("relu"))


# ---------------------------------------------------------------- every token encoded as one id

class _Bag(nn.Module):
    def __init__(self, n=20):
        super().__init__()
        self.emb, self.out = nn.Embedding(n, 8), nn.Linear(8, 2)

    def forward(self, ids):
        return self.out(self.emb(ids).mean(1))


def test_texts_encoded_to_one_id_are_named_live_and_real_ids_are_not(fit):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(1, 20, (256, 8), generator=g)
    y = (ids < 5).any(1).long()  # a word among ids 1-4 decides the label
    torch.manual_seed(0)
    found = fit(_Bag(), nn.CrossEntropyLoss(), torch.zeros_like(ids), y)  # every word missed: all id 0
    named = [f for f in found if f.evidence.get("subject") == "token-ids-one"]
    assert named and named[0].id == "label-problem" and "word-to-index" in named[0].fixes[0]
    torch.manual_seed(0)
    assert not [f for f in fit(_Bag(), nn.CrossEntropyLoss(), ids, y) if f.evidence.get("subject") == "token-ids-one"]


def test_constant_inputs_read_as_token_ids_only_for_a_model_with_an_embedding():
    import numpy as np

    from traindoc.checks.input_content import constant_inputs_finding

    ones = np.ones((64, 10), dtype="int64")
    assert constant_inputs_finding(ones, token_ids=True).evidence["subject"] == "token-ids-one"
    assert constant_inputs_finding(ones).id == "unnormalized-input"  # pixels cast to integers: the scaling
    assert constant_inputs_finding(np.arange(640).reshape(64, 10), token_ids=True) is None


# ---------------------------------------------------------------- packed sequences that hold only padding

class _Packed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb, self.rnn, self.out = nn.Embedding(30, 8, padding_idx=0), nn.GRU(8, 12, batch_first=True), nn.Linear(12, 2)

    def forward(self, ids):
        lengths = (ids != 0).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(ids), lengths, batch_first=True, enforce_sorted=False)
        return self.out(self.rnn(packed)[1][-1])


@pytest.mark.parametrize("front", [True, False])
def test_packing_front_padded_rows_is_named_and_end_padding_is_not(fit, front):
    g = torch.Generator().manual_seed(4)
    ids = torch.zeros(256, 16, dtype=torch.long)
    lengths = torch.randint(3, 6, (256,), generator=g)
    for i, n in enumerate(lengths.tolist()):
        words = torch.randint(1, 30, (n,), generator=g)
        if front:
            ids[i, 16 - n:] = words
        else:
            ids[i, :n] = words
    y = (ids == 7).any(1).long()
    torch.manual_seed(0)
    named = [f for f in fit(_Packed(), nn.CrossEntropyLoss(), ids, y)
             if f.evidence.get("subject", "").startswith("packed-padding")]
    assert bool(named) == front
    if front:
        assert "post-padding" in named[0].fixes[0] and named[0].evidence["same_share"] >= 0.9


# ---------------------------------------------------------------- EmbeddingBag offsets that miss the flat ids

class _FlatBag(nn.Module):
    def __init__(self, real_only: bool):
        super().__init__()
        self.bag, self.out, self.real_only = nn.EmbeddingBag(30, 8, mode="mean"), nn.Linear(8, 2), real_only

    def forward(self, ids):
        real = ids != 0
        flat = ids[real] if self.real_only else ids.reshape(-1)
        lengths = real.sum(1)
        return self.out(self.bag(flat, torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])))


@pytest.mark.parametrize("real_only", [False, True])
def test_bag_offsets_counting_only_real_tokens_of_a_padded_flat_batch_are_named(fit, real_only):
    g = torch.Generator().manual_seed(5)
    ids = torch.zeros(256, 12, dtype=torch.long)
    for i, n in enumerate(torch.randint(3, 7, (256,), generator=g).tolist()):
        ids[i, :n] = torch.randint(1, 30, (n,), generator=g)
    y = (ids == 3).any(1).long()
    torch.manual_seed(0)
    named = [f for f in fit(_FlatBag(real_only), nn.CrossEntropyLoss(), ids, y)
             if f.evidence.get("subject", "").startswith("bag-offsets")]
    assert bool(named) == (not real_only)
    if named:
        assert named[0].evidence["last_bag"] > 8 * named[0].evidence["median_bag"]


# ---------------------------------------------------------------- a cross-entropy of class ids below zero

def test_a_negative_cross_entropy_of_valid_class_ids_names_a_subtracted_term(fit):
    torch.manual_seed(0)
    x, y = _classes()
    model = _mlp()

    def penalised(out, t):  # an L1 penalty subtracted, as a log-posterior writes it
        return F.cross_entropy(out, t) - 0.05 * sum(p.abs().sum() for p in model.parameters())

    found = fit(model, penalised, x, y, epochs=6)
    named = [f for f in found if f.evidence.get("subject") == "loss.sign-of-a-term"]
    assert named and named[0].id == "loss-metric-mismatch" and "Add the penalty" in named[0].fixes[0]
    assert not [f for f in found if f.id == "label-problem" and "below zero" in f.title]


def test_a_negative_cross_entropy_of_soft_targets_still_names_the_targets(fit):
    torch.manual_seed(0)
    x, y = _classes()
    soft = F.one_hot(y, 4).float() * 2 - 0.5  # rows with negative entries that do not sum to 1
    found = fit(_mlp(), nn.CrossEntropyLoss(), x, soft, epochs=6)
    assert not [f for f in found if f.evidence.get("subject") == "loss.sign-of-a-term"]
    assert [f for f in found if f.id == "label-problem"]


# ---------------------------------------------------------------- a hand-written backward that breaks the chain rule

class _LeakyFn(torch.autograd.Function):
    chain = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, 0.1 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        slope = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.1))
        return grad_output * slope if _LeakyFn.chain else slope


class _CustomNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.out = nn.Linear(6, 32), nn.Linear(32, 4)

    def forward(self, x):
        return self.out(_LeakyFn.apply(self.a(x)))


def test_custom_functions_are_found_in_the_graph_without_computing():
    from traindoc.checks.custom_backward import custom_functions

    x = torch.randn(8, 6)
    assert custom_functions(_CustomNet()(x).sum()) == ["_LeakyFn"]
    assert custom_functions(_mlp()(x).sum()) == []


@pytest.mark.parametrize("chain", [False, True])
def test_a_flat_loss_through_a_custom_backward_names_it_and_a_correct_one_is_quiet(fit, chain):
    _LeakyFn.chain = chain
    try:
        torch.manual_seed(0)
        x, y = _classes()
        found = fit(_CustomNet(), nn.CrossEntropyLoss(), x, y, epochs=6)
    finally:
        _LeakyFn.chain = True
    named = [f for f in found if f.evidence.get("subject") == "custom-backward"]
    assert bool(named) == (not chain)
    if named:
        assert "grad_output" in named[0].fixes[0] and named[0].evidence["functions"] == ["_LeakyFn"]


# ---------------------------------------------------------------- a top-k accuracy with k >= the classes

@pytest.mark.parametrize("k", [1, 4])
def test_a_top_k_accuracy_over_all_classes_is_named_through_the_keras_callback(tmp_path, k):
    keras = pytest.importorskip("keras")
    import numpy as np

    import traindoc
    from traindoc.probes.integrations.keras import TraindocCallback

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 4))).argmax(1)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=k, name="acc")])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    for found in (cb.findings, offline):  # live, and rebuilt from the log
        named = [f for f in found if f.id == "misleading-accuracy" and "top-" in f.title + " ".join(f.causes)]
        assert bool(named) == (k == 4)


class _SparseGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn, self.out = nn.GRU(3, 16, batch_first=True), nn.Linear(16, 2)

    def forward(self, x):
        lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        return self.out(self.rnn(packed)[1][-1])


def test_mostly_empty_packed_steps_of_a_run_that_learns_are_not_named(fit):
    # sparse event sequences: 95% of the steps are all-zero vectors, yet the run learns (the count of events)
    g = torch.Generator().manual_seed(6)
    x = torch.zeros(256, 40, 3)
    events = torch.rand(256, 40, generator=g) < 0.05
    x[events] = 1.0
    y = (events.sum(1) > 2).long()
    torch.manual_seed(0)
    found = fit(_SparseGRU(), nn.CrossEntropyLoss(), x, y, epochs=8, lr=3e-2)
    assert not [f for f in found if f.evidence.get("subject", "").startswith("packed-padding")]


def test_one_type_id_beside_a_varied_vocabulary_is_not_a_failed_lookup():
    # BERT-style: word ids vary, token_type_ids are all 0 for single sentences (a 2-row table)
    from traindoc.checks.embedding_ids import _summary, clamped_ids_findings

    words = torch.randint(5, 200, (8, 16))
    seen = {"embeddings.word_embeddings": {**_summary(words, 200, 0), "kind": "Embedding"},
            "embeddings.token_type_embeddings": {**_summary(torch.zeros(8, 16, dtype=torch.long), 2, None),
                                                 "kind": "Embedding"}}
    assert not clamped_ids_findings(seen)
    seen["embeddings.word_embeddings"] = {**_summary(torch.full((8, 16), 1), 200, 0), "kind": "Embedding"}
    found = clamped_ids_findings(seen)
    assert found and "word_embeddings" in found[0].title
