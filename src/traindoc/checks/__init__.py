"""Active checks: the experiments a person runs by hand when training misbehaves.

``check(model, batch, loss_fn)`` runs them on copies of the model (the user's model and
optimizer are never touched) and returns a CheckReport: one Section per check, with Findings
carrying the stable ids of FINDINGS.md.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Sequence

from .result import CheckReport, Section

ALL_CHECKS = ("static", "data", "init", "overfit-batch", "lr-range")
KEEP_BATCHES = 16  # batches held for the LR range test (it cycles through them)


def _static_section(model: Any, loss_fn: Callable, optimizer_factory: Callable | None, batch: Any) -> Section:
    """Static model checks: output activation vs loss vs targets (any framework), biases, frozen parameters."""
    try:
        from . import static
    except ImportError:
        return Section("static", None, "static model checks are not available in this build")
    from ..findings import Severity
    from ._torch import split_batch
    from .model_view import is_keras
    from .structure import structure_findings

    keras_model = is_keras(model)
    loss = getattr(loss_fn, "keras_loss", loss_fn)
    targets = split_batch(batch)[1]
    if keras_model:
        findings = []
    else:
        from ._torch import last_module_run  # the module that really produces the output

        findings = list(static.check_output_activation(model, loss_fn,
                                                       last_module_run(model, split_batch(batch)[0])))
    findings += structure_findings(model, loss, targets)
    if keras_model:  # Keras misuse read from the compiled model and the batch (layers after the output, ...)
        from ..probes.integrations.keras_labels import keras_static_findings

        findings += keras_static_findings(model, split_batch(batch)[0], targets)
    else:
        findings += static.check_missing_bias(model)
    opt = None
    if optimizer_factory is not None:
        # Building an optimizer does not change the parameters; it only says which ones it will train.
        opt = optimizer_factory(model.parameters())
        findings += static.check_frozen_parameters(model, opt)
    if not keras_model:  # the training configuration watch() reads at start (momentum, constant init, plain lists)
        from .torch_config import config_findings, unregistered_findings

        findings += config_findings(model, opt) + unregistered_findings(model, opt)
        from .bce_weight import bce_weight_findings  # weight= where pos_weight= was meant

        findings += bce_weight_findings(loss_fn, targets)
    ok = not any(f.severity >= Severity.WARNING for f in findings)
    return Section("static", ok, "model structure looks sound" if ok else "; ".join(f.title for f in findings),
                   findings=findings)


def _guard(name: str, func: Callable[[], Section]) -> Section:
    """A check that fails on the user's code reports why instead of stopping the others."""
    try:
        return func()
    except Exception as exc:
        return Section(name, None, f"could not run: {type(exc).__name__}: {exc}")


def check(model, batch: Any = None, loss_fn: Callable | None = None,
          optimizer_factory: Callable | None = None, loader: Iterable[Any] | None = None, *,
          checks: Sequence[str] | None = None, steps: int = 200, shuffle: bool | None = None) -> CheckReport:
    """Run the active checks. ``batch`` is ``(inputs, targets)``; without it the loader's first batch is used.

    ``loss_fn(outputs, targets)`` may be left out for a compiled Keras model: its compiled loss is used.

    ``optimizer_factory(params)`` builds the optimizer you train with (default Adam); ``loader``
    enables the data check and feeds the LR range test several batches. ``shuffle``: whether your
    training loop reshuffles the data each epoch; left out, it is read from the loader (a
    DataLoader's sampler) or from the framework (Keras ``fit`` shuffles arrays by default).
    """
    if loss_fn is None:
        from ._torch import keras_loss_fn
        from .model_view import is_keras

        loss_fn = keras_loss_fn(model) if is_keras(model) else None
    if loss_fn is None and isinstance(getattr(model, "loss", None), (list, tuple, dict)):
        raise ValueError(f"check() cannot train a Keras model with {len(model.loss)} compiled losses (one per "
                         "output): pass loss_fn(outputs, targets) that combines them")
    if loss_fn is None:
        raise ValueError("check() needs loss_fn: a callable loss(outputs, targets) (a compiled Keras model "
                         "brings its own)")
    # Keep only a few batches in memory (images add up fast); the data check streams the loader
    # again when it can be iterated twice (a DataLoader can; a generator cannot).
    batches: list[Any] = list(itertools.islice(iter(loader), KEEP_BATCHES)) if loader is not None else []
    reiterable = loader is not None and iter(loader) is not loader
    if batch is None:
        if not batches:
            raise ValueError("check() needs a batch or a loader")
        batch = batches[0]
    wanted = tuple(checks) if checks else ALL_CHECKS
    unknown = [c for c in wanted if c not in ALL_CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; choose from {list(ALL_CHECKS)}")
    from .data_check import data_check
    from .init_check import init_check
    from .lr_range import lr_range
    from .overfit_batch import overfit_batch

    report = CheckReport()
    for name in wanted:
        if name == "static":
            section = _guard(name, lambda: _static_section(model, loss_fn, optimizer_factory, batch))
        elif name == "data":
            from .order import loop_shuffles

            shuffled = loop_shuffles(model, loader, shuffle)
            from .model_view import is_keras

            section = _guard(name, lambda: data_check(loader if reiterable else (batches or [batch]), shuffled=shuffled,
                                                          model=model, negatives_unlabelled=not is_keras(model),
                                                          probe_forward=True))
        elif name == "init":
            section = _guard(name, lambda: _init_section(model, batch, loss_fn, init_check))
        elif name == "overfit-batch":
            section = _guard(name, lambda: overfit_batch(model, batch, loss_fn, optimizer_factory, steps=steps))
        else:
            section = _guard(name, lambda: lr_range(model, batches or [batch], loss_fn, optimizer_factory))
        report.sections.append(section)
    return report


def _init_section(model: Any, batch: Any, loss_fn: Callable, init_check: Callable) -> Section:
    from .model_view import is_keras

    if is_keras(model):
        return Section("init", None, "the init check reads torch layers; a Keras model's activations are measured "
                       "live by TraindocCallback")
    return init_check(model, batch, loss_fn)


__all__ = ["check", "CheckReport", "Section", "ALL_CHECKS"]
