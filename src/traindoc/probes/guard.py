"""Never hurt training: a probe that raises is reported once and switched off."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable


class Guard:
    """Tracks which probes failed; wraps probe calls so exceptions never reach the user's loop."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.disabled: dict[str, str] = {}

    def ok(self, probe: str) -> bool:
        return probe not in self.disabled

    def fail(self, probe: str, exc: BaseException) -> None:
        if probe not in self.disabled:
            why = f"{type(exc).__name__}: {one_line(str(exc))}"
            self.disabled[probe] = why
            self.say(f"probe '{probe}' failed ({why}); it is disabled, training goes on")

    def call(self, probe: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if probe in self.disabled:
            return None
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # the promise: a probe never crashes training
            self.fail(probe, exc)
            return None

    def wrap_hook(self, probe: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """A torch hook that returns None (never alters the tensors) and cannot raise."""

        @functools.wraps(func)
        def hook(*args: Any, **kwargs: Any) -> None:
            if probe in self.disabled:
                return None
            try:
                func(*args, **kwargs)
            except Exception as exc:
                self.fail(probe, exc)
            return None

        return hook


def one_line(text: str, limit: int = 160) -> str:
    """The first non-empty line of a message, cut to ``limit`` characters: torch errors can
    run to dozens of lines, and the promise is one line per failing probe."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def stderr_line(text: str, width: int | None = None) -> None:
    """One message, as one line on stderr, that fits the terminal when stderr is one.

    One line per event is the promise inside a training loop, so on a terminal a long message is
    shortened at a word boundary rather than wrapped (the full finding is in ``doc.findings`` and
    the report). A log file, a notebook cell or a pipe has no width to fit: shortening there left
    "traindoc: error exploding-gradients at step 1 (detected at step 25): the …", the title lost,
    so the whole line is written (still one line; ``COLUMNS`` asks for a width anyway).
    """
    import os
    import textwrap

    from ..reports.terminal import term_width

    if width is None and not os.environ.get("COLUMNS", "").isdigit() and not _isatty(sys.stderr):
        width = 1 << 30
    width = width or term_width(sys.stderr)
    line = " ".join(text.split())
    if len(line) > width:
        line = textwrap.shorten(line, width=width, placeholder=" …")
    print(line, file=sys.stderr, flush=True)
