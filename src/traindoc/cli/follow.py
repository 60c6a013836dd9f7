"""``traindoc diagnose --follow``: the wiring between the diagnose options and ``traindoc.follow``."""

from __future__ import annotations

import click

from ..follow import Follower, FollowOptions


def run_follow(paths: tuple[str, ...], *, interval: float, idle: float | None, fail_on: str, exec_cmd: str | None,
               publish: tuple[str, ...], roles: dict[str, str], as_json: bool, report_path: str | None,
               num_classes: int | None = None, task: str | None = None, brief: bool = False,
               baseline: str | None = None) -> int:
    """Follow until Ctrl-C or ``idle``; returns the exit code ``diagnose`` would give on the final state."""
    from ..publish import make_publishers

    opts = FollowOptions(interval=interval, idle=idle, fail_on=fail_on, exec_cmd=exec_cmd, publish=publish,
                         roles=roles, as_json=as_json, num_classes=num_classes, task=task, brief=brief,
                         baseline=baseline)
    stream = click.get_text_stream("stdout")
    follower = Follower(paths, opts, out=stream, publishers=make_publishers(publish, say=_say))
    code = follower.run()
    if report_path:
        from .diagnose import write_html

        write_html(report_path, follower.results())
    return code


def _say(text: str) -> None:
    click.echo(f"traindoc: {text}", err=True)
