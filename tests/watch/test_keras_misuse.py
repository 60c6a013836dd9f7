"""Keras misuse named with its fix, in a real Keras ``fit`` (torch backend): each buggy program beside a sound twin.

The checks read the compiled model, the batches ``fit`` hands to ``train_step`` and the other callbacks
of the same ``fit`` (keras_labels.py, keras_loop.py); every sound twin must stay silent.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _fit(model, x, y, logdir=None, callbacks=(), **kw):
    cb = TraindocCallback(logdir=str(logdir) if logdir else None, quiet=True)
    kw.setdefault("batch_size", 32)
    kw.setdefault("epochs", 3)
    model.fit(x, y, verbose=0, callbacks=[*callbacks, cb], **kw)
    return cb.doc.findings


def _about(findings, subject):
    return [f for f in findings if f.evidence.get("subject") == subject]


def _binary(n=256, d=6, seed=0, share=0.5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    score = x @ rng.normal(size=d)
    return x, (score > np.quantile(score, 1 - share)).astype("float32").reshape(-1, 1)


def _mlp(out, act, d=6, **out_kw):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((d,)), L.Dense(16, activation="relu"), L.Dense(out, activation=act, **out_kw)])


# ------------------------------------------------------------------ label coding vs the accuracy metric

@pytest.mark.parametrize("signed", [True, False])
def test_hinge_labels_coded_minus_one_break_the_accuracy(signed):
    x, y = _binary()
    m = _mlp(1, None)
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="hinge", metrics=["accuracy"])
    found = _about(_fit(m, x, 2 * y - 1 if signed else y), "label-coding")
    if signed:
        assert found and found[0].id == "loss-metric-mismatch"
        assert "0/1" in found[0].fixes[0] and "hinge" in found[0].fixes[0]
    else:
        assert not found  # 0/1 labels: Keras' hinge converts them, the accuracy reads them


# ------------------------------------------------------------------ per-position output with tiled labels

def _tokens(n=256, steps=10, vocab=20, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, size=(n, steps))
    return x.astype("int64"), (x == 3).any(axis=1).astype("float32")


def _seq_model(pool):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((10,), dtype="int64"), L.Embedding(20, 8),
                             *([L.GlobalAveragePooling1D()] if pool else []), L.Dense(8, activation="relu"),
                             L.Dense(1, activation="sigmoid")])


def test_labels_tiled_over_positions_name_the_missing_pooling():
    x, y = _tokens()
    m = _seq_model(pool=False)
    m.compile(optimizer="adam", loss="binary_crossentropy")
    found = _about(_fit(m, x, np.repeat(y[:, None], 10, 1)[..., None]), "tiled-labels")
    assert found and found[0].id == "label-problem" and "GlobalAveragePooling1D" in found[0].fixes[0]


def test_pooled_model_and_real_per_token_labels_are_clean():
    x, y = _tokens()
    m = _seq_model(pool=True)
    m.compile(optimizer="adam", loss="binary_crossentropy")
    assert not _about(_fit(m, x, y.reshape(-1, 1)), "tiled-labels")
    tagger = _seq_model(pool=False)  # a tagger: one label per token that changes along the sequence
    tagger.compile(optimizer="adam", loss="binary_crossentropy")
    assert not _about(_fit(tagger, x, (x == 3).astype("float32")[..., None]), "tiled-labels")


# ------------------------------------------------------------------ mask_zero over a real token

def _masked(vocab):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((10,), dtype="int64"), L.Embedding(vocab, 8, mask_zero=True),
                             L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")])


def test_mask_zero_on_ids_from_zero_names_the_shift():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 20, size=(256, 10)).astype("int64")
    m = _masked(20)
    m.compile(optimizer="adam", loss="binary_crossentropy")
    found = _about(_fit(m, x, (x == 0).any(axis=1).astype("float32")), "mask-zero")
    assert found and found[0].id == "label-problem"
    assert "mask_zero" in found[0].title and "input_dim=21" in found[0].fixes[0]


def test_mask_zero_over_trailing_padding_is_clean():
    rng = np.random.default_rng(2)
    x = rng.integers(1, 21, size=(256, 10)).astype("int64")
    lengths = rng.integers(3, 11, size=256)
    x[np.arange(10)[None, :] >= lengths[:, None]] = 0  # post-padding with id 0, as pad_sequences does
    m = _masked(21)
    m.compile(optimizer="adam", loss="binary_crossentropy")
    assert not _about(_fit(m, x, (x == 3).any(axis=1).astype("float32")), "mask-zero")


# ------------------------------------------------------------------ output bias against the class prior

@pytest.mark.parametrize("sign", [1.0, -1.0, 0.0])
def test_output_bias_with_the_log_odds_sign_flipped(sign):
    x, y = _binary(share=0.05)
    p = float(y.mean())
    m = _mlp(1, "sigmoid", bias_initializer=keras.initializers.Constant(sign * math.log((1 - p) / p)))
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    found = _about(_fit(m, x, y, epochs=2), "output-bias")
    if sign > 0:  # log(neg / pos): every row starts predicting the rare class
        assert found and found[0].id == "high-initial-loss" and found[0].evidence["flipped"]
        assert f"Constant({math.log(p / (1 - p)):.3g})" in found[0].fixes[0] or "Constant(-" in found[0].fixes[0]
    else:  # the prior's log-odds, or the default zero bias
        assert not found


# ------------------------------------------------------------------ class weights as raw counts

@pytest.mark.parametrize("opt,normalised,named", [("sgd", False, True), ("sgd", True, False), ("adam", False, False)])
def test_class_weights_as_raw_counts_under_sgd(opt, normalised, named):
    x, y = _binary(share=0.1)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    weights = {0: len(y) / (2 * n_neg), 1: len(y) / (2 * n_pos)} if normalised else {0: n_pos, 1: n_neg}
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(1e-3) if opt == "sgd" else keras.optimizers.Adam(1e-3),
              loss="binary_crossentropy")
    found = _about(_fit(m, x, y, class_weight=weights, epochs=2), "sample-weights")
    assert bool(found) == named
    if named:
        assert found[0].id == "class-imbalance" and "class_weight" in found[0].title
        assert "average to 1" in found[0].fixes[0]


def test_class_weighted_run_reports_no_negative_cross_entropy():
    """Keras' running mean is float32: a batch loss near zero, rebuilt from it, must not read as below zero."""
    x, y = _binary(share=0.05)
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="binary_crossentropy")
    found = _fit(m, x, y, class_weight={0: 13, 1: 243}, epochs=4)
    assert not [f for f in found if f.id == "label-problem" and "below zero" in f.title]


