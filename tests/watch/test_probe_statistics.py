"""The probes' fused statistics equal the plain torch computation they replace.

The activation, gradient and input probes compute many scalars in a few fused device ops (for
speed); these tests compare each against the obvious per-tensor torch code on real models,
including batches whose size changes between samples and layers without gradients.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from traindoc.probes.activations import STAT_ELEMENTS, STAT_EXAMPLES, ActivationProbe
from traindoc.probes.data import HOST_CHANNELS, Derived, InputProbe
from traindoc.probes.gradients import GradientProbe
from traindoc.probes.layers import LayerMap


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 16),
                         nn.Tanh(), nn.Linear(16, 4))


def _expected_scale(out: torch.Tensor) -> tuple[float, float]:
    part = out.detach()[:STAT_EXAMPLES].reshape(-1).double()
    if part.numel() > STAT_ELEMENTS:
        part = part[::-(-part.numel() // STAT_ELEMENTS)]
    return float(part.mean()), float(part.std())


def test_activation_scales_match_torch_across_changing_batch_sizes() -> None:
    torch.manual_seed(0)
    model = _net()
    outs: dict[str, torch.Tensor] = {}
    for name, m in model.named_children():
        m.register_forward_hook(lambda mod, a, o, name=name: outs.__setitem__(name, o))
    probe = ActivationProbe(model, lambda f: f)
    # Large, small, then large again: rows shrink (their tail must be zeroed) and grow back.
    for batch in (64, 3, 40, 1):
        probe.arm()
        model(torch.randn(batch, 3, 6, 6) * 5 + 2)
        names, vals = next(s for s in probe.finish_sample() if s[0][0].startswith("act_"))
        table = dict(zip(names, vals.tolist()))
        for module in ("0", "1", "3", "4", "5"):
            mean, std = _expected_scale(outs[module])
            assert table[f"act_mean/{module}"] == pytest.approx(mean, rel=1e-5, abs=1e-6)
            assert table[f"act_std/{module}"] == pytest.approx(std, rel=1e-5, abs=1e-6)


def test_activation_std_of_a_constant_output_is_zero() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 2))
    with torch.no_grad():
        model[0].bias.fill_(200.0)  # sigmoid(200) is exactly 1.0 in float32: no spread at all
    probe = ActivationProbe(model, lambda f: f)
    probe.arm()
    model(torch.randn(16, 4))
    names, vals = next(s for s in probe.finish_sample() if s[0][0].startswith("act_"))
    table = dict(zip(names, vals.tolist()))
    assert table["act_mean/1"] == 1.0
    assert table["act_std/1"] == 0.0


def test_gradient_probe_matches_per_parameter_norms_with_a_layer_without_gradient() -> None:
    torch.manual_seed(1)
    model = _net()
    model(torch.randn(8, 3, 6, 6)).pow(2).mean().backward()
    model[3].weight.grad = None
    model[3].bias.grad = None  # layer "3" gets no gradient at this sample
    model[5].bias.grad = None  # layer "5" keeps one of two
    layers = LayerMap.of(model)
    probe = GradientProbe(layers)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    samples = dict((names[0], (names, vals)) for names, vals in probe.sample())
    w_names, w_vals = samples["weight_norm/0"]
    for name, v in zip(w_names, w_vals.tolist()):
        layer = name.split("/", 1)[1]
        ps = [p for n, p in model.named_parameters() if n.rsplit(".", 1)[0] == layer]
        assert v == pytest.approx(float(torch.sqrt(sum(p.detach().double().pow(2).sum() for p in ps))), rel=1e-5)
    g_names, g_vals = samples["grad_norm"]
    assert "grad_norm/3" not in g_names
    table = dict(zip(g_names, g_vals.tolist()))
    grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    assert table["grad_norm/5"] == pytest.approx(float(grads["5.weight"].norm()), rel=1e-5)
    assert table["grad_norm"] == pytest.approx(float(torch.sqrt(sum(g.double().pow(2).sum() for g in grads.values()))),
                                               rel=1e-5)
    assert probe.no_grad_counts[layers.names.index("3")] == 1 and sum(probe.no_grad_counts) == 1
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    (u_names, u_vals), = probe.update()
    for name, v in zip(u_names, u_vals.tolist()):
        layer = name.split("/", 1)[1]
        keys = [n for n in before if n.rsplit(".", 1)[0] == layer]
        params = dict(model.named_parameters())
        upd = torch.sqrt(sum((params[k].detach().double() - before[k].double()).pow(2).sum() for k in keys))
        w = torch.sqrt(sum(params[k].detach().double().pow(2).sum() for k in keys))
        assert v == pytest.approx(float(upd / w), rel=1e-4, abs=1e-9)


def _finished(names, vals: torch.Tensor) -> dict[str, float]:
    """A probe's sample as the read-back records it (raw sums are finished on the host)."""
    values = vals.tolist()
    if isinstance(names, Derived):
        values, names = names.derive(values), names.names
    return dict(zip(names, values))


