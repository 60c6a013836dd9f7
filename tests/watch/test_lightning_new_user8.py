"""Lightning runs of the round-8 new-user trial, read from the logger's files: a healthy CNN
logged by TensorBoardLogger every 5 steps falls steadily from its first point, which is not a
"late start" (the run was called "worth a look"); a deep MLP with a small initialisation that
waits at ln C for many epochs and then drops still is one."""

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")
pytest.importorskip("tensorboard")
from torch import nn  # noqa: E402

import traindoc  # noqa: E402

from .conftest import bars  # noqa: E402


class _Net(L.LightningModule):
    def __init__(self, net, lr, opt):
        super().__init__()
        self.net, self.lr, self.opt = net, lr, opt

    def training_step(self, b, i):
        loss = nn.functional.cross_entropy(self.net(b[0]), b[1])
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return self.opt(self.parameters(), lr=self.lr)


def _fit(tmp_path, net, data, lr, opt, epochs, logger):
    L.seed_everything(0)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*data), batch_size=32, shuffle=True)
    tr = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=logger(str(tmp_path)), enable_checkpointing=False,
                   enable_progress_bar=False, log_every_n_steps=5, enable_model_summary=False)
    tr.fit(_Net(net, lr, opt), dl)
    return traindoc.diagnose(traindoc.load(str(tmp_path / "lightning_logs"))[0])


def test_a_steady_fall_from_the_first_point_is_not_a_late_start(tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                        nn.ReLU(), nn.Flatten(), nn.Linear(256, 4))
    found = _fit(tmp_path, net, bars(800, 0), 1e-3, torch.optim.Adam, 10, L.pytorch.loggers.TensorBoardLogger)
    assert not found, [(f.id, f.title) for f in found]


def test_a_wait_at_chance_then_a_drop_is_still_a_late_start(tmp_path):
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=1000, n_features=20, n_informative=10, n_classes=5,
                               n_clusters_per_class=1, class_sep=1.5, random_state=0)
    torch.manual_seed(0)
    layers = []
    for w in (20, 32, 32, 32):
        layers += [nn.Linear(w, 32), nn.ReLU()]
    net = nn.Sequential(*layers, nn.Linear(32, 5))
    with torch.no_grad():
        for m in net:
            if isinstance(m, nn.Linear):
                m.weight.mul_(0.5)
    data = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    found = _fit(tmp_path, net, data, 0.1, torch.optim.SGD, 30, L.pytorch.loggers.CSVLogger)
    assert any(f.id == "late-start" for f in found), [(f.id, f.title) for f in found]
