"""``traindoc demo``: the product on bundled runs, so a new user sees it work in one command."""

from __future__ import annotations

import sys
import textwrap
from importlib import resources
from pathlib import Path

import click

from . import main
from .common import load_paths

_INTRO = """traindoc demo: three real training runs logged by Lightning's CSVLogger,
bundled with traindoc: a healthy classifier, one that overfits a tiny training
set, and one whose learning rate is too high. On your own logs:
  traindoc show PATH   traindoc diagnose PATH   traindoc report PATH
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
            from ..reports.terminal import display_path

            click.secho("\n3. The report (traindoc report), written to:", bold=True)
            click.echo(f"   {display_path(str(Path(report_path).resolve()))}")
    _live_demo()
    sys.exit(0)


def _live_demo() -> None:
    """Watch a small PyTorch training go wrong, when torch is installed (it is an optional extra)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        click.echo("\n4. Live diagnosis (traindoc.watch) needs PyTorch:\n   pip install 'traindoc[torch]', then run the demo again.")
        return
    click.secho("\n4. Live, inside PyTorch training (traindoc.watch)", bold=True)
    click.echo("   A ReLU classifier trained with SGD at lr=0.5, momentum 0.9 (too high for it),\n   300 steps:")
    findings = _train_watched()
    text = f"doc.findings: {', '.join(f'{f.id} ({f.severity.label})' for f in findings) or 'none'}"
    click.echo(textwrap.fill(text, 80, initial_indent="   ", subsequent_indent="     ", break_on_hyphens=False))


def _train_watched() -> list:
    from collections import OrderedDict

    import torch
    from torch import nn

    import traindoc

    torch.manual_seed(0)
    x = torch.randn(2048, 20) * 3
    y = x[:, :5].argmax(1)
    model = nn.Sequential(OrderedDict([
        ("hidden1", nn.Linear(20, 64)), ("relu1", nn.ReLU()),
        ("hidden2", nn.Linear(64, 64)), ("relu2", nn.ReLU()),
        ("head", nn.Linear(64, 5)),
    ]))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, optimizer, loss_fn=loss_fn, every=5) as doc:
        for _ in range(300):
            batch = torch.randint(0, len(x), (64,))
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            doc.step(loss, inputs=x[batch], targets=y[batch])
    return list(doc.findings)
