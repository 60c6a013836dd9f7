"""The eighth held-out set's PyTorch scripts with their fixed twins (see ``heldout8_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours. Where a bug lives in the
training loop itself (where ``step()`` is called, how gradients are accumulated or applied), it is modelled
by an optimiser subclass that behaves as the buggy loop would, since every case shares the bench's loop.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout3_torch import loop, mlp  # the third set's runner dict and MLP (same loop switches)
from .heldout6_keras import OFFSETS, SPREADS  # the sixth set's tabular units
from .heldout8_keras import HELDOUT8, heldout8  # noqa: F401

STEPS_PER_EPOCH = _data.N // 32


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout8(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- the training loop / optimiser

class EpochEndAdam(torch.optim.Adam):
    """Adam whose ``step()`` takes effect only on the last batch of an epoch (the call indented out of the loop)."""

    def __init__(self, params, lr: float = 1e-3, every: int = STEPS_PER_EPOCH, **kw):
        super().__init__(params, lr=lr, **kw)
        self.every, self.calls = every, 0

    def step(self, closure=None):
        self.calls += 1
        if self.calls % self.every == 0:
            return super().step(closure)
        return None


@torch_case("torch-step-outside-batch-loop", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                              "cannot-overfit-batch"),
            ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
            r"step\(\)\W{0,3}.{0,40}(inside|outside|indent|once per epoch|(every|each|per) batch)|once per epoch"
            r"|(inside|within|into) the (batch|inner) loop|\bindent\w*|after the (batch|for) loop",
            "a training loop in which optimizer.step() sits one indentation level too far out, after the "
            "for-batch loop: zero_grad, forward and backward run for every batch, but the weights are updated "
            "once per epoch, with the last batch's gradient only — eight Adam steps in the whole run, and the loss "
            "barely leaves its start (PyTorch forum-style 'loss decreases very slowly / model not learning, "
            "where should optimizer.step() go?'); fix: call optimizer.step() inside the batch loop, after "
            "loss.backward(). Modelled by an Adam subclass that applies only every sixteenth step")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=811)
    model = mlp(3)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3) if fixed else EpochEndAdam(model.parameters(), lr=5e-3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=opt, epochs=8)


class AccumulatingSGD(torch.optim.SGD):
    """SGD for gradient accumulation over ``k`` batches: ``zero_grad`` and the update happen every ``k`` calls.

    ``divide=False`` is the buggy script (each micro-batch's mean loss is back-propagated as is, so the
    update uses the sum of ``k`` gradients); ``divide=True`` scales the sum by ``1 / k`` (loss / k).
    """

    def __init__(self, params, lr: float = 1e-3, k: int = 4, divide: bool = True, **kw):
        super().__init__(params, lr=lr, **kw)
        self.k, self.divide, self.calls = k, divide, 0

    def zero_grad(self, set_to_none: bool = True):
        if self.calls % self.k == 0:  # only right after an update (and at the start)
            super().zero_grad(set_to_none)

    def step(self, closure=None):
        self.calls += 1
        if self.calls % self.k:
            return None
        if self.divide:
            with torch.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.grad.div_(self.k)
        return super().step(closure)


@torch_case("torch-grad-accumulation-loss-not-divided", ("divergence", "loss-spikes", "oscillation",
                                                         "exploding-gradients", "lr-too-high", "update-ratio",
                                                         "nonfinite", "grad-not-zeroed"),
            ("divergence", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high", "update-ratio",
             "grad-not-zeroed"),
            r"accumulat\w*.{0,80}(divid|averag|/ ?\w*steps|by the number of)|(divid|averag)\w*.{0,40}(loss|gradient)s?"
            r".{0,40}(accumulat|number of (steps|micro)|by k\b)",
            "gradient accumulation over 4 batches ('to emulate a larger batch') added to a regression script "
            "using SGD(lr=0.05, momentum=0.9): loss.backward() runs on every micro-batch's mean loss and "
            "optimizer.step() / zero_grad() every 4 batches, but the loss is not divided by 4, so each update is "
            "the sum of 4 gradients — four times the step the rate was chosen for — and the loss jumps above its "
            "start in the second epoch and never settles (PyTorch forum-style 'gradient accumulation makes "
            "training unstable — do I divide the loss?'); fix: loss = loss / accumulation_steps (or average the "
            "accumulated gradient). Modelled by an SGD subclass that zeroes and steps every 4 calls")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.regression(seed=812, scale=3.0)
    model = mlp(1)
    opt = AccumulatingSGD(model.parameters(), lr=0.05, momentum=0.9, k=4, divide=fixed)
    return loop(model, nn.MSELoss(), x, y, opt=opt, epochs=12)


class ManualSGD(torch.optim.SGD):
    """A hand-written update ``p -= lr * p.grad`` over ``params`` kept as given (``model.parameters()``).

    With ``keep_generator=True`` the script stored the generator itself: it is exhausted by the first
    update, so every later update loops over nothing.
    """

    def __init__(self, params, lr: float = 1e-3, keep_generator: bool = False):
        params = list(params)
        super().__init__(params, lr=lr)
        self.walk = iter(params) if keep_generator else params

    @torch.no_grad()
    def step(self, closure=None):
        lr = self.param_groups[0]["lr"]
        for p in self.walk:
            if p.grad is not None:
                p.sub_(lr * p.grad)
        return None


@torch_case("torch-parameters-generator-consumed", ("no-learning", "stuck-at-chance", "stalled", "frozen-parameters",
                                                    "update-ratio", "cannot-overfit-batch"),
            ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled", "update-ratio",
             "cannot-overfit-batch"),
            r"generator|list\(model\.parameters|parameters\(\) (is|returns) an? (generator|iterator)"
            r"|(generator|iterator).{0,40}(exhausted|consumed|used up)|(exhausted|consumed|used up).{0,40}(generator"
            r"|iterator|first (step|update|iteration))|iterat\w*.{0,30}(once|only the first)",
            "a hand-written SGD update (params = model.parameters() stored once, then for p in params: p -= lr * "
            "p.grad under no_grad after each backward): model.parameters() returns a generator, which the first "
            "update uses up, so from the second batch on the loop runs over nothing and the weights never change "
            "again; the loss stays where the first step left it (PyTorch forum-style 'manual SGD update only works "
            "for the first iteration'); fix: params = list(model.parameters()) (or call model.parameters() each "
            "step, or use torch.optim.SGD)")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=813)
    model = mlp(3)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=ManualSGD(model.parameters(), lr=0.1,
                                                                  keep_generator=not fixed), epochs=8)


class ZeroClipAdam(torch.optim.Adam):
    """Adam whose step first clips the gradient norm to ``max_norm`` (the script's clip_grad_norm_ call)."""

    def __init__(self, params, lr: float = 1e-3, max_norm: float = 1.0, **kw):
        self.clipped = list(params)
        super().__init__(self.clipped, lr=lr, **kw)
        self.max_norm = max_norm

    def step(self, closure=None):
        nn.utils.clip_grad_norm_(self.clipped, self.max_norm)
        return super().step(closure)


@torch_case("torch-clip-max-norm-zero", ("no-learning", "stuck-at-chance", "stalled", "frozen-parameters",
                                         "vanishing-gradients", "update-ratio", "cannot-overfit-batch"),
            ("no-learning", "stuck-at-chance", "stalled", "frozen-parameters", "vanishing-gradients", "update-ratio"),
            r"clip\w*.{0,60}(max_norm|0\b|zero|disable|off)|max_norm|clip_grad",
            "a config-driven training script with max_grad_norm: 0 (read as 'no clipping', as some trainers treat "
            "it) passed straight to torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm): a "
            "maximum norm of 0 scales every gradient to zero, so Adam never moves a weight and the loss stays at "
            "its first value (PyTorch forum-style 'model weights do not update at all — gradients are zero after "
            "clip_grad_norm_'); fix: skip the clipping when max_grad_norm is 0 (or use a positive norm such as 1). "
            "Modelled by an Adam subclass that clips before each update")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=814)
    model = mlp(3)
    return loop(model, nn.CrossEntropyLoss(), x, y,
                opt=ZeroClipAdam(model.parameters(), lr=1e-2, max_norm=1.0 if fixed else 0.0), epochs=8)


