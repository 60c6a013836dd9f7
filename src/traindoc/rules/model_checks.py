"""Recorded model and data checks, turned back into findings for ``diagnose`` on a watcher's log.

The watcher records each check finding as a ``check/<id>/<subject>`` series (its value is the
severity). The internals family rebuilds the checks it knows; this module rebuilds the rest:
zero gradients (only the Keras callback and ``check`` see them) and, through
``recorded_findings``, the label and input checks the Keras callback runs on the batches ``fit``
hands to ``train_step``. Without this, ``diagnose`` of the log (and the watcher's final pass,
which is that same diagnosis) would drop a finding the live run raised.
"""

from __future__ import annotations

from typing import Callable

from ..findings import Finding, Severity
from ..run import Role, Run
from .registry import rule

FAMILY = "checks"
PREFIX = "check/"

# What a rebuilt check says when only its series is left (the live finding has the exact change).
RECORDED_TEXT: dict[str, tuple[str, list[str], list[str]]] = {
    "dead-relu": ("activation layers that pass nothing (recorded by the watcher)",
                  ["an activation whose settings make its output one constant"],
                  ["Check the activation layers' settings (max_value, threshold, bounds)."]),
    "zero-gradients": ("every gradient was exactly zero at the start of training (recorded by the watcher)",
                       ["the output does not depend on the weights: a softmax over one unit, a saturated or dead "
                        "output, or a detached loss"],
                       ["Look at the last layer's activation against the loss."]),
    "eval-mode": ("the model trained in eval mode: dropout off, BatchNorm statistics frozen (recorded by the watcher)",
                  ["model.eval() for validation never undone with model.train()"],
                  ["Call model.train() at the start of each epoch, model.eval() only around evaluation."]),
    "linear-network": ("no activation between the hidden layers: the network is one linear map (recorded by the "
                       "watcher)", ["Dense/Linear layers with no activation compose to a single linear layer"],
                       ["Add activation='relu' to the hidden layers (nn.ReLU() after each hidden nn.Linear)."]),
    "nonfinite-origin": ("the loss went non-finite where the batch explains it (recorded by the watcher)",
                         ["a batch the loss cannot be computed on"], ["Look at the batch of that step."]),
    "label-problem": ("the labels do not fit the loss or the output (checked on the first batches)",
                      ["labels outside the loss's domain, scaled like inputs, constant, or more classes than outputs"],
                      ["Check the label array passed to fit against the loss: class ids 0..K-1 for a sparse "
                       "cross-entropy, 0/1 for a binary one, one-hot rows for a categorical one."]),
    "unnormalized-input": ("inputs are not normalised (checked on the first batches)",
                           ["raw features fed without standardisation"],
                           ["Standardise each feature (subtract the training mean, divide by the std)."]),
    "class-imbalance": ("the label distribution is heavily skewed (checked on the first batches)",
                        ["a skewed data set"], ["Weight the loss by inverse class frequency, or resample."]),
    "lr-too-high": ("the first update killed every gradient: the learning rate is far too high (recorded by the "
                    "watcher)", ["one step saturated the output or killed every unit"],
                    ["Lower the learning rate by 10-100x, or clip gradients."]),
    "unshuffled-data": ("batches hold one class each (checked on the first batches)",
                        ["data sorted by label and not shuffled"], ["Shuffle the training data every epoch."]),
    "oscillation": ("the validation loss jumps from epoch to epoch for a configuration reason (recorded by the "
                    "watcher)", ["evaluation-time statistics that follow the last batches"],
                    ["Check the layers whose behaviour differs between training and evaluation."]),
    "overfitting": ("the training data is a few rows repeated (checked on the first batches)",
                    ["a batching loop or generator that repeats the same rows"],
                    ["Check how the training array is built; train on all the distinct rows."]),
    # Settings judged against the run (checks/train_config.py): named per subject below.
    "update-ratio": ("a training setting makes every update tiny (recorded by the watcher)",
                     ["a learning-rate schedule or gradient clipping out of proportion to this run"],
                     ["Check the schedule's step counts and the clipping threshold against the run."]),
    "no-learning": ("the run is too short to learn (recorded by the watcher)", ["too few optimizer steps"],
                    ["Train for more steps: more epochs or a smaller batch size."]),
    "metric-out-of-range": ("a custom metric function logged values a share cannot take (recorded by the watcher)",
                            ["the metric function sums over the batch instead of averaging"],
                            ["Return the mean over the batch (ops.mean), not the sum."]),
    # (one entry per id: a second one would silently replace the first; subjects below say more)
    "misleading-accuracy": ("an accuracy metric that cannot tell a good model from a bad one (recorded by the watcher)",
                            ["a top-k accuracy with k at least the number of classes counts every label as found"],
                            ["Use plain (top-1) accuracy: metrics=['accuracy']."]),
    "loss-metric-mismatch": ("the loss and the metric disagree about the fit (recorded by the watcher)",
                             ["a loss or metric that does not measure what was meant"],
                             ["Compute the loss and the metric by hand on one batch and compare."]),
    "poor-initialization": ("layers initialised to one constant: their units are copies of each other (recorded by "
                            "the watcher)", ["a constant init gives every unit of a layer the same value and gradient"],
                            ["Use random initialisation (PyTorch's default Kaiming-uniform, or Xavier)."]),
    "divergence": ("the loss is minus a loss the model should minimise: a sign flipped (recorded by the watcher)",
                   ["a minus in front of a positive loss turns descent into ascent"],
                   ["Drop the minus sign in front of the loss."]),
    "exploding-gradients": ("the gradients were clipped after optimizer.step() used them (recorded by the watcher)",
                            ["clip_grad_norm_ called after step(): the update used the unclipped gradients"],
                            ["Clip between loss.backward() and optimizer.step()."]),
    "stuck-at-chance": ("the loss divides the logits by a temperature: it stays near chance (recorded by the "
                        "watcher)", ["a distillation temperature on the hard-label loss"],
                        ["Use T = 1 on the hard-label cross-entropy."]),
    "high-initial-loss": ("the output bias starts the predictions far from the label frequencies (recorded by the "
                          "watcher)", ["an output bias initialised against the class prior"],
                          ["Initialise the output bias to the prior's log-odds, or to zero."]),
    "lr-decay-too-fast": ("a plateau callback cut the learning rate while the run still improved (recorded by the "
                          "watcher)", ["ReduceLROnPlateau's mode or min_delta against the monitored value"],
                          ["Check ReduceLROnPlateau's mode, min_delta and patience."]),
    "too-short": ("an early stop ended the run while it was still improving (recorded by the watcher)",
                  ["EarlyStopping's min_delta larger than an epoch's gain"],
                  ["Lower EarlyStopping's min_delta and raise its patience."]),
    "stalled": ("a layer setting cripples the network (recorded by the watcher)",
                ["a dropout rate near 1, or a hidden layer narrower than the classes"],
                ["Check the dropout rates and the hidden layers' widths."]),
    "vanishing-gradients": ("a layer's structure makes the early gradients vanish (recorded by the watcher)",
                            ["a plain SimpleRNN over long sequences"],
                            ["Use an LSTM or GRU layer in place of SimpleRNN."]),
    "saturated-activation": ("a hidden layer's activation squashes its outputs (recorded by the watcher)",
                             ["a softmax used as a hidden layer's activation"],
                             ["Use relu in the hidden layers; keep softmax on the output layer only."]),
}