# ------------------------------------------------------------------ an early stop on a run still improving

@pytest.mark.parametrize("min_delta,named", [(0.5, True), (0.0, False)])
def test_early_stopping_min_delta_larger_than_the_gain(min_delta, named):
    x, y = _binary(n=512)
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.02), loss="binary_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=min_delta, patience=1)
    found = _about(_fit(m, x, y, callbacks=[stop], epochs=8), "early-stopping")
    assert bool(found) == named
    if named:
        assert found[0].id == "too-short" and "min_delta" in found[0].fixes[0]


# ------------------------------------------------------------------ weights reset at each epoch

class _Reset(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.start = [w.copy() for w in self.model.get_weights()]

    def on_epoch_begin(self, epoch, logs=None):
        if epoch:
            self.model.set_weights(self.start)


@pytest.mark.parametrize("reset", [True, False])
def test_weights_back_at_their_start_each_epoch(reset):
    x, y = _binary()
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy")
    found = _about(_fit(m, x, y, callbacks=[_Reset()] if reset else [], epochs=4), "weights-reset")
    assert bool(found) == reset
    if reset:
        assert found[0].evidence["reset_epochs"] == [1, 2, 3] and "once" in found[0].fixes[0]


# ------------------------------------------------------------------ a Dropout after the output layer

@pytest.mark.parametrize("after", [True, False])
def test_dropout_after_the_softmax_output(tmp_path, after):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x[:, :3]).argmax(1)
    keras.utils.set_random_seed(0)
    body = [keras.Input((6,)), L.Dense(16, activation="relu")]
    m = keras.Sequential(body + ([L.Dense(3, activation="softmax"), L.Dropout(0.5)] if after else
                                 [L.Dropout(0.5), L.Dense(3, activation="softmax")]))
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    live = _fit(m, x, y, logdir=tmp_path, epochs=2)
    found = _about(live, "layer-after-output")
    assert bool(found) == after
    if after:
        assert found[0].id == "wrong-output-activation" and found[0].fixes[0].startswith("Remove the Dropout")
        offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
        assert _about(offline, "layer-after-output")  # rebuilt from the log with the live words


# ------------------------------------------------------------------ per-batch losses of a short last batch

