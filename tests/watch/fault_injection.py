"""Fault-injection training scripts, run as a subprocess by test_watch_fault_injection.py.

    python fault_injection.py MODE [MODE ...]      (MODE: plain, watch, watch-default)

runs every case below in each mode in turn, plain or under ``traindoc.watch`` (watch: every
probe on every step; watch-default: the default schedule), and prints one JSON line per case
with what the user can observe: a digest of the parameters and buffers and of the RNG state,
Python counters, user hook calls, forward calls and the last loss. Before each case it writes
a marker line to stderr, so the test can tell which case printed what. Warnings are shown every
time they occur (not once per place), so a warning that watching adds cannot hide behind one
that plain training gave.
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings

import torch
from torch import nn

import traindoc

D, C, B, STEPS = 6, 3, 16, 12
MODE = "plain"


def data(i: int):
    g = torch.Generator().manual_seed(i)
    x = torch.randn(B, D, generator=g) * 3
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def digest(model: nn.Module) -> str:
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    h.update(torch.random.get_rng_state().numpy().tobytes())
    return h.hexdigest()[:16]


class InputClamp(nn.Module):
    """Clamps its own input in place, then an activation in place."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, 16)
        self.head = nn.Linear(16, C)

    def forward(self, x):
        x.clamp_(-2.0, 2.0)
        h = self.fc(x)
        h.clamp_(-1.0, 1.0)
        return self.head(torch.relu(h))


class MaskOut(nn.Module):
    """Logits, an attention-style mask with -inf entries and an integer prediction."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, C)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        logits = self.fc(x)
        mask = torch.where(x[:, :C] > 0, 0.0, float("-inf"))
        return logits + mask.clamp_min(-1e4) * 0, mask, logits.argmax(dim=1)


class Stateful(nn.Module):
    """A Python counter, a non-buffer tensor, BatchNorm statistics, dropout (RNG), in-place ReLU."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(D, 16)
        self.bn = nn.BatchNorm1d(16)
        self.act = nn.ReLU(inplace=True)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(16, C)
        self.calls = 0
        self.seen = torch.zeros(())

    def forward(self, x):
        self.calls += 1
        self.seen += x.detach().sum()
        return self.head(self.drop(self.act(self.bn(self.fc(x)))))


def scripted():
    return torch.jit.script(nn.Sequential(nn.Linear(D, 16), nn.ReLU(), nn.Linear(16, C)))


def train(make, *, out_index=None, hooks=False, bad_calls=False, logs=None):
    """One seeded training of STEPS steps; returns what the user can observe."""
    torch.manual_seed(0)
    model = make()
    opt = torch.optim.SGD(model.parameters(), 0.05, momentum=0.9)
    hook_calls = [0]
    if hooks:
        for m in model.modules():
            m.register_forward_hook(lambda *a: hook_calls.__setitem__(0, hook_calls[0] + 1))
    doc = None
    if MODE != "plain":
        doc = traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=1 if MODE == "watch" else None)
        doc.start()
    loss = None
    for i in range(STEPS):
        x, y = data(i)
        opt.zero_grad()
        out = model(x)
        logits = out[out_index] if out_index is not None else out
        loss = nn.functional.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        if doc is not None:
            if bad_calls and i == 3:
                doc.step("not a loss", inputs="not a tensor", targets=object(), outputs=3)
                doc.step(torch.tensor([]), inputs=[None], targets={"y": "z"})
            else:
                doc.step(loss, inputs=x, targets=y)
            for metrics, step in logs or []:
                doc.log(metrics, step=step)
    facts = {}
    if doc is not None:
        doc.close()
        facts = {"disabled": sorted(doc.guard.disabled), "series": sorted(doc.store.series),
                 "loss_points": len(doc.store.series.get("train_loss").values) if "train_loss" in doc.store.series
                 else 0, "findings": sorted({f.id for f in doc.findings})}
    seen = getattr(model, "seen", None)
    observed = {"digest": digest(model), "calls": getattr(model, "calls", None), "hook_calls": hook_calls[0],
                "seen": float(seen) if seen is not None else None, "loss": repr(float(loss.detach()))}
    return observed, facts


def failing_probe():
    """A probe that raises a 90-line error: one line on stderr, only that probe switched off."""
    from traindoc.probes import data as data_probe

    original = data_probe.InputProbe.sample

    def boom(self, inputs):
        raise RuntimeError("input probe exploded\n" + "\n".join(f"detail line {i}" for i in range(90)))

    data_probe.InputProbe.sample = boom
    try:
        return train(Stateful)
    finally:
        data_probe.InputProbe.sample = original


CASES = {
    "input-clamp": lambda: train(InputClamp),
    "minus-inf-mask": lambda: train(MaskOut, out_index=0),
    "state-hooks-bn-rng": lambda: train(Stateful, hooks=True),
    "script-module": lambda: train(scripted),
    "huge-log": lambda: train(Stateful, logs=[({"x": 10**400, "val_loss": 1.0, "s": "text"}, None),
                                              ({"val_acc": 0.5}, "step two")]),
    "bad-step-arguments": lambda: train(Stateful, bad_calls=True),
    "failing-probe": failing_probe,
}


def main(modes: list[str]) -> int:
    global MODE
    warnings.simplefilter("always")
    for MODE in modes:
        for name, case in CASES.items():
            print(f"=== {MODE} {name}", file=sys.stderr, flush=True)
            observed, facts = case()
            print(json.dumps({"mode": MODE, "case": name, "observed": observed, "watch": facts}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["plain"]))
