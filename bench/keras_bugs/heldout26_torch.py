"""The twenty-sixth held-out set's PyTorch scripts with their fixed twins (see ``heldout26_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: label-smoothing constants swapped (targets nearly
uniform), ``nn.CrossEntropyLoss(ignore_index=0)`` kept from a padded-sequence script where 0 is a real class,
three regression targets left in their own units, an encoder's features detached by a ``freeze_encoder`` flag
left at its linear-probe default, ``nn.MSELoss(size_average=False)`` from an old tutorial on a 16-step forecast,
``nn.Softplus(beta=0.01)`` read as a smoothing knob (nearly linear), rows sorted by label to 'stratify' the
batches with shuffling turned off, and ``log_softmax`` over the batch dimension into ``nn.NLLLoss``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout26_keras import HELDOUT26, heldout26, table  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout26(name, ids, fix_ids, fix, about, framework="torch")


def program(model: nn.Module, optimizer, loss_fn, x, y, *, epochs: int = 10, batch_size: int = 32,
            **switches) -> dict:
    """The dict the bench's shared loop trains (``switches`` are its loop switches, e.g. ``shuffle``)."""
    return {"model": model, "optimizer": optimizer, "loss_fn": loss_fn, "x": torch.as_tensor(x),
            "y": torch.as_tensor(y), "epochs": epochs, "batch_size": batch_size, **switches}


# ---------------------------------------------------------------- labels encoded wrongly

def document_topics(seed: int, n: int = 600, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised document-embedding features; five topics from a linear map plus a bend."""
    rng, x = table(seed, n, 16)
    return x, (x @ rng.normal(size=(16, k)) + 0.5 * np.abs(x[:, :k])).argmax(1)


@torch_case("torch-label-smoothing-constants-swapped",
            ("stuck-at-chance", "no-learning", "stalled", "label-problem", "loss-metric-mismatch",
             "cannot-overfit-batch"),
            ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
            r"smooth\w*.{0,60}(swap|revers|wrong|invert|backwards?|mixed up|too (strong|large|high|much)|0\.9\b|"
            r"uniform)|soft (labels?|targets?).{0,40}(nearly|almost|close to) uniform|(targets?|labels?) (are |is )?"
            r"(nearly |almost |close to )?uniform|(uniform|flat) (targets?|labels?|distribution)|(eps|epsilon|"
            r"0\.1|0\.9)\b.{0,40}(swap|"
            r"revers|exchang|the wrong way|mixed up)|(swap|revers|exchang)\w* .{0,40}(eps|epsilon|0\.1|0\.9|"
            r"constants?)|one[- ]?hot \* ?(0\.1|eps)|(true|correct) class .{0,40}(only|barely|just) "
            r"(0\.\d+|slightly)",
            "a five-topic document classifier (nn.Sequential 16-64-64-5, nn.CrossEntropyLoss with probability "
            "targets, Adam) whose hand-written label smoothing is targets = one_hot * EPS + (1 - EPS) / K with "
            "EPS = 0.1, the two constants swapped from one_hot * (1 - EPS) + EPS / K: the true topic gets 0.28 "
            "and every other topic 0.18, a target so close to uniform that the lowest reachable loss is ~1.59 "
            "against a start of ln 5 = 1.61; the loss barely moves off chance level for the whole run while the "
            "intended smoothing reaches ~0.6 (question class: PyTorch label smoothing, loss stuck near "
            "log(num_classes) and the model does not learn); fix: targets = one_hot * (1 - EPS) + EPS / K (or "
            "nn.CrossEntropyLoss(label_smoothing=0.1) on the class ids)")
def _(fixed):
    torch.manual_seed(0)
    x, ids = document_topics(seed=2611)
    eps, k = 0.1, 5
    one_hot = np.eye(k, dtype="float32")[ids]
    targets = one_hot * (1 - eps) + eps / k if fixed else one_hot * eps + (1 - eps) / k
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, k))
    return program(model, torch.optim.Adam(model.parameters(), lr=2e-3), nn.CrossEntropyLoss(), x,
                   targets.astype("float32"), epochs=10)


# ---------------------------------------------------------------- loss that does not fit the labels

class TrafficNet(nn.Module):
    """Ten flow features -> 48 -> 48 -> three traffic states (0 free flow, 1 dense, 2 jammed)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU())
        self.out = nn.Linear(48, 3)

    def forward(self, x):
        return self.out(self.body(x))


