"""``traindoc diagnose PATH...``: find what is wrong from the curves alone."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..findings import Finding, Severity
from ..run import Role, Run
from . import main
from .common import columns_option, load_paths, require_extra

_ROLES = [r.value for r in Role]
_PROGRESS_MIN_RUNS = 20


def parse_roles(values: tuple[str, ...]) -> dict[str, str]:
    """``NAME=ROLE`` pairs; the role must be one of the Role values."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, role = item.rpartition("=")
        if not sep or not name or role not in _ROLES:
            raise click.BadParameter(f"{item!r}: expected NAME=ROLE with ROLE one of {', '.join(_ROLES)}",
                                     param_hint="--role")
        out[name] = role
    return out


def diagnose_all(runs: list[Run], progress: bool = False, jobs: int = 1) -> list[tuple[Run, list[Finding]]]:
    """Diagnose every run, with a progress bar on stderr for long scans (``jobs`` processes: see fleet)."""
    from ..rules import diagnose_run

    if jobs > 1:
        from ..fleet import diagnose_parallel

        return diagnose_parallel(runs, jobs)
    if not progress:
        return [(run, diagnose_run(run)) for run in runs]
    from rich.console import Console
    from rich.progress import Progress

    results = []
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("diagnosing", total=len(runs))
        for run in runs:
            results.append((run, diagnose_run(run)))
            bar.advance(task)
    return results


def exit_code(results: list[tuple[Run, list[Finding]]], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if any(f.severity >= threshold for _, fs in results for f in fs) else 0


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON (and nothing else) on stdout.")
@click.option("--fail-on", type=click.Choice(["warning", "error", "never"]), default="warning", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a self-contained HTML report to this file.")
@click.option("--role", "roles", multiple=True, metavar="NAME=ROLE",
              help="Override the inferred role of a series (e.g. --role acc=val_metric). Repeatable.")
@click.option("--num-classes", type=click.IntRange(min=2), default=None,
              help="Number of classes (chance loss ln(N), chance accuracy 1/N) when the log does not say.")
@click.option("--task", type=click.Choice(["classification", "regression", "language-model", "detection"]),
              default=None, help="What is trained: sets which chance levels and rules apply.")
@click.option("--brief", is_flag=True, help="Only the summary table (one line per run).")
@click.option("--baseline", type=click.Path(), default=None,
              help="Also say what changed from this baseline run: curves, final metrics, findings.")
@click.option("--follow", is_flag=True, help="Keep reading the logs as training writes them; print each finding "
              "when it first holds. Ends on Ctrl-C or --idle, with a final summary.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=None, help="With --follow: seconds between "
              "polls (default 2).")
@click.option("--idle", type=click.FloatRange(min=0), default=None, help="With --follow: stop after this many "
              "seconds without new data.")
@click.option("--exec", "exec_cmd", default=None, metavar="CMD", help="With --follow: run CMD (a shell command) once, "
              "on the first finding at or above --fail-on.")
@click.option("--publish", multiple=True, type=click.Choice(["tensorboard", "wandb", "mlflow"]),
              help="Also write the findings into the run's TensorBoard folder, W&B run or MLflow run. Repeatable.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Read and diagnose with this many processes (large folders of runs).")
@columns_option
def diagnose(paths: tuple[str, ...], as_json: bool, fail_on: str, report_path: str | None,
             roles: tuple[str, ...], num_classes: int | None = None, task: str | None = None,
             brief: bool = False, baseline: str | None = None, follow: bool = False, interval: float | None = None,
             idle: float | None = None, exec_cmd: str | None = None, publish: tuple[str, ...] = (),
             jobs: int = 1, columns: list[str] | None = None) -> None:
    """Diagnose the training runs at PATHS (files or directories): what is wrong, why, what to do."""
    overrides = parse_roles(roles)
    if not follow and (interval is not None or idle is not None or exec_cmd):
        raise click.UsageError("--interval, --idle and --exec need --follow")
    if follow and columns:
        raise click.UsageError("--columns reads a file as it stands, not with --follow (add a header row to a "
                               "log still being written)")
    for target in publish:  # up front: a missing library is one line now, not after an hour of following
        require_extra(target, f"--publish {target}", target)
    if follow:
        from .follow import run_follow

        sys.exit(run_follow(paths, interval=interval or 2.0, idle=idle, fail_on=fail_on, exec_cmd=exec_cmd,
                            publish=publish, roles=overrides, as_json=as_json, report_path=report_path,
                            num_classes=num_classes, task=task, brief=brief, baseline=baseline))
    if sys.stderr.isatty():
        from rich.console import Console

        with Console(stderr=True).status("reading training logs...", spinner="dots"):
            loaded = load_paths(paths, jobs=jobs, columns=columns)
    else:
        loaded = load_paths(paths, jobs=jobs, columns=columns)
    from ..rules.context import apply_context

    for run in loaded.runs:
        run.apply_overrides(overrides)
        apply_context(run, num_classes=num_classes, task=task)
    progress = sys.stderr.isatty() and len(loaded.runs) >= _PROGRESS_MIN_RUNS
    results = diagnose_all(loaded.runs, progress=progress, jobs=jobs)
    comparisons = None
    if as_json:
        from ..reports.json_report import dumps

        if baseline:
            from .compare import compare_to_baseline

            comparisons = compare_to_baseline(results, baseline, as_json=True)
        click.echo(dumps(results, comparisons=comparisons, skipped=loaded.all_skipped()))
    else:
        from ..reports.terminal import render

        render(results, brief=brief)
        if baseline:
            from .compare import compare_to_baseline

            compare_to_baseline(results, baseline, as_json=False)
    if report_path:
        write_html(report_path, results)
    if publish:
        from ..publish import publish_results

        publish_results(publish, results, say=lambda text: click.echo(f"traindoc: {text}", err=True))
    code = exit_code(results, fail_on)
    if loaded.problems:
        code = 2
    sys.exit(code)


def write_html(path: str, results: list[tuple[Run, list[Finding]]]) -> None:
    """The HTML report lives in its own module; a missing one is a clear one-line error."""
    try:
        from ..reports.html import write_report
    except ImportError:
        raise InputError(path, "cannot write an HTML report: traindoc.reports.html is not available in this "
                         "install") from None
    write_report(path, results)