def test_batch_losses_use_each_batch_rows(tmp_path):
    """Keras averages the loss over rows; a last batch of 4 rows (100 = 3 x 32 + 4) is rebuilt exactly."""
    x, y = _binary(n=100)
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy")  # no update: fixed per-batch losses
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    want = [float(m.evaluate(x[i:i + 32], y[i:i + 32], verbose=0)) for i in range(0, 100, 32)]
    run = traindoc.load(str(tmp_path)).runs[0]
    got = list(run.series["train_loss"].values)
    assert len(got) == 4
    assert np.allclose(got, want, rtol=1e-4), (got, want)


# ------------------------------------------------------------------ sigmoid saturation, measured in the real forward

@pytest.mark.parametrize("scale,saturated", [(100.0, True), (1.0, False)])
def test_sigmoid_hidden_layer_saturation_is_measured_live(tmp_path, scale, saturated):
    """Raw inputs 100x too large pin a sigmoid hidden layer at 0/1; the output layer's sigmoid is never judged."""
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(512, 10)) * scale).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((10,)), L.Dense(32, activation="sigmoid"), L.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    live = _fit(m, x, y, logdir=tmp_path, epochs=2)
    run = traindoc.load(str(tmp_path)).runs[0]
    sat = sorted(k for k in run.series if k.startswith("sat_frac/"))
    assert sat == [f"sat_frac/{m.layers[0].name}"]  # the hidden layer only, not the output
    assert any(f.id == "saturated-activation" for f in live) == saturated


@pytest.mark.parametrize("inverted", [True, False])
def test_class_weights_that_favour_the_majority(inverted):
    x, y = _binary(share=0.1)
    share = float(y.mean())
    weights = {0: 1 - share, 1: share} if inverted else {0: 0.5 / (1 - share), 1: 0.5 / share}
    m = _mlp(1, "sigmoid")
    m.compile(optimizer="adam", loss="binary_crossentropy")
    found = _about(_fit(m, x, y, class_weight=weights, epochs=2), "class-weights-inverted")
    assert bool(found) == inverted
    if inverted:
        assert found[0].id == "class-imbalance" and "Invert" in found[0].fixes[0]


def test_early_stopping_mode_against_the_metric():
    """mode='min' on an accuracy counts every rise as a worsening: the run stops while it learns."""
    x, y = _binary(n=512)
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="accuracy", mode="min", patience=1)
    found = _about(_fit(m, x, y, callbacks=[stop], epochs=10), "early-stopping")
    assert found and found[0].id == "too-short" and "mode='max'" in found[0].fixes[0]


@pytest.mark.parametrize("first", [True, False])
def test_channels_first_images_into_a_channels_last_conv(first):
    rng = np.random.default_rng(4)
    img = rng.normal(size=(128, 16, 16, 3)).astype("float32")
    y = (img[:, :8].mean(axis=(1, 2, 3)) > 0).astype("float32")
    x = np.transpose(img, (0, 3, 1, 2)) if first else img
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(x.shape[1:]), L.Conv2D(4, 3, activation="relu"), L.GlobalAveragePooling2D(),
                          L.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    found = _about(_fit(m, x, y, epochs=1), "channels-first-input")
    assert bool(found) == first
    if first:
        assert "np.transpose(x, (0, 2, 3, 1))" in found[0].fixes[0]


def test_check_names_the_same_misuse_from_one_batch():
    """``traindoc.check`` on a compiled model and one batch: a Dropout after the output, labels tiled over positions."""
    from traindoc.checks import check

    x, y = _tokens()
    tiled = _seq_model(pool=False)
    tiled.compile(optimizer="adam", loss="binary_crossentropy")
    report = check(tiled, batch=(x[:64], np.repeat(y[:64, None], 10, 1)[..., None]), checks=["static"])
    assert any(f.evidence.get("subject") == "tiled-labels" for s in report.sections for f in s.findings)
    pooled = _seq_model(pool=True)
    pooled.compile(optimizer="adam", loss="binary_crossentropy")
    report = check(pooled, batch=(x[:64], y[:64].reshape(-1, 1)), checks=["static"])
    assert not [f for s in report.sections for f in s.findings if f.severity >= traindoc.Severity.WARNING]
    keras.utils.set_random_seed(0)
    drop = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax"),
                             L.Dropout(0.3)])
    drop.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    xs = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    report = check(drop, batch=(xs, xs[:, :3].argmax(1)), checks=["static"])
    assert any(f.evidence.get("subject") == "layer-after-output" for s in report.sections for f in s.findings)


