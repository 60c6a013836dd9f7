"""Every variant of each hand-written console family (``console_families``: random names, spacing,
number formats, orders and noise lines) reads to exactly the curves it prints, under their roles;
text that holds no training record is refused with the one-line error, never read as a series."""

from __future__ import annotations

import pytest

from ._console_families import (FAMILIES, bars_and_wandb, metric_blocks, mismatches, misread_variants, noise_only,
                               split_lines)
from traindoc.errors import InputError
from traindoc.readers import load

from .test_bad_input import _one_error_line, _show

SEEDS = range(25)


def _written(tmp_path, console, text: str | None = None):
    """The console (or ``text`` in its place) written where a script would leave it."""
    path = tmp_path / console.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(console.text if text is None else text, encoding="utf-8")
    return path


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    failed = misread_variants(FAMILIES[family], SEEDS, tmp_path)
    assert not failed, failed


def test_the_checker_sees_a_wrong_reading(tmp_path):
    """The comparison the family test relies on fails when a curve is missing or changed."""
    console = split_lines(3)
    run = load(_written(tmp_path, console, console.text.replace("\n", "\n\n", 1))).runs[0]
    assert not mismatches(console, [run])
    val = next(s for s in run.series.values() if s.role.value == "val_loss")
    val.values[2] += 0.5
    assert any(e.startswith("val_loss") for e in mismatches(console, [run]))
    del run.series[val.name]
    assert any(e.startswith("val_loss") for e in mismatches(console, [run]))


def test_noise_alone_is_refused(tmp_path):
    for seed in range(12):
        with pytest.raises(InputError, match="expected"):
            load(_written(tmp_path / f"{seed}", noise_only(seed)))


def test_the_refusal_is_one_line_naming_the_file_exit_2(tmp_path):
    console = noise_only(1)
    path = _written(tmp_path, console)
    assert "expected" in _one_error_line(_show(path), path)


def test_wandb_closing_summary_is_a_note_not_a_point(tmp_path):
    console = bars_and_wandb(0)
    run = load(_written(tmp_path, console)).runs[0]
    assert all(len(s) > 1 for s in run.series.values())  # no one-point series from "Run summary:"
    assert any(n.startswith("final summary (not a curve point)") and "val_loss=" in n for n in run.meta.notes)
    assert "epoch" not in run.series


@pytest.mark.parametrize("prefix", ["wandb: ", ""])
def test_wandb_summary_names_logged_with_spaces_are_kept(tmp_path, prefix):
    """``wandb.log({"train loss": …})``: wandb right-aligns each name, spaces and all, in its closing blocks."""
    lines = [f"Epoch {e}/8 - Train Loss: {1 / e:.4f} - Val Loss: {1.1 / e:.4f}" for e in range(1, 9)]
    lines += [prefix + "Run history:", prefix + "   train loss █▆▄▃▂▂▁▁", prefix + "     val loss █▆▄▃▂▂▁▁",
              prefix, prefix + "Run summary:", prefix + "   train loss 0.125", prefix + "     val loss 0.1375"]
    path = tmp_path / "train_logs.txt"
    path.write_text("\n".join(lines) + "\n")
    run = load(path).runs[0]
    assert sorted(run.series) == ["train_loss", "val_loss"] and all(len(s) == 8 for s in run.series.values())
    assert "final summary (not a curve point): train_loss=0.125, val_loss=0.1375" in run.meta.notes


def _bars(e: int, desc: bool) -> list[str]:
    lead = f"Epoch {e}/6: " if desc else ""
    return [f"{lead}{b * 2:3d}%|{'#' * (b // 5)}| {b}/50 [00:{b:02d}<00:00, 9.1it/s, loss={1.2 / e + b / 1000:.3f}]"
            for b in (1, 25, 50)]


