"""A model whose output is an affine function of its input, read from the autograd graph of one forward.

A hand-written ``forward`` can lose its non-linearity without any module showing it: ``F.relu(h)``
on its own line (the result never assigned), an activation module created but not applied, a
``torch.relu(h)`` whose result feeds nothing. The layers are all there, but the network is one
linear map, and a curved boundary stays at chance. Module names cannot tell; the graph autograd
built for the user's own forward pass can. Walking back from the output, every operation between
the weights and the input is listed: when each is affine (matrix products, convolutions, sums,
reshapes, a scale by a constant) and at least two weight layers are chained, nothing non-linear
acts on the data. Any other operation (an activation, a normalisation, a pooling max, a gate) ends
the walk at once and the model is not judged, so only models that are surely linear are named.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity

MAX_NODES = 5000  # a graph larger than this is not walked to the end (big models are rarely linear)

# Products with a weight: each is one linear layer when its other operand carries the data.
_WEIGHTED = {"AddmmBackward0", "MmBackward0", "BmmBackward0", "ConvolutionBackward0", "LinearBackward0",
             "MvBackward0", "BaddbmmBackward0", "AddmvBackward0"}
# Affine in their tensor inputs whatever the values: sums, layout, selection, copies.
_AFFINE = {"AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1", "NegBackward0", "TBackward0",
           "TransposeBackward0", "TransposeBackward1", "PermuteBackward0", "ViewBackward0", "UnsafeViewBackward0",
           "ReshapeAliasBackward0", "ExpandBackward0", "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2",
           "SqueezeBackward3", "UnsqueezeBackward0", "CatBackward0", "StackBackward0", "SliceBackward0",
           "SelectBackward0", "CloneBackward0", "ToCopyBackward0", "SumBackward0", "SumBackward1",
           "MeanBackward0", "MeanBackward1", "AccumulateGrad", "SplitBackward0", "SplitWithSizesBackward0",
           "UnbindBackward0", "AliasBackward0", "ViewAsRealBackward0", "AsStridedBackward0",
           "AvgPool1DBackward0", "AvgPool2DBackward0", "AvgPool3DBackward0", "AdaptiveAvgPool1DBackward0",
           "AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool3DBackward0", "ConstantPadNdBackward0", "FlipBackward0"}
# Batch normalisation: for a given batch, each unit is shifted by the batch mean and scaled by the batch spread
# (then by its own scale and shift), an affine map of every sample; it rescales but bends nothing, and a chain
# of Linear -> BatchNorm layers is still one linear boundary (a BatchNorm put where an activation was meant).
# LayerNorm divides each sample by its own spread, which is not affine, and stays unjudged.
_BATCH_NORM = {"NativeBatchNormBackward0", "CudnnBatchNormBackward0", "MiopenBatchNormBackward0"}
# What a classifier may apply to its logits last: judged apart from the layers underneath.
_OUTPUT_ACTIVATIONS = {"LogSoftmaxBackward0", "SoftmaxBackward0", "SigmoidBackward0"}
# A product or quotient is affine only by a constant (dropout's mask, a fixed scale): one operand without a graph.
_BY_CONSTANT = {"MulBackward0", "MulBackward1", "DivBackward0", "DivBackward1"}


def affine_layers(output: Any, identities: list[str] | None = None, seen: set[str] | None = None) -> int:
    """The longest chain of weight layers acting on the data when the output is affine in the input
    (0: not affine, or unknown). Parallel branches summed (a linear model over two inputs) count once.
    ``identities`` receives the activations met that compute the identity by their settings; ``seen`` the
    names of the graph's operations walked (a batch normalisation among them or not)."""
    root = getattr(output, "grad_fn", None)
    while root is not None and type(root).__name__ in _OUTPUT_ACTIVATIONS:
        root = root.next_functions[0][0]  # the output's own squashing (log_softmax for NLLLoss) is not hidden
    if root is None:
        return 0
    depth: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        nxt = [f for f, _ in getattr(node, "next_functions", ()) if f is not None]
        if done:
            depth[key] = (type(node).__name__ in _WEIGHTED) + max((depth.get(id(f), 0) for f in nxt), default=0)
            continue
        if key in depth:
            continue
        if len(depth) > MAX_NODES or not _affine_node(node):
            return 0
        if seen is not None:
            seen.add(type(node).__name__)
        if identities is not None and _identity_node(node) and "LeakyReLU(negative_slope=1)" not in identities:
            identities.append("LeakyReLU(negative_slope=1)")
        depth[key] = 0  # on the stack: a revisit waits for the post-order value
        stack.append((node, True))
        stack.extend((f, False) for f in nxt if id(f) not in depth)
    return depth.get(id(root), 0)


def made_by_weights(output: Any) -> bool:
    """Whether the output tensor is made by a weight layer itself (no activation after it)."""
    return type(getattr(output, "grad_fn", None)).__name__ in _WEIGHTED


def _identity_node(node: Any) -> bool:
    """A leaky ReLU whose negative slope is 1: max(x, 0) + 1 * min(x, 0) is x itself."""
    if type(node).__name__ not in ("LeakyReluBackward0", "LeakyReluBackward1"):
        return False
    try:
        return float(node._saved_negative_slope) == 1.0
    except Exception:
        return False


def _affine_node(node: Any) -> bool:
    name = type(node).__name__
    if name in _WEIGHTED or name in _AFFINE or name in _BATCH_NORM or _identity_node(node):
        return True
    if name in _BY_CONSTANT:
        # Scaled by a constant (one operand without a graph, or a Python number): affine.
        return not name.endswith("0") or any(f is None for f, _ in node.next_functions)
    return False  # an activation, a normalisation, a gate: not judged


