"""Round 10 of the new-user runs in one command (RUNS10.md):

    PYTHONPATH=$PWD/src python bench/newuser/run10.py --out DIR

trains every run of TRUTH10.csv (torch_runs10, lightning_runs10, keras_runs10, hf_runs10) with
traindoc live, runs `traindoc diagnose --json` on every file each run wrote, and writes DIR/table10.md
(the run x source table and the score against the frozen truth) and DIR/table10.json (every warning
and error with causes and fixes). --plain: the truth pass instead (NO_TRAINDOC=1, no traindoc at all;
no table). --score-only: re-score an existing DIR. --jobs 2 trains two scripts at a time.
Seeded: the same code gives the same table."""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from table9 import cell, readings, score  # noqa: E402

SCRIPTS = ("torch_runs10.py", "lightning_runs10.py", "keras_runs10.py", "hf_runs10.py")


def train_all(out: str, plain: bool, jobs: int) -> None:
    env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if plain:
        env["NO_TRAINDOC"] = "1"
    else:
        env.pop("NO_TRAINDOC", None)
    os.makedirs(out, exist_ok=True)

    def one(script):
        with open(os.path.join(out, script.replace(".py", ".log")), "w") as log:
            rc = subprocess.run([sys.executable, os.path.join(HERE, script), out], env=env, stdout=log,
                                stderr=subprocess.STDOUT).returncode
        print(f"{script}: rc {rc}", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, SCRIPTS))


def table(out: str, src: str) -> str:
    truth = list(csv.DictReader(open(os.path.join(HERE, "TRUTH10.csv"))))
    rows, tally, detail = [], {}, {}
    for t in truth:
        name = t["run"]
        reads = readings(out, name, t["framework"], src)
        if not reads:
            reads["(none)"] = {"verdict": "no output", "loud": [], "quiet": []}
        for kind, r in reads.items():
            s = score(t, r) if kind != "(none)" else "miss"
            r["score"] = s
            tally.setdefault((t["expected verdict"], kind), []).append(s)
            rows.append(f"| `{name}` | {kind} | {t['expected verdict']} | {cell(r)} | {s} |")
            print(rows[-1], file=sys.stderr, flush=True)
        detail[name] = reads
    lines = ["| run | read from | truth | traindoc: verdict, lead warning/error, its cause 1 | score |",
             "|---|---|---|---|---|", *rows, "",
             "| truth | source | runs | right | right id, not first | miss | false alarm / over-call |",
             "|---|---|---|---|---|---|---|"]
    for (exp, kind), ss in sorted(tally.items()):
        lines.append(f"| {exp} | {kind} | {len(ss)} | {ss.count('right')} | {ss.count('right id, not first')} | "
                     f"{ss.count('miss')} | {ss.count('false alarm') + ss.count('over-call')} |")
    json.dump(detail, open(os.path.join(out, "table10.json"), "w"), indent=1)
    return "\n".join(lines) + "\n"


def main(table_of=None, table_name: str = "table10.md") -> None:
    """Train the round's runs (``SCRIPTS``) into --out and write its table; a later round passes its own
    ``table_of(out, src)`` and file name, so every round shares this command line."""
    table_of = table_of or table
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--score-only", action="store_true")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--src", default=os.path.normpath(os.path.join(HERE, "..", "..", "src")))
    a = ap.parse_args()
    if not a.score_only:
        train_all(a.out, a.plain, a.jobs)
    if a.plain:
        return
    md = table_of(a.out, a.src)
    open(os.path.join(a.out, table_name), "w").write(md)
    print(md)


if __name__ == "__main__":
    main()
