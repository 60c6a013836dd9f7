"""A validation split read the other way round: ``validation_split=0.8`` meant as "train on 80%".

Why: Keras' ``validation_split`` (like sklearn's ``test_size``) is the share *held out*. Written as
the training share, the network trains on a fifth of the rows and is judged on the other four
fifths: it memorises the few rows it sees and validation loss climbs, which reads as ordinary
overfitting ("add dropout") when the fix is one number. Judged from what the run itself counts:
the training rows per epoch against the validation rows, and how the two losses ended.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .structure import CAUSE

VAL_OVER_TRAIN = 3.0  # validation rows at least this many times the training rows (a split >= 0.75)
GAP = 1.5  # final validation loss at least this many times the final training loss


def split_share_finding(train_rows: int | None, val_rows: int | None, losses: list[float],
                        val_losses: list[float], step: float, split: float | None = None) -> Finding | None:
    """overfitting when the validation set is several times the training set and the model fits only the latter.

    ``split``: fit's ``validation_split`` (0: the validation rows came from ``validation_data``; None: unknown).
    A validation set given as its own data is not a share read the other way round: the advice is then to train on
    more of the rows, not a validation_split the user never wrote."""
    if not train_rows or not val_rows or val_rows < VAL_OVER_TRAIN * train_rows or not losses or not val_losses:
        return None
    tl, vl = losses[-1], val_losses[-1]
    if not (tl == tl and vl == vl) or vl < GAP * max(tl, 1e-12):
        return None
    share = val_rows / (train_rows + val_rows)
    return Finding(
        "overfitting", Severity.WARNING,
        f"the model trains on {train_rows} rows and is validated on {val_rows}: {share:.0%} of the data is held out",
        evidence={"subject": "split-share", CAUSE: True, "train_rows": int(train_rows), "val_rows": int(val_rows),
                  "final_loss": round(tl, 4), "final_val_loss": round(vl, 4)},
        causes=[f"the validation set given to fit (validation_data) is {val_rows / train_rows:.0f}x the training set: "
                f"the network memorises the few training rows (loss {tl:.3g}) and does not generalise (validation "
                f"loss {vl:.3g}); if it was cut with train_test_split, test_size is the share held out"]
        if split == 0 else
        [f"validation_split (or test_size) is the share held out for validation, not the share trained "
                f"on: about {share:.1f} here, so the network memorises the few training rows (loss {tl:.3g}) "
                f"and does not generalise (validation loss {vl:.3g})"],
        fixes=[f"Train on the larger part: move rows from the validation data into training (hold out 10-20%; "
               f"with train_test_split, test_size={1 - share:.1f} was probably meant as the training share)."]
        if split == 0 else
        [f"Hold out the smaller part: validation_split={1 - share:.1f} (or test_size={1 - share:.1f}), so "
         f"about {share:.0%} of the rows are trained on."],
        steps=[step])
