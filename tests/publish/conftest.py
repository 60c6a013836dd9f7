"""Read-back helpers: W&B offline run files through W&B's own record protos."""

from __future__ import annotations

import json
from pathlib import Path


def wandb_records(run_dir: Path, kind: str) -> list:
    """Records of one kind ("alert", "summary", "history"…) from a finished offline run's ``.wandb`` file."""
    from wandb.proto import wandb_internal_pb2 as pb

    from traindoc.readers import _leveldblog as lv

    from traindoc.publish.wandb import wait_written

    (log,) = run_dir.glob("run-*.wandb")
    # W&B's service writes the file after finish() returns: read the run once it is complete.
    assert wait_written(log), f"{log} never got its exit record"
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


def train_into_nan(publish: str, log=None, **watch_kwargs):
    """30 steps of a tiny regression under ``traindoc.watch(publish=...)``, the loss NaN from step 20;
    ``log(step, loss)`` is the user's own logging. Returns the watcher (its ``findings``)."""
    import torch

    import traindoc

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with traindoc.watch(model, opt, quiet=True, publish=publish, **watch_kwargs) as doc:
        for step in range(30):
            x = torch.randn(8, 4)
            loss = torch.nn.functional.mse_loss(model(x), x.sum(1, keepdim=True))
            if step >= 20:
                loss = loss * float("nan")
            opt.zero_grad()
            loss.backward()
            opt.step()
            if log is not None:
                log(step, loss.item())
            doc.step(loss)
    return doc
