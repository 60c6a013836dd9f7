"""The zoo: one small, seeded training job per failure of FINDINGS.md, each with a fixed twin.

A case declares which finding ids should be raised (any one of ``expect`` counts as found)
and which cause should be named: ``cause_terms`` are words that must appear in the causes (or
title) of a raised finding, or ``cause_ids`` are findings that by themselves name the cause
(``double-softmax`` *is* the cause). The fixed twin differs from the case only in the bug.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config


@dataclass(frozen=True)
class Case:
    name: str
    summary: str  # what is broken, in a few words
    config: Config
    fixed: Config
    expect: tuple[str, ...]
    cause: str  # the cause a person should be told
    cause_terms: tuple[str, ...] = ()
    cause_ids: tuple[str, ...] = ()
    fast: bool = False  # part of the test suite's quick subset


BASE = Config()
_IMG = Config(data="images", model="cnn", n_classes=2, n_train=384, n_val=192, batch_size=32, lr=1e-2, steps=150)

CASES: tuple[Case, ...] = (
    Case("late-start", "deep sigmoid net, small init: long flat start, then a sudden drop",
         BASE.but(hidden=(32,) * 8, activation="sigmoid", steps=400),
         BASE.but(hidden=(32,) * 8, activation="relu", init="he", steps=400),
         expect=("late-start", "saturated-activation", "vanishing-gradients"),
         cause="saturated sigmoid units / small initialisation",
         cause_terms=("sigmoid", "saturat", "initiali"), cause_ids=("saturated-activation", "vanishing-gradients")),
    Case("lr-too-high-nan", "ReLU net + softmax loss with a huge LR: the loss blows up to NaN",
         BASE.but(optimizer="sgd", lr=1000.0, steps=120),
         BASE.but(optimizer="sgd", lr=0.1, steps=120),
         expect=("nonfinite", "divergence", "nonfinite-origin"),
         cause="learning rate too high", cause_terms=("learning rate", "lr"), cause_ids=("lr-too-high",), fast=True),
    Case("lr-too-low", "SGD with lr=1e-5: the loss barely moves",
         BASE.but(optimizer="sgd", lr=1e-5, steps=200),
         BASE.but(optimizer="sgd", lr=0.1, steps=200),
         expect=("no-learning", "update-ratio", "stalled"),
         cause="learning rate too low", cause_terms=("learning rate", "lr"), cause_ids=("update-ratio",)),
    Case("dead-relu", "ReLU units pushed negative by a -3 bias: most never fire",
         BASE.but(bias_init=-3.0, steps=150),
         BASE.but(bias_init=-3.0, activation="leaky_relu", steps=150),
         expect=("dead-relu",), cause="dead ReLU units", cause_terms=("relu",), cause_ids=("dead-relu",), fast=True),
    Case("saturated-tanh", "tanh net with weights drawn at std 2: units stuck at +-1",
         BASE.but(activation="tanh", init="normal:2.0", steps=150),
         BASE.but(activation="tanh", init="xavier", steps=150),
         expect=("saturated-activation",), cause="saturated tanh units (initialisation too large)",
         cause_terms=("saturat", "initiali"), cause_ids=("saturated-activation", "poor-initialization")),
    Case("unnormalized-input", "raw inputs spanning [0, 1.4e8]",
         BASE.but(input_scale=1.4e8, steps=150),
         BASE.but(input_scale=1.4e8, normalize_inputs=True, steps=150),
         expect=("unnormalized-input",), cause="inputs not normalised",
         cause_terms=("normali",), cause_ids=("unnormalized-input",), fast=True),
    Case("relu-regression-output", "ReLU on the output of a regression with negative targets",
         BASE.but(data="regression", loss="mse", output_activation="relu", lr=3e-3, steps=200),
         BASE.but(data="regression", loss="mse", lr=3e-3, steps=200),
         expect=("wrong-output-activation",), cause="ReLU on the output layer",
         cause_terms=("output",), cause_ids=("wrong-output-activation",)),
    Case("double-softmax", "softmax before CrossEntropyLoss (which applies log-softmax itself)",
         BASE.but(output_activation="softmax", steps=150),
         BASE.but(steps=150),
         expect=("double-softmax",), cause="softmax applied twice",
         cause_terms=("softmax",), cause_ids=("double-softmax",), fast=True),
    Case("constant-init", "every weight initialised to the same constant: units stay identical",
         BASE.but(init="constant", hidden=(64, 64, 64), steps=150),
         BASE.but(init="he", hidden=(64, 64, 64), steps=150),
         expect=("poor-initialization",), cause="constant initialisation (symmetry never broken)",
         cause_terms=("initiali", "symmetr"), cause_ids=("poor-initialization",)),
    Case("batchnorm-hides-bad-init", "weights at std 5 behind batch-norm: the loss looks fine, activations explode",
         BASE.but(init="normal:5.0", batchnorm=True, hidden=(64, 64, 64), steps=150),
         BASE.but(init="he", batchnorm=True, hidden=(64, 64, 64), steps=150),
         expect=("poor-initialization",), cause="bad initialisation hidden by batch-norm",
         cause_terms=("initiali",), cause_ids=("poor-initialization",)),
    Case("random-labels", "labels drawn at random: nothing to learn",
         BASE.but(random_labels=True, steps=200),
         BASE.but(steps=200),
         expect=("stuck-at-chance", "label-problem", "overfitting", "val-without-train"),
         cause="labels unrelated to inputs", cause_terms=("label",), cause_ids=("label-problem",)),
    Case("class-imbalance", "95% of the samples in one class",
         BASE.but(imbalance=0.95, steps=150),
         BASE.but(imbalance=0.95, balanced_sampling=True, steps=150),
         expect=("class-imbalance", "misleading-accuracy"), cause="skewed label distribution",
         cause_terms=("imbalance", "skew", "majority"), cause_ids=("class-imbalance",), fast=True),
    Case("sorted-by-label", "data sorted by label and never shuffled: each batch holds one class",
         BASE.but(shuffle=False, sort_by_label=True, steps=150),
         BASE.but(steps=150),
         expect=("unshuffled-data",), cause="data not shuffled", cause_terms=("shuffl",), cause_ids=("unshuffled-data",),
         fast=True),
    Case("no-zero-grad", "optimizer.zero_grad() missing: gradients pile up across steps",
         BASE.but(zero_grad=False, optimizer="sgd", lr=0.1, steps=150),
         BASE.but(optimizer="sgd", lr=0.1, steps=150),
         expect=("grad-not-zeroed",), cause="zero_grad missing", cause_terms=("zero_grad",), cause_ids=("grad-not-zeroed",),
         fast=True),
    Case("layer-not-in-optimizer", "only the last layer was given to the optimizer",
         BASE.but(train_all_layers=False, steps=150),
         BASE.but(steps=150),
         expect=("frozen-parameters",), cause="parameters missing from the optimizer",
         cause_terms=("optimi",), cause_ids=("frozen-parameters",), fast=True),
    Case("lr-decay-too-fast", "learning rate multiplied by 0.95 every step: it is ~0 after 100 steps",
         BASE.but(optimizer="sgd", lr=0.05, lr_decay=0.95, steps=250),
         BASE.but(optimizer="sgd", lr=0.05, lr_decay=0.999, steps=250),
         expect=("lr-decay-too-fast", "stalled"), cause="learning-rate decay too fast",
         cause_terms=("decay", "schedule"), cause_ids=("lr-decay-too-fast",)),
    Case("resume-without-optimizer-state", "resumed at step 200 with a fresh Adam and schedule: the loss jumps",
         BASE.but(lr=3e-2, lr_decay=0.98, batch_size=128, resume_at=200, restore_optimizer_state=False, steps=300),
         BASE.but(lr=3e-2, lr_decay=0.98, batch_size=128, resume_at=200, steps=300),
         expect=("resume-spike", "loss-spikes"), cause="optimizer state not restored on resume",
         cause_terms=("optimizer state", "optimiser state", "resume"), cause_ids=("resume-spike",)),
    Case("overfitting-tiny-train", "64 training samples, a wide net and 400 steps",
         BASE.but(n_train=64, hidden=(256, 256), steps=400, batch_size=16),
         BASE.but(hidden=(256, 256), weight_decay=1e-3, steps=400, batch_size=16),
         expect=("overfitting",), cause="too little training data / no regularisation",
         cause_terms=("regulari", "data", "early stop"), cause_ids=("overfitting",)),
    Case("scrambled-reshape", "colour planes stacked as (C, N, H, W), then .view(N, C, H, W): images mixed",
         _IMG.but(layout="planes-view"),
         _IMG.but(layout="planes-permute"),
         expect=("stalled", "no-learning", "stuck-at-chance", "overfitting"),
         cause="a reshape that scrambles the images", cause_terms=("reshape", "spatial"), cause_ids=()),
)

BY_NAME = {c.name: c for c in CASES}
