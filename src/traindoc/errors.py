"""Errors users see. Each renders as one line naming the file and what was expected."""

from __future__ import annotations


class TraindocError(Exception):
    """Base for errors that the CLI turns into a one-line message and exit code 2."""


class InputError(TraindocError):
    """A path that cannot be read as a training log."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
