"""Round 13 of the new-user runs in one command (RUNS13.md):

    PYTHONPATH=$PWD/src python bench/newuser/run13.py --out DIR [--jobs 2]

trains every run of TRUTH13.csv (torch_runs13, lightning_runs13, keras_runs13, hf_runs13) with traindoc
live, runs `traindoc diagnose --json` on every file each run wrote (table9.readings), and writes
DIR/table13.md (the run x source table, the per-source score against the frozen truth) and
DIR/table13.json (every warning and error with causes and fixes). --plain: the truth pass instead
(NO_TRAINDOC=1, no traindoc at all; no table). --score-only: re-score an existing DIR.
Seeded: the same code gives the same table. Training is run10's, the table and score run11's."""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run11 import run_round  # noqa: E402

if __name__ == "__main__":
    run_round(13)