# The same, for one subject of a check: what the rebuilt finding says when the subject tells more.
RECORDED_SUBJECT_TEXT: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    ("dead-relu", "constant-activation"): ("activation layers whose settings make them output one constant "
                                           "(recorded by the watcher)",
                                           ["ReLU(max_value=0): max_value is the output's ceiling, not its knee"],
                                           ["Remove max_value (a plain ReLU has no cap)."]),
    ("poor-initialization", "init-scale"): ("weight layers start with a scale many times what keeps the signal's "
                                            "spread (recorded by the watcher)",
                                            ["an initialisation scale not divided by sqrt(fan-in)"],
                                            ["Use a variance-scaling initialiser (Glorot/Xavier, LeCun, He)."]),
    ("unshuffled-data", "sorted-batches"): ("the first training batches hold one class while the validation labels "
                                            "hold others (recorded by the watcher)",
                                            ["training rows sorted by label and served in order (shuffle=False)"],
                                            ["Shuffle the training rows (fit(shuffle=True))."]),
    ("overfitting", "regularizer-after-build"): ("a kernel_regularizer was set on layers already built: the loss has "
                                                 "no penalty term and the run overfit (recorded by the watcher)",
                                                 ["layer.kernel_regularizer = ... after the model was built"],
                                                 ["Pass kernel_regularizer=... when the layers are created."]),
    ("class-imbalance", "sample-weights-zero-class"): ("the sample weights give every row of one class a weight of 0 "
                                                       "(recorded by the watcher)",
                                                       ["sample weights built as (y == 1) * w"],
                                                       ["Give every class a positive weight: "
                                                        "np.where(y == 1, w, 1.0)."]),
    ("lr-too-high", "schedule-epoch-as-rate"): ("the learning-rate schedule's rates grow as c x the epoch number "
                                                "(recorded by the watcher)",
                                                ["schedule(lr, epoch) where LearningRateScheduler calls "
                                                 "schedule(epoch, lr)"],
                                                ["Write def schedule(epoch, lr): the epoch comes first."]),
    ("overfitting", "one-token-texts"): ("every training text is a single token: the tokenizer split on a separator "
                                         "the texts lack (recorded by the watcher)",
                                         ["text.split(',') on space-separated sentences"],
                                         ["Split on the separator the texts use: text.split()."]),
    ("oscillation", "batchnorm-momentum"): ("BatchNormalization momentum written in PyTorch's convention: the moving "
                                            "statistics follow the last batches (recorded by the watcher)",
                                            ["BatchNormalization(momentum=0.1) in Keras"],
                                            ["Use BatchNormalization(momentum=0.9) or the default 0.99."]),
    ("update-ratio", "lr-schedule"): ("the learning-rate schedule's warm-up is longer than the run (recorded by the "
                                      "watcher)", ["a warm-up sized for a much longer run: the rate stays tiny"],
                                      ["Make the warm-up about one epoch of this run's optimizer steps."]),
    ("stalled", "positional-encoding"): ("a Transformer without positional encoding on labels decided by the order "
                                         "(recorded by the watcher)", ["self-attention cannot see token order"],
                                         ["Add a (learned or sinusoidal) positional encoding to the embeddings."]),
    ("label-problem", "constant-targets"): ("every regression target is the same value (recorded by the watcher)",
                                            ["targets cast to an integer type, or the wrong column"],
                                            ["Keep regression targets float (no .long()/.int())."]),
    ("poor-initialization", "one-signed-init"): ("layers start with weights all of one sign (recorded by the "
                                                 "watcher)", ["an init not centred on zero, such as nn.init.uniform_ "
                                                              "on [0, 1]"],
                                                ["Use nn.init.kaiming_uniform_ (a zero-centred init)."]),
    ("poor-initialization", "negative-bias-init"): ("layers whose biases all start below zero get no gradient: "
                                                    "the ReLUs after them never fire (recorded by the watcher)",
                                                    ["biases initialised below zero"],
                                                    ["Initialise the biases to zero (nn.init.zeros_), or use "
                                                     "LeakyReLU."]),
    ("label-problem", "nonfinite-targets"): ("the targets hold -inf, +inf or NaN values (recorded by the watcher)",
                                             ["a log of zero targets, or missing values"],
                                             ["Use torch.log1p for targets with zeros; drop rows whose target is "
                                              "not finite."]),
    ("label-problem", "target-outliers"): ("a few regression targets are orders of magnitude beyond the rest "
                                           "(recorded by the watcher)", ["corrupted entries or a unit mix-up"],
                                           ["Clean or drop the outlying targets, or use a robust loss (Huber)."]),
    ("label-problem", "loss.ignore_index"): ("the loss's ignore_index is one of the real classes (recorded by the "
                                             "watcher)", ["ignore_index set to a class id drops that class"],
                                            ["Drop ignore_index, or give padding a value that is not a class id."]),
    ("update-ratio", "gradient-clipping"): ("gradient clipping shrinks every update a thousandfold (recorded by the "
                                            "watcher)", ["a clipping threshold far below the gradients' size"],
                                            ["Clip at about 1.0 (clipnorm/global_clipnorm), or not at all."]),
    ("update-ratio", "optimizer-state"): ("the optimizer starts afresh at every step (recorded by the watcher)",
                                          ["the optimizer is created inside the training loop, or its state is "
                                           "reset each step"],
                                          ["Create the optimizer once, before the training loop."]),
    ("update-ratio", "zeroed-gradients"): ("every gradient was zero when the update was applied, though backward "
                                           "computed it (recorded by the watcher)",
                                           ["clip_grad_norm_ with max_norm=0, or zero_grad between backward and step"],
                                           ["Skip clip_grad_norm_ when max_grad_norm is 0 (or clip at 1.0)."]),
    ("update-ratio", "idle-optimizer"): ("optimizer.step() moved the weights at the first step only (recorded by the "
                                         "watcher)", ["an update loop over a model.parameters() generator, used up by "
                                                      "its first pass"],
                                         ["Store the parameters as a list: params = list(model.parameters())."]),
    ("update-ratio", "rare-updates"): ("the weights changed at only a few steps although each computed gradients "
                                       "(recorded by the watcher)", ["optimizer.step() outside the batch loop: once "
                                                                     "per epoch"],
                                       ["Call optimizer.step() inside the batch loop, after loss.backward()."]),
    ("update-ratio", "accumulated-sum"): ("gradient accumulation sums the micro-batches' gradients and the loss climbs "
                                          "(recorded by the watcher)", ["the loss not divided by the accumulation "
                                                                        "steps"],
                                          ["Divide the loss by the number of accumulation steps before backward()."]),
    ("update-ratio", "momentum"): ("momentum of 0.99 or more makes every update ~100x the rate (recorded by the "
                                   "watcher)", ["heavy-ball momentum remembering hundreds of steps"],
                                   ["Use momentum=0.9."]),
    ("no-learning", "gradient-accumulation"): ("gradient accumulation leaves a handful of optimizer updates in the "
                                               "run (recorded by the watcher)",
                                               ["gradient_accumulation_steps larger than the batches of an epoch"],
                                               ["Remove gradient_accumulation_steps, or keep it to a few batches."]),
    ("stalled", "embedding-rows"): ("a frozen pretrained embedding filled one row off (recorded by the watcher)",
                                    ["matrix[i - 1] = vector for ids that start at 1"],
                                    ["Fill the embedding matrix by the tokenizer's ids: matrix[i] = vectors[word]."]),
    ("stalled", "dropout"): ("a dropout rate near 1 drops most units (recorded by the watcher)",
                             ["the drop rate given where a keep probability was meant"],
                             ["Use a dropout rate of 0.1-0.5 (the share to drop)."]),
    ("stalled", "output-dropout"): ("dropout applied to the model's output (recorded by the watcher)",
                                    ["a dropout module after the output layer zeroes predictions at random"],
                                    ["Remove the dropout after the output layer."]),
    ("label-problem", "sampled-rows"): ("the batches hold only a few distinct rows (recorded by the watcher)",
                                       ["a WeightedRandomSampler given one weight per class"],
                                       ["Give the sampler one weight per sample: weights=class_weights[labels]."]),
    ("label-problem", "targets.shift"): ("the language-model targets are the inputs, not shifted (recorded by the "
                                         "watcher)", ["targets = inputs: each position copies its own token"],
                                         ["Shift by one: inputs = tokens[:, :-1], targets = tokens[:, 1:]."]),
    ("label-problem", "target-columns"): ("regression target columns on very different scales under one loss "
                                          "(recorded by the watcher)", ["the large column's error dominates"],
                                          ["Standardise each target column."]),
    ("divergence", "optimizer-maximize"): ("the optimizer was built with maximize=True: every step raised the loss "
                                           "(recorded by the watcher)",
                                           ["gradient ascent: the update follows the gradient uphill"],
                                           ["Drop maximize=True from the optimizer: optimizers minimise by default."]),
    ("poor-initialization", "norm-gamma-zero"): ("normalisation layers' gamma started at 0 and never moved "
                                                 "(recorded by the watcher)", ["BatchNorm weights zero-initialised"],
                                                 ["Keep the BatchNorm weight (gamma) at 1."]),
    ("stalled", "bottleneck"): ("a hidden layer narrower than the classes (recorded by the watcher)",
                                ["a bottleneck too narrow to carry the classes"],
                                ["Widen the layer to at least the number of classes."]),
    ("unnormalized-input", "normalization-not-adapted"): ("the model's Normalization layer was never adapted: the "
                                                          "raw inputs pass through it (checked on the first batches)",
                                                          ["keras.layers.Normalization without adapt() is the "
                                                           "identity (mean 0, variance 1)"],
                                                          ["Call norm.adapt(x_train) before fit."]),
    ("loss-metric-mismatch", "loss"): ("the loss does not measure the fit: it is linear in the model's output "
                                       "(recorded by the watcher)",
                                       ["an error neither squared nor taken in absolute value: no minimum"],
                                       ["Square the error: ((pred - target) ** 2).mean() (nn.MSELoss())."]),
    ("loss-metric-mismatch", "metric-class"): ("the compiled accuracy class does not fit the outputs or targets "
                                               "(Accuracy() on probabilities, a categorical, sparse or binary "
                                               "accuracy on the other kind of targets) (recorded by the watcher)",
                                               ["an accuracy class chosen by hand that reads the predictions or "
                                                "targets wrongly"],
                                               ["Use metrics=['accuracy']: Keras picks the accuracy that fits the "
                                                "loss."]),
    ("loss-metric-mismatch", "loss-weights"): ("an output's loss weight starves it: its share of the total loss is "
                                               "negligible and it did not train (recorded by the watcher)",
                                               ["loss_weights matched to the outputs by position, in another order"],
                                               ["Give loss_weights as a dict keyed by output name."]),
    ("label-problem", "label-alignment"): ("the labels look unrelated to their inputs: neighbours share labels at "
                                           "chance and validation never improved (recorded by the watcher)",
                                           ["labels shuffled apart from their rows, or the deciding part of each "
                                            "input cut away"],
                                           ["Check a few rows by hand: does each label match its input?"]),
    ("label-problem", "augmentation"): ("an augmentation layer changes the class of the images it alters "
                                        "(recorded by the watcher)", ["a flip or rotation of data whose class depends "
                                                                      "on direction or orientation"],
                                        ["Remove that augmentation for this data."]),
    ("label-problem", "validation-encoding"): ("the validation rows relate to their labels unlike the training rows: "
                                               "another preprocessing for validation (recorded by the watcher)",
                                               ["a tokenizer, vocabulary or scaler fitted again on the validation "
                                                "split"],
                                               ["Fit the preprocessing on the training data once and apply it to "
                                                "every split."]),
    ("label-problem", "validation-labels"): ("the validation labels do not belong to the validation rows: neither "
                                             "training rows nor other validation rows predict them (recorded by the "
                                             "watcher)", ["y_val taken from another array (y_train[:len(x_val)]), or "
                                                          "x_val and y_val shuffled or filtered separately"],
                                             ["Pass the validation labels split together with the validation "
                                              "inputs: validation_data=(x_val, y_val)."]),
    ("unnormalized-input", "batchnorm-moving-stats"): ("the first BatchNormalization scales the raw inputs, but its "
                                                       "moving statistics were still far from the data's, so "
                                                       "validation saw unscaled inputs (recorded by the watcher)",
                                                       ["a BatchNormalization as the input scaler: its moving mean "
                                                        "and variance (momentum 0.99) converge slowly"],
                                                       ["Standardise the inputs with the training mean and std "
                                                        "before the model (or BatchNormalization(momentum=0.9))."]),
    ("unnormalized-input", "scaled-twice"): ("inputs are scaled twice: arrays already scaled go through the model's "
                                             "own Rescaling or Normalization (checked on the first batches)",
                                             ["the loading code divided by 255 (or standardised) and the model's "
                                              "first layers scale again"],
                                             ["Scale once: feed the raw values to the model that scales them, or "
                                              "drop its scaling layer."]),
    ("unnormalized-input", "scaled-up"): ("the model's own scaling layer widens its inputs: Rescaling multiplies by "
                                          "its scale (Rescaling(255) where 1/255 was meant), or a Normalization "
                                          "built with invert=True (checked on the first batches)",
                                          ["a scale written as the divisor instead of its reciprocal"],
                                          ["Divide instead of multiplying: Rescaling(1./255) (or 1./127.5 with "
                                           "offset=-1); a Normalization without invert=True."]),
    ("label-problem", "tiled-labels"): ("each sequence's label is repeated over the positions of a per-position "
                                        "output (recorded by the watcher)", ["no pooling before the Dense layers"],
                                       ["Add GlobalAveragePooling1D() before the Dense layers; one label per "
                                        "sequence."]),
    ("label-problem", "mask-zero"): ("Embedding(mask_zero=True) masks id 0, which is a real token here (recorded by "
                                     "the watcher)", ["a vocabulary indexed from 0 shares the padding id"],
                                    ["Shift the token ids by one (0 only for padding), input_dim = vocab + 1."]),
    ("loss-metric-mismatch", "label-coding"): ("a 0.5-threshold accuracy on labels that are not 0/1 (recorded by the "
                                               "watcher)", ["-1/+1 labels under binary accuracy never count"],
                                              ["Keep the labels 0/1 (Keras' hinge converts them itself)."]),
    ("class-imbalance", "sample-weights"): ("the sample (class) weights average far from 1 under plain SGD (recorded "
                                            "by the watcher)", ["class weights given as raw class counts"],
                                           ["Normalise the class weights: n / (k * count) per class."]),
    ("class-imbalance", "class-weights-inverted"): ("the class weights favour the commonest class (recorded by the "
                                                    "watcher)", ["class weights set to the class frequencies, not "
                                                                 "their inverse"],
                                                   ["Invert the class weights: n / (k * count) per class."]),
    ("unnormalized-input", "channels-first-input"): ("channels-first images fed to a channels-last Conv2D (checked on "
                                               "the first batches)", ["(N, C, H, W) arrays from a PyTorch-style "
                                                                      "pipeline"],
                                              ["Transpose the images to (N, H, W, C)."]),
    ("label-problem", "target-leak"): ("an input column is the target itself (checked on the first batches)",
                                       ["the target left in the features, or a window that includes it"],
                                       ["Remove the target column from the inputs."]),
    ("no-learning", "weights-reset"): ("the weights were back at their initial values at each epoch's start "
                                       "(recorded by the watcher)", ["the model rebuilt inside the epoch loop"],
                                      ["Build and compile the model once, outside the epoch loop."]),
    ("label-problem", "target-tiny-scale"): ("regression targets far below the output's scale: the loss ended many "
                                             "times what predicting their mean gives (recorded by the watcher)",
                                             ["targets of order 1e-3 against outputs of order 1"],
                                             ["Standardise the target ((y - mean) / std) and map predictions back."]),
    ("unnormalized-input", "category-as-number"): ("a column of category ids was fed as one number: its levels "
                                                   "predict the target far better than any smooth function of it "
                                                   "(recorded by the watcher)",
                                                   ["a store/product/region id passed as a numeric feature"],
                                                   ["One-hot encode the id column, or feed it to an Embedding."]),
    ("unnormalized-input", "input-axis"): ("the inputs were standardised along the rows, not per feature (checked "
                                           "on the first batches)", ["x.mean(axis=1) / x.std(axis=1)"],
                                           ["Standardise each feature over the samples (axis=0)."]),
    ("unnormalized-input", "input-values"): ("every input row is identical (checked on the first batches)",
                                             ["scaled values cast back to an integer type, or the wrong array"],
                                             ["Keep scaled inputs as float32; never cast them back to int."]),
    ("unnormalized-input", "float16-inputs"): ("inputs beyond float16's range fed to float16 layers (checked on the "
                                               "first batches)", ["raw inputs under mixed precision overflow"],
                                               ["Standardise the inputs, or keep the first layers in float32."]),
    ("nonfinite-origin", "empty-selection"): ("the loss went non-finite on a batch with no labelled row (recorded by "
                                              "the watcher)", ["a mean over the labelled rows: 0 / 0 on an empty mask"],
                                              ["Divide by mask.sum().clamp(min=1)."]),
    ("nonfinite-origin", "backward"): ("the loss was finite but its gradient was NaN/Inf: backward made the NaN "
                                       "(recorded by the watcher)",
                                       ["torch.where over a division by zero, sqrt at 0: a finite value with an "
                                        "infinite slope"],
                                       ["Make the branch not taken safe before torch.where; add an eps under sqrt."]),
    ("label-problem", "flatten-order"): ("the loss pairs the scores with targets flattened in another order "
                                         "(recorded by the watcher)", ["y.t().reshape(-1) against out.reshape(-1, "
                                                                        "vocab)"],
                                         ["Flatten both the same way: y.reshape(-1)."]),
    ("wrong-output-activation", "clamped-probabilities"): ("outputs pinned at exactly 0 or 1 under BCELoss: a clamp "
                                                           "instead of a sigmoid (recorded by the watcher)",
                                                           ["torch.clamp(out, 0, 1) before nn.BCELoss"],
                                                           ["Use nn.BCEWithLogitsLoss on the raw output."]),
    ("label-problem", "row-order"): ("inside forward the batch's rows are reordered, so outputs and labels no longer "
                                     "pair up (recorded by the watcher)",
                                     ["torch.flip(x, dims=[0]) or a roll/shuffle over the batch axis inside the model"],
                                     ["Flip or shift the image axes, not the batch axis: torch.flip(x, dims=[3])."]),
    ("label-problem", "teacher-train-mode"): ("the frozen teacher the loss runs is in training mode: its dropout makes "
                                              "the targets noisy (recorded by the watcher)",
                                              ["torch.no_grad() without teacher.eval()"],
                                              ["Call teacher.eval() before distilling."]),
    ("update-ratio", "low-precision-weights"): ("the weights are 16-bit floats and most updates round back to the old "
                                                "value (recorded by the watcher)",
                                                ["model.to(torch.bfloat16) / model.half() before the optimizer steps "
                                                 "them"],
                                                ["Keep float32 weights and run the forward pass under torch.autocast."]),
    ("lr-too-high", "lr-jump"): ("the learning rate jumped far above its starting value and the loss rose after it "
                                 "(recorded by the watcher)",
                                 ["a decay written g['lr'] = decay instead of g['lr'] *= decay"],
                                 ["Multiply the current rate: g['lr'] *= decay (or ExponentialLR)."]),
    ("lr-decay-too-fast", "lr-floor"): ("the learning rate reached a floor a hundredfold below its start before half "
                                        "the run while the loss was still unlearnt (recorded by the watcher)",
                                        ["LinearLR(start_factor=1.0, end_factor=0.01) meant as a warm-up"],
                                        ["Swap the factors (start_factor=0.01, end_factor=1.0), or set the decay's "
                                         "horizon to the run's length."]),
    ("update-ratio", "schedule-per-epoch"): ("a warm-up schedule sized in optimizer steps was stepped once per "
                                             "epoch and never reached its peak rate (recorded by the watcher)",
                                             ["OneCycleLR(steps_per_epoch=len(loader)) with scheduler.step() after "
                                              "the batch loop"],
                                             ["Call scheduler.step() after every optimizer.step()."]),
    ("lr-too-high", "schedule-per-epoch"): ("a decay sized in optimizer steps was stepped once per epoch and never "
                                            "decayed (recorded by the watcher)",
                                            ["CosineAnnealingLR(T_max=epochs * len(loader)) stepped per epoch"],
                                            ["Call scheduler.step() after every optimizer.step()."]),
    ("lr-too-high", "rate-out-of-range"): ("an adaptive optimiser's learning rate far above its working range (1e-5 "
                                           "to 1e-2) threw the model off (recorded by the watcher)",
                                           ["an SGD rate (0.1) given to Adam/AdamW/RMSprop"],
                                           ["Lower the learning rate to 1e-4 to 1e-3, then bisect."]),
    ("lr-too-high", "rate-rising"): ("the learning rate rose all run to several times its base rate (recorded by "
                                     "the watcher)", ["a warm-up factor without min(1.0, ...)"],
                                    ["Cap the warm-up: lambda step: min(1.0, (step + 1) / warmup_steps)."]),
    ("update-ratio", "layer-rates-reversed"): ("the per-layer learning rates fall from the first layers to the "
                                               "output layer (recorded by the watcher)",
                                               ["discriminative rates zipped with the layers from the input end"],
                                               ["Give the head the largest rate and the first layers the "
                                                "smallest."]),
    ("label-problem", "margin-labels"): ("a margin loss that reads the label as a sign was given 0/1 labels "
                                         "(recorded by the watcher)", ["SoftMarginLoss fed a data set's 0/1 labels"],
                                        ["Map the labels to -1/+1: y = 2 * y - 1."]),
    ("loss-metric-mismatch", "loss-task"): ("the loss fell (or sat at 0) while the predictions did not follow the "
                                            "labels (recorded by the watcher)",
                                            ["a hand-written loss with a term, weight or clamp applied wrongly"],
                                            ["Check the loss by hand on a few rows."]),
    ("label-problem", "contrastive-targets"): ("the loss on a (batch, batch) score matrix is its cross-entropy "
                                               "against target 0 for every row (recorded by the watcher)",
                                               ["torch.zeros(n) targets where the positives are on the diagonal"],
                                               ["labels = torch.arange(n)."]),
    ("unnormalized-input", "validation-inputs"): ("the validation inputs are on another scale than the training "
                                                  "inputs (recorded by the watcher)",
                                                  ["the scaler applied to the training features only"],
                                                  ["Apply the same scaler to the validation features."]),
}


