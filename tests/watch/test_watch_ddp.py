"""Data parallel: two gloo processes on the CPU; rank 0 alone prints and writes, statistics are
combined, and a NaN that starts on one rank is reported with that rank."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

WORKER = textwrap.dedent('''
    import os, sys, json
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
    from torch import nn

    def work(rank, world, logdir, port, nan_rank):
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = str(port)
        torch.set_num_threads(1)
        dist.init_process_group("gloo", rank=rank, world_size=world, timeout=__import__("datetime").timedelta(seconds=60))
        import traindoc
        torch.manual_seed(0)
        model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)))
        opt = torch.optim.SGD(model.parameters(), 0.05)
        g = torch.Generator().manual_seed(rank)
        with traindoc.watch(model, opt, logdir=logdir, every=2, name="ddp") as doc:
            for i in range(12):
                x = torch.randn(8, 4, generator=g) + (3.0 if rank == 1 else 0.0)
                y = (x[:, 0] > 0).long()
                if rank == nan_rank and i == 6:
                    x[0, 0] = float("nan")
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x, targets=y)
        out = {"rank": rank, "findings": [f.to_json() for f in doc.findings],
               "input_mean": doc.store.series["input_mean"].values[-1] if "input_mean" in doc.store.series else None}
        with open(os.path.join(logdir, f"result-{rank}.json"), "w") as fh:
            json.dump(out, fh)
        dist.barrier()
        dist.destroy_process_group()

    if __name__ == "__main__":
        logdir, port, nan_rank = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        mp.spawn(work, args=(2, logdir, port, nan_rank), nprocs=2, join=True)
''')


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_two_ranks_gloo(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    for attempt in range(2):
        logdir = tmp_path / f"logs{attempt}"
        logdir.mkdir()
        res = subprocess.run([sys.executable, str(script), str(logdir), str(_free_port()), "1"],
                             capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})
        # Once in ~25 runs under load a rank aborted (SIGABRT) in gloo's teardown *after* both ranks had
        # written their results; one retry for exactly that case, anything else fails at once.
        teardown_abort = (res.returncode != 0 and "signal SIGABRT" in res.stderr
                          and all((logdir / f"result-{r}.json").exists() for r in (0, 1)))
        if not teardown_abort:
            break
    assert res.returncode == 0, (sorted(p.name for p in logdir.iterdir()), res.stderr[-3000:])
    logs = list(logdir.glob("*.traindoc.jsonl"))
    assert len(logs) == 1  # only rank 0 writes
    r0 = json.loads((logdir / "result-0.json").read_text())
    rank_findings = [f for f in r0["findings"] if f["id"] == "nonfinite-origin" and "rank" in f["title"]]
    assert rank_findings, r0["findings"]
    assert rank_findings[0]["evidence"]["ranks"] == [1] and rank_findings[0]["steps"] == [7]
    # input statistics are the mean over both ranks (rank 1's inputs are shifted by +3)
    assert 1.0 < r0["input_mean"] < 2.0
    # rank 0 printed the findings; the printed lines come from one process only
    printed = [ln for ln in res.stderr.splitlines() if ln.startswith("traindoc: error nonfinite-origin")]
    assert len(printed) == len({ln for ln in printed})
    from traindoc.readers import load

    run = load(logs[0]).runs[0]
    assert "nonfinite_rank/1" in run.series and run.meta.hparams["world_size"] == 2
