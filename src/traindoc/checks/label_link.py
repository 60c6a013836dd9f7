"""Do the labels belong to their inputs? Nearest neighbours in input space, against chance.

When x and y are shuffled with two different permutations (or joined on the wrong key), every
label is random with respect to its row: a model can only memorise. One fact shows it without
training anything: the nearest neighbour of a row (features standardised) shares its label no
more often than two random rows do (the sum of squared class shares). Learnable data of any kind
puts neighbours in the same class far more often. The test alone is not a verdict (inputs whose
signal hides among many noise features also look like this); the Keras callback names it only
when the run agrees: validation never got 3% below its first reading and ended above it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_ROWS = 96
MIN_EXPECTED = 20  # agreements expected by chance: fewer and the test has no power
MAX_ROWS = 1024
MAX_COLUMNS = 2048  # wider inputs (images) are first cut to this many columns, chosen at random once
MAX_DIMS = 256  # wider inputs are randomly projected to this many (distances are kept, roughly)
NEVER_BETTER = 0.97  # validation never got 3% below its first reading


@dataclass
class LabelLink:
    rows: int
    agreement: float  # share of rows whose nearest neighbour has the same label
    chance: float  # the share two random rows would give
    z: float  # (agreement - chance) in standard errors

    @property
    def at_chance(self) -> bool:
        """Not significantly above chance (one-sided, about 2%)."""
        return self.z < 2.0


def label_link(x: np.ndarray, y: np.ndarray) -> LabelLink | None:
    """Nearest-neighbour label agreement of ``x`` rows against chance; None when it cannot be told."""
    x = np.asarray(x)
    y = np.asarray(y).reshape(-1)
    if x.dtype.kind != "f" or len(x) != len(y) or len(y) < MIN_ROWS:
        return None
    x = x[:MAX_ROWS].reshape(min(len(x), MAX_ROWS), -1)
    y = y[:MAX_ROWS]
    rng = np.random.default_rng(0)
    if x.shape[1] > MAX_COLUMNS:  # images: a fixed random subset of pixels keeps the neighbours, at a fraction of the cost
        x = x[:, np.sort(rng.choice(x.shape[1], MAX_COLUMNS, replace=False))]
    x = x.astype("float64")
    ok = np.all(np.isfinite(x), axis=1)
    x, y = x[ok], y[ok]
    n = len(y)
    if n < MIN_ROWS:
        return None
    _, counts = np.unique(y, return_counts=True)
    p = counts / n
    chance = float((p * p).sum())
    if counts.size < 2 or n * chance < MIN_EXPECTED or chance >= 0.95:
        return None
    std = x.std(axis=0)
    keep = std > 1e-12 * max(float(std.max()), 1e-300)
    if not keep.any():
        return None
    x = (x[:, keep] - x[:, keep].mean(axis=0)) / std[keep]
    if x.shape[1] > MAX_DIMS:
        proj = rng.normal(size=(x.shape[1], MAX_DIMS)) / math.sqrt(MAX_DIMS)
        x = x @ proj
    sq = (x * x).sum(axis=1)
    d = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(axis=1)
    agreement = float(np.mean(y[nearest] == y))
    z = (agreement - chance) / math.sqrt(chance * (1 - chance) / n)
    return LabelLink(n, agreement, chance, float(z))


TRUNCATED_CAUSE = ("every sequence fills all of its positions (no row is padded), so the texts were cut to the "
                   "model's length; if what decides the label was in the part cut away (pad_sequences' default "
                   "truncating='pre' drops the start of each text), no row carries it any more")
TRUNCATED_FIX = ("Keep the part of each text that decides the label: pad_sequences(..., truncating='post') keeps the "
                 "start, or raise maxlen; check a few cut rows by hand.")


def unrelated_labels_finding(link: LabelLink, val_losses: list[float], step: float, truncated: bool = False,
                             prior: float | None = None):
    """label-problem when neighbours share labels at chance and validation never got 3% below its first reading,
    or never got below ``prior`` (the loss of predicting the training labels' shares without looking at the rows).

    ``truncated``: the inputs are token-id rows none of which is padded (all cut to length): the cut is then
    the first suspect, ahead of labels shuffled apart from their rows.
    """
    from ..findings import Finding, Severity

    if not link.at_chance or len(val_losses) < 3 or not all(math.isfinite(v) for v in val_losses):
        return None
    rose = min(val_losses) >= NEVER_BETTER * val_losses[0] and val_losses[-1] > val_losses[0]
    never_beat_prior = prior is not None and math.isfinite(prior) and prior > 0 and min(val_losses) >= prior
    if not rose and not never_beat_prior:
        return None  # validation improved at some point: the labels carry signal
    how = (f"the validation loss rose from its first reading ({val_losses[0]:.3g} -> {val_losses[-1]:.3g})" if rose
           else f"the validation loss never got below {prior:.3g}, the loss of guessing the label shares without "
                f"looking at the rows (best {min(val_losses):.3g})")
    return Finding(
        "label-problem", Severity.WARNING,
        f"the labels look unrelated to their inputs: a row's nearest neighbour shares its label {link.agreement:.0%} "
        f"of the time, as two random rows do ({link.chance:.0%}), and {how}",
        steps=[step], evidence={"subject": "label-alignment", "rows": link.rows, "truncated": truncated,
                                "neighbour_agreement": link.agreement,
                                "chance_agreement": link.chance, "z": link.z, "val_loss": val_losses[:20],
                                "prior_loss": prior,
                                "cause": True, "explains": ["overfitting"]},
        causes=([TRUNCATED_CAUSE] if truncated else []) + [
            "the labels are not paired with their rows: x and y shuffled (or sorted) separately, rows dropped or "
            "filtered from x only (NaN rows removed, then y cut to the same length), read offset from their rows (a "
            "header line skipped in one file and not the other: every label shifted by one row), or joined on the "
            "wrong key, so the model can only memorise noise"],
        fixes=([TRUNCATED_FIX] if truncated else []) + [
            "Select, shuffle and filter x and y together: one permutation (p = np.random.permutation(len(x)); "
            "x, y = x[p], y[p]) and the same mask or index for the labels as for the rows (x, y = x[keep], y[keep]); "
            "read both files with the same skiprows/header handling; check a few rows by hand: does each label "
            "match its input?"])