@pytest.mark.parametrize("sequences", [True, False])
def test_regression_target_broadcast_over_an_lstm_s_positions(sequences):
    """MSE silently broadcasts (N, 1) targets over a (N, 10, 1) output: return_sequences on the last LSTM."""
    x, y = _tokens()
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((10,), dtype="int64"), L.Embedding(20, 8), L.LSTM(8, return_sequences=sequences),
                          L.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    found = _about(_fit(m, x, y.reshape(-1, 1), epochs=1), "tiled-labels")
    assert bool(found) == sequences
    if sequences:
        assert "return_sequences=False" in found[0].fixes[0]


@pytest.mark.parametrize("leak", [True, False])
def test_target_left_in_the_inputs(leak):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(256, 5)).astype("float32")
    y = (x @ np.array([1.0, -0.5, 0.2, 0.0, 0.3]) + 0.1 * rng.normal(size=256)).astype("float32")
    inputs = np.column_stack([x, 3 * y + 1]).astype("float32") if leak else x
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((inputs.shape[1],)), L.Dense(8, activation="relu"), L.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    found = _about(_fit(m, inputs, y.reshape(-1, 1), epochs=1), "target-leak")
    assert bool(found) == leak
    if leak:
        assert found[0].evidence["columns"] == [5] and "Drop column 5" in found[0].fixes[0]


def test_hand_smoothed_labels_read_zero_accuracy():
    """0.05/0.95 labels under binary cross-entropy: binary accuracy compares them with 0/1 and reads 0."""
    x, y = _binary()
    m = _mlp(1, "sigmoid")
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    found = _about(_fit(m, x, 0.05 + 0.9 * y, epochs=2), "label-coding")
    assert found and "label_smoothing=0.1" in found[0].fixes[0]


@pytest.mark.parametrize("mode,named", [("min", True), ("auto", False)])
def test_plateau_callback_cutting_the_rate_while_accuracy_rises(mode, named):
    x, y = _binary(n=512)
    m = _mlp(1, "sigmoid")
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="accuracy", mode=mode, factor=0.3, patience=1)
    found = _about(_fit(m, x, y, callbacks=[plateau], epochs=8), "reduce-lr-on-plateau")
    assert bool(found) == named
    if named:
        assert found[0].id == "lr-decay-too-fast" and "mode='max'" in found[0].fixes[0]


@pytest.mark.parametrize("min_delta,named", [(0.05, True), (1e-3, False)])
def test_plateau_min_delta_is_judged_by_what_the_callback_itself_counted(min_delta, named):
    """An absolute min_delta above every epoch's gain (never met after the first epoch) blinds the callback;
    one met for several epochs, then not as the gains slow, is the plateau the callback is for."""
    from traindoc.probes.integrations.keras_loop import plateau_finding

    losses = [0.06 * 0.6 ** e + 0.01 for e in range(16)]  # gains 0.024, 0.014, ..., 0.0011, then below 1e-3
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=2 if not named else 0,
                                                min_delta=min_delta)
    rate, rates, best, wait = 0.01, [], float("inf"), 0
    for v in losses:  # the callback's own rule, epoch by epoch
        if v < best - min_delta:
            best, wait = v, 0
        else:
            wait += 1
            if wait >= plateau.patience:
                rate, wait = rate * 0.1, 0
        rates.append(rate)
    assert rates[0] / rates[-1] >= 10  # both cut the rate 10x or more
    found = plateau_finding([plateau], [{"loss": v} for v in losses], rates, 16.0)
    assert (found is not None) == named
    if named:
        assert found.id == "lr-decay-too-fast" and "min_delta" in found.fixes[0]


# ------------------------------------------------------------------ an integer cast inside call() cuts the gradient

class _CastCodes(keras.Model):
    """Encoder -> (optionally) codes cast to int32 and back -> head: the cast has no gradient."""

    def __init__(self, cast: bool):
        super().__init__()
        self.enc, self.head, self.cast = L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid"), cast

    def call(self, x):
        h = self.enc(x) * 4.0
        if self.cast:
            h = keras.ops.cast(keras.ops.cast(h, "int32"), "float32")
        return self.head(h)


@pytest.mark.parametrize("cast", [True, False])
def test_an_integer_cast_inside_call_is_named_among_the_ways_no_gradient_reaches_a_layer(cast):
    x, y = _binary(n=512)
    keras.utils.set_random_seed(0)
    m = _CastCodes(cast)
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    frozen = [f for f in _fit(m, x, y, epochs=4) if f.id == "frozen-parameters"]
    if cast:
        assert frozen and "integer dtype" in " ".join(frozen[0].causes) and "int32" in " ".join(frozen[0].causes)
    else:
        assert not frozen
