"""Logs that are not local files: an MLflow tracking server over REST, object stores through fsspec.

``is_remote(path)`` says whether a command-line PATH is one of these; ``load_remote(path)`` reads it
into Runs exactly as a local path would be read.
"""

from __future__ import annotations

from ..readers import LoadResult
from .mlflow_rest import is_mlflow_url, read_url


def is_remote(path: str) -> bool:
    from .fsspec_paths import is_fsspec_url

    text = str(path)
    return is_mlflow_url(text) or is_fsspec_url(text)


def load_remote(path: str) -> LoadResult:
    text = str(path)
    if is_mlflow_url(text):
        return LoadResult(runs=read_url(text))
    from .fsspec_paths import load_fsspec

    return load_fsspec(text)


__all__ = ["is_remote", "load_remote", "is_mlflow_url", "read_url"]
