"""Read-back helpers: W&B offline run files through W&B's own record protos."""

from __future__ import annotations

import json
from pathlib import Path


def wandb_records(run_dir: Path, kind: str) -> list:
    """Records of one kind ("alert", "summary", "history"…) from an offline run's ``.wandb`` file."""
    from wandb.proto import wandb_internal_pb2 as pb

    from traindoc.readers import _leveldblog as lv

    (log,) = run_dir.glob("run-*.wandb")
    out = []
    for data in lv.iter_records(log.read_bytes(), lv.LogStatus()):
        rec = pb.Record()
        rec.ParseFromString(data)
        if rec.WhichOneof("record_type") == kind:
            out.append(getattr(rec, kind))
    return out


def wandb_tables(run_dir: Path) -> list[dict]:
    """The findings tables W&B saved in the run's files, oldest first."""
    files = sorted((run_dir / "files" / "media" / "table" / "traindoc").glob("findings_*.table.json"),
                   key=lambda p: p.stat().st_mtime_ns)
    return [json.loads(p.read_text()) for p in files]
