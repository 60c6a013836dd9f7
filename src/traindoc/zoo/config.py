"""The knobs a zoo case is built from.

Every case is one ``Config``: the data, the model and the training loop are all derived from
it, so a bug is a field value and its fix (the fixed twin, or an automatic repair) is another
field value. Repairs therefore act on the cause, like a person editing their script would.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Config:
    """One small, seeded training job. Defaults describe a healthy run."""

    # data
    data: str = "blobs"  # "blobs" (classification), "regression", "images" (8x8 bars)
    n_classes: int = 4
    n_features: int = 16
    n_train: int = 2048
    n_val: int = 512
    input_scale: float | None = None  # multiply raw inputs into [0, input_scale]: unnormalised
    normalize_inputs: bool = False  # standardise with training-set mean/std (the fix)
    random_labels: bool = False
    imbalance: float | None = None  # share of the majority class, e.g. 0.95
    balanced_sampling: bool = False
    shuffle: bool = True
    sort_by_label: bool = False
    # images: "chw"; or the pipeline stacks colour planes into (C, N, H, W) and the model turns
    # that into (N, C, H, W) by "planes-permute" (right) or "planes-view" (mixes images: the bug)
    layout: str = "chw"
    # model
    model: str = "mlp"  # "mlp" or "cnn"
    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"  # relu, leaky_relu, sigmoid, tanh
    output_activation: str | None = None  # None, "relu", "softmax", "sigmoid"
    init: str = "default"  # default, he, xavier, zeros, constant, normal:<std>
    bias_init: float | None = None
    batchnorm: bool = False
    dropout: float = 0.0
    # optimisation
    loss: str = "ce"  # "ce" or "mse"
    optimizer: str = "adam"  # adam or sgd
    lr: float = 3e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    lr_decay: float | None = None  # multiply the LR by this every step
    clip_grad: float | None = None
    zero_grad: bool = True
    train_all_layers: bool = True  # False: the optimizer only receives the last layer
    resume_at: int | None = None  # rebuild the optimizer at this step, as a resumed job does
    restore_optimizer_state: bool = True
    batch_size: int = 32
    steps: int = 200
    val_every: int = 10
    seed: int = 0

    def but(self, **changes) -> "Config":
        """A copy with some fields changed."""
        return replace(self, **changes)
