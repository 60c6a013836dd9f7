"""Data causes read from the rows ``fit`` hands to ``train_step`` (real Keras, torch backend): a training set
that is one batch of rows repeated, a frozen pretrained embedding filled one row off. Each is named as the
cause with its fix when the run agrees; the correct twin stays clean."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

from traindoc.checks.embedding_rows import shifted_rows  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _fit(model, x, y, tmp_path, **fit):
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, verbose=0, callbacks=[cb], **fit)
    return cb.doc.findings


def _subject(findings, subject):
    return [f for f in findings if f.evidence.get("subject") == subject]


@pytest.mark.parametrize("repeated", [True, False])
def test_one_batch_repeated_as_the_training_set(tmp_path, repeated):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x[:, :3] + 0.5 * rng.normal(size=(512, 3))).argmax(1).astype("int64")
    xt, yt = x[128:], y[128:]
    idx = np.concatenate([np.arange(0, 32) if repeated else np.arange(i, min(i + 32, len(xt)))
                          for i in range(0, len(xt), 32)])
    m = keras.Sequential([keras.Input((8,)), L.Dense(32, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    found = _subject(_fit(m, xt[idx], yt[idx], tmp_path, epochs=8, validation_data=(x[:128], y[:128])),
                     "repeated-rows")
    if repeated:
        assert found and found[0].id == "overfitting" and "x[i:i + 32]" in found[0].fixes[0]
    else:
        assert not found


def _texts(shift, n=384, words=30, seed=0):
    rng = np.random.default_rng(seed)
    sentiment = rng.normal(size=words + 1)
    vectors = np.concatenate([sentiment[:, None], rng.normal(scale=0.3, size=(words + 1, 3))], 1).astype("float32")
    ids = rng.integers(1, words + 1, size=(n, 6)).astype("int64")
    y = (sentiment[ids].sum(1) > 0).astype("float32").reshape(-1, 1)
    matrix = np.zeros_like(vectors)
    for i in range(1, len(vectors)):
        matrix[i - 1 if shift else i] = vectors[i]
    return ids, y, matrix


@pytest.mark.parametrize("shift", [True, False])
def test_frozen_embedding_filled_one_row_off(tmp_path, shift):
    keras.utils.set_random_seed(0)
    ids, y, matrix = _texts(shift)
    emb = L.Embedding(len(matrix), matrix.shape[1], trainable=False)
    m = keras.Sequential([keras.Input((6,), dtype="int64"), emb, L.GlobalAveragePooling1D(),
                          L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")])
    emb.set_weights([matrix])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    found = _subject(_fit(m, ids, y, tmp_path, epochs=3), "embedding-rows")
    if shift:
        assert found and "matrix[i] = vectors[word]" in found[0].fixes[0]
    else:
        assert not found


def test_shift_evidence_needs_an_unused_filled_row_zero():
    m = np.ones((5, 2))
    m[4] = 0
    assert shifted_rows(m, np.array([1, 2, 3, 4])) is not None
    assert shifted_rows(m, np.array([0, 1, 2, 4])) is None  # id 0 is a real token here
    m[0] = 0
    assert shifted_rows(m, np.array([1, 2, 3, 4])) is None  # padding row empty: a word without a vector is OOV


def _patches(n, seed, where):
    """8x8 images, class = where a bright 3x3 patch sits (``where``: corner offsets per class), plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.2, size=(n, 8, 8, 1)).astype("float32")
    y = rng.integers(0, len(where), size=n)
    for i, c in enumerate(y):
        r, col = where[c]
        x[i, r:r + 3, col:col + 3, 0] += 1.0
    return x, y.astype("int64")


@pytest.mark.parametrize("flip", [True, False])
def test_a_flip_that_swaps_left_and_right_classes(tmp_path, flip):
    keras.utils.set_random_seed(0)
    x, y = _patches(384, 0, [(0, 0), (0, 5), (5, 2)])  # top-left, top-right, bottom-middle
    aug = [L.RandomFlip("horizontal", seed=1)] if flip else []
    m = keras.Sequential([keras.Input((8, 8, 1)), *aug, L.Flatten(), L.Dense(16, activation="relu"),
                          L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    found = _subject(_fit(m, x, y, tmp_path, epochs=3), "augmentation")
    if flip:
        assert found and found[0].id == "label-problem" and "Remove RandomFlip" in found[0].fixes[0]
    else:
        assert not found


def test_a_flip_that_keeps_the_class_keeps_neighbours():
    from traindoc.checks.augment_labels import label_agreement

    x, y = _patches(384, 1, [(0, 2), (5, 2)])  # top vs bottom: a horizontal flip keeps the class
    flipped = x.copy()
    flipped[::2] = x[::2, :, ::-1]
    ev = label_agreement(x, flipped, y)
    assert ev is not None and ev["unaltered_agreement"] - ev["altered_agreement"] < 0.1


def test_a_failing_judgement_is_reported_once_and_only_it_is_off(tmp_path, monkeypatch):
    import traindoc.checks.augment_labels as aug

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(aug, "augmentation_finding", broken)
    keras.utils.set_random_seed(0)
    x, y = _patches(384, 0, [(0, 0), (0, 5), (5, 2)])
    m = keras.Sequential([keras.Input((8, 8, 1)), L.RandomFlip("horizontal", seed=1), L.Flatten(),
                          L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])  # training finishes
    assert "augmentation" in cb.doc.guard.disabled and "checks" not in cb.doc.guard.disabled