@pytest.mark.parametrize("shape", [(40, 3, 8, 8), (30, 5), (1, 7), (50,), (20, 4, 9)])
def test_input_scale_matches_torch_std(shape: tuple[int, ...]) -> None:
    torch.manual_seed(2)
    x = torch.rand(shape) * 255 + 10
    (names, vals), = InputProbe().sample(x)
    table = _finished(names, vals)
    seen = x[:16] if x.dim() >= 3 else x
    per_channel = (seen.transpose(0, 1).reshape(seen.shape[1], -1) if seen.dim() >= 2 else seen.reshape(1, -1))
    chan_std = per_channel.std(dim=1) if per_channel.shape[1] > 1 else per_channel.abs().amax(dim=1)
    assert table["input_mean"] == pytest.approx(float(seen.mean()), rel=1e-5)
    assert table["input_std"] == pytest.approx(float(seen.std()), rel=1e-4)
    assert table["input_min"] == float(seen.min()) and table["input_max"] == float(seen.max())
    assert table["input_channel_std_max"] == pytest.approx(float(chan_std.max()), rel=1e-4)


@pytest.mark.parametrize("shape", [(5, 3, 4, 4), (70, 6), (3, 9, 2), (12, 8, 30, 30)])
def test_strided_sample_view_equals_the_sliced_sample(shape: tuple[int, ...]) -> None:
    from traindoc.probes.activations import _sample_shape, _stat_sample

    o = torch.randn(shape)
    count, step = _sample_shape(o)
    assert torch.equal(o.as_strided((count,), (step,)), _stat_sample(o))
    o = o[1:]  # a view with a storage offset
    count, step = _sample_shape(o)
    assert torch.equal(o.as_strided((count,), (step,)), _stat_sample(o))


def test_dead_fraction_over_a_window_matches_the_fired_masks() -> None:
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(2, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 4 * 4, 10), nn.ReLU6(),
                          nn.Linear(10, 2))
    with torch.no_grad():
        model[0].bias[:3] = -50.0  # three channels never fire
        model[3].bias[:4] = -50.0  # four features never fire
        model[0].bias[3] = -4.0  # one channel fires rarely
    outs: dict[str, list[torch.Tensor]] = {"1": [], "4": []}
    for name in outs:
        model[int(name)].register_forward_hook(lambda m, a, o, name=name: outs[name].append(o.detach()))
    probe = ActivationProbe(model, lambda f: f)
    dead = None
    for _ in range(4):  # batches of 2 rows: the window closes after 4 samples
        probe.arm()
        model(torch.randn(2, 2, 6, 6))
        for names, vals in probe.finish_sample():
            if names[0].startswith("dead_frac/"):
                dead = dict(zip(names, vals.tolist()))
    assert dead is not None
    fired_conv = torch.stack([o.amax(dim=(0, 2, 3)) for o in outs["1"]]).amax(0).gt(0)
    fired_fc = torch.stack([o.amax(dim=0) for o in outs["4"]]).amax(0).gt(0)
    assert dead["dead_frac/1"] == pytest.approx(1 - fired_conv.float().mean().item())
    assert dead["dead_frac/4"] == pytest.approx(1 - fired_fc.float().mean().item())
    assert dead["dead_frac/1"] >= 0.5 and dead["dead_frac/4"] >= 0.4


def test_input_scale_of_many_features_on_the_device_equals_the_host_combination(monkeypatch) -> None:
    import traindoc.probes.data as data

    torch.manual_seed(4)
    x = torch.rand(24, 6, 5) * torch.tensor([1.0, 10.0, 100.0, 0.0, 5.0, 2.0])[None, :, None] + 3
    host = _finished(*InputProbe().sample(x)[0])
    monkeypatch.setattr(data, "HOST_CHANNELS", 2)  # six channels: the device path
    device = _finished(*InputProbe().sample(x)[0])
    assert set(host) == set(device) and HOST_CHANNELS > 6
    for k in host:
        assert host[k] == pytest.approx(device[k], rel=1e-4), k
    assert host["input_channel_scale_ratio"] == pytest.approx(100.0, rel=0.2)  # the constant channel left out


def test_label_statistics_on_the_host_equal_the_device_path(monkeypatch) -> None:
    import traindoc.probes.data as data
    from traindoc.probes.data import TargetProbe

    torch.manual_seed(5)
    out = torch.empty(16, 5, device="meta")
    batches = [torch.randint(0, 5, (16,)), torch.tensor([2] * 15 + [-100]), torch.tensor([0, 1, 7, -3] + [1] * 12),
               torch.randint(0, 3, (16,))]

    def run() -> list[dict[str, float]]:
        probe = TargetProbe()
        return [_finished(*probe.sample(y, out, "ce")[0]) for y in batches]

    host = run()
    monkeypatch.setattr(data, "HOST_CLASSES", 0)
    device = run()
    for h, d in zip(host, device):
        assert set(h) == set(d)
        for k in h:
            assert h[k] == pytest.approx(d[k], rel=1e-5, abs=1e-7), k
    assert host[1]["target_single_class_batch"] == 1.0 and host[1]["target_batch_size"] == 15
    assert host[2]["target_out_of_range"] == 2.0
