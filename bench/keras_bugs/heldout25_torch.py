"""The twenty-fifth held-out set's PyTorch scripts with their fixed twins (see ``heldout25_keras`` for why and how).

A case builds the runner's dict (``model``, ``optimizer``, ``loss_fn``, ``x``, ``y``, ``epochs``,
``batch_size``) plus the loop switches ``bench_keras_bugs.torch_loop`` honours; every case shares the bench's
loop, so each bug here lives in the model, the optimiser, the loss or the data the script prepares.

The bugs, each from a common class and written afresh: a label file ordered by sample id zipped row by row
with a feature file ordered by time, a hand-written Lookahead optimiser whose ``zero_grad`` clears the slow
copies' gradients instead of the model's, ``nn.MultiLabelMarginLoss`` fed multi-hot rows (it wants class
indices padded with -1), click-through rates in percent under ``nn.BCEWithLogitsLoss``, a distillation loss
``nn.KLDivLoss(reduction='mean')`` (per element, not per row) under an SGD rate tuned for ``'batchmean'``,
``nn.LogSigmoid`` scores into ``nn.NLLLoss`` for six exclusive classes, a forward hook that stores the
encoder's output and returns it detached, and map coordinates fed in raw UTM metres.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .heldout19_torch import runner as script  # the nineteenth set's runner dict (same loop switches)
from .heldout20_keras import standard
from .heldout25_keras import HELDOUT25, heldout25  # noqa: F401

ROWS = 640


def torch_case(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str):
    return heldout25(name, ids, fix_ids, fix, about, framework="torch")


# ---------------------------------------------------------------- labels encoded wrongly

def sensor_exports(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two exports of the same 640 machine runs: features.csv ordered by run time, labels.csv ordered by run id
    (ids were handed out in a different order from the times). Returns (feature ids, features, label ids,
    labels); five fault classes from a learnable rule on the features."""
    rng, x = standard(seed, 12, ROWS)
    run_id = rng.permutation(ROWS) + 1000              # the id of the run in time order
    fault = (x @ rng.normal(size=(12, 5))).argmax(1)
    by_id = np.argsort(run_id)
    return run_id, x, run_id[by_id], fault[by_id]


@torch_case("torch-label-file-by-run-id-zipped-with-features-by-time",
            ("label-problem", "stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch", "overfitting",
             "loss-metric-mismatch"),
            ("label-problem", "stuck-at-chance", "stalled", "cannot-overfit-batch"),
            r"(align|match|join|merge|pair)\w* (the )?(labels?|rows|targets?|files?).{0,40}(by|on|with|to) (the )?"
            r"(run )?(id|key|index|their (features|inputs|rows))|(labels?|targets?) (do not|don't|does not|no "
            r"longer) (match|belong|line up|correspond)|(labels?|targets?) (are |is )?(misaligned|shuffled|"
            r"permuted|out of order|in a different order|mismatched)|(different|another) (row )?order|(sort|"
            r"order)\w* (both|the two|each) (files?|tables?|exports?)|row order",
            "a five-class fault classifier (nn.Sequential 12-64-64-5 with ReLUs, nn.CrossEntropyLoss, Adam 3e-3) "
            "whose data come as two exports of the same 640 machine runs, features.csv ordered by run time and "
            "labels.csv ordered by run id, and the script pairs them row by row (x = features, y = labels) as if both "
            "files were in the same order: almost every row carries another run's fault, the network can only "
            "memorise, and the cross-entropy falls only from 1.59 to 1.30 with training accuracy 0.49, where the "
            "labels looked up by run id reach 0.088 and 0.99 (question class: PyTorch classifier stuck near chance, "
            "features and labels from two files); fix: join the labels to the features on the run id (or sort both "
            "files by it) before training")
def _(fixed):
    torch.manual_seed(0)
    feature_ids, x, label_ids, labels = sensor_exports(seed=2521)
    if fixed:  # look each run's label up by its id
        where = {rid: i for i, rid in enumerate(label_ids)}
        y = labels[[where[rid] for rid in feature_ids]]
    else:      # zipped row by row, as if both files were in the same order
        y = labels
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x,
                  y.astype("int64"), epochs=10)


# ---------------------------------------------------------------- forgetting to zero the gradients

