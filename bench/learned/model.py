"""Pure-numpy inference of the logistic models ``bench/learned_scorer.py`` fits.

A model is plain data: the features' means and scales (standardisation), one coefficient per
feature and an intercept. ``probability`` reproduces scikit-learn's ``predict_proba`` of the
fitted model on the same (standardised, clipped to +-5) inputs.
"""

from __future__ import annotations

import numpy as np


def _z(model: dict, X: np.ndarray) -> np.ndarray:
    mu = np.asarray(model["mean"], dtype=float)
    sd = np.asarray(model["scale"], dtype=float)
    return np.clip((np.atleast_2d(np.asarray(X, dtype=float)) - mu) / sd, -5.0, 5.0)


def probability(model: dict, X: np.ndarray) -> np.ndarray:
    """P(problem of the model's family) for each row of X (features in ``features.NAMES`` order)."""
    logit = _z(model, X) @ np.asarray(model["coef"], dtype=float) + float(model["intercept"])
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -500.0, 500.0)))


def contributions(model: dict, x: np.ndarray) -> np.ndarray:
    """Each feature's share of the logit for one run (coefficient x standardised value)."""
    return _z(model, x)[0] * np.asarray(model["coef"], dtype=float)