def traffic_states(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised loop-detector features; state 0 (free flow) holds about 45% of the rows."""
    rng, x = table(seed, n, 10)
    s = x @ rng.normal(size=10) / np.sqrt(10) + 0.4 * x[:, 0] * x[:, 1]
    return x, np.searchsorted(np.quantile(s, [0.45, 0.75]), s).astype("int64")


@torch_case("torch-crossentropy-ignore-index-zero-is-a-class",
            ("loss-metric-mismatch", "label-problem", "misleading-accuracy"),
            ("loss-metric-mismatch", "label-problem", "misleading-accuracy"),
            r"ignore_index|ignored (class|label|index|id)|(class|label|id|index) (0|zero)\b.{0,60}(ignored|never "
            r"(counted|learned|predicted|trained)|skipped|masked|excluded|padding)|padding (index|id|label|token)|"
            r"(rows?|samples?|examples?) (of|with|labell?ed) (class |label )?(0|zero)\b.{0,40}(ignored|dropped|no "
            r"loss|not counted|excluded)",
            "a three-state traffic classifier (custom nn.Module, ten standardised loop-detector features; state 0 "
            "is free flow, 45% of the rows) whose loss line was copied from the author's padded sequence-tagging "
            "script: nn.CrossEntropyLoss(ignore_index=0), where 0 was the padding id; here 0 is the most common "
            "real class, so its rows add nothing to the loss and no gradient ever pushes a row towards free "
            "flow: the loss falls nicely while the model never predicts state 0 and the accuracy stops near 0.5 "
            "where the plain loss reaches 0.98 accuracy (question class: PyTorch model never predicts one class, "
            "loss low "
            "but accuracy poor, CrossEntropyLoss ignore_index); fix: nn.CrossEntropyLoss() without "
            "ignore_index (padding ids only exist in the tagging data)")
def _(fixed):
    torch.manual_seed(0)
    x, y = traffic_states(seed=2612)
    model = TrafficNet()
    loss = nn.CrossEntropyLoss() if fixed else nn.CrossEntropyLoss(ignore_index=0)
    return program(model, torch.optim.Adam(model.parameters(), lr=3e-3), loss, x, y, epochs=10)


# ---------------------------------------------------------------- targets in the wrong units

def household_meters(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised household features; three targets in their metered units: daily energy in kWh
    (~12 +- 4), peak power in watts (~3000 +- 900) and power factor (~0.9 +- 0.04)."""
    rng, x = table(seed, n, 10)
    z = np.tanh(x @ rng.normal(size=(10, 3)) / 2.5) + 0.3 * x[:, :3] * x[:, 3:6]
    z = (z - z.mean(0)) / z.std(0)
    return x, (np.array([12.0, 3000.0, 0.9]) + z * np.array([4.0, 900.0, 0.04])).astype("float32")


@torch_case("torch-three-meter-targets-in-their-own-units",
            ("high-initial-loss", "stalled", "no-learning", "update-ratio", "loss-metric-mismatch",
             "divergence"),
            ("high-initial-loss", "stalled", "no-learning", "update-ratio"),
            r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |each |your |all )?(targets?|labels?|"
            r"y\b|regression targets?|outputs? columns?|output values?)|(targets?|labels?) (are |is )?(in|on) "
            r"(a |their )?(large|huge|raw|different|original|own)|(targets?|labels?)'? (scales?|ranges?|units?|"
            r"magnitudes?)|(large|huge|big) (targets?|labels?)|\bwatts?\b|kilowatt|\bkw\b|(one|a) (target|"
            r"column|output) dominat",
            "a household meter model (nn.Sequential 10-64-64-3, nn.MSELoss, Adam 3e-3) predicting three "
            "columns at once as the export gives them: daily energy in kWh (~12), peak power in watts (~3000 +- "
            "900) and the power factor (~0.9 +- 0.04); one squared error over the three is almost all the peak "
            "power's, its scale is thousands of times the network's output at the start, and after ten epochs "
            "the loss is still in the hundreds of thousands with the energy and the power factor not learned at "
            "all, where standardised columns reach ~0.1 (question class: PyTorch multi-output regression loss "
            "huge, outputs on different scales, only one target learned); fix: standardise each target column "
            "with the training mean and std (and invert the predictions)")
def _(fixed):
    torch.manual_seed(0)
    x, y = household_meters(seed=2613)
    if fixed:
        y = (y - y.mean(0)) / y.std(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return program(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.MSELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- detaching

class ProbeNet(nn.Module):
    """A small encoder and a linear head; ``freeze_encoder`` detaches the features (a linear probe)."""

    def __init__(self, freeze_encoder: bool = True):
        super().__init__()
        self.freeze_encoder = freeze_encoder
        self.encoder = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 6), nn.ReLU())
        self.head = nn.Linear(6, 1)

    def forward(self, x):
        feats = self.encoder(x)
        if self.freeze_encoder:
            feats = feats.detach()
        return self.head(feats)


def checkerboard(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised features; 1 where two of them share a sign (XOR-like), plus a tilt."""
    rng, x = table(seed, n, 6)
    return x, ((x[:, 0] * x[:, 1] + 0.3 * x[:, 2]) > 0).astype("float32").reshape(-1, 1)


@torch_case("torch-encoder-detached-by-linear-probe-flag",
            ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch",
             "vanishing-gradients"),
            ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients"),
            r"(remove|drop|delete|no|without)\w* (the )?\.?detach|detach\w*.{0,40}(encoder|features?|feats|graph|"
            r"gradient)|freeze_encoder|(frozen|freez\w*) (the )?encoder|(gradients?|grads?) (do not|does not|"
            r"don't|doesn't|never|cannot) (reach|flow|pass|get)\w*.{0,40}(encoder|earlier|first|lower|hidden|"
            r"body)|(encoder|earlier|first|lower|hidden|body)\w*( layers?)? .{0,40}(no|zero|none|never get a|"
            r"without) (gradients?|updates?)|(never|not) (updated|trained)|linear probe",
            "a custom nn.Module for an XOR-like sign-agreement label (six standardised features, an encoder "
            "Linear(6, 16) -> ReLU -> Linear(16, 6) -> ReLU and a Linear(6, 1) head, nn.BCEWithLogitsLoss, Adam) "
            "copied from the author's linear-probe experiment, where __init__(self, freeze_encoder=True) makes "
            "forward() call feats.detach(): trained from scratch with the default left on, the encoder keeps "
            "its random weights and only the head learns, a linear read-out of six random ReLU features that "
            "cannot express the sign agreement; the loss stays near 0.67 where the whole network reaches ~0.1 "
            "(question class: PyTorch only the last layer learns, earlier layers get no gradient, detach in "
            "forward); fix: ProbeNet(freeze_encoder=False) (no detach when training the whole network)")
def _(fixed):
    torch.manual_seed(0)
    x, y = checkerboard(seed=2614)
    model = ProbeNet(freeze_encoder=not fixed)
    return program(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y,
                   epochs=12)


# ---------------------------------------------------------------- wrong loss reduction

def load_curves(seed: int, n: int = 600, steps: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised calendar and weather features; the next 16 hours of a standardised load curve."""
    rng, x = table(seed, n, 12)
    phase = x @ rng.normal(size=12) / np.sqrt(12)
    level = np.tanh(x @ rng.normal(size=12) / 3)
    t = np.linspace(0, 2 * np.pi, steps)
    y = level[:, None] + 0.8 * np.sin(t[None, :] + phase[:, None])
    return x, ((y - y.mean()) / y.std()).astype("float32")


@torch_case("torch-mseloss-size-average-false-on-forecast",
            ("divergence", "nonfinite", "exploding-gradients", "loss-spikes", "lr-too-high", "update-ratio",
             "nonfinite-origin", "oscillation", "high-initial-loss"),
            ("divergence", "nonfinite", "exploding-gradients", "loss-spikes", "update-ratio", "lr-too-high"),
            r"size_average|reduction ?= ?.?(sum|mean)|(sum|summed) reduction|reduction.{0,40}(sum|mean|averag)|"
            r"(sum|summed|summing)\w*.{0,40}(instead of|rather than|not) (the )?(mean|averag)|(mean|averag\w*)"
            r"( of the loss| the loss)? over (the )?(batch|elements|outputs)|(loss|gradient)s? "
            r"(are |is )?(\d+ times |hundreds of times )?(too large|scaled by the (batch|number))|(divide|scale)\w* "
            r"(the loss )?by the (batch size|number of (elements|outputs))",
            "a 16-hour load forecaster (nn.Sequential 12-64-64-16, SGD(lr=0.01, momentum=0.9), the rate of the "
            "course notebook) whose criterion is nn.MSELoss(size_average=False), copied from an old tutorial: "
            "the deprecated flag means reduction='sum', so the loss and its gradient are the sum over the 32 rows "
            "and 16 hours of a batch, 512 times the mean the rate was chosen for; the first steps overshoot, the "
            "weights blow up and the loss is NaN within the first epoch, where the mean reaches ~0.1 (question "
            "class: PyTorch MSELoss explodes to NaN, size_average=False, sum versus mean reduction); fix: "
            "nn.MSELoss() (reduction='mean')")
def _(fixed):
    torch.manual_seed(0)
    x, y = load_curves(seed=2615)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 16))
    loss = nn.MSELoss() if fixed else nn.MSELoss(size_average=False)
    return program(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), loss, x, y, epochs=10)


