"""Terminal rendering of ``traindoc show``."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
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


# Columns given up, in this order, when the table does not fit: the series name, its role, its range
# and the non-finite count (the thing a person looks for first) always stay.
_OPTIONAL = ("first", "min", "points")


def render_show(runs: list[Run], console: Console | None = None) -> None:
    if console is None:
        from .terminal import make_console

        console = make_console()
    width = console.width
    for run in runs:
        console.print(Text.assemble((run.name, "bold"), "  ", (run.format, "dim")), overflow="fold")
        from .terminal import display_path

        console.print(Text.assemble("  ", (display_path(run.source), "dim")), overflow="ignore", crop=False)
        for note in run.meta.notes:
            console.print(Text.assemble("  ", ("note:", "yellow"), " " + note))
        if not run.series:  # a run saved before anything was logged: say so, not an empty table
            console.print(Text("  no series\n", style="dim"))
            continue
        rows = []
        for s in run.series.values():
            d = s.summary()
            steps = f"{_num(d['step_min'])}–{_num(d['step_max'])}" + (" ep" if s.axis == "epoch" else "")
            rows.append({"series": s.name, "role": _ROLE_LABELS.get(s.role.value, s.role.value),
                         "points": str(d["points"]), "steps": steps, "first": _num(d["first"]),
                         "last": _num(d["last"]), "min": _num(d["min"]), "max": _num(d["max"]),
                         "non-finite": str(d["nonfinite"] or 0)})
        columns = ["series", "role", "points", "steps", "first", "last", "min", "max", "non-finite"]

        def natural(cols: list[str]) -> int:
            return sum(max(len(c), *(len(r[c]) for r in rows)) for c in cols) + len(cols) - 1

        dropped = []
        for col in _OPTIONAL:  # drop whole columns before squeezing the names
            if natural(columns) <= width:
                break
            columns.remove(col)
            dropped.append(col)
        table = Table(box=None, pad_edge=False, show_edge=False, collapse_padding=True, padding=(0, 1))
        for col in columns:
            if col == "series":
                table.add_column(col, overflow="fold", min_width=min(max(len(r["series"]) for r in rows), 16))
            else:
                table.add_column(col, justify="left" if col == "role" else "right", no_wrap=True)
        for r in rows:
            cells = [Text(r[c]) for c in columns]
            if r["non-finite"] != "0":
                cells[-1] = Text(r[columns[-1]], style="red")
            table.add_row(*cells)
        console.print(table, soft_wrap=False)
        if dropped:
            console.print(Text(f"  ({', '.join(dropped)} left out to fit {width} columns; --json has all)", style="dim"))
        console.print()