def recorded_findings(run: Run, check_id: str,
                      text: Callable[[str], tuple[str, list[str], list[str]]] | None = None,
                      cause: bool = False) -> list[Finding]:
    """One finding per ``check/<check_id>/<subject>`` series of the run, in the watcher's words if kept.

    ``text(subject)`` gives the title, causes and fixes (by default this module's tables); ``cause``
    marks a check that names the mechanism itself. A check the watcher kept confirming is recorded
    again at each confirmation, so the finding spans its first and last record.
    """
    out = []
    for name, s in run.series.items():
        if not name.startswith(f"{PREFIX}{check_id}/") or not len(s) or s.role != Role.LAYER_STAT:
            continue  # only the watcher's own records (another tool may log a tag named check/...)
        subject = name[len(PREFIX) + len(check_id) + 1:]
        title, causes, fixes = text(subject) if text else RECORDED_SUBJECT_TEXT.get((check_id, subject),
                                                                                  RECORDED_TEXT[check_id])
        value = float(s.values[0])
        sev = Severity(int(value)) if value in (1.0, 2.0, 3.0) else Severity.WARNING
        span = [float(s.steps[0])] + ([float(s.steps[-1])] if float(s.steps[-1]) > float(s.steps[0]) else [])
        f = Finding(check_id, sev, title, series=[name], steps=span,
                    evidence={"subject": subject, "recorded_by": "watch", **({"cause": True} if cause else {})},
                    causes=list(causes), fixes=list(fixes))
        out.append(with_live_text(f, run))
    return out


