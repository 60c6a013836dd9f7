"""The command-file convention of ``traindoc check FILE.py``.

The file is the user's own code, so it is imported (never data unpickled). It defines, at
module level:

- ``model()`` -> ``torch.nn.Module`` (required)
- ``loss_fn()`` -> a callable ``loss(outputs, targets)`` (required)
- ``batch()`` -> ``(inputs, targets)`` and/or ``loader()`` -> an iterable of such batches (one required)
- ``optimizer(params)`` -> ``torch.optim.Optimizer`` (optional; default Adam)
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError


@dataclass
class CheckSetup:
    model: Any
    loss_fn: Callable
    batch: Any | None
    loader: Any | None
    optimizer_factory: Callable | None


def _call(path: Path, module: Any, name: str, *args: Any) -> Any:
    try:
        return getattr(module, name)(*args)
    except Exception as exc:
        raise InputError(path, f"{name}() raised {type(exc).__name__}: {exc}") from None


def load_setup(path: str | Path) -> CheckSetup:
    """Import FILE.py and build the model, loss and data it defines; InputError if it does not follow the convention."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file (expected a Python file defining model(), loss_fn() and batch() or loader())")
    if path.suffix != ".py":
        raise InputError(path, "expected a .py file defining model(), loss_fn() and batch() or loader()")
    name = f"_traindoc_check_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InputError(path, "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent.resolve()))  # let the file import its neighbours
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise InputError(path, f"syntax error on line {exc.lineno}: {exc.msg}") from None
    except Exception as exc:
        raise InputError(path, f"importing it raised {type(exc).__name__}: {exc}") from None
    finally:
        sys.path.pop(0)
    missing = [n for n in ("model", "loss_fn") if not callable(getattr(module, n, None))]
    has_batch, has_loader = callable(getattr(module, "batch", None)), callable(getattr(module, "loader", None))
    if not (has_batch or has_loader):
        missing.append("batch() or loader()")
    if missing:
        raise InputError(path, f"missing module-level function(s): {', '.join(missing)} "
                               "(expected model(), loss_fn(), batch() or loader(), optional optimizer(params))")
    model = _call(path, module, "model")
    import torch

    if not isinstance(model, torch.nn.Module):
        raise InputError(path, f"model() returned {type(model).__name__}, expected a torch.nn.Module")
    loss_fn = _call(path, module, "loss_fn")
    if not callable(loss_fn):
        raise InputError(path, f"loss_fn() returned {type(loss_fn).__name__}, expected a callable loss(outputs, targets)")
    batch = _call(path, module, "batch") if has_batch else None
    loader = _call(path, module, "loader") if has_loader else None
    factory = getattr(module, "optimizer", None)
    return CheckSetup(model, loss_fn, batch, loader, factory if callable(factory) else None)
