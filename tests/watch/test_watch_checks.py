"""Static model checks as plain functions (traindoc.check calls them too), and the rules that
need a specific set-up: poor initialisation, update ratio."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import traindoc
from traindoc.checks.static import (check_frozen_parameters, check_missing_bias, check_output_activation,
                                    infer_double_softmax, loss_kind)
from traindoc.findings import Severity


def test_loss_kinds():
    assert loss_kind(nn.CrossEntropyLoss()) == "ce"
    assert loss_kind(nn.functional.cross_entropy) == "ce"
    assert loss_kind(nn.BCEWithLogitsLoss()) == "bce_logits"
    assert loss_kind(nn.MSELoss()) == "regression"
    assert loss_kind(lambda a, b: a) is None


def test_output_activation_checks():
    soft = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    assert [f.id for f in check_output_activation(soft, nn.CrossEntropyLoss())] == ["double-softmax"]
    logsoft = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
    assert check_output_activation(logsoft, nn.NLLLoss()) == []  # the right pairing
    f = check_output_activation(logsoft, nn.CrossEntropyLoss())[0]
    assert f.id == "double-softmax" and f.severity == Severity.INFO  # redundant, harmless
    sig = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    assert [f.id for f in check_output_activation(sig, nn.BCEWithLogitsLoss())] == ["wrong-output-activation"]
    assert check_output_activation(sig, nn.BCELoss()) == []
    relu = nn.Sequential(nn.Linear(4, 1), nn.ReLU())
    assert [f.id for f in check_output_activation(relu, nn.MSELoss())] == ["wrong-output-activation"]
    assert check_output_activation(nn.Sequential(nn.Linear(4, 1)), nn.MSELoss()) == []


def test_double_softmax_inferred_from_values():
    probs = torch.softmax(torch.randn(8, 5), dim=1)
    labels = torch.randint(0, 5, (8,))
    assert [f.id for f in infer_double_softmax(probs, labels)] == ["double-softmax"]
    assert infer_double_softmax(torch.randn(8, 5), labels) == []  # logits
    # Not a softmax-applying loss: no double softmax; but probabilities are not the log-probabilities it needs.
    assert [f.id for f in infer_double_softmax(probs, labels, nn.NLLLoss())] == ["wrong-output-activation"]
    assert infer_double_softmax(torch.log_softmax(torch.randn(8, 5), dim=1), labels, nn.NLLLoss()) == []


def test_missing_bias_is_info_and_skips_layers_before_norms():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(),
                          nn.Linear(8, 4, bias=False))
    f = check_missing_bias(model)[0]
    assert f.severity == Severity.INFO and f.evidence["layers"] == ["4"]


def test_frozen_parameters_static():
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = torch.optim.SGD(model[0].parameters(), 0.1)
    f = check_frozen_parameters(model, opt)[0]
    assert f.evidence["parameters"] == ["2.weight", "2.bias"]
    model[2].requires_grad_(False)  # an intended freeze is not a finding
    assert check_frozen_parameters(model, opt) == []


def _run(model, opt, steps=10, lr_batches=None):
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(32, 8, generator=g) for _ in range(steps)])  # the same draws, batch by batch
    return _watched_batches(model, opt, x, (x[:, 0] > 0).long(), batches=steps, every=1)


def deep_tanh(scale: float | None):
    layers = []
    for _ in range(6):
        lin = nn.Linear(8 if not layers else 32, 32)
        if scale is not None:
            nn.init.normal_(lin.weight, std=scale)
            nn.init.zeros_(lin.bias)
        else:
            nn.init.xavier_normal_(lin.weight, gain=5 / 3)
            nn.init.zeros_(lin.bias)
        layers += [lin, nn.Tanh()]
    return nn.Sequential(*layers, nn.Linear(32, 2))


def test_poor_initialization_tiny_weights():
    model = deep_tanh(0.01)
    doc = _run(model, torch.optim.Adam(model.parameters(), 1e-3), steps=3)
    f = next(f for f in doc.findings if f.id == "poor-initialization")
    assert f.evidence["ratio"] < 1e-3


def test_xavier_init_is_not_poor():
    model = deep_tanh(None)
    doc = _run(model, torch.optim.Adam(model.parameters(), 1e-3), steps=3)
    assert "poor-initialization" not in {f.id for f in doc.findings}


def test_update_ratio_too_high():
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    doc = _run(model, torch.optim.Adam(model.parameters(), 0.5), steps=8)
    f = next(f for f in doc.findings if f.id == "update-ratio")
    assert f.evidence["subject"] == "high"


def test_update_ratio_low_named_when_the_loss_did_not_move():
    # Adam's step is about lr per weight: at 3e-6 the ratio sits near 1e-5-1e-4, a tenth of healthy or less, and
    # the loss does not move: the steps are too small for this run.
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    doc = _run(model, torch.optim.Adam(model.parameters(), 3e-6), steps=40)
    f = next(f for f in doc.findings if f.id == "update-ratio")
    assert f.evidence["subject"] == "low" and "Raise the learning rate" in f.fixes[0]
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    doc = _run(model, torch.optim.Adam(model.parameters(), 1e-2), steps=40)  # learns: no verdict on the steps
    assert "update-ratio" not in {f.id for f in doc.findings}


def _watched_batches(model, opt, x, y, batches, every):
    """Cross-entropy training on consecutive batches of 32 rows under traindoc.watch."""
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=every, quiet=True) as doc:
        for i in range(batches):
            xb, yb = x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    return doc


def _rows_standardised(by_row: bool, n=640, seed=0):
    """Ten readings at offsets 1e4 ... 1e-2; standardised along each row (the bug) or each column."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 10, generator=g)
    x = torch.logspace(4, -2, 10) * (1 + 0.05 * z)
    y = (z[:, 0] + z[:, 5] > 0).long()
    dim = 1 if by_row else 0
    return (x - x.mean(dim, keepdim=True)) / x.std(dim, keepdim=True), y


