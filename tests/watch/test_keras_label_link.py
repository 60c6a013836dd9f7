"""Labels not paired with their rows (x and y shuffled separately), named in a real Keras fit; the paired twin is clean."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.checks.label_link import label_link

keras = pytest.importorskip("keras")


def _data(seed=60, n=512):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, 3))).argmax(1)


def test_neighbours_share_labels_far_above_chance_only_when_labels_belong_to_rows():
    x, y = _data()
    paired = label_link(x[:128], y[:128])
    assert paired is not None and not paired.at_chance and paired.agreement > 0.5
    wild = label_link(x[:128], np.random.default_rng(1).permutation(y)[:128])
    assert wild is not None and wild.at_chance
    # A column in dollars does not decide the neighbours: features are standardised first.
    x2 = x.copy()
    x2[:, 7] = 5e4 + 1.5e4 * x2[:, 7]
    assert not label_link(x2[:128], y[:128]).at_chance
    assert label_link(x[:20], y[:20]) is None  # too few rows to tell


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the Keras callback's probes run on the torch backend")
@pytest.mark.parametrize("paired", [False, True])
def test_labels_shuffled_separately_are_named_in_a_fit(paired, tmp_path):
    import traindoc
    from traindoc.findings import Severity
    from traindoc.probes.integrations.keras import TraindocCallback

    x, y = _data()
    rng = np.random.default_rng(1)
    p = rng.permutation(len(y))
    q = p if paired else rng.permutation(len(y))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(32, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x[p], y[q], batch_size=32, epochs=8, verbose=0, validation_split=0.2, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    hits = [f for f in cb.findings if f.evidence.get("subject") == "label-alignment"]
    if paired:
        assert not hits and not [f for f in cb.findings + offline if f.severity >= Severity.WARNING]
    else:
        assert hits and hits[0].id == "label-problem" and "one permutation" in hits[0].fixes[0], \
            [f.id for f in cb.findings]
        assert cb.findings[0] is hits[0]
