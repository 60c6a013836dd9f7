"""Settings that leave the weights (almost) unmoved, in a real Keras ``fit`` (torch backend): a schedule
that returns a learning rate of 0, gradient accumulation over more batches than the run has. Each is named
with its fix ahead of the flat-loss symptom; the correct twin stays clean."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.checks.structure import lead_with_causes  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _data(n=384, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, x[:, :3].argmax(1).astype("int64")


def _run(tmp_path, optimizer, callbacks=(), epochs=6):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = _data()
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[*callbacks, cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return lead_with_causes(cb.doc.findings + offline)


def _warnings(findings):
    return [f for f in findings if f.severity >= traindoc.Severity.WARNING]


def test_a_schedule_that_returns_zero_is_named_first(tmp_path):
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * min(1.0, epoch / 3))
    found = _warnings(_run(tmp_path, keras.optimizers.Adam(1e-2), [sched]))
    assert found and found[0].id == "update-ratio" and "exactly 0" in found[0].title, [(f.id, f.title) for f in found]
    assert "LearningRateScheduler" in found[0].fixes[0]


def test_a_warm_up_from_a_base_rate_is_clean(tmp_path):
    sched = keras.callbacks.LearningRateScheduler(lambda epoch: 1e-2 * min(1.0, (epoch + 1) / 3))
    assert not _warnings(_run(tmp_path, keras.optimizers.Adam(1e-2), [sched]))


def test_accumulation_over_more_batches_than_the_run_is_named(tmp_path):
    found = _warnings(_run(tmp_path, keras.optimizers.Adam(1e-2, gradient_accumulation_steps=64)))
    acc = [f for f in found if "gradient_accumulation_steps=64" in f.title]
    assert acc and found[0] is acc[0], [(f.id, f.title) for f in found]
    assert "Remove gradient_accumulation_steps" in acc[0].fixes[0]


def test_small_accumulation_is_clean(tmp_path):
    assert not _warnings(_run(tmp_path, keras.optimizers.Adam(1e-2, gradient_accumulation_steps=2), epochs=10))


def test_few_accumulated_updates_that_halved_the_loss_on_noisy_labels_are_clean(tmp_path):
    # heldout29 adam-accumulation-steps-given-batch-size, fixed twin: 4 batches per update leave under 100
    # updates, yet the loss more than halved; a training accuracy under 0.9 is the noisy labels' ceiling.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(560, 8)).astype("float32")
    y = x[:, :6].argmax(1).astype("int64")
    noisy = rng.random(y.size) < 0.15
    y[noisy] = rng.integers(0, 6, noisy.sum())
    m = keras.Sequential([keras.Input((8,)), L.Dense(64, activation="relu"), L.Dense(64, activation="relu"),
                          L.Dense(6)])
    m.compile(optimizer=keras.optimizers.Adam(1e-2, gradient_accumulation_steps=4),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    hist = m.fit(x, y, batch_size=16, epochs=10, verbose=0, callbacks=[cb])
    assert hist.history["accuracy"][-1] < 0.9
    acc = [f for f in cb.doc.findings if "gradient_accumulation_steps" in f.title]
    assert not acc, [(f.id, f.title, f.evidence) for f in acc]


class _AverageBack(keras.callbacks.Callback):
    """An average of the weights (its memory ``decay``), set back into the model after every batch when asked."""

    def __init__(self, decay, write_back):
        super().__init__()
        self.decay, self.write_back, self.avg = decay, write_back, None

    def on_train_batch_end(self, batch, logs=None):
        w = self.model.get_weights()
        self.avg = w if self.avg is None else [self.decay * a + (1 - self.decay) * b for a, b in zip(self.avg, w)]
        if self.write_back:
            self.model.set_weights(self.avg)


@pytest.mark.parametrize("write_back", [True, False])
def test_weights_written_back_after_every_batch_are_named(tmp_path, write_back):
    found = _warnings(_run(tmp_path, keras.optimizers.Adam(1e-2), [_AverageBack(1.0 if write_back else 0.9,
                                                                                 write_back)], epochs=8))
    undone = [f for f in found if f.evidence.get("subject") == "undone-updates"]
    assert bool(undone) == write_back, [(f.id, f.title) for f in found]
    if undone:
        assert undone[0].id == "update-ratio" and "overwrites the weights" in undone[0].fixes[0]
