"""``traindoc demo``: the product on bundled runs, so a new user sees it work in one command."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from . import main
from .common import load_paths

_INTRO = """traindoc demo: three real training runs logged by Lightning's CSVLogger, bundled with traindoc
(a healthy classifier, one that overfits a tiny training set, one whose learning rate is too high).
Equivalent commands on your own logs:  traindoc show PATH  ·  traindoc diagnose PATH  ·  traindoc report PATH
"""


def demo_dir() -> Path:
    """Where the bundled example runs live inside the installed package."""
    return Path(str(resources.files("traindoc") / "examples" / "demo"))


@main.command()
@click.option("-o", "--report", "report_path", type=click.Path(dir_okay=False), default="traindoc-demo.html",
              show_default=True, help="Where to write the HTML report of the demo runs.")
@click.option("--no-report", is_flag=True, help="Do not write the HTML report.")
def demo(report_path: str, no_report: bool) -> None:
    """Diagnose the bundled example runs and write their HTML report."""
    from ..reports.show import render_show
    from .diagnose import diagnose_all, write_html

    click.echo(_INTRO)
    loaded = load_paths([str(demo_dir())])
    click.secho("1. What traindoc read (traindoc show)", bold=True)
    render_show(loaded.runs[:1])
    click.echo(f"   … and {len(loaded.runs) - 1} more run(s).\n")
    click.secho("2. The diagnosis (traindoc diagnose)", bold=True)
    results = diagnose_all(loaded.runs)
    from ..reports.terminal import render

    render(results)
    if not no_report:
        try:
            write_html(report_path, results)
        except Exception as exc:  # the demo still succeeds without the report
            click.echo(f"\n3. (no HTML report: {exc})")
        else:
            click.secho(f"\n3. The report (traindoc report): open {Path(report_path).resolve()}", bold=True)
    sys.exit(0)
