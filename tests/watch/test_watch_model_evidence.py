"""traindoc.watch names causes read from the model and the batches it already sees (no extra forward).

Exactly-zero gradients (checks/zero_grads.py), constant initialisation (checks/constant_init.py),
constant regression targets (checks/target_spread.py) and clamped embedding ids
(checks/embedding_ids.py). Each bug is trained for real with a tiny torch model next to its correct
twin, which must get no warning.
"""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.findings import Severity  # noqa: E402


def _warnings(found):
    return [f for f in found if f.severity >= Severity.WARNING]


def _mlp(d=6, k=3, hidden=32):
    return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, k))


def _data(n=384, d=6, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    return x, (x @ torch.randn(d, k, generator=g)).argmax(1)


class Rounded(nn.Module):
    def __init__(self, rounded: bool):
        super().__init__()
        self.rounded = rounded
        self.net = _mlp(k=1)

    def forward(self, x):
        p = torch.sigmoid(self.net(x))
        return torch.round(p) if self.rounded else p


@pytest.mark.parametrize("rounded", [True, False])
def test_a_rounded_output_is_named_from_its_zero_gradients(fit, rounded):
    x, y = _data(k=2)
    found = fit(Rounded(rounded), nn.BCELoss(), x, y.float().reshape(-1, 1), every=4)
    named = [f for f in found if f.id == "zero-gradients" and f.evidence.get("output_values")]
    if rounded:
        assert named and named[0].severity == Severity.ERROR and "round" in named[0].fixes[0]
        assert found[0] is named[0]
    else:
        assert not _warnings(found)


class Pool(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.enc = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
        self.score = nn.Linear(16, 1)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        h = self.enc(x)
        return self.head((torch.softmax(self.score(h), dim=self.dim) * h).sum(1))


@pytest.mark.parametrize("dim", [-1, 1])
def test_a_softmax_over_a_size_one_axis_is_named_from_the_layer_with_zero_gradient(fit, dim):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(384, 8, 4, generator=g)
    y = x[:, :, 1:].abs().amax(1).argmax(1)
    found = fit(Pool(dim), nn.CrossEntropyLoss(), x, y, every=4)
    named = [f for f in found if f.id == "frozen-parameters" and f.evidence.get("one_unit") == "score"]
    if dim == -1:
        assert named and "dim=1" in named[0].fixes[0]
    else:
        assert not [f for f in found if f.id == "frozen-parameters"]


@pytest.mark.parametrize("constant", [True, False])
def test_constant_weights_in_consecutive_layers_are_named(fit, constant):
    x, y = _data()
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    if constant:
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.05)
    else:
        nn.init.zeros_(model[4].weight)  # a zero-initialised output layer alone is broken out of symmetry
    found = fit(model, nn.CrossEntropyLoss(), x, y)
    named = [f for f in found if f.id == "poor-initialization" and f.evidence.get("subject") == "constant-init"]
    if constant:
        assert named and "random" in named[0].fixes[0] and found[0] is named[0]
    else:
        assert not _warnings(found)


@pytest.mark.parametrize("cast", [True, False])
def test_regression_targets_cast_to_integers_are_named_as_constant(fit, cast):
    x, _ = _data()
    rate = torch.sigmoid(x @ torch.randn(6, 1))
    y = rate.long().float() if cast else rate
    found = fit(_mlp(k=1), nn.MSELoss(), x, y, every=4)
    named = [f for f in found if f.evidence.get("subject") == "constant-targets"]
    if cast:
        assert named and "float32" in named[0].fixes[0]
    else:
        assert not _warnings(found)


class Bag(nn.Module):
    def __init__(self, vocab: int, clamp: bool):
        super().__init__()
        self.clamp = clamp
        self.emb = nn.Embedding(vocab, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, ids):
        return self.head(self.emb(ids.clamp(max=self.emb.num_embeddings - 1) if self.clamp else ids).mean(1))


@pytest.mark.parametrize("clamp", [True, False])
def test_ids_clamped_onto_the_last_embedding_row_are_named(fit, clamp):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 100, (384, 10), generator=g)
    y = ((ids >= 50).sum(1) > 5).long()
    found = fit(Bag(20 if clamp else 100, clamp), nn.CrossEntropyLoss(), ids, y)
    named = [f for f in found if str(f.evidence.get("subject", "")).startswith("embedding-ids/")]
    if clamp:
        assert named and "num_embeddings" in named[0].fixes[0] and "up to 99" in named[0].title
    else:
        assert not _warnings(found)


