"""high-initial-loss with no class count (rules/off_scale_start.py): a Hugging Face Trainer's first
logged loss above ln(262,144) that then falls to a per-token level, and a first logged point 100x or
more both the next one and the held-out loss measured by then. Files are written in the formats the
readers know and read back, so the readers' roles and axes are the ones judged."""

from __future__ import annotations

import json
from pathlib import Path

from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules.off_scale_start import OFF_SCALE, TOKEN_CEILING


def _trainer_state(path: Path, losses: list[float], every: int = 50) -> Path:
    log = [{"loss": v, "step": every * (i + 1), "epoch": 0.01 * (i + 1), "learning_rate": 5e-5}
           for i, v in enumerate(losses)]
    path.write_text(json.dumps({"log_history": log, "logging_steps": every, "global_step": every * len(losses)}))
    return path


def _keras_csv(path: Path, loss: list[float], val: list[float]) -> Path:
    rows = ["epoch,loss,val_loss"] + [f"{i},{a},{b}" for i, (a, b) in enumerate(zip(loss, val))]
    path.write_text("\n".join(rows) + "\n")
    return path


def _high_initial(path: Path):
    (run,) = read_file(path)
    return [f for f in diagnose_run(run) if f.id == "high-initial-loss"]


def test_a_trainer_loss_above_uniform_over_any_vocabulary_then_a_few_nats_is_worth_a_look(tmp_path):
    found = _high_initial(_trainer_state(tmp_path / "trainer_state.json", [14.75, 1.22, 0.77, 0.89]))
    assert len(found) == 1 and found[0].severity.name == "WARNING"
    assert found[0].verdict == "worth a look" and "logging_steps" in found[0].verdict_reason
    assert found[0].evidence["first_loss"] > TOKEN_CEILING and found[0].evidence["high_points"] == 1


def test_the_high_start_may_last_several_logged_points(tmp_path):
    found = _high_initial(_trainer_state(tmp_path / "trainer_state.json", [284.9, 161.2, 9.9, 5.39, 5.02, 5.1]))
    assert found and found[0].evidence["high_points"] == 2 and found[0].evidence["settled_loss"] == 5.02


def test_a_trainer_loss_near_ln_of_a_vocabulary_is_a_fresh_head_not_a_broken_start(tmp_path):
    # 10.9 ~ ln(50257): a language model trained from scratch starts there.
    assert not _high_initial(_trainer_state(tmp_path / "trainer_state.json", [10.9, 7.2, 5.1, 4.3, 3.9]))


def test_a_summed_loss_that_stays_in_the_hundreds_is_not_read_as_per_token(tmp_path):
    # A CTC loss summed over a batch: 25,000 down to 2,000 is its own scale, not nats per token.
    assert not _high_initial(_trainer_state(tmp_path / "trainer_state.json", [25446.0, 8560.0, 8448.0, 2114.0]))


def test_a_first_epoch_two_orders_of_magnitude_above_what_followed_is_worth_a_look(tmp_path):
    path = _keras_csv(tmp_path / "train_log.csv", [117.06, 0.0426, 0.0409, 0.0400, 0.0396],
                      [0.00905, 0.00927, 0.00949, 0.00952, 0.00967])
    found = _high_initial(path)
    assert len(found) == 1 and found[0].verdict == "worth a look"
    assert found[0].evidence["ratio_next"] >= OFF_SCALE and found[0].evidence["ratio_val"] >= OFF_SCALE


def test_fast_learning_in_the_first_epoch_is_left_alone(tmp_path):
    # 43x in one epoch, then on down by another 12x: a model learning fast, not an off-scale start.
    path = _keras_csv(tmp_path / "train_log.csv", [0.2075, 0.00478, 0.00127, 0.00095, 0.00093, 0.00069, 0.00039],
                      [0.00788, 0.00253, 0.00084, 0.00088, 0.00068, 0.00090, 0.00042])
    assert not _high_initial(path)


def test_a_training_loss_collapsing_below_a_held_out_loss_that_stays_high_is_no_start(tmp_path):
    # 0.037 -> 0.0003 while the validation loss sits at 0.31: the training loss fell onto a floor.
    path = _keras_csv(tmp_path / "train_log.csv", [0.0372, 0.00032, 0.00009, 0.00005, 0.00004],
                      [0.314, 0.3135, 0.313, 0.314, 0.3132])
    assert not _high_initial(path)


def test_a_classifier_whose_first_epoch_already_beat_chance_is_no_off_scale_start(tmp_path):
    # t11_h_cnn_noise_multistep's printed log: a 4-class CNN whose first-epoch mean 0.1952 is below ln 2 (the
    # lowest chance level of any class count); the next epoch's 0.0019 makes the ratio 103x, not the start.
    path = tmp_path / "train.log"
    losses = [(0.1952, 0.0002), (0.0019, 0.0001), (0.0038, 0.0001), (0.0011, 0.0001), (0.0012, 0.0001)]
    path.write_text("".join(f"Epoch {i + 1}: train loss {a}, val loss {b}, val acc 100.00%\n"
                            for i, (a, b) in enumerate(losses)))
    assert not _high_initial(path)
    # The same classifier starting at hundreds of nats is still read as off scale.
    path.write_text("".join(f"Epoch {i + 1}: train loss {a * 1000}, val loss {b}, val acc 100.00%\n"
                            for i, (a, b) in enumerate(losses)))
    assert _high_initial(path)


def test_an_off_scale_first_point_over_a_loss_at_unit_scale_leads_with_the_first_steps(tmp_path):
    # RMSprop at 0.03 on standardised targets: 195.5 for the first epoch, then MSE 0.72-0.9.
    path = _keras_csv(tmp_path / "train_log.csv", [195.5, 0.7222, 0.84, 0.9, 0.86, 0.88, 0.7],
                      [0.838, 0.92, 0.86, 0.87, 0.88, 0.86, 0.63])
    (f,) = _high_initial(path)
    assert f.causes[0].startswith("a learning rate that blows the first steps up") and "normalised" in f.causes[0]
    assert "lower learning rate" in f.fixes[0] and any(c.startswith("targets not normalised") for c in f.causes)


def test_an_off_scale_first_point_over_a_loss_still_in_the_thousands_keeps_the_raw_targets_first(tmp_path):
    path = _keras_csv(tmp_path / "train_log.csv", [2.6e8, 1.8e4, 1.6e4, 1.5e4, 1.45e4, 1.4e4, 1.38e4],
                      [1.9e4, 1.7e4, 1.6e4, 1.5e4, 1.45e4, 1.42e4, 1.4e4])
    (f,) = _high_initial(path)
    assert f.causes[0].startswith("targets not normalised")
