"""The thirtieth held-out set's PyTorch scripts with their fixed twins (see ``heldout30_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: gradient-accumulation tensor hooks whose running sums are
never reset, colour patches in 0-255 normalised with the mean and std of 0.5 meant for [0, 1] tensors, a peak
wavelength regressed in nanometres under SGD with momentum, ``nn.LeakyReLU(True)`` written for an in-place
activation (a negative slope of 1), an encoder's features detached in place by ``h.detach_()`` while caching
them, a loss multiplied by the accumulation steps instead of divided, a hand-written init with std
``fan_in ** 0.5`` in a tanh stack, and Adagrad's ``lr_decay`` read as a per-epoch factor.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout30_keras import HELDOUT30, ROWS, heldout30, table  # noqa: F401
from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout30(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- forgetting to zero the gradients (a new way)

class HookAccumulator:
    """The author's gradient accumulation: a tensor hook per parameter adds each gradient to a running sum and
    hands the sum on as the gradient; ``reset()`` empties the sums (meant to run after every optimiser step)."""

    def __init__(self, model: nn.Module):
        self.sums = {p: torch.zeros_like(p) for p in model.parameters()}
        for p in model.parameters():
            p.register_hook(lambda g, p=p: self.add(p, g))

    def add(self, p, g):
        self.sums[p] += g
        return self.sums[p].clone()

    def reset(self, *_):
        for s in self.sums.values():
            s.zero_()


def pump_states(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised pump sensor features; three operating states."""
    rng, x = table(seed, 13)
    return x, (x @ rng.normal(size=(13, 3)) + 0.5 * np.sin(x[:, :3])).argmax(1).astype("int64")


@torch_case("torch-accumulation-hooks-never-reset",
            ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation", "exploding-gradients", "nonfinite",
             "lr-too-high", "update-ratio", "both-rising", "nonfinite-origin", "stalled"),
            ("grad-not-zeroed",),
            r"zero_grad|zero\w* (the )?(grad|gradient)|(grad|gradient)s? (are |is )?(never |not )?(zeroed|"
            r"cleared|reset)|(accumulat|sum)\w* (across|over|between) (steps|batches|iterations)|"
            r"(reset|clear|empty)\w*.{0,30}(sums?|buffers?|accumulat)|hooks?.{0,60}(accumulat|reset|sum)",
            "a pump-state classifier (nn.Sequential 13-48-48-3 with ReLUs, nn.CrossEntropyLoss, SGD(lr=0.02, "
            "momentum=0.9)) with the author's gradient accumulation written as tensor hooks: register_hook on "
            "every parameter adds the batch's gradient to a running sum and returns the sum as the gradient, and "
            "a reset() that empties the sums was meant to run after each optimiser step but is never registered "
            "or called; optimizer.zero_grad() still runs, but it clears only .grad, so every step applies the sum "
            "of all gradients so far, the steps grow linearly with the step count and the loss climbs and "
            "swings within the first epochs, accuracy near chance, where the same net with the reset registered "
            "as a step hook reaches ~0.1 (question class: PyTorch gradient accumulation with hooks, loss "
            "explodes after a few batches); fix: reset the sums after every step "
            "(optimizer.register_step_post_hook(acc.reset)), i.e. zero the accumulated gradients")
