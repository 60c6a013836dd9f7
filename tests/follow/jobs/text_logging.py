"""A tiny torch regression that reports through Python ``logging`` to a file, as many training
scripts do (a FileHandler, one line per step, evaluation lines every 20 steps). The LR is raised
10^4x at step 60 so the loss becomes NaN. Writes proof.json once the NaN line is on disk (logging
flushes each record). ``--fast`` skips the sleeps (the tail test polls while it writes)."""

import json
import logging
import sys
import time
from pathlib import Path

import torch

out = Path(sys.argv[1])
fast = "--fast" in sys.argv
(out / "text").mkdir(parents=True, exist_ok=True)
log_path = out / "text" / "train.log"
logger = logging.getLogger("train")
handler = logging.FileHandler(log_path)
handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
logger.addHandler(handler)
logger.setLevel(logging.INFO)
logger.info("config: batch_size=32 hidden=16 optimizer=SGD")

torch.manual_seed(0)
torch.set_num_threads(1)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(256, 8)
y = x.sum(1, keepdim=True)
xv = torch.randn(64, 8)
yv = xv.sum(1, keepdim=True)
proved = False
for step in range(120):
    if step == 60:
        for g in opt.param_groups:
            g["lr"] = 100.0
    idx = torch.randint(0, 256, (32,))
    loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    logger.info("step %d: loss %.6f, lr %g", step, loss.item(), opt.param_groups[0]["lr"])
    if step % 20 == 19:
        with torch.no_grad():
            val = torch.nn.functional.mse_loss(model(xv), yv).item()
        logger.info("step %d: val_loss %.6f", step, val)
    if not proved and not torch.isfinite(loss):
        proved = True
        (out / "proof.json").write_text(json.dumps({"time": time.time(), "step": step}))
    if not fast:
        time.sleep(0.02)
logger.info("done")
handler.close()
