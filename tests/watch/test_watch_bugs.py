"""Each bug of FINDINGS.md's second table, injected into a tiny model, is named with its id;
its healthy twin raises no warning or error."""

from __future__ import annotations

import pytest
import torch
from torch import nn

D, C, B = 8, 4, 32


def blobs(n=512, d=D, c=C, seed=0, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, c, (n,), generator=g)
    centers = torch.randn(c, d, generator=g) * 2
    x = centers[y] + torch.randn(n, d, generator=g)
    return x * scale + shift, y


def sampler(x, y, *, sort=False, seed=1):
    g = torch.Generator().manual_seed(seed)
    if sort:
        order = torch.argsort(y, stable=True)
        x, y = x[order], y[order]

    def batches(i):
        if sort:
            start = (i * B) % (len(y) - B)
            return x[start:start + B], y[start:start + B]
        idx = torch.randint(0, len(y), (B,), generator=g)
        return x[idx], y[idx]
    return batches


def mlp(d=D, c=C, hidden=32, act=nn.ReLU, depth=2, out_act=None):
    layers, w = [], d
    for _ in range(depth):
        layers += [nn.Linear(w, hidden), act()]
        w = hidden
    layers.append(nn.Linear(w, c))
    if out_act is not None:
        layers.append(out_act)
    return nn.Sequential(*layers)


def healthy(train):
    x, y = blobs()
    model = mlp()
    return train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 60)


def test_healthy_classifier_has_no_problem(train, problem_ids):
    doc = healthy(train)
    assert problem_ids(doc) == set(), [f.title for f in doc.findings]
    # and the probes did measure things
    run = doc.store.to_run()
    assert "grad_norm/0" in run.series and "dead_frac/1" in run.series and "input_mean" in run.series


def test_dead_relu_via_large_negative_bias(train, problem_ids):
    x, y = blobs()
    model = mlp()
    with torch.no_grad():
        model[0].bias.fill_(-50.0)
    doc = train(model, torch.optim.SGD(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 40)
    f = next(f for f in doc.findings if f.id == "dead-relu")
    assert f.evidence["dead_share"]["1"] >= 0.9


def test_saturated_sigmoid_via_huge_weights(train, problem_ids):
    x, y = blobs()
    model = mlp(act=nn.Sigmoid)
    with torch.no_grad():
        model[0].weight.mul_(100.0)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 20)
    assert "saturated-activation" in problem_ids(doc)


def test_healthy_sigmoid_net_not_saturated(train, problem_ids):
    x, y = blobs()
    model = mlp(act=nn.Sigmoid)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 30)
    assert problem_ids(doc) == set(), [f.title for f in doc.findings]


def test_exploding_gradients(train, problem_ids):
    x, y = blobs()
    model = mlp(depth=4, hidden=64)
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Linear):
                m.weight.mul_(3.0)
    doc = train(model, torch.optim.SGD(model.parameters(), 0.5), sampler(x, y), nn.CrossEntropyLoss(), 40)
    assert "exploding-gradients" in problem_ids(doc)


def test_vanishing_gradients_in_deep_sigmoid_net(train, problem_ids):
    x, y = blobs()
    model = mlp(act=nn.Sigmoid, depth=10, hidden=32)
    doc = train(model, torch.optim.SGD(model.parameters(), 1e-2), sampler(x, y), nn.CrossEntropyLoss(), 12)
    f = next(f for f in doc.findings if f.id == "vanishing-gradients")
    assert f.evidence["ratio"] < 1e-3 and f.evidence["first_layer"] == "0"


def test_unnormalized_inputs(train, problem_ids):
    x, y = blobs()
    x = (x - x.min()) / (x.max() - x.min()) * 1.4e8  # spans [0, 1.4e8]
    model = mlp()
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 12)
    f = next(f for f in doc.findings if f.id == "unnormalized-input")
    assert f.evidence["max"] > 1e7


def test_class_imbalance(train, problem_ids):
    x, y = blobs(n=1000)
    keep = (y == 0) | (torch.arange(len(y)) % 40 == 0)  # ~2.5% of the other classes survive
    doc = train(mlp(), None, sampler(x[keep], y[keep]), nn.CrossEntropyLoss(), 0) if False else None
    model = mlp()
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x[keep], y[keep]), nn.CrossEntropyLoss(), 30)
    f = next(f for f in doc.findings if f.id == "class-imbalance")
    assert f.evidence["majority_share"] > 0.8


def test_labels_out_of_range_for_binary_loss(train, problem_ids):
    x, y = blobs()  # four classes fed to a binary classifier with BCE
    model = mlp(c=1)
    loss = nn.BCEWithLogitsLoss()

    def fn(out, target):
        return loss(out.squeeze(1), target.float())
    fn.__name__ = "binary_cross_entropy_with_logits"
    batches = sampler(x, y)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), batches, fn, 10)
    assert "label-problem" in problem_ids(doc)


def test_labels_out_of_range_for_classifier_head(train, problem_ids):
    x, y = blobs(c=C + 1)  # labels 0..4, but the head has 4 outputs; NLL with ignore keeps it running
    model = mlp(c=C, out_act=nn.LogSoftmax(dim=1))
    y = torch.where(y == C, torch.full_like(y, C + 2), y)
    loss = nn.NLLLoss(ignore_index=C + 2)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), loss, 10, pass_outputs=True)
    f = next(f for f in doc.findings if f.id == "label-problem")
    assert f.evidence["subject"] == "out-of-range"


def test_unshuffled_data_sorted_by_label(train, problem_ids):
    x, y = blobs()
    model = mlp()
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y, sort=True), nn.CrossEntropyLoss(), 30)
    assert "unshuffled-data" in problem_ids(doc)


