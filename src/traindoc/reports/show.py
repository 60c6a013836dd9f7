"""Terminal rendering of ``traindoc show``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..run import Run


def _num(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.4g}"
    return f"{x:g}" if isinstance(x, float) else str(x)


def render_show(runs: list[Run], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    for run in runs:
        console.print(f"[bold]{run.name}[/bold]  [dim]{run.format} · {run.source}[/dim]")
        for note in run.meta.notes:
            console.print(f"  [yellow]note:[/yellow] {note}")
        table = Table(box=None, pad_edge=False, show_edge=False)
        for col in ("series", "role", "points", "steps", "first", "last", "min", "max", "non-finite"):
            table.add_column(col, justify="left" if col in ("series", "role") else "right")
        for s in run.series.values():
            d = s.summary()
            steps = f"{_num(d['step_min'])}–{_num(d['step_max'])}" + (" ep" if s.axis == "epoch" else "")
            nonfin = str(d["nonfinite"]) if d["nonfinite"] else "0"
            table.add_row(s.name, s.role.value, str(d["points"]), steps, _num(d["first"]), _num(d["last"]),
                          _num(d["min"]), _num(d["max"]), f"[red]{nonfin}[/red]" if d["nonfinite"] else nonfin)
        console.print(table)
        console.print()
