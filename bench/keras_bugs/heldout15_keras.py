"""A fifteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a fifteenth set: the earlier held-out sets have been measured or are waiting for their measurement; this set
adds programs nobody tuned for. They were written without reading traindoc's rules, checks, probes, findings or
integrations, without reading any bench output, and frozen (``HELDOUT15.sha256``) before traindoc was ever run
on them; see ``HELDOUT15.md``. Run with ``bench/bench_keras_bugs.py --set heldout15``.

The set leans on everyday slips: a debugging slice of the training set left in, validation labels encoded with
a different class order than the training labels, a Huber loss whose delta is far below the target's scale under
plain SGD, two merged sources that code the label with opposite meanings, standardised features clipped to
[0, 1] afterwards, and 'True'/'False' label strings turned into booleans with astype(bool). The PyTorch half is
in ``heldout15_torch``.

Same format as ``heldout12_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The ``about``
names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout6_keras import with_validation  # the sixth set's validation helper
from .heldout7_keras import net  # the seventh set's MLP
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT15: list[Case] = []


def heldout15(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the fifteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT15.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x, y, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


# ---------------------------------------------------------------- data pipeline

@heldout15("debug-slice-left-in-training-set", ("overfitting", "too-short", "stalled"),
           ("overfitting",),
           r"debug\w* (slice|subset|line|leftover)|left (over )?from (a )?(debugging|smoke test)|\[: ?\d+\]|(train|fit)"
           r"\w* on only (the first|a few|\d+|a (slice|subset|sample) of)|(train|fit)\w* on (the )?(whole|full|"
           r"entire|complete) (training )?(data ?set|set|data)|use (the )?(whole|full|entire|complete) training "
           r"(data ?set|set|data)",
           "a three-class classifier (distance bands around a centre) whose script still holds the line x_train, "
           "y_train = x_train[:32], y_train[:32] left from a quick smoke test, so fit only ever sees 32 of the 384 "
           "training rows: the training loss keeps falling while the validation loss turns round and rises and "
           "the validation accuracy stays far below what the data allow (SO-style 'training accuracy 100%, validation "
           "loss increasing, model overfits immediately'); fix: remove the debugging slice and train on the whole "
           "training set")
def _(fixed):
    x, y = rings(3, seed=1501)
    x_val, y_val, x_train, y_train = x[:128], y[:128], x[128:], y[128:]
    if not fixed:
        x_train, y_train = x_train[:32], y_train[:32]
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x_train, y_train, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=30)
    return with_validation(out, x_val, y_val)


SPECIES = np.array(["lynx", "fox", "badger"])


def species_table(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three-class features with the class given as a species name (the way a CSV holds it)."""
    x, y = _data.classes(3, seed=seed)
    return x, SPECIES[y]


def encode_by_appearance(names: np.ndarray) -> dict[str, int]:
    """Class ids in order of first appearance (what pd.factorize or a dict filled in a loop gives)."""
    order: dict[str, int] = {}
    for n in names:
        order.setdefault(str(n), len(order))
    return order


@heldout15("validation-labels-encoded-in-another-class-order", ("overfitting", "both-rising", "label-problem",
                                                                "val-without-train", "loss-metric-mismatch"),
           ("overfitting", "label-problem", "val-without-train", "loss-metric-mismatch"),
           r"(class|label)[- ]?(order|ordering|mapping|index|indices|ids?)\b.{0,80}(validation|val\b|between (the )?"
           r"(splits|train)|differ)|(same|one|single|shared|consistent) (label encoder|label mapping|class[- ]"
           r"to[- ]id)|(validation|val) (labels?|classes) (are |were )?(encoded|mapped|"
           r"numbered)|factori[sz]e|sorted\(.{0,30}(class|label|name)",
           "a species classifier whose CSV gives the class as a name; the training labels are turned into ids with "
           "pd.factorize (order of first appearance: lynx 0, fox 1, badger 2) and the validation labels, in another "
           "script cell, with {name: i for i, name in enumerate(sorted(set(names)))} (alphabetical: badger 0, fox 1, "
           "lynx 2): the model learns the training ids well while its validation accuracy stays far below chance "
           "and the validation loss climbs epoch after epoch (SO-style 'validation accuracy very low although "
           "training accuracy is high, same data distribution' / 'label encoding differs between train and "
           "test'); fix: fit one label mapping on the training labels and apply the same one to the validation "
           "labels")
def _(fixed):
    x, names = species_table(seed=1502)
    train_map = encode_by_appearance(names[128:])
    val_map = train_map if fixed else {n: i for i, n in enumerate(sorted(set(names[:128].tolist())))}
    y_train = np.array([train_map[str(n)] for n in names[128:]], dtype="int64")
    y_val = np.array([val_map[str(n)] for n in names[:128]], dtype="int64")
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x[128:], y_train, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=15)
    return with_validation(out, x[:128], y_val)


# ---------------------------------------------------------------- loss choice

