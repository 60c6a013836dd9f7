"""A Lightning run a new user would write (training_step calls self.net, so the module's own forward
never runs) with SGD at lr=1e-5: the model never leaves its starting guess. Live and from the
CSVLogger's metrics.csv it is at chance over 10 classes (not 11: neighbouring counts are told apart
by the loss), and the lead cause is a rate too low, not 'far too high or far too low'."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.lightning import TraindocCallback  # noqa: E402


def _data(n, seed):
    g = torch.Generator().manual_seed(seed)
    protos = torch.randn(10, 20, 64, generator=torch.Generator().manual_seed(5))
    y = (torch.arange(n) % 10)[torch.randperm(n, generator=g)]
    return protos[y, torch.randint(0, 20, (n,), generator=g)] + 0.7 * torch.randn(n, 64, generator=g), y


class _Net(L.LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        self.lr = lr

    def training_step(self, b, i):
        loss = torch.nn.functional.cross_entropy(self.net(b[0]), b[1])
        self.log("train_loss", loss)
        return loss

    def validation_step(self, b, i):
        out = self.net(b[0])
        self.log("val_loss", torch.nn.functional.cross_entropy(out, b[1]))
        self.log("val_acc", (out.argmax(1) == b[1]).float().mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


def _fit(tmp_path, lr):
    L.seed_everything(0)
    ds = torch.utils.data.TensorDataset(*_data(640, 0))
    vs = torch.utils.data.TensorDataset(*_data(300, 1))
    cb = TraindocCallback(quiet=True)
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", logger=L.pytorch.loggers.CSVLogger(str(tmp_path)),
                        callbacks=[cb], enable_checkpointing=False, enable_progress_bar=False, log_every_n_steps=5,
                        enable_model_summary=False)
    trainer.fit(_Net(lr), torch.utils.data.DataLoader(ds, batch_size=32, shuffle=True),
                torch.utils.data.DataLoader(vs, batch_size=300))
    csv = next(tmp_path.rglob("metrics.csv"))
    offline = traindoc.diagnose(traindoc.load(str(csv))[0])
    return [f for f in cb.findings if f.severity >= Severity.WARNING], [f for f in offline if f.severity >= Severity.WARNING]


def test_a_rate_too_low_is_at_chance_over_ten_classes_and_leads_with_the_rate(tmp_path):
    live, csv = _fit(tmp_path, 1e-5)
    for found in (live, csv):
        stuck = [f for f in found if f.id == "stuck-at-chance"]
        assert stuck, [(f.id, f.title) for f in found]
        assert stuck[0].evidence.get("classes") == 10, stuck[0].evidence
        assert "too low" in stuck[0].causes[0] and "too high" not in stuck[0].causes[0], stuck[0].causes[0]


def test_a_sane_rate_twin_is_clean(tmp_path):
    live, csv = _fit(tmp_path, 0.05)
    assert not live and not csv, [(f.id, f.title) for f in live + csv]
