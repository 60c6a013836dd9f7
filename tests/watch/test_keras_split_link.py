"""Validation-only failures told apart by the sampled rows (real Keras, torch backend): validation texts
encoded with a vocabulary refitted on them (training rows predict each other, not validation rows), and
texts cut so that the deciding token is gone (no row predicts another). Each names its own fix; the correct
twins stay clean."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

from traindoc.checks.split_link import split_link  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _labelled(findings):
    return [f for f in findings if f.id == "label-problem"]


def _vocab(rows):
    counts = {}
    for r in rows:
        for w in r:
            counts[w] = counts.get(w, 0) + 1
    return {w: i + 1 for i, w in enumerate(sorted(counts, key=lambda w: (-counts[w], w)))}


def _bag_program(refit):
    rng = np.random.default_rng(3)
    texts = rng.integers(0, 40, size=(640, 10))
    y = ((texts < 8).sum(1) >= (((texts >= 8) & (texts < 16)).sum(1))).astype("float32").reshape(-1, 1)
    words = [[f"w{t}" for t in r] for r in texts]
    train_vocab = _vocab(words[128:])
    val_vocab = _vocab(words[:128]) if refit else train_vocab
    enc = lambda rows, v: np.array([[v.get(w, 0) for w in r] for r in rows], dtype="int64")  # noqa: E731
    return enc(words[128:], train_vocab), y[128:], enc(words[:128], val_vocab), y[:128]


@pytest.mark.parametrize("refit", [True, False])
def test_validation_vocabulary_refitted(tmp_path, refit):
    keras.utils.set_random_seed(0)
    x, y, vx, vy = _bag_program(refit)
    m = keras.Sequential([keras.Input((10,), dtype="int64"), L.Embedding(41, 16), L.GlobalAveragePooling1D(),
                          L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, batch_size=32, epochs=8, verbose=0, validation_data=(vx, vy), callbacks=[cb])
    found = [f for f in _labelled(cb.doc.findings) if f.evidence.get("subject") == "validation-encoding"]
    if refit:
        assert found and "tokenizer vocabulary" in found[0].fixes[0], [(f.id, f.title) for f in cb.doc.findings]
    else:
        assert not _labelled(cb.doc.findings)


@pytest.mark.parametrize("keep_start", [False, True])
def test_truncation_that_cuts_the_deciding_token(tmp_path, keep_start):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    seqs = [rng.integers(1, 30, size=rng.integers(12, 25)) for _ in range(512)]
    y = np.array([s[0] < 15 for s in seqs], dtype="float32").reshape(-1, 1)
    x = np.stack([s[:10] if keep_start else s[-10:] for s in seqs]).astype("int64")
    m = keras.Sequential([keras.Input((10,), dtype="int64"), L.Embedding(30, 8), L.Flatten(),
                          L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, batch_size=32, epochs=8, verbose=0, validation_split=0.2, callbacks=[cb])
    found = _labelled(cb.doc.findings)
    if keep_start:
        assert not found
    else:
        assert found and "truncating='post'" in found[0].fixes[0], [(f.id, f.title) for f in cb.doc.findings]


def test_split_link_on_numeric_rows_with_another_column_order():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    y = x[:, 0].__gt__(0).astype("int64")
    same = split_link(x[:400], y[:400], x[400:], y[400:])
    swapped = split_link(x[:400], y[:400], x[400:, ::-1], y[400:])  # the validation columns in reverse order
    assert same is not None and not same.differs
    assert swapped is not None and swapped.differs
