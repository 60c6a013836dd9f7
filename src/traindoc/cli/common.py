"""Helpers shared by commands: loading paths and reporting unreadable files once each."""

from __future__ import annotations

import click

from ..errors import InputError
from ..readers import LoadResult, load


def load_paths(paths, *, quiet: bool = False, jobs: int = 1) -> LoadResult:
    """Load every path; a bad file inside a directory is reported and the rest still read.

    A path given explicitly that cannot be read at all is fatal (InputError, exit 2). Remote paths
    (``mlflow+http://``, fsspec URLs) are read by ``traindoc.remote``; ``jobs > 1`` reads a folder's
    logs in that many processes (``traindoc.fleet``).
    """
    from ..remote import is_remote, load_remote

    total = LoadResult()
    for path in paths:
        if is_remote(path):
            result = load_remote(path)
        elif jobs > 1:
            from ..fleet import load_parallel

            result = load_parallel(path, jobs)
        else:
            result = load(path)
        total.runs.extend(result.runs)
        total.problems.extend(result.problems)
    if not total.runs and len(total.problems) == 1:
        raise total.problems[0]  # one bad file and nothing else: say it once, as the error
    if not quiet:
        for problem in total.problems:
            click.echo(f"traindoc: warning: skipped {problem}", err=True)
    if not total.runs:
        if total.problems:
            raise InputError(paths[0], f"no readable training log ({len(total.problems)} file(s) could not be read)")
        raise InputError(paths[0], "no training logs found")
    return total
