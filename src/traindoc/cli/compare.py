"""``traindoc compare RUN BASELINE`` (and ``diagnose RUN --baseline BASELINE``): what changed."""

from __future__ import annotations

import json
from typing import IO

import click

from ..errors import InputError
from ..findings import Finding
from ..run import Run
from . import main
from .common import load_paths


def compare_to_baseline(results: list[tuple[Run, list[Finding]]], baseline: str, as_json: bool,
                        stream: IO | None = None) -> list[dict]:
    """Compare every run with the one run at ``baseline``; print the comparison (on ``stream``, else
    stdout) unless ``as_json``."""
    from ..reports.compare import compare, render_comparison, to_json
    from ..reports.terminal import make_console, use_color
    from ..rules import diagnose_run

    base_runs = load_paths([baseline]).runs
    if len(base_runs) != 1:
        raise InputError(baseline, f"expected one baseline run, found {len(base_runs)}")
    base = base_runs[0]
    base_findings = diagnose_run(base)
    comparisons = [compare(run, fs, base, base_findings) for run, fs in results]
    if not as_json:
        console = make_console(stream)
        for c in comparisons:
            console.print()
            render_comparison(c, console, use_color(stream))
    return [to_json(c) for c in comparisons]


@main.command("compare")
@click.argument("run_path", type=click.Path())
@click.argument("baseline", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare_command(run_path: str, baseline: str, as_json: bool) -> None:
    """Say what changed from BASELINE to RUN_PATH: curves, final metrics, findings."""
    from ..rules import diagnose_run

    results = [(run, diagnose_run(run)) for run in load_paths([run_path]).runs]
    docs = compare_to_baseline(results, baseline, as_json)
    if as_json:
        click.echo(json.dumps({"comparisons": docs}, indent=2, allow_nan=False, default=str))