@heldout15("huber-delta-far-below-target-scale", ("stalled", "no-learning", "loss-metric-mismatch", "update-ratio",
                                                  "lr-decay-too-fast"),
           ("stalled", "no-learning", "loss-metric-mismatch", "update-ratio"),
           r"\bdelta\b.{0,60}(too small|tiny|scale of|threshold|1e-3|0\.001|1\.0|raise|increase|smaller than)|"
           r"(raise|increase)\w* (the )?(huber )?delta\b|\bdelta\b.{0,80}(linear|absolute|mae).{0,40}"
           r"(every|all|whole|most)",
           "a regression trained with keras.losses.Huber(delta=0.001), the delta copied from an example whose "
           "targets were in thousandths, on a target of spread about 3, under SGD(0.05): every residual is far above "
           "delta, so the loss is delta times the absolute error and its gradient is a thousandth of an MSE's; the "
           "loss reads a few thousandths from the first epoch and the mae metric hardly moves from where it started "
           "(SO-style 'Huber loss very small but the model does not learn / regression stuck'); fix: a delta on the "
           "scale of the residuals (delta=1.0), or mse")
def _(fixed):
    x, y = _data.regression(seed=1503)
    out = compiled(net(1, None), keras.losses.Huber(delta=1.0 if fixed else 0.001), x, y, metrics=["mae"],
                   optimizer=keras.optimizers.SGD(0.05), epochs=12)
    return split(out, x, y)


# ---------------------------------------------------------------- labels

@heldout15("merged-sources-with-opposite-label-coding", ("stuck-at-chance", "no-learning", "stalled",
                                                         "label-problem", "cannot-overfit-batch"),
           ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
           r"(source|file|site|export|hospital|clinic|vendor)s?\b.{0,80}(opposite|invert|revers|flip|swap|"
           r"differ)\w*.{0,40}(label|coding|encod|convention|polarit|meaning)|(label|coding|encod|convention|"
           r"polarit|meaning)\w*.{0,60}(opposite|invert|revers|flip|swap|differ)\w*.{0,60}(source|file|site|"
           r"export|hospital|clinic|vendor)",
           "a binary screening classifier trained on the union of two clinics' exports, concatenated with "
           "pd.concat and shuffled: clinic A codes the outcome as 1 = sick, clinic B as 1 = healthy (its column is "
           "named 'healthy'); since both clinics see the same kind of patients, half the rows contradict the other "
           "half: the training loss hardly leaves ln 2 (what falls is rows being memorised), the validation "
           "accuracy stays near one half and the validation loss rises (SO-style 'binary classifier stuck at 50% "
           "accuracy after merging two data sets'); fix: recode clinic B's labels (y = 1 - y) before merging so "
           "that both sources use the same meaning")
def _(fixed):
    x, y = _data.binary(seed=1504)
    y = y.reshape(-1, 1).copy()
    clinic_b = np.arange(len(y)) % 2 == 1
    if not fixed:
        y[clinic_b] = 1.0 - y[clinic_b]
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y)


@heldout15("label-strings-cast-with-astype-bool", ("label-problem", "class-imbalance", "misleading-accuracy",
                                                   "stuck-at-chance", "too-short"),
           ("label-problem", "class-imbalance", "misleading-accuracy"),
           r"astype\(bool\)|bool\(.{0,20}(str|'|\")|(string|str|text)s? ('?false'?|.{0,40}\bbool)|'false'|"
           r"\"false\"|non-?empty (string|str)",
           "a churn classifier whose label column was read from a CSV as the strings 'True' and 'False' and turned "
           "into numbers with df['churned'].astype(bool).astype('float32'): every non-empty string is truthy, so "
           "every label is 1; the loss falls to almost zero within a few epochs and accuracy reads 1.0 on "
           "training and validation although the model has learnt nothing (SO-style 'my model gets 100% accuracy "
           "from the first epoch, pandas bool conversion'); fix: compare the strings, (df['churned'] == 'True'), "
           "or map {'True': 1, 'False': 0}")
def _(fixed):
    x, y = _data.binary(seed=1505)
    strings = np.where(y > 0.5, "True", "False")
    labels = (strings == "True") if fixed else strings.astype(bool)
    y = labels.astype("float32").reshape(-1, 1)
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- preprocessing

@heldout15("standardised-features-clipped-to-unit-range", ("stalled", "cannot-overfit-batch", "unnormalized-input",
                                                           "label-problem", "loss-metric-mismatch"),
           ("stalled", "cannot-overfit-batch", "unnormalized-input", "label-problem"),
           r"np\.clip\((x|features|inputs)|clip\w* (the )?(standardi[sz]ed|scaled) (features|inputs|values|data)|"
           r"clip\w*.{0,40}\[0, ?1\].{0,40}(after|standardi|scal)|standardi\w+.{0,40}(then|and then|followed by|"
           r"before) clip\w*|(negative|below[- ]zero|below the mean) (values|features|half|parts?|side).{0,40}(cut|"
           r"clip|lost|zeroed|removed|set to)",
           "a tabular classifier whose preprocessing first standardises the features (StandardScaler) and then "
           "applies np.clip(x, 0, 1), a line kept from an older min-max pipeline 'to keep the inputs in [0, 1]': "
           "every value below the mean becomes 0 and every value above one spread becomes 1, so most of the "
           "information in each feature is cut away; the training loss levels off far above what the same network "
           "reaches on the unclipped features and the accuracy stays well short of it (SO-style 'accuracy stuck "
           "around 70% whatever the model, preprocessing with scaler and clip'); fix: drop the clip after "
           "standardising (clip only raw values, before scaling, if at all)")
def _(fixed):
    x, y = _data.classes(2, seed=1506)
    x = (x - x.mean(0)) / x.std(0)
    if not fixed:
        x = np.clip(x, 0.0, 1.0)
    x = x.astype("float32")
    y = y.astype("float32").reshape(-1, 1)
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return split(out, x, y)
