"""Review findings of session 10, each pinned by a test that failed before its fix."""

from __future__ import annotations

import time

import pytest

torch = pytest.importorskip("torch")


def test_a_rate_jump_from_zero_is_named_without_dividing_by_zero():
    """A rate that fell to 0 and then jumped (g['lr'] = decay after a zero) must not raise inside at_end."""
    from traindoc.checks.lr_jump import lr_jump_finding

    steps = [float(s) for s in range(12)]
    lrs = [1e-3, 1e-3, 1e-3, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    losses = [1.0, 0.9, 0.8, 0.8, 3.0, 3.2, 3.1, 3.3, 3.0, 3.2, 3.1, 3.3]
    f = lr_jump_finding(steps, lrs, steps, losses)
    assert f is not None and f.id == "lr-too-high" and "0.5" in f.title


def test_a_long_quote_heavy_line_is_refused_quickly(tmp_path):
    """csv.Sniffer is quadratic on quote-heavy lines: a long lone line must not stall the empty-log reading."""
    from traindoc.readers._empty import declared_only

    p = tmp_path / "junk.csv"
    p.write_text(',"a' * 21000)
    t0 = time.perf_counter()
    assert declared_only(p) is None
    assert time.perf_counter() - t0 < 2.0


def test_one_failing_late_check_is_disabled_alone_inside_a_real_loop(monkeypatch):
    """A late check that raises at the end of a real watched run costs only itself: the other end-of-run
    checks (here the row-link reading and the wiring probe) stay on, and training is untouched."""
    import traindoc
    from torch import nn

    import traindoc.checks.lr_jump as lr_jump

    def broken(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(lr_jump, "lr_jump_finding", broken)
    torch.manual_seed(0)
    x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    with traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True) as doc:
        for _ in range(4):
            for i in range(0, 256, 32):
                opt.zero_grad()
                out = model(x[i:i + 32])
                loss = loss_fn(out, y[i:i + 32])
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32], outputs=out)
            sched.step()
    assert "lr-jump" in doc.guard.disabled, doc.guard.disabled
    assert not {"wiring", "row-link", "lr-floor", "checks"} & set(doc.guard.disabled), doc.guard.disabled


def test_large_language_model_logits_are_not_copied_for_the_flatten_check():
    """Outputs past MAX_SCORES elements are left alone: the check would cost gigabytes on the user's device."""
    from traindoc.checks import flatten_order

    b, t, v = 2, 4, flatten_order.MAX_SCORES // 8 + 1
    outputs = torch.zeros(b, t, v).expand(b, t, v)
    targets = torch.zeros(b, t, dtype=torch.long)
    assert flatten_order.flatten_order_finding(torch.tensor(1.0), outputs, targets) is None
