"""The twenty-first held-out set's PyTorch scripts with their fixed twins (see ``heldout21_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the scheduler, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: an autoencoder whose decoder ends in nn.Sigmoid on
standardised readings, a (N,) target against an (N, 1) output under nn.L1Loss, SGD built from a config dict
unpacked positionally (so the momentum lands in lr), a LambdaLR that divides the rate by ten every epoch, an
int16 PCM recording fed to Conv1d in raw sample units, a model left in eval mode by a sanity check so that its
input BatchNorm never normalises, an encoder run under torch.no_grad() inside forward, and nn.Dropout(0.9) written
as a keep rate.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)
from .heldout21_keras import HELDOUT21, ROWS, heldout21, standard  # noqa: F401


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout21(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- output activation against the target

def plant_readings(seed: int) -> np.ndarray:
    """Twenty standardised process readings driven by four hidden factors (so a 6-unit code can hold them)."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(ROWS, 4))
    raw = factors @ rng.normal(size=(4, 20)) + 0.2 * rng.normal(size=(ROWS, 20))
    return ((raw - raw.mean(0)) / raw.std(0)).astype("float32")


@torch_case("torch-autoencoder-sigmoid-decoder-on-standardised-readings",
            ("wrong-output-activation", "stalled", "no-learning", "saturated-activation", "loss-metric-mismatch",
             "cannot-overfit-batch", "high-initial-loss"),
            ("wrong-output-activation", "stalled", "saturated-activation", "cannot-overfit-batch"),
            r"(remove|drop|delete|without|no)\w*( the)? (final |last |output |decoder'?s? )?(nn\.)?sigmoid|"
            r"sigmoid\)?.{0,40}(cannot|can't|never|only) (reach|output|produce|give|be)\w*.{0,30}(negative|below 0|"
            r"outside|above 1)|(linear|identity|no) (activation|output) (on|for|at) (the )?(output|decoder|last|"
            r"final)|(output|decoder)\w*.{0,30}(range|bounded|\(0, ?1\)|\[0, ?1\]).{0,40}(target|input|data)s?",
            "a plain autoencoder for twenty standardised process readings (nn.Sequential: 20 -> 32 -> 6 -> "
            "32 -> 20 with ReLUs, the decoder closed by nn.Sigmoid() as in the MNIST autoencoder the author started "
            "from), trained with nn.MSELoss() against its own input and Adam: the readings are standardised, half of "
            "them negative and a sixth above 1, and a sigmoid can only give values in (0, 1), so the reconstruction "
            "error cannot fall below the share of the readings outside that range and the loss stops near 0.6 where "
            "a linear decoder reaches ~0.02 (question class: PyTorch autoencoder loss stuck high, reconstructions "
            "all between 0 and 1, sigmoid on the last layer); fix: drop the final nn.Sigmoid() (a linear decoder "
            "output for standardised data)")
def _(fixed):
    torch.manual_seed(0)
    x = plant_readings(seed=2111)
    mods = [nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 6), nn.ReLU(), nn.Linear(6, 32), nn.ReLU(),
            nn.Linear(32, 20)]
    model = nn.Sequential(*(mods if fixed else [*mods, nn.Sigmoid()]))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.MSELoss(), x, x.copy(), epochs=12)


# ---------------------------------------------------------------- loss against the target's shape

