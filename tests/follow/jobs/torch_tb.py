"""A tiny torch regression written with SummaryWriter; the LR is raised 10^4x at step 60 so the
loss explodes to NaN. Writes proof.json (wall time) once the NaN has been flushed to disk."""

import json
import sys
import time
from pathlib import Path

import torch
from torch.utils.tensorboard import SummaryWriter

out = Path(sys.argv[1])
torch.manual_seed(0)
torch.set_num_threads(1)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(256, 8)
y = x.sum(1, keepdim=True)
writer = SummaryWriter(str(out / "tb" / "job"))
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
    writer.add_scalar("train/loss", loss.item(), step)
    writer.flush()
    if not proved and not torch.isfinite(loss):
        proved = True
        (out / "proof.json").write_text(json.dumps({"time": time.time(), "step": step}))
    time.sleep(0.02)
writer.close()
