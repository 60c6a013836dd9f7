"""Terminal rendering of ``traindoc show``."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..run import Run


_ROLE_LABELS = {"train_loss": "train loss", "val_loss": "val loss", "train_metric": "train metric",
                "val_metric": "val metric", "grad_norm": "grad norm", "layer_stat": "layer stat"}


def _num(x) -> str:
    """Compact numbers: whole steps and counts as integers, everything else to 3 significant digits."""
    if x is None:
        return "-"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def render_show(runs: list[Run], console: Console | None = None) -> None:
    if console is None:
        import sys

        # Pipes and files have no width limit; rich would assume 80 and squeeze the table.
        console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    for run in runs:
        console.print(f"[bold]{escape(run.name)}[/bold]  [dim]{run.format}[/dim]")
        console.print(f"  [dim]{escape(run.source)}[/dim]")
        for note in run.meta.notes:
            console.print(f"  [yellow]note:[/yellow] {escape(note)}")
        if not run.series:  # a run saved before anything was logged: say so, not an empty table
            console.print("  [dim]no series[/dim]\n")
            continue
        table = Table(box=None, pad_edge=False, show_edge=False, collapse_padding=True, padding=(0, 1))
        widest = max((len(name) for name in run.series), default=6)
        table.add_column("series", overflow="fold", min_width=min(widest, 32))
        table.add_column("role", no_wrap=True)
        for col in ("points", "steps", "first", "last", "min", "max", "non-finite"):
            table.add_column(col, justify="right", no_wrap=True)
        for s in run.series.values():
            d = s.summary()
            steps = f"{_num(d['step_min'])}–{_num(d['step_max'])}" + (" ep" if s.axis == "epoch" else "")
            nonfin = str(d["nonfinite"]) if d["nonfinite"] else "0"
            table.add_row(escape(s.name), _ROLE_LABELS.get(s.role.value, s.role.value), str(d["points"]), steps, _num(d["first"]), _num(d["last"]),
                          _num(d["min"]), _num(d["max"]), f"[red]{nonfin}[/red]" if d["nonfinite"] else nonfin)
        console.print(table)
        console.print()