# ---------------------------------------------------------------- missing activation

def ring_points(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Two coordinates and four noise columns; 1 for points inside the unit-radius disc (about 40%)."""
    rng, x = table(seed, n, 6)
    return x, (np.hypot(x[:, 0], x[:, 1]) < 1.0).astype("float32").reshape(-1, 1)


@torch_case("torch-softplus-beta-read-as-smoothing",
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "loss-metric-mismatch",
             "misleading-accuracy", "high-initial-loss", "oscillation"),
            ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
            r"softplus.{0,40}beta|beta ?= ?(0\.01|1)\b|\bbeta\b.{0,40}(softplus|linear)|softplus.{0,60}(linear|"
            r"identity|straight|nearly|almost)|(activation|softplus)s?.{0,40}"
            r"(identity|linear function|(nearly|almost|essentially) linear)|(network|model|stack) (is|becomes|"
            r"collapses to|reduces to|stays|behaves like) (a |one )?(single |nearly |almost )?linear|linear (in "
            r"its input|map|stack|model|classifier)\b|(no|without|missing|lacks?) (real )?(non-?linear\w*|hidden "
            r"activations?)",
            "a disc classifier (two coordinates and four noise columns; 1 inside the unit circle) written "
            "nn.Sequential(nn.Linear(6, 64), nn.Softplus(beta=0.01), nn.Linear(64, 64), nn.Softplus(beta=0.01), "
            "nn.Linear(64, 1)) with nn.BCEWithLogitsLoss and Adam, the author taking beta for a smoothing knob "
            "('a small beta, a smoother ReLU'): softplus with beta 0.01 is (1/beta) log(1 + exp(beta x)), "
            "nearly straight over the pre-activations here and adds 100 ln 2 = 69 to every unit, so the "
            "network is close to a linear classifier with huge first logits: the loss starts at 9.4 and then "
            "swings between 0.7 and 1.9, never learning the disc (final accuracy ~0.6), where the default beta=1 "
            "reaches ~0.13 and 0.97 (question class: PyTorch network no better than logistic regression, cannot "
            "learn a circle, "
            "activation almost linear); fix: nn.Softplus() (beta=1) or nn.ReLU()")
def _(fixed):
    torch.manual_seed(0)
    x, y = ring_points(seed=2616)
    act = (lambda: nn.Softplus()) if fixed else (lambda: nn.Softplus(beta=0.01))
    model = nn.Sequential(nn.Linear(6, 64), act(), nn.Linear(64, 64), act(), nn.Linear(64, 1))
    return program(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCEWithLogitsLoss(), x, y,
                   epochs=20)


# ---------------------------------------------------------------- data ordered by class

def leaf_species(seed: int, n: int = 600, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised leaf-shape features; four species from a linear map with noisy labels."""
    rng, x = table(seed, n, 14)
    return x, (x @ rng.normal(size=(14, k)) + 1.5 * rng.gumbel(size=(n, k))).argmax(1)


@torch_case("torch-rows-sorted-by-label-to-stratify-batches",
            ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "loss-metric-mismatch",
             "stuck-at-chance", "both-rising"),
            ("unshuffled-data", "oscillation", "loss-spikes"),
            r"shuffl\w*|(sorted|ordered|grouped|arranged) by (the )?(class|label|species|target)|(class|label)"
            r"[- ](sorted|ordered)|(one|a single|the same) (class|label|species) (per|in each|in every) batch|"
            r"(batch|batches) (hold|contain|see)s? (only )?(one|a single) (class|label)|random (order|"
            r"permutation)|randperm|argsort",
            "a four-species leaf classifier (nn.Sequential 14-48-4, nn.CrossEntropyLoss, SGD(lr=0.1, "
            "momentum=0.9)) whose author 'stratified' the data by sorting it, order = np.argsort(y, "
            "kind='stable'), believing the batches would then each hold every species, and switched the loader's "
            "shuffling off so as not to undo it: every batch holds one species and each epoch ends on the fourth, "
            "so the model is dragged from one species to the next: the mean loss of an epoch stays above ln 4 "
            "(2.4 in the first, 1.35 in the last) and the final accuracy is ~0.66, where shuffled batches reach a "
            "loss of ~0.53 and 0.84 on the same noisy labels (question class: PyTorch loss goes up and "
            "down every epoch and accuracy stays low, data sorted by class, no shuffle); fix: no sort and "
            "shuffle=True (a fresh random order every epoch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = leaf_species(seed=2617)
    if not fixed:
        order = np.argsort(y, kind="stable")
        x, y = x[order], y[order]
    model = nn.Sequential(nn.Linear(14, 48), nn.ReLU(), nn.Linear(48, 4))
    return program(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), nn.CrossEntropyLoss(),
                   x, y.astype("int64"), epochs=8, shuffle=fixed)


