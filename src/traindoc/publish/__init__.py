"""Findings written back where people already look: TensorBoard, W&B, MLflow.

Each publisher is optional (its library is imported only when asked for) and receives, for one
run, its current findings and what changed since the last call. A publisher that fails is
reported once and switched off by the caller; it never stops training or following.
"""

from __future__ import annotations

from typing import Callable, Iterable, Protocol

from ..findings import Finding
from ..run import Run

TARGETS = ("tensorboard", "wandb", "mlflow")


class Publisher(Protocol):
    NAME: str

    def publish(self, run: Run, findings: list[Finding], events: list) -> None: ...

    def close(self) -> None: ...


def make_publishers(targets: Iterable[str], say: Callable[[str], None] | None = None, **kwargs) -> list[Publisher]:
    """Publishers for ``targets`` (names from ``TARGETS``); unknown names are an error."""
    out: list[Publisher] = []
    for name in targets:
        if name == "tensorboard":
            from .tensorboard import TensorBoardPublisher

            out.append(TensorBoardPublisher(say=say, **kwargs))
        elif name == "wandb":
            from .wandb import WandbPublisher

            out.append(WandbPublisher(say=say, **kwargs))
        elif name == "mlflow":
            from .mlflow import MlflowPublisher

            out.append(MlflowPublisher(say=say, **kwargs))
        else:
            raise ValueError(f"unknown publish target {name!r} (expected one of {', '.join(TARGETS)})")
    return out


def publish_results(targets: Iterable[str], results, say: Callable[[str], None] | None = None) -> None:
    """``diagnose --publish``: every run's findings, warnings and errors announced as new."""
    from ..findings import Severity
    from ..follow.changes import Event

    publishers = make_publishers(targets, say=say)
    try:
        for run, findings in results:
            events = [Event("new", f) for f in findings if f.severity >= Severity.WARNING]
            for pub in list(publishers):
                try:
                    pub.publish(run, findings, events)
                except Exception as exc:  # noqa: BLE001 - one integration failing must not hide the report
                    if say:
                        say(f"publishing to {pub.NAME} failed ({type(exc).__name__}: {exc})")
                    publishers.remove(pub)
    finally:
        for pub in publishers:
            pub.close()
