"""Role inference across naming habits, several evaluation sets, loss components, series on their
own x-axis (a real Lightning run logging validation per step), and writer conventions."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from traindoc.readers import load
from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series, infer_role
from traindoc.run.roles import is_loss_component


@pytest.mark.parametrize("name,role", [
    ("ValLoss", Role.VAL_LOSS), ("valLoss", Role.VAL_LOSS), ("Val Loss", Role.VAL_LOSS), ("val-loss", Role.VAL_LOSS),
    ("TrainLoss", Role.TRAIN_LOSS), ("TestAcc", Role.VAL_METRIC), ("DevF1", Role.VAL_METRIC),
    ("ValidationAccuracy", Role.VAL_METRIC), ("testing_loss", Role.VAL_LOSS), ("evaluation loss", Role.VAL_LOSS),
    ("holdout_mse", Role.VAL_METRIC), ("learningRate", Role.LR), ("LR", Role.LR), ("gradNorm", Role.GRAD_NORM),
    ("Acc@1", Role.TRAIN_METRIC), ("bbox/APs", Role.VAL_METRIC), ("mAP50", Role.VAL_METRIC),
    ("loss_scale", Role.OTHER), ("loss scale", Role.OTHER), ("lm loss", Role.TRAIN_LOSS),
    # a loss named by its function (a grokking run's loss_curve.csv); a Keras metric of the same
    # function beside the loss is not one, nor is an entropy or a log-likelihood on its own
    ("train_cross_entropy", Role.TRAIN_LOSS), ("test_cross_entropy", Role.VAL_LOSS), ("val_nll", Role.VAL_LOSS),
    ("train/ce", Role.TRAIN_LOSS), ("eval_xent", Role.VAL_LOSS), ("neg_log_likelihood", Role.TRAIN_LOSS),
    ("categorical_crossentropy", Role.OTHER), ("val_categorical_crossentropy", Role.OTHER),
    ("policy_entropy", Role.OTHER), ("log_likelihood", Role.OTHER), ("entropy", Role.OTHER),
    # "cost" is the objective in TF 1.x / Paddle examples; with another word it is a time or a price
    ("cost", Role.TRAIN_LOSS), ("avg_cost", Role.TRAIN_LOSS), ("test cost", Role.VAL_LOSS),
    ("batch_cost", Role.OTHER), ("reader_cost", Role.OTHER), ("time cost", Role.OTHER),
    ("loading model cost", Role.OTHER),
    # image-quality and routing metrics; a loss term's weight schedule is no metric though it names one
    ("val_ssim", Role.VAL_METRIC), ("test_psnr", Role.VAL_METRIC), ("avg_tour", Role.TRAIN_METRIC),
    ("edit_distance", Role.VAL_METRIC), ("train_edit_distance", Role.TRAIN_METRIC),
    ("train/wt_l2/ramp", Role.OTHER), ("valid/wt_l2", Role.OTHER), ("valid/wt_kl", Role.OTHER),
    ("hp/l2_ic_enc_scale", Role.OTHER), ("hp/mse_weight", Role.OTHER), ("dice_coef", Role.TRAIN_METRIC), ("val_dice_coef", Role.VAL_METRIC),
])
def test_naming_habits(name, role):
    assert infer_role(name).role == role


@pytest.mark.parametrize("name,higher", [("val_ssim", True), ("MS-SSIM", True), ("psnr", True), ("avg_tour", False),
                                         ("val_tour_length", False), ("val_norm_edit_distance", False),
                                         ("val_edit_distance", False)])
def test_image_quality_and_tour_length_directions(name, higher):
    assert infer_role(name).higher_is_better is higher


@pytest.mark.parametrize("name,component", [
    ("loss_cls", True), ("loss_bbox", True), ("train/box_loss", True), ("dfl_loss", True), ("s0.loss_cls", True),
    ("loss_rpn_bbox", True), ("total_loss", False), ("loss", False), ("val_loss", False), ("lm_loss", False),
])
def test_loss_components(name, component):
    assert is_loss_component(name) is component


def test_primary_loss_is_the_total_not_a_component():
    run = Run.from_columns("r", "<t>", "t", {n: ([1, 2, 3], [1.0, 0.9, 0.8]) for n in ("loss_cls", "loss_bbox", "total_loss")})
    assert run.primary(Role.TRAIN_LOSS).name == "total_loss"
    # No total logged (Ultralytics): a component is the best there is, and still a train loss.
    yolo = Run.from_columns("y", "<t>", "t", {n: ([1, 2], [1.0, 0.9]) for n in ("train/box_loss", "train/cls_loss")})
    assert yolo.primary(Role.TRAIN_LOSS) is not None


def test_several_evaluation_sets_in_one_trainer_state(tmp_path):
    entries = []
    for s in (10, 20, 30):
        entries.append({"loss": 1.0 - s / 100, "learning_rate": 1e-4, "epoch": s / 30, "step": s})
        entries.append({"eval_squad_loss": 1.1 - s / 100, "eval_squad_f1": 0.5 + s / 100, "epoch": s / 30, "step": s})
        entries.append({"eval_mnli-mm_loss": 1.2 - s / 100, "eval_mnli-mm_accuracy": 0.4 + s / 100, "epoch": s / 30, "step": s})
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 30, "log_history": entries}))
    (run,) = load(path).runs
    s = run.series
    assert s["eval_squad_loss"].role == Role.VAL_LOSS and s["eval_mnli-mm_loss"].role == Role.VAL_LOSS
    assert s["eval_squad_f1"].role == Role.VAL_METRIC and s["eval_mnli-mm_accuracy"].role == Role.VAL_METRIC
    assert list(s["eval_squad_loss"].steps) == [10, 20, 30] and list(s["eval_mnli-mm_loss"].values) == pytest.approx([1.1, 1.0, 0.9])


def _lightning_metrics_csv(tmp_path, epochs: int, n_train: int, n_val: int, val_on_epoch: bool):
    """metrics.csv as Lightning's CSVLogger writes it: train_loss every 2 steps, val_loss logged per
    batch of validation_step (and its epoch mean when ``val_on_epoch``)."""
    torch = pytest.importorskip("torch")
    L = pytest.importorskip("lightning")
    from lightning.pytorch.loggers import CSVLogger
    from torch.utils.data import DataLoader, TensorDataset

    class M(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, i):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.layer(x), y)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch, i):
            x, y = batch
            self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y), on_step=True, on_epoch=val_on_epoch)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    torch.manual_seed(0)
    x = torch.randn(n_train + n_val, 4)
    y = x.sum(1, keepdim=True)
    trainer = L.Trainer(max_epochs=epochs, logger=CSVLogger(tmp_path), log_every_n_steps=2, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(M(), DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=16),
                DataLoader(TensorDataset(x[n_train:], y[n_train:]), batch_size=16))
    (path,) = tmp_path.rglob("metrics.csv")
    return path


def test_lightning_validation_logged_per_step_is_its_own_axis(tmp_path):
    path = _lightning_metrics_csv(tmp_path, epochs=3, n_train=128, n_val=32, val_on_epoch=True)
    runs = load(path).runs
    assert len(runs) == 1 and runs[0].meta.resume_steps == []  # not appended runs, not resumes
    s = runs[0].series
    assert list(s["train_loss"].steps) == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]
    assert s["val_loss_step"].axis == "eval_batch" and list(s["val_loss_step"].steps) == [0, 1, 2, 3, 4, 5]
    assert list(s["val_loss_epoch"].steps) == [7, 15, 23] and s["val_loss_epoch"].axis == "step"
    assert runs[0].primary(Role.VAL_LOSS).name == "val_loss_epoch"


def _d2_rows():
    rows = []
    for it in (19, 39, 59):
        rows.append({"iteration": it, "total_loss": 2.0 - it / 100, "loss_cls": 1.0 - it / 200, "loss_box_reg": 0.5, "lr": 0.00025})
    for it, ap in ((59, 0.8), (99, 23.9), (199, 75.8)):  # percent: 0.8 % AP at the first evaluation
        rows.append({"iteration": it, "bbox/AP": ap, "bbox/AP50": ap + 10, "bbox/APs": math.nan, "bbox/APm": ap,
                     "bbox/AP-person": ap, "bbox/AP-dog": math.nan})
    return rows


def test_detectron2_percent_ap_and_nan_for_missing_sizes(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("\n".join(json.dumps(r) for r in _d2_rows()) + "\n")
    (run,) = load(path).runs
    s = run.series
    assert "bbox/APs" not in s and "bbox/AP-dog" not in s  # NaN: no objects of that size / category
    assert any("NaN" in n and "bbox/APs (3)" in n for n in run.meta.notes)
    assert s["bbox/AP"].value_range == (0.0, 100.0) and list(s["bbox/AP"].values) == [0.8, 23.9, 75.8]
    ids = {f.id for f in diagnose_run(run)}
    assert "nonfinite" not in ids and "metric-out-of-range" not in ids
    assert run.primary(Role.TRAIN_LOSS).name == "total_loss"


def test_mmengine_coco_minus_one_is_dropped(tmp_path):
    vis = tmp_path / "vis_data"
    vis.mkdir()
    rows = [{"lr": 0.01, "loss": 1.0 - i / 10, "loss_cls": 0.5, "epoch": 1, "iter": i, "step": i} for i in range(1, 5)]
    rows.append({"coco/bbox_mAP": 0.3, "coco/bbox_mAP_s": -1.0, "coco/bbox_mAP_m": 0.2, "step": 1})
    (vis / "scalars.json").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (run,) = load(vis / "scalars.json").runs
    assert "coco/bbox_mAP_s" not in run.series and run.series["coco/bbox_mAP_m"].values[0] == 0.2
    assert any("-1" in n for n in run.meta.notes)


def test_real_divergence_behind_own_axis_series_is_still_seen():
    """Taking a per-step validation series out of the stream must not hide a training divergence."""
    steps = np.arange(0, 200, 2.0)
    loss = np.r_[np.linspace(2.0, 1.0, 60), np.full(40, np.nan)]
    run = Run("r", "<t>", "t")
    run.add(Series.named("train_loss", steps, loss))
    run.add(Series.named("val_loss_step", np.arange(30.0), np.linspace(2, 1, 30), axis="eval_batch"))
    assert "nonfinite" in {f.id for f in diagnose_run(run)}


def test_a_loss_term_that_never_moves_is_not_the_one_judged():
    """YOLOv8-pose logs train/kobj_loss as 0 on every epoch when no keypoint objectness is used; the
    moving components are what training minimises."""
    import numpy as np

    from traindoc.run import Run

    x = np.arange(20.0)
    run = Run.from_columns("r", "r", "test", {"train/kobj_loss": (x, np.zeros(20)),
                                              "train/box_loss": (x, 2.0 * np.exp(-x / 8) + 0.5),
                                              "train/misc_loss": (x, np.full(20, 0.3))})
    assert infer_role("train/kobj_loss").role == Role.TRAIN_LOSS
    assert run.primary(Role.TRAIN_LOSS).name == "train/box_loss"


def test_lightning_one_epoch_with_more_validation_batches_than_training_rows(tmp_path):
    """One epoch: the training rows and the per-batch validation rows each go forward, and the
    stream goes back once between them, so either group explains the step going back. The
    evaluation loop's rows leave the epoch cell empty: they are the ones on their own axis, and
    one pass over the validation set is not judged as a curve over training."""
    path = _lightning_metrics_csv(tmp_path, epochs=1, n_train=128, n_val=256, val_on_epoch=False)
    (run,) = load(path).runs
    s = run.series
    assert s["train_loss"].axis == "step" and len(s["train_loss"]) == 4
    assert s["val_loss"].axis == "eval_batch" and len(s["val_loss"]) == 16
    assert run.primary(Role.VAL_LOSS) is None
    assert "overfitting" not in {f.id for f in diagnose_run(run)}
