"""Round-8 new-user runs under `traindoc.watch` (plain torch loops): `traindoc diagnose` of the
watch log must say what the live run said. A label check raised at the watcher's close was never
written to the log (diagnose called the shuffled-label run healthy), and symptoms a recorded cause
explains (dead units, raw inputs) were relabelled "Explained by <cause>" live but not offline."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402

from .conftest import bars  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                         nn.ReLU(), nn.Flatten(), nn.Linear(256, 4))


def _mlp(bias):
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    with torch.no_grad():
        m[0].bias.fill_(bias)
        m[2].bias.fill_(bias)
    return m


def _train(tmp_path, model, x, y, epochs, flat=False):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xv, yv = bars(200, 1)
    if flat:
        x, xv = x.flatten(1), xv.flatten(1)
    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), logdir=str(tmp_path), quiet=True) as doc:
        for _ in range(epochs):
            for i in range(0, len(x), 32):
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x[i:i + 32], targets=y[i:i + 32])
            with torch.no_grad():
                o = model(xv)
                doc.log(val_loss=float(nn.functional.cross_entropy(o, yv)), val_acc=float((o.argmax(1) == yv).float().mean()))
    live = [f for f in doc.findings if f.severity >= Severity.WARNING]
    offline = [f for f in traindoc.diagnose(str(next(tmp_path.glob("*.traindoc.jsonl"))))
               if f.severity >= Severity.WARNING]
    return live, offline


def test_shuffled_labels_found_live_are_found_in_the_log(tmp_path):
    live, offline = _train(tmp_path, _cnn(), *bars(800, 0, shuffle=True), epochs=12)
    assert any(f.id == "label-problem" for f in live), [(f.id, f.title) for f in live]
    assert any(f.id == "label-problem" for f in offline), [(f.id, f.title) for f in offline]


def test_labels_that_follow_their_inputs_are_not_flagged(tmp_path):
    live, offline = _train(tmp_path, _cnn(), *bars(800, 0), epochs=4)
    assert not live and not offline, [(f.id, f.title) for f in live + offline]


def test_symptoms_of_dead_units_are_explained_offline_as_live(tmp_path):
    live, offline = _train(tmp_path, _mlp(-10.0), *bars(800, 0), epochs=4, flat=True)
    for found in (live, offline):
        stuck = [f for f in found if f.id == "stuck-at-chance"]
        assert stuck and stuck[0].causes[0].startswith("Explained by dead-relu"), [(f.id, f.causes[:1]) for f in found]
    assert [f.id for f in live] == [f.id for f in offline]


def test_a_loss_thrown_far_above_chance_is_not_read_as_memorising(tmp_path):
    """Adam(lr=1) on a small CNN, logged with torch's SummaryWriter: the loss blows up to ~1e3,
    falls back to ln(4) and validation accuracy sits at chance. Falling from a blown-up start to the
    prior's loss fits nothing: the lead cause is the rate, not labels that do not follow the inputs."""
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    model = _cnn()
    opt = torch.optim.Adam(model.parameters(), 1.0)
    x, y = bars(800, 0)
    xv, yv = bars(200, 1)
    tb, step = SummaryWriter(str(tmp_path / "tb")), 0
    for _ in range(8):
        for i in range(0, 800, 32):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
            loss.backward()
            opt.step()
            step += 1
            tb.add_scalar("train/loss", loss.item(), step)
        with torch.no_grad():
            tb.add_scalar("val/acc", float((model(xv).argmax(1) == yv).float().mean()), step)
    tb.close()
    found = [f for f in traindoc.diagnose(str(tmp_path / "tb")) if f.severity >= Severity.WARNING]
    stuck = [f for f in found if f.id == "stuck-at-chance"]
    assert stuck, [(f.id, f.title) for f in found]
    assert "learning rate" in stuck[0].causes[0] and "memorises" not in stuck[0].causes[0], stuck[0].causes[0]
