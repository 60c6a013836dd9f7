"""``traindoc check FILE.py``: run the active debugging checks on the model a Python file defines.

The file convention (module-level ``model()``, ``loss_fn()``, ``batch()`` or ``loader()``,
optional ``optimizer(params)``) is documented in ``traindoc.checks.loader``.
"""

from __future__ import annotations

import json
import sys

import click

from . import main


@main.command()
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the sections and findings as JSON.")
@click.option("--only", "only", multiple=True,
              type=click.Choice(["static", "data", "init", "overfit-batch", "lr-range"]),
              help="Run only these checks (repeatable).")
@click.option("--steps", default=200, show_default=True, help="Step budget of the overfit-one-batch check.")
@click.option("--strict", is_flag=True, help="Exit 1 when any check raises a warning or error.")
def check(file: str, as_json: bool, only: tuple[str, ...], steps: int, strict: bool) -> None:
    """Overfit one batch, LR range test, initialisation, data and static checks for FILE.py."""
    from ..checks import check as run_checks
    from ..checks.loader import load_setup

    from ..reports.progress import spinner

    setup = load_setup(file)
    with spinner("running checks (overfit one batch, LR range test, ...)"):
        report = run_checks(setup.model, setup.batch, setup.loss_fn, setup.optimizer_factory, setup.loader,
                            checks=only or None, steps=steps)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, allow_nan=False, default=str))
    else:
        click.echo(report.to_text())
    if strict and report.problems():
        sys.exit(1)
