"""Helpers shared by commands: loading paths and reporting unreadable files once each."""

from __future__ import annotations

import click

from ..errors import InputError, TraindocError
from ..readers import LoadResult, load


def columns_option(command):
    """``--columns epoch,loss,…``: the names of a header-less table's columns, for every command that reads logs."""
    return click.option("--columns", default=None, metavar="NAMES", callback=_check_columns,
                        help="Name the columns of a header-less table, in order (e.g. --columns epoch,loss,val_loss; "
                             "- skips a column). Each path must then be a file.")(command)


def _check_columns(_ctx, _param, value: str | None) -> list[str] | None:
    from ..readers import parse_names

    if value is None:
        return None
    try:
        return parse_names(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from None


def load_paths(paths, *, quiet: bool = False, jobs: int = 1, columns: list[str] | None = None) -> LoadResult:
    """Load every path; a bad file inside a directory is reported and the rest still read.

    A path given explicitly that cannot be read at all is fatal (InputError, exit 2). Remote paths
    (``mlflow+http://``, fsspec URLs) are read by ``traindoc.remote``; ``jobs > 1`` reads a folder's
    logs in that many processes (``traindoc.fleet``). ``columns`` names a header-less table's columns
    (each path a local file).
    """
    from ..remote import is_remote, load_remote

    total = LoadResult()
    for path in paths:
        if columns is not None:
            result = load(path, columns=columns)
        elif is_remote(path):
            result = load_remote(path)
        elif jobs > 1:
            from ..fleet import load_parallel

            result = load_parallel(path, jobs)
        else:
            result = load(path)
        total.runs.extend(result.runs)
        total.problems.extend(result.problems)
        total.skipped.extend(result.skipped)
    if not total.runs and len(total.problems) == 1:
        raise total.problems[0]  # one bad file and nothing else: say it once, as the error
    if not quiet:
        for problem in total.problems:
            click.echo(f"traindoc: warning: skipped {problem}", err=True)
        report_skipped(total.skipped)
    if not total.runs:
        if total.problems:
            raise InputError(paths[0], f"no readable training log ({len(total.problems)} file(s) could not be read)")
        raise InputError(paths[0], "no training logs found")
    return total


def require_extra(module: str, command: str, extra: str, package: str | None = None) -> None:
    """A missing optional dependency is one line naming the extra to install (exit 2), not a traceback."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise TraindocError(f"{command} needs {package or module}: pip install 'traindoc[{extra}]'") from None


SKIPPED_SHOWN = 20


def report_skipped(skipped: list[tuple[str, str]]) -> None:
    """Files a folder scan passed over (not a log, a FIFO, a link out of the tree): one line each on
    stderr, the first SKIPPED_SHOWN of them; ``--json`` lists them all."""
    for path, reason in skipped[:SKIPPED_SHOWN]:
        click.echo(f"traindoc: skipped {path}: {reason}", err=True)
    if len(skipped) > SKIPPED_SHOWN:
        click.echo(f"traindoc: skipped {len(skipped) - SKIPPED_SHOWN} more file(s) (--json lists them all)", err=True)