class Lookahead(torch.optim.Optimizer):
    """Lookahead (k fast steps of an inner optimiser, then the slow weights move a share ``alpha`` towards the
    fast ones and the fast ones restart from there), written by hand around ``torch.optim.SGD``."""

    def __init__(self, params, lr: float = 0.05, momentum: float = 0.9, k: int = 5, alpha: float = 0.5,
                 clear_fast: bool = True):
        self.inner = torch.optim.SGD(params, lr=lr, momentum=momentum)
        super().__init__(self.inner.param_groups, self.inner.defaults)
        self.k, self.alpha, self.steps, self.clear_fast = k, alpha, 0, clear_fast
        self.slow = [p.detach().clone() for group in self.param_groups for p in group["params"]]

    def fast(self):
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def step(self, closure=None):
        loss = self.inner.step(closure)
        self.steps += 1
        if self.steps % self.k == 0:
            for slow, fast in zip(self.slow, self.fast()):
                slow.add_(fast - slow, alpha=self.alpha)
                fast.copy_(slow)
        return loss

    def zero_grad(self, set_to_none: bool = True):
        for w in (self.fast() if self.clear_fast else self.slow):
            w.grad = None


def soil_samples(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised soil measurements; the standardised nitrogen content, smooth in them."""
    rng, x = standard(seed, 9, ROWS)
    y = np.tanh(x @ rng.normal(size=9) / 3) * 1.5 + 0.4 * np.sin(x[:, 0]) * x[:, 1]
    return x, ((y - y.mean()) / y.std()).astype("float32").reshape(-1, 1)


@torch_case("torch-lookahead-wrapper-zero-grad-clears-slow-copies",
            ("grad-not-zeroed", "divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation",
             "both-rising", "nonfinite-origin", "lr-too-high", "stalled"),
            ("grad-not-zeroed", "divergence", "nonfinite", "exploding-gradients"),
            r"zero_grad|zero(ing|ed|es)? (the )?grad|grad\w* (are |is )?(never |not )?(cleared|reset|zeroed)|"
            r"(clear|reset)\w* (the )?(model'?s? |fast )?(weights'? )?grad|grad\w* (keep )?(accumulat|add|pil|sum)"
            r"\w*( up)? (across|over|from one|between|batch after) (steps?|batch\w*|iterations?|calls?)|"
            r"p\.grad ?= ?None|set_to_none|slow (weights|copies)",
            "a regressor of soil nitrogen (nine standardised measurements, nn.Sequential 9-48-24-1 with ReLUs, "
            "nn.MSELoss) trained with a hand-written Lookahead optimiser around SGD(lr=0.02, momentum=0.9), a "
            "torch.optim.Optimizer subclass that keeps slow copies of the weights and whose zero_grad loops over "
            "self.slow setting w.grad = None, the slow copies, which never get a gradient, instead of over the "
            "model's (fast) parameters: the loop's opt.zero_grad() clears nothing, every backward adds to the "
            "gradients of all earlier batches, the summed gradient grows batch after batch and with momentum the "
            "weights run away; the loss goes from 3.3 in the first epoch to 3.6e12 in the tenth, where clearing the "
            "fast weights' gradients reaches 0.035 (question class: PyTorch custom optimizer wrapper, loss explodes, "
            "gradients seem to accumulate); fix: zero_grad must clear the gradients of the parameters in "
            "self.param_groups (p.grad = None for the fast weights, or self.inner.zero_grad())")
def _(fixed):
    torch.manual_seed(0)
    x, y = soil_samples(seed=2522)
    model = nn.Sequential(nn.Linear(9, 48), nn.ReLU(), nn.Linear(48, 24), nn.ReLU(), nn.Linear(24, 1))
    opt = Lookahead(model.parameters(), lr=0.02, momentum=0.9, clear_fast=fixed)
    return script(model, opt, nn.MSELoss(), x, y, epochs=10)


# ---------------------------------------------------------------- loss against the label format

def photo_tags(seed: int, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised image descriptors; six tags, each a half-space (most photos carry two to four)."""
    rng, x = standard(seed, 14, ROWS)
    return x, (x @ rng.normal(size=(14, k)) > -0.2).astype("float32")


class LongTargets(nn.Module):
    """Calls ``loss`` with the targets cast to int64 (the margin loss refuses float targets)."""

    def __init__(self, loss: nn.Module):
        super().__init__()
        self.loss = loss

    def forward(self, scores, targets):
        return self.loss(scores, targets.long())


@torch_case("torch-multilabel-margin-loss-fed-multi-hot-rows",
            ("label-problem", "loss-metric-mismatch", "stalled", "no-learning", "cannot-overfit-batch"),
            ("label-problem", "loss-metric-mismatch", "stalled", "cannot-overfit-batch"),
            r"MultiLabelMarginLoss|MultiLabelSoftMarginLoss|BCEWithLogits|binary[_ ]cross[_ ]entropy_with_logits|"
            r"(class )?indices.{0,40}(padded|-1)|(padded|terminated) (with|by) -1|multi[- ]?hot.{0,60}(indices|"
            r"index|format|expects?|wants?)|(loss|criterion) (expects?|wants?|needs?) (class )?ind(ices|ex)",
            "a six-tag photo tagger (fourteen standardised image descriptors, nn.Sequential 14-64-6 with a ReLU, Adam "
            "3e-3) trained with nn.MultiLabelMarginLoss on the multi-hot tag rows (cast to int64 because the loss "
            "refuses floats): that loss reads each target row as a list of class INDICES ended by the first -1, so a "
            "row [1, 0, 1, 1, 0, 0] names the classes 1 and 0 (the values it holds), and every row names 0, 1 or "
            "both, whatever the photo's real tags; the loss falls to ~1e-4 by pushing the scores of tags 0 and 1 "
            "above the others for every photo, "
            "and a tag read as present where its score is positive is right for half of the photo-tag pairs (0.51), "
            "where nn.MultiLabelSoftMarginLoss on the same rows reaches 0.13 and 0.98 (question class: PyTorch "
            "multi-label loss goes to zero but predictions are wrong, which loss for multi-hot targets); fix: "
            "nn.MultiLabelSoftMarginLoss (or BCEWithLogitsLoss) on the float multi-hot rows, or give "
            "MultiLabelMarginLoss index lists padded with -1")
def _(fixed):
    torch.manual_seed(0)
    x, tags = photo_tags(seed=2523)
    model = nn.Sequential(nn.Linear(14, 64), nn.ReLU(), nn.Linear(64, 6))
    loss = nn.MultiLabelSoftMarginLoss() if fixed else LongTargets(nn.MultiLabelMarginLoss())
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), loss, x, tags, epochs=10)