@pytest.mark.parametrize("bias", [False, True])
def test_a_bias_free_network_on_classes_told_apart_by_magnitude_is_named(fit, bias):
    g = torch.Generator().manual_seed(4)
    direction = torch.nn.functional.normalize(torch.randn(512, 6, generator=g), dim=1)
    band = torch.randint(0, 4, (512,), generator=g)
    x = direction * (1.0 + band.float() + 0.3 * torch.rand(512, 1, generator=g).squeeze(1))[:, None]
    model = nn.Sequential(nn.Linear(6, 32, bias=bias), nn.ReLU(), nn.Linear(32, 32, bias=bias), nn.ReLU(),
                          nn.Linear(32, 4, bias=bias))
    found = fit(model, nn.CrossEntropyLoss(), x, band, every=2)
    named = [f for f in found if f.id == "missing-bias" and f.severity == Severity.WARNING]
    if bias:
        assert not named
    else:
        assert named and "bias=True" in named[0].fixes[0] and named[0].evidence["norm_explains"] > 0.5


class Encoder(nn.Module):
    def __init__(self, positions: bool, vocab: int = 12, steps: int = 8, d: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, steps, d) * 0.5) if positions else None
        self.enc = nn.TransformerEncoderLayer(d, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(d, 2)

    def forward(self, ids):
        h = self.emb(ids)
        return self.head(self.enc(h if self.pos is None else h + self.pos).mean(1))


def _marker_rows(n=640, seed=5):
    """Rows of tokens 1-9 with markers 10 and 11 at two random places; label: does 10 come first?"""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, 10, (n, 8), generator=g)
    for row in x:
        a, b = torch.randperm(8, generator=g)[:2]
        row[a], row[b] = 10, 11
    return x, ((x == 10).int().argmax(1) < (x == 11).int().argmax(1)).long()


@pytest.mark.parametrize("task", ["order", "order-with-positions", "bag"])
def test_a_transformer_without_positions_is_named_only_when_the_order_decides(fit, task):
    x, y = _marker_rows()
    if task == "bag":  # the label follows which tokens occur: order does not matter, nothing to say
        y = ((x == 3).sum(1) > (x == 4).sum(1)).long()
    found = fit(Encoder(task == "order-with-positions"), nn.CrossEntropyLoss(), x, y, epochs=3, lr=3e-3)
    named = [f for f in found if f.evidence.get("subject") == "positional-encoding"]
    if task == "order":
        assert named and "positional encoding" in named[0].fixes[0]
    else:
        assert not named


class Seg(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(1, 8, 5, padding=2), nn.ReLU(), nn.Conv1d(8, 1, 1))

    def forward(self, x):
        return self.net(x.unsqueeze(1)).squeeze(1)


@pytest.mark.parametrize("flip_mask", [False, True])
def test_inputs_flipped_without_their_masks_are_named(fit, flip_mask):
    g = torch.Generator().manual_seed(6)
    x = 0.5 * torch.randn(384, 24, generator=g)
    mask = torch.zeros(384, 24)
    for i, s in enumerate(torch.randint(0, 8, (384,), generator=g).tolist()):
        x[i, s:s + 4] += 2.0
        mask[i, s:s + 4] = 1.0
    flip = torch.rand(384, generator=g) < 0.5
    x[flip] = x[flip].flip(-1)
    if flip_mask:
        mask[flip] = mask[flip].flip(-1)
    found = fit(Seg(), nn.BCEWithLogitsLoss(), x, mask)
    named = [f for f in found if f.evidence.get("subject") == "target-flip"]
    if flip_mask:
        assert not _warnings(found)
    else:
        assert named and "same random transform" in named[0].fixes[0]