# ---------------------------------------------------------------- data / augmentation / preprocessing

class NoisyInput(nn.Module):
    """Gaussian-noise augmentation in front of a model, applied in training mode only."""

    def __init__(self, body: nn.Module, std: float):
        super().__init__()
        self.body, self.std = body, std

    def forward(self, x):
        if self.training:
            x = x + self.std * torch.randn_like(x)
        return self.body(x)


def standardised_images(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The shared 8x8 images scaled to [0, 1] and standardised with one mean and std over all pixels."""
    x, y = _data.images(3, seed=seed)
    x = x / 255.0
    return ((x - x.mean()) / x.std()).astype("float32"), y


@torch_case("torch-noise-augmentation-in-pixel-units", ("stuck-at-chance", "stalled", "no-learning",
                                                        "cannot-overfit-batch", "loss-spikes", "oscillation"),
            ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
            r"(gaussian |input |added |additive |random )noise[^.;)]{0,60}(std|sigma|scale|large|strong|too|reduce"
            r"|lower|smaller|pixel|units)|noise (std|level|scale|sigma|augment\w*)[^.;)]{0,40}(too|large|strong|reduce"
            r"|lower|smaller|pixel|units)|augment\w*[^.;)]{0,20}(too (strong|large|much)|reduce|weaker|milder)",
            "Gaussian-noise augmentation x + std * randn_like(x) with std = 25, a value meant for raw 0-255 pixels, "
            "applied after the images were scaled and standardised (pixel spread 1): the noise is twenty-five times "
            "the signal, every training batch is nearly pure noise and the loss stays near ln 3 (PyTorch "
            "forum-style 'model stops learning after adding noise augmentation'); fix: give the noise in the units "
            "of the normalised input (std ~0.1), or add it before scaling")
def _(fixed):
    torch.manual_seed(0)
    x, y = standardised_images(815)
    model = NoisyInput(mlp(3, d=64), std=0.1 if fixed else 25.0)
    return loop(model, nn.CrossEntropyLoss(), x, y, epochs=8)


@torch_case("torch-standardise-multiplied-by-std", ("unnormalized-input", "high-initial-loss", "divergence",
                                                    "loss-spikes", "stalled", "dead-relu", "exploding-gradients",
                                                    "oscillation", "stuck-at-chance"),
            ("unnormalized-input", "high-initial-loss"),
            r"divid\w*.{0,40}(std|standard deviation|\bsd\b)|/ ?(std|sd|sigma)\b|multipl\w*.{0,40}(std|standard "
            r"deviation)|standardi[sz]\w*|zero mean.{0,20}unit (variance|scale|std)",
            "tabular features in mixed units (a pressure near 1013, a count near 6000, a share near 0.4) "
            "'standardised' by hand as (x - mean) * std, a typo for / std: each column's spread becomes its "
            "variance (the count column spans millions, the share column ~0.01), the first layer's sums are huge, "
            "the first losses are in the tens of thousands and stay far above ln 3 (PyTorch forum-style 'loss is huge and does not decrease "
            "after normalising my data'); fix: (x - mean) / std")
def _(fixed):
    torch.manual_seed(0)
    x, y = _data.classes(3, seed=816)
    raw = OFFSETS + SPREADS * x
    mu, sd = raw.mean(0), raw.std(0)
    feats = (raw - mu) / sd if fixed else (raw - mu) * sd
    return loop(mlp(3), nn.CrossEntropyLoss(), feats.astype("float32"), y, epochs=8)


# ---------------------------------------------------------------- loading pretrained weights

def body() -> nn.Sequential:
    return nn.Sequential(nn.Linear(_data.D, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())


def pretrained_state(seed: int) -> dict:
    """A body trained on a related task (five distance bands), saved as a DataParallel model saves it."""
    torch.manual_seed(seed)
    x, y = rings(5, seed=seed)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    net = nn.Sequential(body(), nn.Linear(32, 5))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(10):
        for i in range(0, len(x), 32):
            opt.zero_grad()
            F.cross_entropy(net(x[i:i + 32]), y[i:i + 32]).backward()
            opt.step()
    return {f"module.{k}": v for k, v in net[0].state_dict().items()}  # nn.DataParallel's key prefix


@torch_case("torch-state-dict-prefix-strict-false", ("stalled", "stuck-at-chance", "no-learning",
                                                     "cannot-overfit-batch", "frozen-parameters"),
            ("stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch", "frozen-parameters"),
            r"\bstrict\b|load_state_dict|(pretrained|checkpoint)( weights?)?.{0,60}(not loaded|missing|"
            r"never loaded|random)|module\.|prefix|missing.?keys",
            "fine-tuning: a body pretrained on a related task (saved from an nn.DataParallel model, so every key "
            "starts with 'module.') is loaded with body.load_state_dict(state, strict=False) to silence the "
            "key-mismatch error, then frozen while a new head is trained: no key matches, nothing is loaded, the "
            "frozen body keeps its random weights and the head stalls far above what the pretrained features give "
            "(PyTorch forum-style 'fine-tuned model is much worse than expected — strict=False loads nothing'); "
            "fix: strip the 'module.' prefix from the keys (and load with strict=True to see mismatches)")
def _(fixed):
    state = pretrained_state(817)
    torch.manual_seed(0)
    x, yb = rings(5, seed=818)
    y = (yb >= 3).astype("int64")  # the new task: the outer two bands against the inner three
    feats = body()
    if fixed:
        state = {k.removeprefix("module."): v for k, v in state.items()}
    feats.load_state_dict(state, strict=False)
    for p in feats.parameters():
        p.requires_grad_(False)
    head = nn.Linear(32, 2)
    model = nn.Sequential(feats, head)
    return loop(model, nn.CrossEntropyLoss(), x, y, opt=torch.optim.Adam(head.parameters(), lr=1e-2), epochs=8)


# ---------------------------------------------------------------- recurrent models

class BiGRUClassifier(nn.Module):
    """A bidirectional GRU over (batch, time, 1) signals; the two final hidden states feed the head."""

    def __init__(self, right_concat: bool):
        super().__init__()
        self.gru = nn.GRU(1, 16, batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, 2)
        self.right = right_concat

    def forward(self, x):
        _, h_n = self.gru(x)  # (2 directions, batch, 16)
        if self.right:
            h = torch.cat([h_n[0], h_n[1]], 1)
        else:
            h = h_n.view(x.shape[0], -1)  # reads across the batch: rows mix different samples
        return self.head(h)


@torch_case("torch-bigru-hidden-view-mixes-batch", ("stuck-at-chance", "stalled", "no-learning", "label-problem",
                                                    "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            r"h_n|hidden state.{0,60}(view|reshape|permute|transpose|mix|batch)|(view|reshape).{0,60}(batch|permute"
            r"|transpose|mix)|\bpermute\b|\btranspose\b",
            "a bidirectional GRU classifier that joins the two directions' final states with h_n.view(batch, -1): "
            "h_n has shape (directions, batch, hidden), so view() does not pair each sample's two states — row i "
            "holds the forward states of samples 2i and 2i+1 (or the backward ones), and the head sees other "
            "samples' features; the loss stays near ln 2 (PyTorch forum-style 'bidirectional GRU: how to combine "
            "h_n — model does not learn'); fix: torch.cat([h_n[0], h_n[1]], 1) (or h_n.permute(1, 0, 2).reshape("
            "batch, -1))")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(819)
    x = rng.normal(size=(_data.N, 10, 1)).astype("float32")
    y = (x[:, :4, 0].sum(1) > 0).astype("int64")
    return loop(BiGRUClassifier(right_concat=fixed), nn.CrossEntropyLoss(), x, y, epochs=8)


class LSTMClassifier(nn.Module):
    """An LSTM over (batch, time, 1) signals, read at the last step; ``forget_bias`` initialises the forget gate."""

    def __init__(self, forget_bias: float):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)
        h = self.lstm.hidden_size
        with torch.no_grad():  # PyTorch's gate order is input, forget, cell, output
            for b in (self.lstm.bias_ih_l0, self.lstm.bias_hh_l0):
                b[h:2 * h].fill_(forget_bias / 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


@torch_case("torch-lstm-forget-bias-negative", ("stuck-at-chance", "stalled", "no-learning", "poor-initialization",
                                                "vanishing-gradients", "saturated-activation",
                                                "cannot-overfit-batch"),
            ("stuck-at-chance", "stalled", "no-learning", "poor-initialization", "vanishing-gradients",
             "saturated-activation", "cannot-overfit-batch"),
            r"forget.?gate|forget bias|bias_(ih|hh)|(lstm|gate).{0,40}bias|bias.{0,40}(lstm|gate)",
            "an LSTM classifier whose init sets the forget-gate biases (bias_ih and bias_hh, the second quarter) "
            "to a total of -6, the sign of the usual 'forget bias = +1' trick mixed up: the forget gate is ~0 at "
            "every step, the cell state is wiped each step, and a label set by the first four of fifteen steps "
            "cannot reach the last step's output; the loss stays near ln 2 (PyTorch forum-style 'LSTM cannot learn "
            "long sequences — loss stuck'); fix: a positive forget-gate bias (+1) or PyTorch's default init")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(820)
    x = rng.normal(size=(_data.N, 15, 1)).astype("float32")
    y = (x[:, :4, 0].sum(1) > 0).astype("int64")
    return loop(LSTMClassifier(1.0 if fixed else -6.0), nn.CrossEntropyLoss(), x, y, epochs=8)


# ---------------------------------------------------------------- loss

@torch_case("torch-multilabel-crossentropy", ("stalled", "loss-metric-mismatch", "label-problem",
                                              "wrong-output-activation", "cannot-overfit-batch", "high-initial-loss"),
            ("stalled", "loss-metric-mismatch", "label-problem", "wrong-output-activation", "cannot-overfit-batch"),
            r"BCEWithLogits|binary cross.?entropy|sigmoid (per|for each|on each|for every) (tag|label|output|class)"
            r"|multi.?label|multi.?hot|(several|multiple|more than one) (true )?(tags?|labels?|classes) per (row|sample)",
            "a multi-label tagger (each row has 0-4 of 4 tags, multi-hot float targets) trained with "
            "nn.CrossEntropyLoss, which accepts same-shaped float targets as class probabilities without an error: "
            "the softmax shares one unit of probability among the tags, so a row with two or three true tags can "
            "never be fitted, and the loss stalls far above zero (PyTorch forum-style 'multi-label classification "
            "with CrossEntropyLoss — loss will not go down'); fix: nn.BCEWithLogitsLoss (a sigmoid per tag). The "
            "PyTorch variant of set 1's Keras softmax multi-label case: here no error and no probability check")
def _(fixed):
    torch.manual_seed(0)
    rng = np.random.default_rng(821)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    tags = (x @ rng.normal(size=(_data.D, 4)) > 0).astype("float32")
    loss = nn.BCEWithLogitsLoss() if fixed else nn.CrossEntropyLoss()
    return loop(mlp(4), loss, x, tags, epochs=8)