# ---------------------------------------------------------------- target in the wrong units

def ad_clicks(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised ad and page features; the click-through rate of the ad, as a percentage (0.2-30)."""
    rng, x = standard(seed, 11, ROWS)
    logit = -3.0 + x @ rng.normal(size=11) / np.sqrt(11) * 1.2 + 0.3 * x[:, 0] * x[:, 1]
    return x, (100 / (1 + np.exp(-logit))).astype("float32").reshape(-1, 1)


@torch_case("torch-click-rate-in-percent-under-bce-with-logits",
            ("divergence", "label-problem", "loss-metric-mismatch", "exploding-gradients", "nonfinite",
             "metric-out-of-range", "high-initial-loss", "lr-too-high"),
            ("divergence", "label-problem", "loss-metric-mismatch"),
            r"(scale|normali[sz]e|rescale|divide)\w* (the |your )?(targets?|labels?|y\b|rates?|"
            r"percentages?|output values?)|(targets?|labels?) (are |is )?(in|on) (a )?(large|huge|raw|different|"
            r"original)|(targets?|labels?)'? (scale|range|units?|magnitude)|(targets?|labels?)\w* (outside|beyond|"
            r"above|exceed)\w* .{0,30}(range|\[?0, ?1\]?|one|1\b)|per ?cent|percent|/ ?100\b|fraction|"
            r"(between|in|within) (0 and 1|\[0, ?1\]|\(0, ?1\))",
            "a click-through-rate model (eleven standardised ad and page features, nn.Sequential 11-32-16-1 with "
            "ReLUs, nn.BCEWithLogitsLoss as a soft-label loss, Adam 3e-3) whose target is the rate as the dashboard "
            "exports it, in percent (0.2 to 30), not as a fraction: BCEWithLogitsLoss does not check its targets, "
            "with a target of 5 the loss -5 * log(p) - (1 - 5) * log(1 - p) rewards an ever larger logit without "
            "bound, and the loss is negative from the first epoch (-3) and keeps falling (-4136 in the tenth) while "
            "the predicted rate is pushed towards 100 percent, where the rate as a fraction reaches 0.23 (question "
            "class: PyTorch BCEWithLogitsLoss gives a negative loss, soft labels); fix: divide the rates by 100 "
            "(targets in [0, 1])")
def _(fixed):
    torch.manual_seed(0)
    x, ctr = ad_clicks(seed=2524)
    y = ctr / 100.0 if fixed else ctr
    model = nn.Sequential(nn.Linear(11, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.BCEWithLogitsLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- wrong loss reduction

def teacher_targets(seed: int, k: int = 40, temperature: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised features; a fixed teacher's softened class probabilities over forty classes."""
    rng, x = standard(seed, 16, ROWS)
    logits = x @ rng.normal(size=(16, k)) * 1.5 + 0.8 * np.tanh(x[:, :1] * x[:, 1:2]) * rng.normal(size=k)
    z = logits / temperature
    p = np.exp(z - z.max(1, keepdims=True))
    return x, (p / p.sum(1, keepdims=True)).astype("float32")


class Distillation(nn.Module):
    """KL(teacher || student) on temperature-softened distributions, student logits in, teacher probabilities
    as the target."""

    def __init__(self, reduction: str, temperature: float = 2.0):
        super().__init__()
        self.kl, self.t = nn.KLDivLoss(reduction=reduction), temperature

    def forward(self, student_logits, teacher_probs):
        return self.kl(F.log_softmax(student_logits / self.t, dim=1), teacher_probs) * self.t ** 2


@torch_case("torch-distillation-kldiv-reduction-mean-over-forty-classes",
            ("no-learning", "stalled", "update-ratio", "loss-metric-mismatch", "high-initial-loss",
             "late-start"),
            ("no-learning", "stalled", "update-ratio"),
            r"batchmean|reduction ?=|(loss|kl\w*)'?s? reduction|reduction (mode|argument|of the loss)|(mean|averag\w*)"
            r" over (all |every )?(elements|classes|entries)|(divid|scal)\w* "
            r"by (the number of )?(classes|elements|entries)|(loss|gradient)s? (are |is )?(\d+|many|forty) times "
            r"(too )?small|(raise|increase|larger|higher|bigger)\w*( the)? (learning[- ]rate|lr|step size)|"
            r"(learning[- ]rate|\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (low|small|tiny)",
            "a student network distilled from a fixed teacher over forty classes (sixteen standardised features, "
            "nn.Sequential 16-64-40 with a ReLU) with nn.KLDivLoss(reduction='mean') on temperature-softened "
            "log-probabilities (T = 2, times T squared) and SGD(lr=0.1, momentum=0.9), the rate taken from a recipe "
            "that used reduction='batchmean': 'mean' averages over every element, batch times classes, so the loss "
            "and its gradient are forty times smaller than the KL divergence per row and the student barely moves; "
            "the loss reads 0.21 -> 0.165 (per row 8.4 -> 6.6), where 'batchmean' goes from 7.1 to 0.17 per row "
            "(question class: PyTorch knowledge distillation, KLDivLoss very small and the student does not learn); "
            "fix: nn.KLDivLoss(reduction='batchmean'), the KL divergence per row")
def _(fixed):
    torch.manual_seed(0)
    x, soft = teacher_targets(seed=2525)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 40))
    loss = Distillation("batchmean" if fixed else "mean")
    return script(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), loss, x, soft, epochs=10)