# Activation modules/layers a model may own; one that is owned while the graph is affine never acted on the data.
# (The output's own sigmoid/softmax is stripped before the walk, so those are not listed.)
_TORCH_ACTS = {"ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Tanh", "Softplus", "PReLU", "SELU", "Mish", "Hardtanh",
               "ReLU6", "Hardswish", "CELU", "Softsign", "RReLU", "Hardsigmoid"}
_KERAS_ACTS = {"ReLU", "LeakyReLU", "ELU", "PReLU"}


def unused_activations(model: Any) -> list[str]:
    """The activation modules (torch) or layers (Keras, by the attribute that holds them) a model owns, as
    ``self.<name> (<kind>)``: when the forward graph is affine none of them acted on the data."""
    from .linear_stack import identity_activation

    found: list[str] = []
    try:
        if hasattr(model, "named_modules"):
            items = [(n, m) for n, m in model.named_modules() if n and type(m).__name__ in _TORCH_ACTS]
        else:
            items = [(n, v) for n, v in vars(model).items() if not n.startswith("_") and
                     (type(v).__name__ in _KERAS_ACTS or (type(v).__name__ == "Activation" and getattr(
                         getattr(v, "activation", None), "__name__", "linear") not in ("linear", "softmax", "sigmoid")))]
        for name, mod in items:
            if identity_activation(mod) is None:
                found.append(f"self.{name} ({type(mod).__name__})")
    except Exception:
        return []
    return found[:4]


def affine_output_finding(output: Any, model: Any, keras: bool = False) -> Finding | None:
    """linear-network for a model whose training output is affine in its input (two weight layers or more
    chained, ``affine_layers``), with the causes its graph and its modules show (``affine_finding``); None
    otherwise, and for a plain stack of layers, which the structure check names with its layers. One reading
    for the torch watcher and the Keras callback (``keras``: its fixes in Keras' words), so the two cannot
    drift apart."""
    from .linear_stack import hidden_dense_count

    if hidden_dense_count(model):
        return None
    identities: list[str] = []
    seen: set[str] = set()
    layers = affine_layers(output, identities, seen)
    if layers < 2:
        return None
    return affine_finding(layers, identities=identities, batch_norm=bool(seen & _BATCH_NORM),
                          unused=unused_activations(model), keras=keras)


def affine_finding(layers: int, identities: list[str] | None = None, batch_norm: bool | None = None,
                   unused: list[str] | None = None, keras: bool = False) -> Finding:
    """linear-network from the graph walk. ``batch_norm``: whether the walk met a batch normalisation (None:
    not known); ``unused``: activation modules the model owns that never acted (``unused_activations``).
    The causes the walk saw no trace of are dropped, the one it saw comes first. ``keras``: the fixes say it
    in Keras' words (layers and call()), not torch's."""
    from .structure import CAUSE

    if identities:
        from .linear_stack import identity_finding

        f = identity_finding(identities, f"its {layers} weight layers (seen in the autograd graph of its forward "
                             "pass)", False, weight_layers=layers)
        f.evidence["how"] = "every operation between the weights and the input in the forward pass's graph is linear"
        return f
    discarded = ("the forward pass computes an activation but never uses its result (F.relu(h) on its own line "
                 "instead of h = F.relu(h)), or applies none: a chain of linear layers is one linear map and fits "
                 "no curved boundary however long it trains")
    bn = ("a batch normalisation put where the activation belongs: it shifts and rescales each unit per "
          "batch, an affine map, so Linear -> BatchNorm -> Linear is still one linear boundary")
    apply_fix = ("Apply an activation to each hidden layer's output: Dense(..., activation='relu'), or "
                 "h = keras.ops.relu(h) assigned and used in call()." if keras else
                 "Assign and use each hidden activation in forward: h = F.relu(self.fc1(x)) (or add nn.ReLU() "
                 "between the Linear layers); the result of F.relu(h) must replace h.")
    bn_fix = ("Batch normalisation is not an activation: add an activation after each hidden layer's "
              + ("BatchNormalization, e.g. BatchNormalization() then Activation('relu')." if keras
                 else "BatchNorm, e.g. h = F.relu(self.bn1(self.fc1(x)))."))
    title = (f"the model's output is an affine function of its input: no non-linearity acts between its {layers} "
             "weight layers (seen in the autograd graph of its forward pass)")
    causes, fixes = [discarded, bn], [apply_fix, bn_fix]
    if batch_norm is False:  # the walk met no batch normalisation: that reading is ruled out
        causes, fixes = [discarded], [apply_fix]
    elif batch_norm:
        causes, fixes = [bn, discarded], [bn_fix, apply_fix]
    if unused:
        names = ", ".join(unused)
        first = unused[0].split(" ")[0]
        title += f"; the model holds {names} but never applies it"
        # the unused module replaces the generic "applies none" reading; a batch norm the walk met stays second
        causes = [f"{names} is built in __init__ but never called in the forward pass (call()/forward()), so "
                  "nothing non-linear acts between the layers: the model is one linear map and fits no curved "
                  "boundary however long it trains"] + ([bn] if batch_norm else [])
        call = "(self.dense1(x)) in call()" if keras else "(self.fc1(x))"
        fixes = [f"Apply {first} to each hidden layer's output in the forward pass: h = {first}{call}."] + \
            ([bn_fix] if batch_norm else [])
    return Finding(
        "linear-network", Severity.WARNING, title,
        evidence={"subject": "model", CAUSE: True, "weight_layers": layers,
                  "how": "every operation between the weights and the input in the forward pass's graph is linear",
                  **({"batch_norm": batch_norm} if batch_norm is not None else {}),
                  **({"unused_activations": unused} if unused else {})},
        causes=causes, fixes=fixes)
