"""``traindoc show PATH...``: what traindoc read, before it judges anything."""

from __future__ import annotations

import json
import sys

import click

from . import main
from .common import columns_option, load_paths


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@columns_option
def show(paths: tuple[str, ...], as_json: bool, columns: list[str] | None = None) -> None:
    """Show the runs, series, roles and value ranges found at PATHS (files or directories)."""
    from ..reports.progress import spinner

    with spinner("reading training logs"):
        loaded = load_paths(paths, columns=columns)
    if as_json:
        doc = {"runs": [{"source": r.source, "format": r.format, "name": r.name, "notes": r.meta.notes,
                         "series": [s.summary() for s in r.series.values()]} for r in loaded.runs]}
        from ..findings.finding import _plain  # NaN/Inf first/last values become "nan"/"inf", as in findings

        click.echo(json.dumps(_plain(doc), indent=2, allow_nan=False, default=str))
    else:
        from ..reports.show import render_show

        render_show(loaded.runs)
    if loaded.problems and not loaded.runs:
        sys.exit(2)