@pytest.mark.parametrize("by_row", [True, False])
def test_features_at_offsets_from_row_standardisation(by_row):
    x, y = _rows_standardised(by_row)
    model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), 1e-3)  # slow: the loss barely falls either way
    doc = _watched_batches(model, opt, x, y, batches=20, every=1)
    found = [f for f in doc.findings if f.id == "unnormalized-input"]
    if by_row:
        assert found and "x.mean(0)" in found[0].fixes[0] and "offsets" in found[0].title
    else:
        assert not found  # per-feature standardised: every feature spreads as much as the whole


def test_one_row_fed_again_and_again_is_not_read_as_offset_features():
    """A Dataset returning self.x[0] for every index: no feature varies across the rows, which is not a scaling
    along the wrong axis (whose fix would not help)."""
    x, y = _rows_standardised(True)
    x = x[:1].expand_as(x).clone()
    model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
    doc = _watched_batches(model, torch.optim.SGD(model.parameters(), 1e-3), x, y, batches=20, every=1)
    assert not [f for f in doc.findings if f.id == "unnormalized-input" and "offsets" in f.title]


def _digits_like(n=512, seed=0):
    """8x8 'images' in [0, 1] whose border pixels are always 0 (as sklearn's digits)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 8, 8)
    x[:, 1:7, 1:7] = torch.rand(n, 6, 6, generator=g)
    x = x.reshape(n, 64)
    return x, (x[:, 20] > 0.5).long() + (x[:, 30] > 0.5).long()


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_input_scale_live_agrees_with_check_and_ignores_constant_features(scale):
    import traindoc
    from traindoc.checks.data_check import data_check

    x, y = _digits_like()
    x = x * scale
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    doc = _watched_batches(model, opt, x, y, batches=16, every=2)
    live = "unnormalized-input" in {f.id for f in doc.findings}
    checked = "unnormalized-input" in {f.id for f in data_check([(x[i:i + 32], y[i:i + 32]) for i in range(0, 512, 32)]).findings}
    assert live == checked == (scale > 1)
    ratio = doc.store.series["input_channel_scale_ratio"].values
    assert max(ratio) < 1e3  # the zero-spread border is not a 1e12x scale difference


@pytest.mark.parametrize("blocks", [True, False])
def test_class_blocks_counted_at_every_early_step(blocks):
    # Three classes of 150 rows in blocks, batches of 32, no shuffling: 15 batches an epoch, 12 of them one
    # class. The sampled steps (10, 20, 30 ... in the first 100) fall on 3 positions of the epoch only, two
    # of them mixed; counting every early step sees the blocks.
    g = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat_interleave(150)
    x = torch.randn(450, 8, generator=g) + y[:, None].float()
    if not blocks:
        perm = torch.randperm(450, generator=g)
        x, y = x[perm], y[perm]
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), 0.05)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), quiet=True) as doc:
        for _ in range(8):
            for i in range(0, 450, 32):
                xb, yb = x[i:i + 32], y[i:i + 32]
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
                doc.step(loss, inputs=xb, targets=yb)
    found = [f for f in doc.findings if f.id == "unshuffled-data"]
    if blocks:
        assert found and found[0].evidence["single_class_share"] >= 0.75 and "first steps" in found[0].title
    else:
        assert not found
