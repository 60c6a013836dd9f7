"""The pure-numpy inference reproduces the bench's fitted models."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the scorer is a bench measurement, not a package module

from learned.features import NAMES
from learned.model import contributions, probability

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_learned_scorer", ROOT / "bench" / "learned_scorer.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_inference_matches_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression

    bench = _bench()
    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, len(NAMES))) * rng.uniform(0.1, 10, len(NAMES)) + rng.uniform(-5, 5, len(NAMES))
    y = (X[:, 0] / 3 + X[:, 1] + rng.standard_normal(400) > 0).astype(int)
    model = bench.fit_logistic(X, y)
    mu, sd = np.array(model["mean"]), np.array(model["scale"])
    ref = LogisticRegression(C=bench.C_L2, class_weight="balanced", max_iter=5000).fit(
        np.clip((X - mu) / sd, -5, 5), y)
    Xt = rng.standard_normal((50, len(NAMES))) * 4
    want = ref.predict_proba(np.clip((Xt - mu) / sd, -5, 5))[:, 1]
    assert np.allclose(probability(model, Xt), want, atol=1e-6)
    # the fitted model learned the planted signal
    assert probability(model, X)[y == 1].mean() > probability(model, X)[y == 0].mean() + 0.3


def test_contributions_add_up_to_the_logit():
    rng = np.random.default_rng(4)
    model = {"mean": rng.standard_normal(5).tolist(), "scale": rng.uniform(0.5, 2, 5).tolist(),
             "coef": rng.standard_normal(5).tolist(), "intercept": -0.7}
    x = rng.standard_normal(5)
    logit = float(np.sum(contributions(model, x)) + model["intercept"])
    assert probability(model, x)[0] == pytest.approx(1 / (1 + np.exp(-logit)))


def test_the_recorded_models_follow_the_feature_module():
    saved = json.loads((ROOT / "bench" / "learned_scorer_model.json").read_text())
    assert saved["features"] == NAMES
    for fam, m in saved["families"].items():
        assert len(m["coef"]) == len(m["mean"]) == len(m["scale"]) == len(NAMES), fam
        assert 0.0 < m["threshold"] <= 1.0
