"""A log whose only metric is one final evaluation line (conlleval after TensorFlow start-up
output) is refused in one line that says what it found and why that is not enough."""

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


def test_one_final_evaluation_line_is_refused_naming_it(tmp_path):
    path = _log(tmp_path, SCRIPT)
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