def delivery_delays(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised shipment features; a standardised delay, a smooth function of them (shape (N,))."""
    rng, x = standard(seed, 7)
    d = np.tanh(x @ rng.normal(size=7) / np.sqrt(7)) * 1.5 + 0.5 * np.sin(2 * x[:, 1])
    return x, ((d - d.mean()) / d.std()).astype("float32")


class DelayNet(nn.Module):
    """Seven features -> 48 -> 48 -> one delay per row, returned as a column (batch, 1)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(7, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU())
        self.out = nn.Linear(48, 1)

    def forward(self, x):
        return self.out(self.body(x))


@torch_case("torch-l1-flat-target-against-column-output",
            ("stalled", "no-learning", "label-problem", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
            r"broadcast\w*|(shape|size)s? (of|between) (the )?(output|prediction|target|input)s?.{0,40}(match|differ|"
            r"mismatch)|(target|label|output|prediction)s?'? (shape|size)s? (do not|don't|does not|must) match|"
            r"\(n,? ?1\)|\(batch,? ?1\)|unsqueeze|squeeze|view\(-1,? ?1\)|reshape\(-1,? ?1\)|same shape",
            "a custom nn.Module regressing a standardised delivery delay from seven standardised shipment features "
            "(7 -> 48 -> 48 -> 1, ReLU) with nn.L1Loss() and Adam, whose target comes from the data frame as a flat "
            "vector, y = torch.tensor(df['delay'].values), shape (N,), while the model returns a column (N, 1): the "
            "loss broadcasts (B, 1) against (B,) to a (B, B) table and averages every prediction's distance to "
            "every target in the batch, which is smallest when every output is the batch median, so the network "
            "learns to give one value for all rows and the loss stays near the target's mean absolute deviation "
            "(0.8) where the fixed script reaches ~0.1; torch only warns about the sizes (question class: PyTorch "
            "regression predicts the same value for every input, loss does not decrease, target size different "
            "from input size warning); fix: y.view(-1, 1) (or out.squeeze(1)) so that output and target have the "
            "same shape")
def _(fixed):
    torch.manual_seed(0)
    x, y = delivery_delays(seed=2112)
    if fixed:
        y = y.reshape(-1, 1)
    model = DelayNet()
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.L1Loss(), x, y, epochs=12)


# ---------------------------------------------------------------- optimiser misuse

def pump_power(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised pump-station features; the standardised power draw, smooth in them."""
    rng, x = standard(seed, 10)
    p = x @ rng.normal(size=10) / np.sqrt(10) + 0.6 * np.tanh(x[:, 0] + x[:, 3])
    return x, ((p - p.mean()) / p.std()).astype("float32").reshape(-1, 1)


OPT_CFG = {"momentum": 0.9, "lr": 0.01}  # the settings block at the top of the author's script


@torch_case("torch-sgd-config-values-unpacked-positionally",
            ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "lr-too-high", "loss-spikes",
             "oscillation", "update-ratio", "high-initial-loss", "both-rising"),
            ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "lr-too-high", "loss-spikes",
             "update-ratio"),
            r"positional|\*\*\s*(cfg|config|kwargs|opt_cfg)|keyword argument|(lower|reduce|decrease|smaller|cut|drop)"
            r"\w*( the)? (learning[- ]rate|lr|step size)(?! when| on plateau)|(learning[- ]rate|\blr\b|step size)\w*("
            r" is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning rate|lr)\b|momentum.{0,4"
            r"0}(as|into|for|in place of) (the )?(learning rate|lr)",
            "an nn.Sequential regressor of a pump station's power draw (ten standardised features -> 64 -> 64 -> 1, "
            "ReLU, nn.MSELoss, a standardised target) whose optimiser is built from a settings dict at the top of "
            "the script, OPT_CFG = {'momentum': 0.9, 'lr': 0.01}, as torch.optim.SGD(model.parameters(), "
            "*OPT_CFG.values()): the values go in by position, and SGD's second and third parameters are lr and "
            "momentum, so the run uses lr=0.9 and momentum=0.01; the steps are ninety times the intended ones, "
            "the first epoch overshoots and the loss is NaN from the first epoch on (question class: PyTorch loss "
            "explodes to nan with SGD although the learning rate is 0.01); fix: SGD(model.parameters(), **OPT_CFG) "
            "(keyword arguments: lr=0.01, momentum=0.9)")
def _(fixed):
    torch.manual_seed(0)
    x, y = pump_power(seed=2113)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), **OPT_CFG) if fixed else \
        torch.optim.SGD(model.parameters(), *OPT_CFG.values())
    return script(model, opt, nn.MSELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- learning-rate schedule

def five_textures(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised texture statistics; five classes from a curved boundary (needs several epochs)."""
    rng, x = standard(seed, 16)
    scores = x @ rng.normal(size=(16, 5)) * 0.5 + np.sin(1.5 * x[:, :5]) * 1.2 + 0.6 * x[:, 5:10] * x[:, 10:15]
    return x, scores.argmax(1).astype("int64")


@torch_case("torch-lambdalr-divides-rate-by-ten-each-epoch",
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "too-short"),
            ("lr-decay-too-fast", "stalled", "update-ratio"),
            r"(decay|schedul|lambda|gamma|factor)\w*.{0,60}(too (fast|quick|steep|aggressive)|slower|gentler|0\.9\b|"
            r"0\.95|0\.99)|(learning[- ]rate|\blr\b) (decays|drops|falls|shrinks|goes)\w*.{0,30}(too (fast|quick)|to "
            r"(almost )?(zero|0|nothing))|0\.1 ?\*\* ?epoch|(slow|soften|remove)\w* (down )?the (decay|schedule)",
            "a five-class texture classifier (nn.Sequential 16 -> 64 -> 64 -> 5, ReLU, nn.CrossEntropyLoss, "
            "Adam(lr=3e-3)) with torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.1 ** epoch) stepped once "
            "per epoch, the author meaning 'a decay of 0.1 per epoch' and getting a factor of ten: the rate is 3e-4 "
            "after one epoch and 3e-8 after five, so the model learns in the first epoch and then freezes where it "
            "is, the loss flat at ~1.2 with accuracy ~0.67 while 0.9 ** epoch keeps improving to ~0.2 and 0.93 "
            "(question class: PyTorch training stops improving after the first epoch, learning rate scheduler "
            "decays to zero); fix: lambda epoch: 0.9 ** epoch (a decay of ten per cent per epoch)")
def _(fixed):
    torch.manual_seed(0)
    x, y = five_textures(seed=2114)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    factor = 0.9 if fixed else 0.1
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: factor ** epoch)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=12, scheduler=sched, sched_every="epoch")


