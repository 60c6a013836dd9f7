"""A progress bar for work that may take more than a couple of seconds, on a terminal only.

On stderr, so stdout stays clean for pipes and --json; transient, so it leaves nothing behind;
and absent when stderr is not a TTY (CI logs and tests see no control characters).
"""

from __future__ import annotations

import sys
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def want_progress() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress_map(func: Callable[[T], R], items: Iterable[T], what: str,
                 label: Callable[[T], str] | None = None) -> list[R]:
    """``[func(x) for x in items]`` with a bar (and the current item's name) on a TTY."""
    items = list(items)
    if not want_progress() or not items:
        return [func(x) for x in items]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    out: list[R] = []
    columns = (TextColumn("{task.description}"), BarColumn(bar_width=24), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=len(items))
        for x in items:
            if label is not None:
                bar.update(task, description=f"{what}: {label(x)}"[:40])
            out.append(func(x))
            bar.advance(task)
    return out


class spinner:
    """``with spinner("reading logs"):`` a transient spinner with elapsed time on a TTY; nothing otherwise.

    For steps with no count to show (one big file being parsed, a check training a model).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._progress = None

    def __enter__(self) -> "spinner":
        if want_progress():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
            self._progress.add_task(self.text[:60], total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