# ---------------------------------------------------------------- output activation against the loss

def pottery_sherds(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised sherd measurements (thickness, curvature, glaze colour, ...); six periods by a
    learnable rule."""
    rng, x = standard(seed, 13, ROWS)
    return x, (x @ rng.normal(size=(13, 6)) + 0.5 * np.tanh(x[:, :6] * x[:, 6:12])).argmax(1).astype("int64")


class PeriodNet(nn.Module):
    """13 -> 48 -> 48 -> 6 with ReLU; ``log_probs`` turns the six scores into the log-probabilities NLLLoss
    reads."""

    def __init__(self, log_probs):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(13, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 6))
        self.log_probs = log_probs

    def forward(self, x):
        return self.log_probs(self.body(x))


@torch_case("torch-logsigmoid-scores-into-nllloss-for-six-periods",
            ("loss-metric-mismatch", "wrong-output-activation", "misleading-accuracy", "stuck-at-chance",
             "stalled", "label-problem", "saturated-activation"),
            ("loss-metric-mismatch", "wrong-output-activation", "stuck-at-chance"),
            r"log_?softmax|(use|take)\w* (a )?softmax|apply\w* (a )?softmax (over|across|to|on)|softmax (over|across|"
            r"on) (the )?(classes|class "
            r"scores|outputs|logits)|CrossEntropyLoss|cross[- ]?entropy on (raw )?logits|(sigmoid|logsigmoid)\w*"
            r".{0,60}(do not|don't|does not|doesn't|never|cannot) (compete|sum to (one|1)|normali[sz]e)|(sum|add "
            r"up) to (one|1).{0,40}(classes|probabilit)|(independent|separate) (sigmoid|probabilit)\w*.{0,40}"
            r"(one|single)[- ]label|mutually exclusive",
            "a six-period classifier of pottery sherds (thirteen standardised measurements, a custom nn.Module "
            "13-48-48-6 with ReLUs, Adam 3e-3) that turns its scores into 'log-probabilities' for nn.NLLLoss with "
            "nn.LogSigmoid() instead of nn.LogSoftmax(dim=1): each class gets its own sigmoid, nothing ties them "
            "together, NLLLoss only raises the true class's log-sigmoid and never lowers the others, and the network "
            "drives every score up: the loss falls to 3e-4 within the epochs while the training accuracy is 0.24, "
            "where log-softmax reaches a loss of 0.11 and accuracy 0.99 (question class: PyTorch loss goes to zero "
            "but accuracy stays low, NLLLoss with sigmoid outputs); fix: nn.LogSoftmax(dim=1) before nn.NLLLoss (or "
            "raw logits into nn.CrossEntropyLoss)")
def _(fixed):
    torch.manual_seed(0)
    x, y = pottery_sherds(seed=2526)
    model = PeriodNet(nn.LogSoftmax(dim=1) if fixed else nn.LogSigmoid())
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.NLLLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- detaching

class HookedNet(nn.Module):
    """An encoder (12 -> 32 -> 8, ReLU) and a head (8 -> 16 -> 3); a forward hook on the encoder keeps its last
    output for a feature plot."""

    def __init__(self, returns_detached: bool):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 8), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
        self.features = None

        def keep(module, inputs, output):
            output = output.detach()        # keep a copy for the plot, out of the graph
            self.features = output
            if returns_detached:
                return output               # a forward hook's return value REPLACES the module's output

        self.encoder.register_forward_hook(keep)

    def forward(self, x):
        return self.head(self.encoder(x))


def crop_fields(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised field readings; three crop-stress classes with curved boundaries."""
    rng, x = standard(seed, 12, ROWS)
    a = x @ rng.normal(size=12) / np.sqrt(12)
    b = np.sin(1.5 * x[:, 0]) + x[:, 1] * x[:, 2] / 2
    return x, np.select([a + b > 0.6, a - b > 0.3], [0, 1], 2).astype("int64")


@torch_case("torch-forward-hook-returns-detached-encoder-output",
            ("frozen-parameters", "stalled", "no-learning", "cannot-overfit-batch", "vanishing-gradients",
             "stuck-at-chance"),
            ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients"),
            r"(forward )?hook\w*.{0,60}(returns?|replac|detach)|(returns?|returning|replac\w*)\W.{0,40}hook|"
            r"(return|returns|returning)\w*.{0,30}detach|(detach|cut|break)\w* .{0,30}(graph|gradient)|(gradients?|"
            r"grads?) (do not|does not|don't|doesn't|never|cannot) (reach|flow|pass|get)\w*.{0,40}(encoder|earlier|"
            r"first|lower|hidden|body)|(encoder|earlier|first|lower|hidden|body)\w*( layers?)? .{0,40}(no|zero|"
            r"none|never get a|without) (gradients?|updates?)",
            "a three-class crop-stress classifier (twelve standardised field readings) as a custom nn.Module with an "
            "encoder (12 -> 32 -> 8, ReLU) and a head (8 -> 16 -> 3), nn.CrossEntropyLoss, Adam 3e-3, and a forward "
            "hook registered on the encoder to keep its output for a feature plot, written output = output.detach(); "
            "self.features = output; return output: a forward hook that returns a value replaces the module's output, "
            "so the head is fed the detached copy, no gradient reaches the encoder and it keeps its random weights; "
            "the head learns on eight random features and the loss only creeps from 1.11 to 1.03 with accuracy 0.51, "
            "where a hook that returns nothing reaches 0.46 and 0.85 (question class: PyTorch part of the model does "
            "not train, gradients of the first layers are None after adding a hook); fix: return nothing from the "
            "hook (store output.detach() without returning it)")
def _(fixed):
    torch.manual_seed(0)
    x, y = crop_fields(seed=2527)
    model = HookedNet(returns_detached=not fixed)
    return script(model, torch.optim.Adam(model.parameters(), lr=3e-3), nn.CrossEntropyLoss(), x, y, epochs=10)


# ---------------------------------------------------------------- unscaled inputs

def parcels(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Land parcels: UTM easting and northing in metres (around 431,000-459,000 and 4,504,000-4,530,000) and
    four standardised parcel features; the standardised price per square metre, which falls with the distance
    from the town centre."""
    rng, feats = standard(seed, 4, ROWS)
    east = rng.uniform(431_000, 459_000, size=ROWS)
    north = rng.uniform(4_504_000, 4_530_000, size=ROWS)
    km = np.hypot(east - 445_000, north - 4_517_000) / 1000.0
    price = 2.0 * np.exp(-km / 6.0) + 0.3 * feats @ rng.normal(size=4) + 0.05 * rng.normal(size=ROWS)
    x = np.concatenate([east[:, None], north[:, None], feats], axis=1)
    return x.astype("float64"), ((price - price.mean()) / price.std()).astype("float32").reshape(-1, 1)


@torch_case("torch-parcel-prices-from-raw-utm-metres",
            ("unnormalized-input", "stalled", "no-learning", "high-initial-loss", "dead-relu", "loss-spikes",
             "oscillation", "exploding-gradients", "divergence"),
            ("unnormalized-input", "stalled", "high-initial-loss", "dead-relu"),
            r"(standardi[sz]|normali[sz]|rescal|scal|cent(er|re))\w* (the |each |your |all )?(inputs?|features?|"
            r"columns?|coordinates?|eastings?|northings?)|(inputs?|features?|coordinates?) (are |is )?(not |un)"
            r"(normali[sz]|scal|standardi[sz])|unnormali[sz]ed (inputs?|features?)|StandardScaler|UTM|"
            r"(subtract|minus) (the )?(mean|centre|center|origin|reference)|kilomet|(huge|large) (input|feature) "
            r"(values|scale|range|magnitude)",
            "a regressor of the price per square metre of land parcels (nn.Sequential 6-64-32-1 with ReLUs, "
            "nn.MSELoss, Adam 1e-3; the target standardised) whose first two inputs are the parcel's UTM easting and "
            "northing in metres, about 4.4e5 and 4.5e6, beside four standardised parcel features: the coordinates "
            "swamp every first-layer sum, the outputs start in the tens of thousands, and the price, which depends on "
            "the distance from the town centre, cannot be read from them; the loss goes from 3.9e8 in the first epoch "
            "to ~1000 in the tenth on a target of variance 1, where the coordinates as standardised kilometres reach "
            "0.14 (question class: PyTorch regression with latitude / longitude or UTM coordinates, loss enormous); "
            "fix: subtract a reference point, convert to kilometres and standardise every column")
def _(fixed):
    torch.manual_seed(0)
    x, y = parcels(seed=2528)
    if fixed:  # kilometres from the first parcel's corner, then every column standardised
        x = x.copy()
        x[:, :2] = (x[:, :2] - x[:, :2].min(0)) / 1000.0
        x = (x - x.mean(0)) / x.std(0)
    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    return script(model, torch.optim.Adam(model.parameters(), lr=1e-3), nn.MSELoss(), x.astype("float32"), y,
                  epochs=10)