def with_live_text(f: Finding, run: Run) -> Finding:
    """A rebuilt check finding in the words the watcher used when it raised it (kept in the log), if any.

    The series keeps only the verdict; the live finding named the exact change (which layer, which
    loss, which fix), and ``diagnose`` of the log should name it too. Its cause flag comes back with it,
    so a rebuilt cause still leads the symptoms it explains.
    """
    said = run.meta.check_texts.get((f.id, str(f.evidence.get("subject"))))
    if said is None:
        return f
    f.title, f.causes, f.fixes = said["title"], list(said["causes"]), list(said["fixes"])
    if said["cause"]:
        from ..checks.structure import CAUSE

        f.evidence[CAUSE] = True
        if said["explains"]:
            f.evidence["explains"] = list(said["explains"])
    return f


@rule("zero-gradients", family=FAMILY, severity=Severity.ERROR,
      title="every gradient exactly zero: the loss does not depend on the weights", needs=(Role.LAYER_STAT,))
def zero_gradients(run: Run) -> list[Finding]:
    return recorded_findings(run, "zero-gradients")


@rule("eval-mode", family=FAMILY, severity=Severity.WARNING,
      title="the model trains in eval mode: dropout off, BatchNorm statistics frozen", needs=(Role.LAYER_STAT,))
