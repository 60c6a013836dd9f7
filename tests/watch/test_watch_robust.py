"""The watcher never hurts training: failing probes, hooks on exit, memory, compile, AMP."""

from __future__ import annotations

import gc

import pytest
import torch
from torch import nn

import traindoc
from traindoc.probes import gradients


def tiny(d=4, c=3):
    return nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, c))


def batch(n=16, d=4, c=3):
    x = torch.randn(n, d)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules())


def test_failing_probe_is_reported_once_and_disabled(monkeypatch, capsys):
    calls = []

    def boom(self, unscaled=False):
        calls.append(1)
        raise RuntimeError("probe bug")

    monkeypatch.setattr(gradients.GradientProbe, "sample", boom)
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    with traindoc.watch(model, opt, every=1) as doc:
        for _ in range(10):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y)
    err = capsys.readouterr().err
    assert err.count("probe bug") == 1 and "gradients" in doc.guard.disabled
    assert len(calls) == 1  # disabled after the first failure
    assert "train_loss" in doc.store.series and "act_std/0" in doc.store.series  # the rest kept working


def test_every_hook_removed_on_exit_even_after_an_exception():
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    before = hook_count(model)
    opt_hooks = len(opt._optimizer_step_pre_hooks) + len(opt._optimizer_step_post_hooks)
    with pytest.raises(KeyError):
        with traindoc.watch(model, opt, every=1, quiet=True) as doc:
            for i in range(5):
                x, y = batch()
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
                doc.step(torch.tensor(1.0))
                assert hook_count(model) > before  # armed while running
                if i == 3:
                    raise KeyError("user bug")
    assert hook_count(model) == before
    assert len(opt._optimizer_step_pre_hooks) + len(opt._optimizer_step_post_hooks) == opt_hooks
    for p in model.parameters():
        assert not p._backward_hooks if hasattr(p, "_backward_hooks") and p._backward_hooks is not None else True


def test_memory_bounded_over_100k_steps():
    """A tiny model trained for 100,000 steps: memory stops growing once the buffers are full."""
    psutil = pytest.importorskip("psutil")
    proc = psutil.Process()
    model = nn.Linear(2, 1)
    x = torch.randn(4, 2)
    with traindoc.watch(model, every=100, quiet=True) as doc:
        for i in range(100_000):
            # The watcher's per-step path runs on every step; the model takes a real SGD step on
            # one step in ten (and on every sampled step) so the test fits its time budget.
            if i % 10 == 0 or (i + 1) % 100 == 0:
                model.zero_grad(set_to_none=True)
                loss = model(x).square().mean()
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p.sub_(1e-3 * p.grad)
            doc.step(loss)
            if i == 30_000:
                gc.collect()
                rss_30k = proc.memory_info().rss
                loss_points_30k = len(doc.store.series["train_loss"].values)
        gc.collect()
        rss_100k = proc.memory_info().rss
    s = doc.store.series["train_loss"]
    assert s.total == 100_000 and len(s.values) <= doc.store.capacity  # thinned, not grown
    assert loss_points_30k <= doc.store.capacity
    assert all(len(b.values) <= doc.store.capacity for b in doc.store.series.values())
    # Unbounded per-step storage would add several MB over 70,000 steps; allow allocator noise.
    assert rss_100k - rss_30k < 4 * 1024 * 1024, (rss_30k, rss_100k)
    assert s.steps[0] == 1 and s.steps[-1] == 100_000  # the whole history survives, coarser


def test_compiled_model_still_trains(capsys):
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    cmodel = torch.compile(model, backend="eager")
    losses = []
    with traindoc.watch(cmodel, opt, every=1) as doc:
        for _ in range(8):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(cmodel(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
            losses.append(float(loss.detach()))
    err = capsys.readouterr().err
    assert err.count("compiled") == 1
    assert "grad_norm/0" in doc.store.series and not doc.guard.disabled
    assert hook_count(model) == 0


def test_amp_grad_scaler_skips_are_not_findings():
    """fp16-style loss scaling: overflowing steps are skipped by the scaler, nothing is raised."""
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.05)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 16)
    with traindoc.watch(model, opt, every=1, scaler=scaler, quiet=True) as doc:
        for i in range(30):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            scaler.scale(loss).backward()
            if i in (3, 11):  # an overflow as fp16 would produce: the scaler must skip this step
                next(model.parameters()).grad[0, 0] = float("inf")
            scaler.step(opt)
            scaler.update()
            doc.step(loss, inputs=x, targets=y)
    assert scaler.get_scale() < 2.0 ** 16  # the scaler did skip steps
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert {f.id for f in doc.findings if f.severity >= 2} == set(), [f.title for f in doc.findings]
    assert "amp_scale" in doc.store.series


