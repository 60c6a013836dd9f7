"""Thin adapters that run ``traindoc.watch`` inside Lightning, Hugging Face and Keras.

Each module imports its framework only when it is imported itself.
"""