def _(fixed):
    torch.manual_seed(0)
    x, y = pump_states(seed=3011)
    model = nn.Sequential(nn.Linear(13, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 3))
    acc = HookAccumulator(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    if fixed:
        opt.register_step_post_hook(acc.reset)
    return script(model, opt, nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- unscaled inputs (normalised for the wrong range)

def colour_patches(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """8x8 RGB patches in 0-255 (channels first): a warm, a cool or a green blob on a grey noisy ground."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 3, size=n)
    img = rng.uniform(60, 160, size=(n, 3, 8, 8))
    r, c = np.mgrid[:8, :8]
    tints = np.array([[70, -20, -40], [-40, -10, 70], [-30, 70, -30]], dtype=float)
    for i in range(n):
        cy, cx = rng.uniform(2, 6, size=2)
        blob = np.exp(-((r - cy) ** 2 + (c - cx) ** 2) / 4.0)
        img[i] += tints[label[i]][:, None, None] * blob
    return np.clip(img, 0, 255).astype("float32"), label.astype("int64")


class PatchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 12, 3, padding=1), nn.Conv2d(12, 12, 3, padding=1)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        return self.fc(h.amax(dim=(2, 3)))


MEAN, STD = 0.5, 0.5  # from the tutorial's transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


@torch_case("torch-normalize-half-on-0-255-patches",
            ("unnormalized-input", "divergence", "loss-spikes", "oscillation", "exploding-gradients",
             "high-initial-loss", "nonfinite", "stuck-at-chance", "dead-relu", "stalled", "nonfinite-origin"),
            ("unnormalized-input", "high-initial-loss", "exploding-gradients", "divergence", "loss-spikes"),
            r"(to ?tensor|/ ?255|divid\w* (the )?(pixels?|images?|inputs?)? ?by 255|\[0, ?1\]|0 to 1|0-1 range)|"
            r"(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(input|feature|pixel|image|"
            r"channel)|(input|feature|pixel)s? (are |is )?(not |un)(normali[sz]|scal|standardi[sz])|"
            r"unnormali[sz]ed (input|feature|pixel)|(0|zero) (to|-) ?255|(pixel|input)s?.{0,30}(range|scale)"
            r".{0,30}(hundreds|large|255|509)",
            "a colour-patch classifier (8x8 RGB patches with values 0-255, a custom Module with two Conv2d(3x3) "
            "layers, a global max pool and a Linear head, nn.CrossEntropyLoss, SGD(lr=0.01, momentum=0.9)) whose "
            "inputs are normalised as in the torchvision tutorial, (x - 0.5) / 0.5 per channel, without the "
            "ToTensor step that first brings the pixels into [0, 1]: the normalised pixels run from -1 to ~509 "
            "instead of -1 to 1, the first logits are in the hundreds and the momentum steps throw the weights "
            "about until the ReLUs stop firing; the first epoch's loss averages ~11, far above ln 3, and the "
            "loss then sits at ln 3 with accuracy at a third, where dividing by 255 first reaches ~0.005 and "
            "1.0 (question class: PyTorch CNN loss huge and not decreasing, "
            "transforms.Normalize on images not converted to [0, 1]); fix: divide by 255 (ToTensor) before "
            "Normalize(0.5, 0.5)")
def _(fixed):
    torch.manual_seed(0)
    x, y = colour_patches(seed=3012)
    x = ((x / 255.0 if fixed else x) - MEAN) / STD
    model = PatchNet()
    return script(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- target in the wrong units

def spectrometer(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised filter responses; the emission peak in nanometres (about 420-680)."""
    rng, x = table(seed, 9)
    nm = 550 + 90 * np.tanh(x @ rng.normal(size=9) / 3) + 15 * x[:, 0] * x[:, 1] / 2
    return x, nm.astype("float32").reshape(-1, 1)


@torch_case("torch-peak-wavelength-in-nanometres",
            ("nonfinite", "divergence", "exploding-gradients", "nonfinite-origin", "high-initial-loss",
             "lr-too-high", "loss-spikes", "oscillation"),
            ("nonfinite", "divergence", "exploding-gradients", "nonfinite-origin", "high-initial-loss"),
            r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
            r"target|output value|wavelength)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|"
            r"different|original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) "
            r"(target|label)s?|nanomet|micromet|\bnm\b",
            "a spectrometer calibration regressor (nn.Sequential 9-32-32-1 with ReLUs, nn.MSELoss, SGD(lr=0.01, "
            "momentum=0.9)) whose target is the emission peak in nanometres (420-680) as the lab sheet gives it: "
            "the first errors are ~550, the MSE ~3e5, its gradients push the output layer by hundreds per step "
            "and the momentum steps overshoot further each time; the loss runs to inf and NaN within the first "
            "epoch, where the same net on the standardised wavelength ((nm - 550) / 100) reaches ~0.013 (question "
            "class: PyTorch regression loss becomes NaN, large target values with SGD); fix: standardise the "
            "target, (nm - 550) / 100, and map predictions back")
def _(fixed):
    torch.manual_seed(0)
    x, nm = spectrometer(seed=3013)
    y = (nm - 550.0) / 100.0 if fixed else nm
    model = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    return script(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), nn.MSELoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- missing activation

def radius_bands(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; three classes by the radius of the first three (inner, middle, outer)."""
    rng, x = table(seed, 8)
    r = np.linalg.norm(x[:, :3], axis=1)
    return x, np.searchsorted(np.quantile(r, [1 / 3, 2 / 3]), r).astype("int64")


@torch_case("torch-leaky-relu-true-as-inplace",
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
            ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
            r"negative_slope|inplace|slope (of )?(1\b|1\.0|one|true)|leaky ?relu\((true|1\b)|(activation|leaky ?"
            r"relu)s?.{0,40}(identity|linear function)|(network|model|stack) (is|becomes|collapses to|reduces to|"
            r"stays) (a |one )?(single )?linear|linear (in its input|map|stack|model)\b|(no|without|missing) "
            r"(non-?linear\w*|hidden activation)",
            "a three-band classifier (eight standardised features, the class is which third of the radius of the "
            "first three a row falls in) written nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(True), "
            "nn.Linear(64, 64), nn.LeakyReLU(True), nn.Linear(64, 3)) by analogy with nn.ReLU(True) for an in-place "
            "ReLU, trained with nn.CrossEntropyLoss and Adam 3e-3: LeakyReLU's first positional argument is "
            "negative_slope, True becomes a slope of 1.0 and every activation is the identity, so the network is "
            "one linear map and cannot separate shells; the loss stays near ln 3 and accuracy near a third, "
            "where nn.LeakyReLU(inplace=True) (slope 0.01) reaches ~0.15 (question class: PyTorch MLP cannot learn "
            "a nonlinear boundary, LeakyReLU arguments); fix: nn.LeakyReLU(inplace=True), the flag by keyword")
def _(fixed):
    torch.manual_seed(0)
    x, y = radius_bands(seed=3014)
    act = (lambda: nn.LeakyReLU(inplace=True)) if fixed else (lambda: nn.LeakyReLU(True))
    model = nn.Sequential(nn.Linear(8, 64), act(), nn.Linear(64, 64), act(), nn.Linear(64, 3))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=12)


# ---------------------------------------------------------------- gradients cut off (detaching)

class CachedFeatures(nn.Module):
    """An encoder and a head; the forward keeps the last batch's features for a plotting callback."""

    def __init__(self, detach_in_place: bool):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(10, 24), nn.ReLU(), nn.Linear(24, 6), nn.ReLU())
        self.head = nn.Linear(6, 2)
        self.detach_in_place, self.cache = detach_in_place, {}

    def forward(self, x):
        h = self.encoder(x)
        self.cache["features"] = h.detach_() if self.detach_in_place else h.detach()
        return self.head(h)


def sensor_pairs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised features; the class is whether the first two agree in sign (an XOR: a non-linear label)."""
    _rng, x = table(seed, 10)
    return x, (x[:, 0] * x[:, 1] > 0).astype("int64")


@torch_case("torch-feature-cache-detach-in-place",
            ("frozen-parameters", "stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch",
             "vanishing-gradients", "dead-relu"),
            ("frozen-parameters", "stalled", "no-learning", "vanishing-gradients"),
            r"detach\w*|no (gradient|grad)s? (reach|flow|get)\w*|(gradient|grad)s? (do(es)? not|never|cannot|can't) "
            r"(reach|flow|get)|(cut|break|stop)\w* (off )?(the )?(graph|gradient|backprop|autograd)|"
            r"(computation|autograd) graph|encoder.{0,40}(never|not) (trained|updated|learn|chang)|"
            r"(frozen|never (change|update))\w*.{0,40}(encoder|layer|parameter|weight)",
            "a two-class sensor model (a custom Module: an encoder Linear(10, 24) -> ReLU -> Linear(24, 6) -> ReLU "
            "and a Linear(6, 2) head, nn.CrossEntropyLoss, Adam 3e-3) whose forward keeps the last batch's "
            "features for a plotting callback with self.cache['features'] = h.detach_(), the author taking "
            "detach_() for a cheaper detach(): the trailing underscore detaches h itself, in place, so the head "
            "receives a tensor cut from the encoder and backward never reaches the encoder; only the head trains "
            "on six random ReLU features of an XOR label, the loss stays near ln 2 and accuracy near 0.54, where "
            "h.detach() (a detached copy for the cache) reaches ~0.1 and 0.98 (question class: PyTorch encoder weights do not change, "
            "detach versus detach_); fix: cache h.detach() and pass h itself on")
def _(fixed):
    torch.manual_seed(0)
    x, y = sensor_pairs(seed=3015)
    model = CachedFeatures(detach_in_place=not fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=15)


# ---------------------------------------------------------------- wrong loss scale (accumulation written backwards)

class AccumulatedCE(nn.Module):
    """Cross-entropy prepared for gradient accumulation over ``steps`` batches (meant: divided by ``steps``)."""

    def __init__(self, steps: int, divide: bool):
        super().__init__()
        self.steps, self.divide = steps, divide

    def forward(self, out, target):
        loss = F.cross_entropy(out, target)
        return loss / self.steps if self.divide else loss * self.steps


def glass_types(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised oxide fractions; five glass types."""
    rng, x = table(seed, 11)
    return x, (x @ rng.normal(size=(11, 5)) + 0.4 * x[:, :5] * x[:, 5:10]).argmax(1).astype("int64")


@torch_case("torch-accumulation-loss-multiplied",
            ("divergence", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high", "update-ratio",
             "nonfinite", "high-initial-loss", "stalled", "dead-relu", "nonfinite-origin"),
            ("divergence", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high", "update-ratio"),
            r"(divid|multipl)\w*.{0,40}(accumulation|steps|instead)|(loss|gradient)s? (is |are )?(scaled|"
            r"multiplied) (up|by)|scal\w* (the )?loss|loss scale|/\s*(accum|steps)|\* ?(accum|steps)",
            "a glass-type classifier (nn.Sequential 11-64-64-5 with ReLUs, SGD(lr=0.2, momentum=0.9)) whose loss "
            "is the author's AccumulatedCE(steps=8), prepared for accumulating gradients over eight batches: the "
            "recipe divides the batch loss by the number of accumulation steps, the module multiplies by it, and "
            "the loop steps after every batch anyway, so every gradient is 64 times the one the rate was chosen "
            "for (an effective rate of 12.8 with momentum); the reported loss sits at 13 to 17 (a cross-entropy "
            "above ln 5) with accuracy near chance, where loss / 8 trains to ~0.013 (a cross-entropy near 0.1) "
            "(question class: PyTorch loss explodes after adding gradient "
            "accumulation, loss multiplied instead of divided); fix: divide the loss by the accumulation steps "
            "(loss / steps)")
def _(fixed):
    torch.manual_seed(0)
    x, y = glass_types(seed=3016)
    model = nn.Sequential(nn.Linear(11, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    return script(model, torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9),
                  AccumulatedCE(steps=8, divide=fixed), x, y, epochs=10)


# ---------------------------------------------------------------- saturation (initial scale with the exponent's sign lost)

def vibration_modes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirty-two standardised spectral features; four vibration modes."""
    rng, x = table(seed, 32)
    return x, (x @ rng.normal(size=(32, 4)) / 4 + 0.4 * np.tanh(x[:, :4] * x[:, 4:8])).argmax(1).astype("int64")


@torch_case("torch-tanh-init-std-sqrt-fan-in",
            ("saturated-activation", "vanishing-gradients", "poor-initialization", "stuck-at-chance", "no-learning",
             "stalled", "high-initial-loss", "exploding-gradients", "cannot-overfit-batch", "loss-spikes",
             "oscillation"),
            ("saturated-activation", "vanishing-gradients", "poor-initialization", "high-initial-loss"),
            r"(initiali[sz]\w*|\binit\b|initial weights)\W.{0,40}(too (large|big)|std(dev)?.{0,20}(too large|"
            r"sqrt)|scale)|fan_in\s*\*\*\s*-\s*0?\.5|1 ?/ ?(sqrt|√)\(?(fan|n_?in|in_features)|\*\*\s*0?\.5.{0,30}"
            r"(instead|rather|should)|xavier.{0,40}tanh|tanh.{0,40}(xavier|glorot|calculate_gain)|calculate_gain|"
            r"smaller (initial )?weights|(exponent|sign).{0,30}(init|std|fan)",
            "a vibration-mode classifier (thirty-two standardised spectral features, an nn.Sequential of four "
            "Linear(64) + Tanh blocks and a Linear(64, 4) head, nn.CrossEntropyLoss, SGD(lr=0.05, momentum=0.9)) "
            "whose weights are reset by a hand-written loop with nn.init.normal_(m.weight, 0.0, m.in_features ** "
            "0.5), the exponent's minus sign lost from the 1/sqrt(fan_in) rule: the std is 5.7 or 8 instead of "
            "~0.15, every pre-activation is in the tens, every tanh sits at +-1 and passes almost no gradient, and "
            "the head sees huge logits; the loss starts in the tens and stays far above ln 4 with accuracy near "
            "chance, where std = m.in_features ** -0.5 reaches ~0.03 (question class: PyTorch deep tanh network "
            "does not learn, custom weight initialisation); fix: std = m.in_features ** -0.5 (or "
            "xavier_normal_ with calculate_gain('tanh'))")
def _(fixed):
    torch.manual_seed(0)
    x, y = vibration_modes(seed=3017)
    widths = (32, 64, 64, 64, 64)
    model = nn.Sequential()
    for a, b in zip(widths, widths[1:]):
        model.append(nn.Linear(a, b)).append(nn.Tanh())
    model.append(nn.Linear(widths[-1], 4))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, m.in_features ** (-0.5 if fixed else 0.5))
                nn.init.zeros_(m.bias)
    return script(model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9), nn.CrossEntropyLoss(), x, y,
                  epochs=10)


# ---------------------------------------------------------------- learning rate decayed far too fast

def credit_rows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised applicant features; 1 for a default (about 45%)."""
    rng, x = table(seed, 14)
    score = x @ rng.normal(size=14) / np.sqrt(14) + 0.6 * np.sin(2 * x[:, 0]) * x[:, 1]
    return x, (score > np.quantile(score, 0.55)).astype("float32").reshape(-1, 1)


@torch_case("torch-adagrad-lr-decay-read-as-factor",
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "stuck-at-chance"),
            ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio"),
            r"lr_decay|(learning[- ]rate|lr) (decay|schedule)\w*.{0,40}(too (fast|quick|steep|aggressive)|per "
            r"(step|update|batch|iteration))|(decay|schedule)\w* (is |far )?too (fast|quick|steep|aggressive)|"
            r"(learning[- ]rate|lr)\b.{0,40}(decays?|shrinks?|falls?|drops?).{0,40}(tiny|near zero|too (fast|"
            r"quickly|soon))|(slower|gentler|remove|drop|disable)\w* (the )?(decay|schedule)",
            "a credit-default classifier (fourteen standardised applicant features, nn.Sequential 14-64-64-1 with "
            "ReLUs, nn.BCEWithLogitsLoss) trained with torch.optim.Adagrad(model.parameters(), lr=0.05, "
            "lr_decay=0.5), the author meaning 'halve the rate every epoch': Adagrad's lr_decay divides the rate "
            "by 1 + lr_decay * step at every update, so after the first epoch's nineteen batches the rate is a "
            "tenth and by the last epoch about a hundredth of 0.05, on top of Adagrad's own shrinking steps; the "
            "loss creeps from 0.52 to 0.31 over twelve epochs, where lr_decay=0 keeps learning to ~0.08 (question "
            "class: PyTorch training stops improving after the first epoch, Adagrad learning-rate decay "
            "argument); fix: lr_decay=0 (decay per epoch with a scheduler if wanted)")
def _(fixed):
    torch.manual_seed(0)
    x, y = credit_rows(seed=3018)
    model = nn.Sequential(nn.Linear(14, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adagrad(model.parameters(), lr=0.05, lr_decay=0.0 if fixed else 0.5)
    return script(model, opt, nn.BCEWithLogitsLoss(), x, y, epochs=12)