def test_amp_scale_collapse_is_reported():
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.05)
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0)
    with traindoc.watch(model, opt, every=1, scaler=scaler, quiet=True) as doc:
        for i in range(12):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            scaler.scale(loss).backward()
            next(model.parameters()).grad[0, 0] = float("inf")  # every step overflows
            scaler.step(opt)
            scaler.update()
            doc.step(loss)
    f = next(f for f in doc.findings if f.id == "exploding-gradients")
    assert f.evidence["subject"] == "amp_scale"


def test_bf16_autocast_on_cpu():
    model = tiny()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    with traindoc.watch(model, opt, every=1, quiet=True) as doc:
        for _ in range(30):
            x, y = batch()
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = model(x)
                loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x, targets=y)
    assert not doc.guard.disabled
    assert {f.id for f in doc.findings if f.severity >= 2} == set()
    assert len(doc.store.series["act_std/0"].values) == 30


def test_on_finding_called_once_per_finding():
    seen = []
    model = tiny()
    with torch.no_grad():
        model[0].bias.fill_(-100.0)
    opt = torch.optim.SGD(model.parameters(), 1e-3)
    with traindoc.watch(model, opt, every=1, on_finding=seen.append, quiet=True) as doc:
        for _ in range(20):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
    assert [f.id for f in seen].count("dead-relu") == 1
    assert seen == doc.findings


def test_report_option_never_breaks_training(tmp_path, capsys):
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    target = tmp_path / "report.html"
    with traindoc.watch(model, opt, every=1, report=target, quiet=True) as doc:
        for _ in range(4):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
    assert "Traceback" not in capsys.readouterr().err
    assert target.exists() and target.stat().st_size > 0


@pytest.mark.filterwarnings("ignore:Dynamo does not know how to trace")
def test_watch_then_compile_still_trains():
    """Hooks registered before torch.compile are traced with the model; it compiles and trains."""
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    with traindoc.watch(model, opt, every=2, quiet=True) as doc:
        cmodel = torch.compile(model, backend="eager")
        first = None
        for _ in range(12):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(cmodel(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
            first = first if first is not None else float(loss.detach())
    assert not doc.guard.disabled
    assert len(doc.store.series["train_loss"].values) == 12 and "grad_norm/0" in doc.store.series
    assert hook_count(model) == 0


def test_live_report_is_written_when_a_finding_appears(tmp_path):
    pytest.importorskip("traindoc.reports.html")
    model = tiny()
    with torch.no_grad():
        model[0].bias.fill_(-100.0)
    opt = torch.optim.SGD(model.parameters(), 1e-3)
    target = tmp_path / "live.html"
    import time

    with traindoc.watch(model, opt, every=1, report=target, quiet=True) as doc:
        for _ in range(400):
            x, y = batch()
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            doc.step(loss)
            time.sleep(0.002)  # a step of a real model; the rules run on a share of the time
            if target.exists():
                break
        assert target.exists() and "dead-relu" in target.read_text()  # before training ended
    assert "dead-relu" in target.read_text()



def test_a_failing_host_derivation_costs_only_its_probe(monkeypatch, capsys):
    """The label statistics are finished on the host at read-back: a failure there switches off
    the targets probe alone, in one line; the rest of the read-back still records."""
    from traindoc.probes import data

    def boom(self, values):
        raise ValueError("broken\nsecond line")

    monkeypatch.setattr(data.TargetProbe, "_label_stats", boom)
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), 0.1)
    doc = traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), every=2)
    doc.start()  # before the first forward: the output width (the class count) is known at step 1
    for x, y in (batch() for _ in range(12)):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        doc.step(loss, inputs=x, targets=y)
    doc.close()
    err = capsys.readouterr().err
    assert "probe 'targets' failed (ValueError: broken)" in err and "second line" not in err
    assert "probe 'readback'" not in err
    assert len(doc.store.series["grad_norm"].values) >= 5 and "input_mean" in doc.store.series
    assert not any(name.startswith("target_") for name in doc.store.series)
