"""Training logs printed in another language: the words for step, epoch, loss, validation and
accuracy are read as the English ones, whole words only, so English logs read as before.

The files are written the way such scripts write them: ``print`` to a file, with an evaluation
line of its own (no counter) after some training lines."""

from __future__ import annotations

import io

from traindoc.readers import load
from traindoc.readers.text.words import to_english
from traindoc.run import Role


def _print_log(path, step_word: str, loss_word: str, val_word: str, n: int = 60, every: int = 10) -> None:
    out = io.StringIO()
    for i in range(n):
        print(f"{step_word} {20 * i:5d} | {loss_word} {3.0 * 0.97 ** i:.4f} | lr 1.00e-03", file=out)
        if i % every == every - 1:
            print(f"        -> {val_word} {3.1 * 0.975 ** i:.4f} nats", file=out)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_romanian_log_reads_its_loss_steps_and_validation(tmp_path):
    path = tmp_path / "train.log"
    _print_log(path, "pas", "pierdere", "validare")
    run = load(path).runs[0]
    assert run.series["loss"].role == Role.TRAIN_LOSS and len(run.series["loss"]) == 60
    assert list(run.series["loss"].steps[:3]) == [0, 20, 40]
    val = run.series["validation_loss"]
    assert val.role == Role.VAL_LOSS and len(val) == 6 and val.steps[0] == 180


def test_a_spanish_log_with_accents_and_capitals(tmp_path):
    path = tmp_path / "train.log"
    _print_log(path, "Paso", "Pérdida", "Validación")
    run = load(path).runs[0]
    assert run.series["loss"].role == Role.TRAIN_LOSS
    assert run.series["validation_loss"].role == Role.VAL_LOSS


def test_english_words_and_parts_of_words_are_left_alone():
    line = "passes 3 | pass 2 | perplexity 4.1 | loss_perte_x 0.2 | file.pas 1 | epochs 3"
    assert to_english(line) == line
    assert to_english("época 3 - exactitud: 0.91") == "epoch 3 - accuracy: 0.91"
