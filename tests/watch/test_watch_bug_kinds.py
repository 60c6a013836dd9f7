"""Bug kinds of the devkinds set, run live under traindoc.watch in real PyTorch loops: each named with its fix,
its correct twin left alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import traindoc
from traindoc.findings import Severity


def _loop(model, loss_fn, x, y, *, opt=None, steps=24, sched=None, per_batch=False, bs=32, during=None):
    """A plain training loop under watch(); ``during(i, opt)`` runs after each step (a setting changed mid-run)."""
    opt = opt or torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindoc.watch(model, opt, loss_fn=loss_fn, every=4, quiet=True) as doc:
        for i in range(steps):
            lo = (i * bs) % len(x)
            xb, yb = x[lo:lo + bs], y[lo:lo + bs]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            if sched is not None and (per_batch or (i + 1) % 8 == 0):
                sched.step()
            if during is not None:
                during(i, opt)
            doc.step(loss, inputs=xb, targets=yb, outputs=out)
    return [f for f in doc.findings if f.severity >= Severity.WARNING]


def _mlp(d=8, out=3, hidden=16):
    return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, out))


def _classes(n=256, d=8, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x @ torch.randn(d, k, generator=g)).argmax(1)


def _subject(found, prefix):
    return [f for f in found if str(f.evidence.get("subject", "")).startswith(prefix)]


def test_label_column_in_the_inputs_is_named_with_the_column():
    x, y = _classes()
    found = _loop(_mlp(d=9), nn.CrossEntropyLoss(), torch.cat([x, y[:, None].float()], 1), y)
    hit = _subject(found, "target-leak")
    assert hit and hit[0].id == "label-problem" and "column 8" in hit[0].title
    assert "drop" in hit[0].fixes[0].lower()


def test_features_without_the_label_are_not_a_leak():
    x, y = _classes()
    # a binary feature that agrees with the label on most rows but not all is a good feature, not a leak
    hint = (y == 1).float()[:, None]
    hint[::7] = 1 - hint[::7]
    assert not _subject(_loop(_mlp(d=9), nn.CrossEntropyLoss(), torch.cat([x, hint], 1), y), "target-leak")


def test_a_standardised_copy_of_a_regression_target_is_a_leak():
    x, _ = _classes()
    y = (x[:, :2].sum(1, keepdim=True) * 3 + 5)
    found = _loop(_mlp(d=9, out=1), nn.MSELoss(), torch.cat([x, (y - y.mean()) / y.std()], 1), y)
    assert _subject(found, "target-leak")


class _Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.body(x))


@pytest.mark.parametrize("proper", [False, True])
def test_requires_grad_set_as_an_attribute_is_named(proper):
    x, y = _classes()
    model = _Body()
    if proper:
        model.body.requires_grad_(False)
    else:
        model.body.requires_grad = False
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y), "requires-grad-attribute")
    if proper:
        assert not hit
    else:
        assert hit and hit[0].id == "frozen-parameters" and "model.body.requires_grad_(False)" in hit[0].fixes[0]


def test_layers_repeated_by_list_multiplication_are_named_and_a_comprehension_is_not():
    x, y = _classes()
    shared = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), *([nn.Linear(16, 16), nn.ReLU()] * 3), nn.Linear(16, 3))
    hit = _subject(_loop(shared, nn.CrossEntropyLoss(), x, y), "shared-layers")
    assert hit and hit[0].evidence["positions"] == ["2", "4", "6"] and "comprehension" in hit[0].fixes[0]
    own = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), *[m for _ in range(3) for m in (nn.Linear(16, 16), nn.ReLU())],
                        nn.Linear(16, 3))
    assert not _subject(_loop(own, nn.CrossEntropyLoss(), x, y), "shared-layers")


class _Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8, padding_idx=0)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.emb(x))


class _TokenCE(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(**kw)

    def forward(self, out, y):
        return self.ce(out.reshape(-1, out.shape[-1]), y.reshape(-1))


def _padded(n=128, steps=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, steps, dtype=torch.long)
    for i in range(n):
        k = int(torch.randint(3, 8, (1,), generator=g))
        x[i, :k] = torch.randint(1, 20, (k,), generator=g)
    y = torch.where(x > 0, 1 + x % 3, torch.zeros_like(x))
    return x, y


@pytest.mark.parametrize("ignore", [None, 0])
def test_padding_scored_by_a_token_loss_is_named_unless_ignored(ignore):
    x, y = _padded()
    loss = _TokenCE() if ignore is None else _TokenCE(ignore_index=ignore)
    hit = _subject(_loop(_Tagger(), loss, x, y, steps=8), "padding-in-loss")
    if ignore is None:
        assert hit and "ignore_index=0" in hit[0].fixes[0] and hit[0].evidence["pad_tag"] == 0
    else:
        assert not hit


@pytest.mark.parametrize("column", [False, True])
def test_mse_on_a_squeezed_output_and_a_column_target_is_named(column):
    x, _ = _classes()
    y = x[:, :1] * 2

    class Squeezed(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = _mlp(out=1)

        def forward(self, inp):
            return self.net(inp).squeeze(-1)

    hit = _subject(_loop(Squeezed(), nn.MSELoss(), x, y.view(-1) if column else y), "loss-broadcast")
    if column:
        assert not hit
    else:
        assert hit and hit[0].evidence["grid"] == [32, 32] and "view(-1)" in hit[0].fixes[0]


@pytest.mark.parametrize("per_batch", [True, False])
def test_cosine_schedule_stepped_past_t_max_is_named(per_batch):
    x, y = _classes()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3)
    hit = _subject(_loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, sched=sched, per_batch=per_batch),
                   "cosine-past-t-max")
    if per_batch:
        assert hit and hit[0].id == "lr-decay-too-fast" and "once per epoch" in hit[0].fixes[0]
    else:
        assert not hit  # 24 steps, stepped every 8: 3 calls, exactly T_max


def test_target_leak_ignores_one_input_demos_and_wide_targets():
    from traindoc.checks.target_leak import leaked_columns

    x = np.linspace(-1, 1, 64)[:, None]
    assert leaked_columns(x, 2 * x[:, 0] + 1) == []  # fitting y = 2x + 1 is a demo, not a leak
    xs = np.random.default_rng(0).normal(size=(64, 4))
    assert leaked_columns(xs, xs) == []  # an autoencoder's targets are its inputs by design
    assert leaked_columns(np.c_[xs, xs[:, 0] > 0], (xs[:, 0] > 0).astype(int)) == [4]