# ---------------------------------------------------------------- input scaling

def pcm_tones(seed: int, length: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Frames of 64 int16 PCM samples (a tone of one of three pitches, amplitude 6,000-20,000, plus hiss),
    converted with .astype(np.float32) and nothing else."""
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 3, size=ROWS)
    t = np.arange(length)
    freq = np.array([0.05, 0.12, 0.22])[cls][:, None]
    amp = rng.uniform(6000, 20000, size=(ROWS, 1))
    wave = amp * np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi, size=(ROWS, 1)))
    pcm = np.clip(wave + rng.normal(0, 1500, size=(ROWS, length)), -32768, 32767).astype(np.int16)
    return pcm.astype(np.float32)[:, None, :], cls.astype("int64")


class PitchNet(nn.Module):
    """Conv1d(1, 8, 9) -> ReLU -> Conv1d(8, 8, 5) -> ReLU -> max over time -> Linear(8, 3)."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.out = nn.Conv1d(1, 8, 9), nn.Conv1d(8, 8, 5), nn.Linear(8, 3)

    def forward(self, x):
        return self.out(F.relu(self.c2(F.relu(self.c1(x)))).amax(dim=2))


@torch_case("torch-conv1d-int16-pcm-in-sample-units",
            ("unnormalized-input", "high-initial-loss", "divergence", "nonfinite", "exploding-gradients",
             "loss-spikes", "oscillation", "stuck-at-chance", "dead-relu", "stalled", "nonfinite-origin"),
            ("unnormalized-input", "high-initial-loss", "nonfinite", "divergence", "exploding-gradients"),
            r"32768|32,768|32767|int16|16[- ]?bit|(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?"
            r"(input|feature|sample|signal|wave|audio|frame)|(input|feature|sample)s? (are |is )?(not |un)(normali[sz]|"
            r"scal|standardi[sz])|unnormali[sz]ed (input|feature|audio)|\[-1, ?1\]",
            "a custom nn.Module pitch classifier over frames of 64 audio samples (Conv1d(1, 8, 9) -> ReLU -> "
            "Conv1d(8, 8, 5) -> ReLU -> max over time -> Linear(8, 3), nn.CrossEntropyLoss, SGD(lr=0.01, "
            "momentum=0.9)) whose frames come from an int16 PCM buffer converted with pcm.astype(np.float32) and "
            "nothing else: the samples are in the tens of thousands, the convolutions' outputs and the logits in the "
            "hundreds of thousands, the first loss is enormous and the first SGD steps throw the weights away: the "
            "first epoch's mean loss is ~8e14, after which the network says one class for every frame and the loss "
            "sits at ln 3 with accuracy 0.35, where scaled samples reach 0.02 and 1.0 (question class: PyTorch audio "
            "classifier loss nan or huge, do I need to normalise the wav samples); fix: divide the samples by 32768 "
            "(floats in [-1, 1]), as audio loaders do")
def _(fixed):
    torch.manual_seed(0)
    x, y = pcm_tones(seed=2115)
    if fixed:
        x = x / 32768.0
    model = PitchNet()
    return script(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- train / eval mode

def listing_table(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five columns in their own units (floor area in sq ft ~1,500, year built ~1990, km to the centre 0-30,
    rooms 1-6, asking price ~350,000); 1 for a listing that sells within a month."""
    rng = np.random.default_rng(seed)
    area = rng.normal(1500, 400, size=ROWS)
    year = rng.normal(1990, 18, size=ROWS)
    km = rng.uniform(0, 30, size=ROWS)
    rooms = rng.integers(1, 7, size=ROWS).astype(float)
    price = 150 * area + 2000 * (year - 1990) - 4000 * km + rng.normal(0, 40000, size=ROWS) + 120000
    value = (area - 1500) / 400 + (year - 1990) / 18 - (km - 15) / 9 - (price - 350000) / 60000
    x = np.stack([area, year, km, rooms, price], axis=1).astype("float32")
    return x, (value > np.median(value)).astype("float32").reshape(-1, 1)


@torch_case("torch-sanity-check-leaves-model-in-eval-mode",
            ("unnormalized-input", "stalled", "stuck-at-chance", "no-learning", "high-initial-loss", "loss-spikes",
             "oscillation", "frozen-parameters", "dead-relu", "exploding-gradients"),
            ("unnormalized-input", "stalled", "stuck-at-chance", "frozen-parameters"),
            r"model\.train\(\)|\.train\(\)|train(ing)? mode|eval(uation)?[- ]mode|\.eval\(\)|running (mean|stat\w*)|"
            r"batch ?norm\w*.{0,60}(not|never|doesn't|does not) (normali[sz]|updat|use)",
            "a listing classifier (will a house sell within a month) whose nn.Sequential starts with "
            "nn.BatchNorm1d(5) 'to normalise the raw columns' (floor area ~1,500 sq ft, year built ~1990, km to the "
            "centre, rooms, asking price ~350,000), then 5 -> 32 -> 32 -> 1 with ReLU and nn.Dropout(0.1), "
            "nn.BCEWithLogitsLoss and Adam(lr=1e-2); the script runs one batch through the model under model.eval() "
            "and torch.no_grad() to check the output shape and never calls model.train(): in eval mode BatchNorm "
            "uses its running statistics, which start at mean 0 and variance 1 and are only updated in training "
            "mode, so the columns go through unscaled, the prices dominate every sum, and the loss jumps around far "
            "above ln 2 (1,500 in the first epoch, 50 in the last) where the train-mode twin reaches ~0.26 (question "
            "class: PyTorch model does not learn, forgot model.train() after evaluation, batch norm in eval mode "
            "during training); fix: call model.train() before the training loop")
def _(fixed):
    torch.manual_seed(0)
    x, y = listing_table(seed=2116)
    model = nn.Sequential(nn.BatchNorm1d(5), nn.Linear(5, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 32),
                          nn.ReLU(), nn.Linear(32, 1))
    model.eval()
    with torch.no_grad():
        assert model(torch.as_tensor(x[:4])).shape == (4, 1)
    if fixed:
        model.train()
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- gradients cut off

def diamond_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised features; label 1 inside the diamond |x0| + |x1| < 1.2 (about half the rows)."""
    _, x = standard(seed, 6)
    return x, (np.abs(x[:, 0]) + np.abs(x[:, 1]) < 1.2).astype("float32").reshape(-1, 1)


class EncoderHead(nn.Module):
    """An encoder (6 -> 8 -> 8, ReLU) and a linear head; ``frozen`` runs the encoder under torch.no_grad()."""

    def __init__(self, frozen: bool):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
        self.head = nn.Linear(8, 1)
        self.frozen = frozen

    def forward(self, x):
        if self.frozen:
            with torch.no_grad():  # copied from the feature-extraction snippet 'to save memory'
                h = self.encoder(x)
        else:
            h = self.encoder(x)
        return self.head(h)


@torch_case("torch-encoder-run-under-no-grad-in-forward",
            ("frozen-parameters", "stalled", "stuck-at-chance", "no-learning", "cannot-overfit-batch",
             "vanishing-gradients"),
            ("frozen-parameters", "stalled", "stuck-at-chance", "cannot-overfit-batch", "vanishing-gradients"),
            r"no_grad|inference_mode|(gradient|grad)s? (do not|don't|never|cannot|can't) (flow|reach|get)|(never|not) "
            r"(updated|trained|receive|get)\w*.{0,30}(gradient|grad)|detach\w*|requires_grad|"
            r"encoder\W.{0,40}(never|do not|does not|doesn't) (change|move|update|learn)",
            "a custom nn.Module with an encoder (6 -> 8 -> 8, ReLU) and a linear head for a diamond-shaped label "
            "(|x0| + |x1| < 1.2, six standardised features), nn.BCEWithLogitsLoss and Adam(lr=1e-2), whose "
            "forward runs the encoder inside with torch.no_grad(): 'to save memory', a line copied from a "
            "feature-extraction snippet: no graph is recorded through the encoder, its weights get no gradient "
            "and stay at their random start, and the head alone cannot carve a diamond out of eight random ReLU "
            "features, so the loss stays near 0.64 where the trained encoder reaches ~0.18 (question class: PyTorch "
            "layers are not updated, only the last layer learns, gradients are None); fix: run the encoder "
            "outside torch.no_grad() (the whole forward with gradients)")
def _(fixed):
    torch.manual_seed(0)
    x, y = diamond_points(seed=2117)
    model = EncoderHead(frozen=not fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-2), nn.BCEWithLogitsLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- regularisation misread

def loom_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised loom sensor features; four fault types, the argmax of a fixed map plus a bend."""
    rng, x = standard(seed, 12)
    scores = x @ rng.normal(size=(12, 4)) + 0.7 * np.sin(2 * x[:, :4])
    return x, scores.argmax(1).astype("int64")


@torch_case("torch-dropout-probability-read-as-keep-rate",
            ("stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance", "loss-spikes", "oscillation",
             "high-initial-loss"),
            ("stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance"),
            r"dropout\w*.{0,60}(too (high|large|strong|much|aggressive)|0\.9\b|90 ?%|keep|lower|reduce|smaller|"
            r"zeroe?s? (out )?(most|nine))|(lower|reduce|decrease|remove|drop)\w*( the)? dropout|keep[_ ]prob|"
            r"probability of (an element|a unit|units?) (to be |being )?zeroed",
            "a four-class loom-fault classifier, nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout(0.9), "
            "nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.9), nn.Linear(64, 4)) with nn.CrossEntropyLoss and "
            "Adam(lr=3e-3), the 0.9 written as 'keep 90 per cent of the units' as in the old TensorFlow keep_prob "
            "argument: torch's p is the probability of ZEROING a unit, so nine units in ten are dropped at every "
            "step, each layer passes a different tenth of its units, and the training loss stays near 1.35 (ln 4 is "
            "1.39) with accuracy 0.34 where p=0.1 reaches ~0.2 and 0.92 (question class: PyTorch training loss stays "
            "high and noisy with dropout, model underfits, dropout p meaning); fix: nn.Dropout(p=0.1) (p is the "
            "share dropped, not kept)")
def _(fixed):
    torch.manual_seed(0)
    x, y = loom_faults(seed=2118)
    p = 0.1 if fixed else 0.9
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout(p), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p),
                          nn.Linear(64, 4))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=10)
