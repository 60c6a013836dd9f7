"""traindoc: is my training normal, and if not, what is wrong and what do I do?

The library API is function-first: ``load`` reads logs into Runs, ``diagnose`` turns a Run
into Findings, ``watch`` diagnoses live inside PyTorch training, ``check`` runs the active
debugging experiments.
"""

from __future__ import annotations

import os

from .findings import Finding, Severity
from .readers import load
from .run import Role, Run, Series

__version__ = "0.1.0"


def diagnose(run: Run | str | os.PathLike, num_classes: int | None = None, task: str | None = None) -> list[Finding]:
    """All findings for one Run, most severe first.

    ``run`` may also be a path (or what ``load`` returned) holding exactly one run: the obvious
    first call ``diagnose("metrics.csv")`` works; a path holding several runs is an error naming
    how many, since one list of findings cannot say which run each belongs to.

    ``num_classes`` and ``task`` ("classification", "regression", "language-model", "detection")
    tell what the log may not: they set the chance level ln(C) (or ln(vocabulary) for a language
    model) and which rules apply. They are stored on ``run.meta``; configs beside the log
    (config.json, hparams.yaml, data.yaml...) fill what neither the log nor the caller said.
    """
    from .rules import diagnose_run
    from .rules.context import apply_context

    run = _one_run(run)
    apply_context(run, num_classes=num_classes, task=task)
    return diagnose_run(run)


def _one_run(arg) -> Run:
    if isinstance(arg, Run):
        return arg
    runs = list(load(arg) if isinstance(arg, (str, os.PathLike)) else arg)
    if len(runs) != 1 or not isinstance(runs[0], Run):
        raise ValueError(f"traindoc.diagnose needs one run; {arg!s:.200} holds {len(runs)}: call it on each of "
                         f"traindoc.load(path)")
    return runs[0]


def __getattr__(name: str):
    # torch-dependent entry points load lazily so the core stays importable without torch.
    if name == "watch":
        from .probes.watch import watch

        return watch
    if name == "check":
        from .checks import check

        return check
    raise AttributeError(name)


__all__ = ["Finding", "Role", "Run", "Series", "Severity", "diagnose", "load", "watch", "check", "__version__"]