def eval_mode(run: Run) -> list[Finding]:
    return recorded_findings(run, "eval-mode")


@rule("linear-network", family=FAMILY, severity=Severity.WARNING,
      title="no activation between the hidden layers: the network is one linear map", needs=(Role.LAYER_STAT,))
def linear_network(run: Run) -> list[Finding]:
    return recorded_findings(run, "linear-network")


def _with_recorded(check_id: str) -> None:
    """Extend another family's rule of the same id with the recorded checks (one rule per id)."""
    from dataclasses import replace

    from .registry import RULES

    spec = RULES.get(check_id)
    if spec is None or getattr(spec.func, "_with_recorded", False):
        return
    original, needs = spec.func, spec.needs

    def func(run: Run) -> list[Finding]:
        # The rule's own reading only where its series exist; a recorded check needs none of them.
        own = list(original(run)) if all(run.by_role(role) for role in needs) else []
        return own + recorded_findings(run, check_id)

    func._with_recorded = True  # type: ignore[attr-defined]
    func.__name__ = getattr(original, "__name__", check_id)
    RULES[check_id] = replace(spec, func=func, needs=())


from . import internals as _internals  # noqa: E402,F401  (their rules must exist before they are extended)
from . import schedule as _schedule  # noqa: E402,F401
from . import generalization as _generalization  # noqa: E402,F401
from . import progress as _progress  # noqa: E402,F401
from . import metrics as _metrics  # noqa: E402,F401
from . import stability as _stability  # noqa: E402,F401

for _cid in ("label-problem", "unnormalized-input", "class-imbalance", "unshuffled-data", "lr-too-high",
             "update-ratio", "no-learning", "stalled", "loss-metric-mismatch", "poor-initialization",
             "overfitting", "high-initial-loss", "too-short", "lr-decay-too-fast", "divergence", "stuck-at-chance",
             "exploding-gradients", "nonfinite-origin", "metric-out-of-range", "oscillation", "misleading-accuracy",
             "dead-relu", "saturated-activation", "vanishing-gradients"):
    _with_recorded(_cid)
