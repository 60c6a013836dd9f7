"""``traindoc diagnose --jobs N``: the same command, with reading and diagnosis in N processes."""

from __future__ import annotations

import click

from ..errors import InputError
from ..fleet import diagnose_parallel


def run_parallel(paths: tuple[str, ...], *, jobs: int, overrides: dict[str, str], as_json: bool, fail_on: str,
                 report_path: str | None, publish: tuple[str, ...]) -> int:
    """Diagnose as ``diagnose`` does and return its exit code; only the work is spread."""
    from ..remote import is_remote
    from .common import load_paths
    from .diagnose import diagnose_all, exit_code, write_html

    remote = [p for p in paths if is_remote(p)]
    local = [p for p in paths if not is_remote(p)]
    results, problems = diagnose_parallel(local, jobs, overrides) if local else ([], [])
    if remote:
        loaded = load_paths(remote, quiet=True)
        for run in loaded.runs:
            run.apply_overrides(overrides)
        results += diagnose_all(loaded.runs)
        problems += loaded.problems
    if not results and len(problems) == 1:
        raise problems[0]
    for problem in problems:
        click.echo(f"traindoc: warning: skipped {problem}", err=True)
    if not results:
        raise InputError(paths[0], "no training logs found" if not problems else
                         f"no readable training log ({len(problems)} file(s) could not be read)")
    if as_json:
        from ..reports.json_report import dumps

        click.echo(dumps(results))
    else:
        from ..reports.terminal import render

        render(results)
    if report_path:
        write_html(report_path, results)
    if publish:
        from ..publish import publish_results

        publish_results(publish, results, say=lambda text: click.echo(f"traindoc: {text}", err=True))
    return 2 if problems else exit_code(results, fail_on)
