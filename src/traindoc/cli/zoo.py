"""``traindoc zoo [NAME...]``: run the failure zoo under traindoc and score what it found."""

from __future__ import annotations

import json
import textwrap

import click

from . import main


@main.command()
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the cases and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--fast", is_flag=True, help="Only the quick subset the test suite runs.")
@click.option("--repair", is_flag=True, help="Also apply the mechanical fix of what was found, re-run, and verify.")
@click.option("--no-twin", is_flag=True, help="Skip the fixed twins.")
def zoo(names: tuple[str, ...], list_only: bool, as_json: bool, fast: bool, repair: bool, no_twin: bool) -> None:
    """Reproduce known training failures (NAMES, default all) and show what traindoc finds."""
    from .common import require_extra

    require_extra("torch", "traindoc zoo", "torch")
    from ..zoo.cases import BY_NAME, CASES

    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise click.UsageError(f"unknown case(s): {', '.join(unknown)} (see traindoc zoo --list)")
    cases = [BY_NAME[n] for n in names] if names else [c for c in CASES if c.fast or not fast]
    if list_only:
        if as_json:
            click.echo(json.dumps([{"case": c.name, "summary": c.summary, "expected": list(c.expect),
                                    "cause": c.cause, "fast": c.fast} for c in cases], indent=2))
        else:
            import textwrap

            from ..reports.terminal import term_width

            cols = term_width()
            width = max(len(c.name) for c in cases)
            for c in cases:
                text = f"{c.name:<{width}}  {c.summary}  [expects {' | '.join(c.expect)}]"
                click.echo(textwrap.fill(text, cols, subsequent_indent=" " * (width + 2), break_on_hyphens=False))
        return
    from ..zoo.repairs import repair_case
    from ..zoo.runner import run_case
    from ..zoo.table import repair_table, zoo_table

    from ..reports.progress import progress_map
    from ..reports.terminal import term_width

    reports = progress_map(lambda c: run_case(c, twin=not no_twin), cases, "running the zoo",
                           label=lambda c: c.name)
    repairs = [repair_case(r.case, r.faulty) for r in reports] if repair else []
    if as_json:
        doc = {"cases": [r.to_json() for r in reports],
               "totals": {"cases": len(reports), "detected": sum(bool(r.detected) for r in reports),
                          "cause_named": sum(r.cause_named for r in reports),
                          "twins": sum(r.fixed is not None for r in reports),
                          "twins_clean": sum(bool(r.fixed and r.fixed.clean) for r in reports)}}
        if repair:
            doc["repairs"] = [r.to_json() for r in repairs]
            doc["totals"]["repairs_attempted"] = sum(r.attempted for r in repairs)
            doc["totals"]["repairs_succeeded"] = sum(r.success for r in repairs)
            doc["totals"]["repairs_succeeded_fixing_the_bug"] = sum(r.success and r.fixes_the_bug for r in repairs)
        click.echo(json.dumps(doc, indent=2, allow_nan=False, default=str))
        return
    click.echo(zoo_table(reports, term_width()))
    notes = sorted({n for r in reports for n in r.faulty.notes})
    for n in notes:
        click.echo(textwrap.fill(f"note: {n}", term_width(), subsequent_indent="  ", break_on_hyphens=False))
    if repair:
        click.echo("")
        click.echo(repair_table(repairs, term_width()))