@pytest.mark.parametrize("desc", [True, False])
def test_a_progress_bar_copy_is_left_out_with_a_note(tmp_path, desc):
    """With the epoch in the bar's description the bar's loss is a per-epoch copy of the epoch line's; without
    it, the bar's own count (restarting each epoch) would read as a new run at every epoch."""
    lines = []
    for e in range(1, 7):
        lines += _bars(e, desc) + [f"Epoch {e}/6 - train loss: {1 / e:.4f} - val loss: {1.1 / e:.4f}"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert len(runs) == 1
    run = runs[0]
    assert set(run.series) == {"train_loss", "val_loss"}
    assert list(run.series["train_loss"].steps) == [1, 2, 3, 4, 5, 6]
    assert list(run.series["train_loss"].values) == pytest.approx([1 / e for e in range(1, 7)], abs=1e-4)
    assert any(n.startswith("progress-bar values left out (loss)") for n in run.meta.notes)


def test_a_bar_drawn_after_the_epoch_line_changes_none_of_its_values(tmp_path):
    """'Epoch 3/6' then the record, then the next epoch's bar: the bar is under the last header, but it
    restates none of the record's values."""
    lines = []
    for e in range(1, 7):
        lines += [f"Epoch {e}/6", f"loss: {1 / e:.4f} | val_loss: {1.1 / e:.4f}"] + _bars(e + 1, False)
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    run = load(path).runs[0]
    assert list(run.series["loss"].values) == pytest.approx([1 / e for e in range(1, 7)], abs=1e-4)


def test_a_bar_that_is_the_only_record_is_kept(tmp_path):
    lines = [f"Epoch {e}/5: 100%|##########| 50/50 [00:10<00:00, 5.0it/s, loss={1 / e:.4f}]" for e in range(1, 6)]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    run = load(path).runs[0]
    assert list(run.series["loss"].values) == pytest.approx([1 / e for e in range(1, 6)], abs=1e-4)


def test_a_title_names_only_the_block_right_under_it(tmp_path):
    console = metric_blocks(1)
    path = _written(tmp_path, console, console.text.replace("\n\n", "\nSaved model.\n", 1))
    run = load(path).runs[0]
    assert not mismatches(console, [run])
    # an "Epoch 3: 0.52" line after some other line is no longer under the title: unnamed, not read
    text = "Train loss:\nEpoch 1: 0.9\nEpoch 2: 0.8\nEpoch 3: 0.7\nSaved model.\nEpoch 4: 0.6\nEpoch 5: 0.5\n"
    path.write_text(text)
    run = load(path).runs[0]
    assert list(run.series["train_loss"].steps) == [1, 2, 3]


@pytest.mark.parametrize("redraw", ["\r", "\n"])
def test_a_file_whose_head_is_all_progress_bars_is_still_read(tmp_path, redraw):
    """Thousands of bar redraws (no values of their own) before the first epoch line fill the sniffer's
    first look; the reader looks further, past the bars."""
    lines = []
    for e in range(1, 9):
        lines.append(redraw.join(f"{b * 100 // 800:3d}%|{'#' * (b // 80)}| {b}/800 [00:10<00:10, 80.0it/s]"
                                 for b in range(1, 801)))
        lines.append(f"Train Loss: {1 / e:.4f} | Val Loss: {1.1 / e:.4f}")
    path = tmp_path / "train_logs.txt"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 256 * 1024
    run = load(path).runs[0]
    assert list(run.series["val_loss"].values) == pytest.approx([1.1 / e for e in range(1, 9)], abs=1e-4)


def test_epochs_in_a_config_dump_is_a_setting_not_the_epoch(tmp_path):
    lines = ["Config:", "  epochs: 20", "  lr: 0.001", "  batch_size: 32"]
    lines += [f"Epoch {e}/20 - loss: {1 / e:.4f} - val_loss: {1.2 / e:.4f}" for e in range(1, 6)]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert len(runs) == 1 and list(runs[0].series["loss"].steps) == [1, 2, 3, 4, 5]
    assert "lr" not in runs[0].series  # the dump's setting is no point of a curve


def test_numbers_alone_between_evaluation_sentences_are_said_not_guessed(tmp_path):
    console = FAMILIES["eval_sentences"](3)
    run = load(_written(tmp_path, console)).runs[0]
    assert not mismatches(console, [run])
    assert any("holding a number alone, which nothing names" in n for n in run.meta.notes)


def test_a_json_document_opening_with_a_padded_bracket_is_no_console(tmp_path):
    """The padded counter ('[  3/20] loss: …') opens a console; a JSON list opening '[ ' is still none."""
    import json
    import random

    from traindoc.readers import reader_for

    for seed in range(20):
        rng = random.Random(seed)
        doc = rng.choice([[round(rng.random(), 4) for _ in range(20)],
                          [{"epoch": i, "loss": rng.random()} for i in range(10)],
                          [[i, rng.random()] for i in range(10)]])
        path = tmp_path / f"{seed}" / rng.choice(["train.log", "log.txt", "output.txt"])
        path.parent.mkdir(parents=True)
        path.write_text("[ " + json.dumps(doc, indent=rng.choice([None, 2]))[1:])
        reader = reader_for(path)
        assert reader is None or reader.NAME != "text_log", (seed, path.read_text()[:60])
