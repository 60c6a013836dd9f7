"""``traindoc check FILE.py``: run the active debugging checks on the model a Python file defines.

The file convention (module-level ``model()``, ``loss_fn()``, ``batch()`` or ``loader()``,
optional ``optimizer(params)``) is documented in ``traindoc.checks.loader``.
"""

from __future__ import annotations

import json
import sys
import textwrap

import click

from . import main

_MARK = {True: "ok  ", False: "FAIL", None: "skip"}


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
        from ..reports.terminal import term_width

        width = term_width()

        def say(text: str, first: str = "", rest: str = "       ") -> None:
            for line in textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                                      break_long_words=False, break_on_hyphens=False) or [first]:
                click.echo(line)

        printed: set[tuple[str, str]] = set()
        for s in report.sections:
            say(f"[{_MARK[s.ok]}] {s.name}: {s.summary}")
            for line in s.lines:
                say(line, "       ", "         ")
            printed.add((s.summary, s.name))
        problems = report.findings
        if problems:
            click.echo("")
        for f in problems:
            # A section whose summary is this very title already said it: do not print the line twice.
            where = next((name for summary, name in printed if f.title and f.title in summary), None)
            head = f"the {where} check above" if where else f.title
            say(f"{f.severity.label.upper()} {f.id}: {head}", "", "    ")
            for c in f.causes[:3]:
                say(f"cause: {c}", "    ", "           ")
            for x in f.fixes[:3]:
                say(f"fix:   {x}", "    ", "           ")
    if strict and report.problems():
        sys.exit(1)