def test_missing_zero_grad(train, problem_ids):
    x, y = blobs()
    model = mlp()
    doc = train(model, torch.optim.SGD(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 12,
                zero_grad=False)
    assert "grad-not-zeroed" in problem_ids(doc)


def test_gradient_accumulation_is_not_missing_zero_grad(problem_ids):
    import traindoc

    x, y = blobs()
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), 1e-2)
    batches = sampler(x, y)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=2, quiet=True) as doc:
        for i in range(12):
            for k in range(3):  # three micro-batches per optimiser step
                xb, yb = batches(3 * i + k)
                (nn.functional.cross_entropy(model(xb), yb) / 3).backward()
            opt.step()
            opt.zero_grad()
            doc.step(torch.tensor(1.0), inputs=xb, targets=yb)
    assert "grad-not-zeroed" not in problem_ids(doc)


def test_layer_left_out_of_optimizer(train, problem_ids):
    x, y = blobs()
    model = mlp()
    params = [p for n, p in model.named_parameters() if not n.startswith("2.")]
    doc = train(model, torch.optim.Adam(params, 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 10)
    f = next(f for f in doc.findings if f.id == "frozen-parameters")
    assert "2" in f.evidence["subject"]


def test_layer_left_out_found_without_optimizer_handle(problem_ids):
    """No optimizer given to watch(): the layer is found because its weights never move."""
    import traindoc

    x, y = blobs()
    model = mlp()
    opt = torch.optim.Adam([p for n, p in model.named_parameters() if not n.startswith("2.")], 1e-2)
    batches = sampler(x, y)
    with traindoc.watch(model, every=2, quiet=True) as doc:
        for i in range(16):
            xb, yb = batches(i)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss)
    f = next(f for f in doc.findings if f.id == "frozen-parameters")
    assert f.evidence["layers"] == ["2"]


def test_softmax_before_cross_entropy(train, problem_ids):
    x, y = blobs()
    model = mlp(out_act=nn.Softmax(dim=1))
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), sampler(x, y), nn.CrossEntropyLoss(), 4)
    f = next(f for f in doc.findings if f.id == "double-softmax")
    assert f.evidence["module"] == "5"


def test_functional_softmax_inferred_from_outputs(problem_ids):
    import traindoc

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = mlp()

        def forward(self, x):
            return torch.softmax(self.body(x), dim=1)

    x, y = blobs()
    model = Net()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    batches = sampler(x, y)
    with traindoc.watch(model, opt, every=2, quiet=True) as doc:  # no loss_fn: inferred from the values
        for i in range(4):
            xb, yb = batches(i)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    assert "double-softmax" in problem_ids(doc)


def test_relu_on_regression_output(train, problem_ids):
    x = torch.randn(256, D)
    y = x @ torch.randn(D, 1)  # about half the targets are negative
    model = mlp(c=1, out_act=nn.ReLU())
    batches = sampler(x, y)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-3), batches, nn.MSELoss(), 4)
    f = next(f for f in doc.findings if f.id == "wrong-output-activation")
    assert f.evidence["activation"] == "ReLU"


def test_healthy_regression(train, problem_ids):
    x = torch.randn(256, D)
    y = x @ torch.randn(D, 1)
    model = mlp(c=1)
    doc = train(model, torch.optim.Adam(model.parameters(), 1e-2), sampler(x, y), nn.MSELoss(), 60)
    assert problem_ids(doc) == set(), [f.title for f in doc.findings]


class ExpGate(nn.Module):
    """exp(x) overflows to inf for large inputs: the planted NaN origin."""

    def forward(self, x):
        return x * torch.exp(x)


def test_nan_origin_in_specific_module(problem_ids):
    import traindoc

    model = nn.Sequential(nn.Linear(D, 16), nn.Tanh(), nn.Linear(16, 16))
    model.add_module("gate", ExpGate())
    model.add_module("head", nn.Linear(16, C))
    x, y = blobs()
    opt = torch.optim.SGD(model.parameters(), 1e-3)
    batches = sampler(x, y)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=5, quiet=True) as doc:
        for i in range(12):
            xb, yb = batches(i)
            if i == 7:
                with torch.no_grad():
                    model[2].weight.mul_(1e3)  # step 8: the gate's input is huge, exp overflows
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    f = next(f for f in doc.findings if f.id == "nonfinite-origin")
    assert f.evidence["module"] == "gate" and f.evidence["kind"] == "forward output" and f.steps == [8.0]
    # the gradients did not explode first: the NaN came from the gate, and only that is said
    assert "exploding-gradients" not in problem_ids(doc)


class SqrtFeatures(nn.Module):
    """|x| of the unmasked features as sqrt(x^2 * mask): a finite forward, but where the mask is 0
    the backward multiplies sqrt's infinite slope at 0 by 0: NaN."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mask", torch.tensor([1.0] * 8 + [0.0] * 8))

    def forward(self, x):
        return torch.sqrt(x.square() * self.mask)


def test_nan_origin_in_backward_pass(problem_ids):
    import traindoc

    model = nn.Sequential(nn.Linear(D, 16), nn.Tanh(), nn.Linear(16, 16))
    model.add_module("root", SqrtFeatures())
    model.add_module("head", nn.Linear(16, C))
    x, y = blobs()
    opt = torch.optim.SGD(model.parameters(), 1e-3)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=1, quiet=True) as doc:
        for i in range(4):
            xb, yb = x[i * B:(i + 1) * B], y[i * B:(i + 1) * B]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=xb, targets=yb)
    f = next(f for f in doc.findings if f.id == "nonfinite-origin")
    assert f.evidence["kind"] == "backward gradient" and f.steps == [1.0]
    assert (f.evidence["last_nonfinite_layer"], f.evidence["first_finite_layer_after"]) == ("2", "head")
