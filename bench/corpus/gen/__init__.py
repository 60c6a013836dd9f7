"""Helpers for make_corpus.py: synthetic data, tiny models, a training loop, log writers."""
