"""``traindoc rules`` and ``traindoc explain ID``: the rule catalogue and each rule's page."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from ..errors import TraindocError
from . import main


def _registry():
    from ..rules import RULES

    return RULES


@main.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def rules_command(as_json: bool) -> None:
    """List every rule: id, severity, family and what it detects."""
    specs = sorted(_registry().values(), key=lambda s: (s.family, s.id))
    if as_json:
        click.echo(json.dumps([{"id": s.id, "family": s.family, "severity": s.severity.label, "title": s.title,
                                "needs": [r.value for r in s.needs]} for s in specs], indent=2))
        return
    from ..reports.terminal import term_width

    width = term_width()
    idw = max(len(s.id) for s in specs)
    family = None
    for s in specs:
        if s.family != family:
            family = s.family
            click.echo(("" if s is specs[0] else "\n") + family)
        lead = f"  {s.id:<{idw}}  {s.severity.label:<7}  "
        lines = textwrap.wrap(s.title, width=max(20, width - len(lead))) or [""]
        click.echo(lead + lines[0])
        for line in lines[1:]:
            click.echo(" " * len(lead) + line)
    click.echo(f"\n{len(specs)} rules. `traindoc explain ID` shows one rule's page.")


@main.command("explain")
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show what a rule detects, why it matters, what it looks like, and what to do."""
    rules = _registry()
    spec = rules.get(rule_id.strip().lower())
    if spec is None:
        raise TraindocError(f"unknown rule id {rule_id!r} (see `traindoc rules` for the list)")
    from rich.markdown import Markdown

    from ..reports.terminal import make_console

    # Rendered at the terminal's width (80 when piped), so words wrap whole and nothing is cut.
    console = make_console()
    with console.capture() as cap:
        console.print(Markdown(spec.doc().rstrip()), soft_wrap=False)
    # rich pads every line to the full width; trailing blanks only get in the way when pasted
    click.echo("\n".join(line.rstrip() for line in cap.get().splitlines()).strip("\n"))
    click.echo(f"\nseverity: {spec.severity.label}; family: {spec.family}")
    sys.exit(0)