# ---------------------------------------------------------------- output activation against the loss

class StageNet(nn.Module):
    """Nine sleep-signal features -> 32 -> 32 -> five stages as log-probabilities (``dim`` of the softmax)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.fc1, self.fc2, self.out = nn.Linear(9, 32), nn.Linear(32, 32), nn.Linear(32, 5)

    def forward(self, x):
        return F.log_softmax(self.out(torch.relu(self.fc2(torch.relu(self.fc1(x))))), dim=self.dim)


def sleep_epochs(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised EEG band powers; five sleep stages from a linear map."""
    rng, x = table(seed, n, 9)
    return x, (x @ rng.normal(size=(9, 5))).argmax(1)


@torch_case("torch-log-softmax-over-the-batch-dim",
            ("wrong-output-activation", "loss-metric-mismatch", "stalled", "stuck-at-chance", "no-learning",
             "high-initial-loss", "cannot-overfit-batch"),
            ("wrong-output-activation", "loss-metric-mismatch", "stalled", "stuck-at-chance",
             "cannot-overfit-batch"),
            r"dim ?= ?(1|-1)\b|(softmax|log_softmax)\w*.{0,60}(batch (dim|axis|dimension)|wrong (dim|axis)|dim"
            r"(ension)? 0|dim=0|over (the )?(batch|rows|samples))|(softmax|normali[sz]\w*).{0,40}(over|across|"
            r"along) (the )?(class|classes|class (dim|axis|dimension)|last (dim|axis))\b|(softmax|probabilit)\w*"
            r".{0,40}normali[sz]\w* (over|across) (the )?(batch|rows)",
            "a five-stage sleep classifier (custom nn.Module over nine standardised EEG band powers) whose forward "
            "ends in return F.log_softmax(self.out(h), dim=0), trained with nn.NLLLoss(): dim=0 normalises each "
            "stage's scores over the 32 rows of the batch instead of each row's scores over the five stages, so "
            "the loss asks every row to win its stage against the other rows of the batch: it starts near "
            "ln 32 = 3.5 and stays above 2.2, where dim=1 falls from 1.5 to ~0.1, and a single row passed alone "
            "gets log-probability 0 for every stage (a constant prediction) "
            "(question class: PyTorch softmax over the wrong dimension, loss stuck and predictions the same, "
            "which dim for log_softmax); fix: F.log_softmax(..., dim=1)")
def _(fixed):
    torch.manual_seed(0)
    x, y = sleep_epochs(seed=2618)
    model = StageNet(dim=1 if fixed else 0)
    return program(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.NLLLoss(), x, y.astype("int64"),
                   epochs=10)
