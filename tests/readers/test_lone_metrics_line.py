"""A log whose only metric is one final evaluation line (conlleval after TensorFlow start-up output)
loads as a run of one point per named metric, so the final values can be judged and the curve rules
say too short; where such a line cannot be a run's record (a document) it is refused in one line
that says what it found and why that is not enough."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import logging, sys
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="INFO:absl:%(message)s")
log = logging.getLogger()
log.info("***** Running training *****")
log.info("  Num examples = 20864")
log.info("  Batch size = 32")
for name, shape in [("bert/embeddings/word_embeddings:0", (21128, 768)), ("crf_loss/transition:0", (10, 10))]:
    log.info("  name = %s, shape = %s", name, shape)
print("processed 2330 tokens with 0 phrases; found: 0 phrases; correct: 0.")
print("accuracy: %6.2f%%; precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f" % (69.18, 0.0, 0.0, 0.0))
"""


def _diagnose(path):
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True,
                          text=True, timeout=60)


def _log(tmp_path, script: str):
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "train.log"
    path.write_text(proc.stdout)
    return path


def test_one_final_evaluation_line_loads_as_one_point(tmp_path):
    from traindoc.readers import load

    path = _log(tmp_path, SCRIPT)
    (run,) = load(path).runs
    assert {"accuracy", "precision", "recall"} <= set(run.series)
    assert all(len(s) == 1 for s in run.series.values())
    assert run.series["accuracy"].values[0] == 69.18 and run.series["recall"].values[0] == 0.0
    assert any("one line of metrics (accuracy:  69.18%" in n for n in run.meta.notes)
    res = _diagnose(path)
    # One point is too short for a curve, but the identity of the numbers stands: 69% accuracy beside a
    # recall and F1 of 0 is the majority share (the label of the real log this is modelled on).
    assert res.returncode == 1 and "too-short" in res.stdout and "misleading-accuracy" in res.stdout


HEALTHY = r"""
print("Namespace(batch_size=64, epochs=14, lr=1.0, gamma=0.7, seed=1)")
print("Using device: cuda")
print("Downloading MNIST ... done")
print("\nTest set: Average loss: 0.0286, Accuracy: 9911/10000 (99%)\n")
"""


def test_a_healthy_final_evaluation_line_raises_no_warning(tmp_path):
    path = _log(tmp_path, HEALTHY)
    res = _diagnose(path)
    assert res.returncode == 0 and "WARNING" not in res.stdout and "ERROR" not in res.stdout
    assert "too-short" in res.stdout


def test_one_line_of_metrics_in_a_document_is_refused_naming_it(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Results\n\nWe fine-tuned BERT for NER.\n\naccuracy:  69.18%; precision:   0.00%; "
                    "recall:   0.00%; FB1:   0.00\n\nMore work is needed.\n")
    res = _diagnose(path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in res.stderr
    assert "one line of metrics (accuracy:  69.18%" in lines[0]


def test_a_lone_number_is_no_claim(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# My model\n\nIt reaches loss: 0.31 after a while.\n")
    res = _diagnose(path)
    assert res.returncode == 2 and "one line of metrics" not in res.stderr


KERAS_EVAL = r"""
model_lines = ['Model: "sequential"', "Layer (type)    Output Shape    Param #", "dense (Dense)   (None, 128)   100480",
               "Total params: 101,770", "Trainable params: 101,770"]
print("\n".join(model_lines))
print("Found 10000 images belonging to 10 classes.")
loss, acc = 0.2513, 0.9121
print("Test loss:", loss)
print("Test accuracy:", acc)
"""


def test_a_final_evaluation_over_a_few_lines_loads_as_one_point(tmp_path):
    """``print("Test loss:", loss); print("Test accuracy:", acc)`` after ``model.summary()``."""
    from traindoc.readers import load

    path = _log(tmp_path, KERAS_EVAL)
    (run,) = load(path).runs
    assert run.series["test_loss"].values.tolist() == [0.2513]
    assert run.series["test_accuracy"].values.tolist() == [0.9121]
    assert any("2 lines of final metrics" in n for n in run.meta.notes)


def test_a_quantity_logged_twice_is_a_series_not_a_final_evaluation(tmp_path):
    from traindoc.readers._lone import lone_line_run

    path = tmp_path / "train.log"
    path.write_text("Loading data\nBuilding model\nloss: 0.9 acc: 0.5\nsome output\nloss: 0.7 acc: 0.6\n"
                    "Saving model\n" * 1)
    assert lone_line_run(path) is None
