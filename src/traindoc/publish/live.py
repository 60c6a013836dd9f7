"""Publishing from inside training: the ``publish=`` of ``traindoc.watch``.

Each finding the watcher raises is handed to the publishers with the run as it stands. A publisher
that fails is reported once and dropped; the others and training go on.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..findings import Finding
from . import make_publishers


def live_publishers(targets: Iterable[Any], logdir=None) -> list:
    """Publisher objects from names (``"tensorboard"``, ``"wandb"``, ``"mlflow"``) or ready instances.

    By name, inside training: TensorBoard writes under the watcher's ``logdir``; W&B and MLflow use
    the active run (``wandb.run``, ``mlflow.active_run()``).
    """
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable):
        targets = [targets]
    out = []
    for t in targets:
        if not isinstance(t, str):
            out.append(t)
        elif t == "tensorboard":
            out.extend(make_publishers([t], logdir=logdir))
        else:
            out.extend(make_publishers([t], use_active=True))
    return out


def publishing_callback(targets: Any, watch, user_callback: Callable[[Finding], None] | None):
    """An ``on_finding`` that publishes, then calls the user's own callback.

    The publishers are made at the first finding, so a watcher that finds nothing imports nothing.
    """
    from ..follow.changes import Event

    names = [targets] if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable) else list(targets)
    state: dict[str, Any] = {"user": user_callback, "publishers": None}

    def publishers() -> list:
        if state["publishers"] is None:
            chosen = names
            if getattr(watch, "logdir", None) is None and "tensorboard" in names:
                watch._say("publish='tensorboard' needs logdir=: findings are not written to TensorBoard")
                chosen = [t for t in names if t != "tensorboard"]
            state["publishers"] = live_publishers(chosen, logdir=getattr(watch, "logdir", None))
        return state["publishers"]

    def on_finding(f: Finding) -> None:
        try:
            pubs = publishers()
        except Exception as exc:  # noqa: BLE001 - a missing library is said once, training goes on
            watch._say(f"publishing is off ({type(exc).__name__}: {exc})")
            pubs = state["publishers"] = []
        if pubs:
            run = watch.store.to_run()
            for pub in list(pubs):
                try:
                    pub.publish(run, list(watch.findings), [Event("new", f)])
                except Exception as exc:  # noqa: BLE001 - never let an integration touch training
                    watch._say(f"publishing to {getattr(pub, 'NAME', pub)} failed ({type(exc).__name__}: {exc}); "
                               "it is switched off")
                    pubs.remove(pub)
        if state["user"] is not None:
            try:
                state["user"](f)
            except Exception as exc:  # noqa: BLE001
                watch._say(f"on_finding callback raised {type(exc).__name__}: {exc}; it is no longer called")
                state["user"] = None

    return on_finding
