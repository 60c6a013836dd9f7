"""Remote storage paths (``s3://``, ``gs://``, ``az://``, ``memory://``…) read through fsspec.

The logs are copied into a temporary folder with their relative layout (readers look at sibling
files: ``hparams.yaml``, a W&B run's ``files/``), read by the ordinary readers, and the temporary
copy is removed; every run keeps the remote URL as its source. Checkpoints, weights and media are
not copied (a run folder may hold gigabytes of them), nor any single file over ``MAX_FILE`` bytes.
Needs the ``remote`` extra (fsspec, plus the protocol's own package such as s3fs or gcsfs).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..readers import LoadResult, load

MAX_FILE = 1 << 30
_NOT_LOGS = re.compile(r"\.(pt|pth|ckpt|bin|safetensors|h5|hdf5|keras|onnx|pb|npz|npy|pkl|pickle|joblib|"
                       r"png|jpe?g|gif|mp4|wav|tar|zip|gz|bz2|xz|zst|whl)$", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*)://", re.IGNORECASE)
_LOCAL = {"file", "local"}


def is_fsspec_url(text: str) -> bool:
    m = _SCHEME.match(str(text))
    return bool(m) and m.group(1).lower() not in _LOCAL and not m.group(1).lower().startswith("mlflow+")


def _filesystem(url: str):
    try:
        import fsspec
    except ImportError:
        raise InputError(url, "reading remote paths needs fsspec: pip install 'traindoc[remote]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise InputError(url, f"no fsspec filesystem for this URL ({exc}); install its package, e.g. s3fs or "
                              "gcsfs") from None


def load_fsspec(url: str) -> LoadResult:
    fs, root = _filesystem(url)
    try:
        if not fs.exists(root):
            raise InputError(url, "no such remote file or folder")
        is_dir = fs.isdir(root)
        entries = fs.find(root, detail=True) if is_dir else {root: fs.info(root)}
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any backend error is one line naming the URL
        raise InputError(url, f"cannot be listed ({type(exc).__name__}: {exc})") from None
    tmp = Path(tempfile.mkdtemp(prefix="traindoc-remote-"))
    base = PurePosixPath(root) if is_dir else PurePosixPath(root).parent
    local_root = tmp / (PurePosixPath(root).name or "remote")
    try:
        for path, info in entries.items():
            if info.get("type") == "directory":
                continue
            if _NOT_LOGS.search(path) or (info.get("size") or 0) > MAX_FILE:
                continue
            rel = PurePosixPath(path).relative_to(base)
            dest = (local_root / rel) if is_dir else (local_root.parent / rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                fs.get_file(path, str(dest))
            except Exception as exc:  # noqa: BLE001
                raise InputError(f"{url.rstrip('/')}/{rel}" if is_dir else url,
                                 f"cannot be copied ({type(exc).__name__}: {exc})") from None
        local = local_root if is_dir else local_root.parent / PurePosixPath(root).name
        result = load(local)
        prefix = url.rstrip("/") if is_dir else url
        for run in result.runs:
            run.source = run.source.replace(str(local), prefix)
        result.problems = [InputError(str(p.path).replace(str(local), prefix), p.problem) for p in result.problems]
        return result
    except InputError as exc:
        where = str(exc.path).replace(str(local_root), url.rstrip("/")) if is_dir else url
        raise InputError(where, exc.problem) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
