"""A text log whose script printed a long banner before the first epoch line is still found."""

import pytest

from traindoc.errors import InputError
from traindoc.readers import load


def _banner(lines: int) -> str:
    return "".join(f"2026-05-08 22:39:{i % 60:02d} | INFO | config key_{i} : value {i} with some padding text\n"
                   for i in range(lines))


def _epochs(n: int) -> str:
    return "".join(f"2026-05-08 23:{e:02d}:00 | INFO | Epoch [{e:03d}/{n}] TrainLoss={2.0 / e:.4f} | "
                   f"ValLoss={2.1 / e:.4f} | ValAcc={50 + e:.2f}%\n" for e in range(1, n + 1))


def test_long_banner_before_epoch_lines(tmp_path):
    path = tmp_path / "training.log"
    path.write_text(_banner(120) + _epochs(12))
    assert path.stat().st_size > 8192  # the epoch lines start past the 4 KiB sniffing head
    (run,) = load(path).runs
    assert len(run.series["train_loss"]) == 12 and run.series["val_loss"].values[-1] == round(2.1 / 12, 4)


def test_banner_only_text_is_not_claimed(tmp_path):
    path = tmp_path / "notes.log"
    path.write_text(_banner(300))
    with pytest.raises(InputError, match="no training logs"):
        load(tmp_path)
