"""``traindoc report PATH... -o report.html`` and ``traindoc plot PATH -o curves.png``.

Thin: load the logs, diagnose each run, hand runs and findings to a renderer.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import InputError
from . import main
from .common import columns_option, load_paths


def _diagnosed(paths: tuple[str, ...], columns: list[str] | None = None):
    from ..reports.progress import progress_map, spinner
    from ..rules import diagnose_run

    with spinner("reading training logs"):
        loaded = load_paths(paths, columns=columns)
    return progress_map(lambda run: (run, diagnose_run(run)), loaded.runs, "diagnosing", label=lambda r: r.name)


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", default="traindoc-report.html", show_default=True, type=click.Path(),
              help="The HTML file to write.")
@columns_option
def report(paths: tuple[str, ...], output: str, columns: list[str] | None = None) -> None:
    """Write one self-contained HTML report (curves, findings, fixes) for the runs at PATHS."""
    from ..reports.html import write_report

    from ..reports.progress import spinner

    results = _diagnosed(paths, columns)
    with spinner(f"writing {output}"):
        path = write_report(output, results)
    click.echo(f"wrote {path} ({len(results)} run{'s' if len(results) != 1 else ''}, {_size(path)})")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "run"


@main.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", default="curves.png", show_default=True, type=click.Path(),
              help="The picture to write: .png or .svg.")
@columns_option
def plot(path: str, output: str, columns: list[str] | None = None) -> None:
    """Draw the annotated curves of the run at PATH as a PNG or SVG picture.

    When PATH holds several runs, each gets its own file named after the run.
    """
    from ..reports.png import SUFFIXES, write_plot

    out = Path(output)
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(out, "expected an output name ending in .png or .svg")
    results = _diagnosed((path,), columns)
    if len(results) == 1:
        targets = [out]
    else:
        names, targets = set(), []
        for i, (run, _) in enumerate(results):
            slug = _slug(run.name)
            slug = slug if slug not in names else f"{slug}-{i}"
            names.add(slug)
            targets.append(out.with_name(f"{out.stem}-{slug}{out.suffix}"))
    for target, (run, findings) in zip(targets, results):
        written = write_plot(target, run, findings)
        click.echo(f"wrote {written} ({run.name})")
