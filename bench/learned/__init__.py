"""Run-level scoring over many numbers of a run's own curves (see ``features``).

``features.run_features`` turns a Run into a fixed vector of named numbers (pure numpy);
``model`` reads committed logistic-regression coefficients and scores that vector. Both are
measured by ``bench/learned_scorer.py``, out of fold, against the hand labels of the dev corpus.
"""

from .features import FEATURES, feature_vector, run_features

__all__ = ["FEATURES", "feature_vector", "run_features"]
