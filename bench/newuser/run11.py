"""Round 11 of the new-user runs in one command (RUNS11.md):

    PYTHONPATH=$PWD/src python bench/newuser/run11.py --out DIR [--jobs 2]

trains every run of TRUTH11.csv (torch_runs11, lightning_runs11, keras_runs11, hf_runs11) with traindoc
live, runs `traindoc diagnose --json` on every file each run wrote (table9.readings), and writes
DIR/table11.md (the run x source table, the per-source score against the frozen truth) and
DIR/table11.json (every warning and error with causes and fixes). --plain: the truth pass instead
(NO_TRAINDOC=1, no traindoc at all; no table). --score-only: re-score an existing DIR.
Seeded: the same code gives the same table. Training and scoring are run10's and table9's."""
from __future__ import annotations

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run10  # noqa: E402
from table9 import cell, readings, score  # noqa: E402

run10.SCRIPTS = ("torch_runs11.py", "lightning_runs11.py", "keras_runs11.py", "hf_runs11.py")
SOURCE_ORDER = ("live", "watch", "tb", "print", "csv", "state", "(none)")


def summary(truth: list, detail: dict) -> list:
    """Per source: broken runs right first / right not first / missed; healthy false alarms; worth-a-look."""
    lines = ["| source | broken runs | right id first | right id, not first | total right | miss | "
             "healthy runs | false alarms | worth-a-look runs | right | over-call | miss |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for src in SOURCE_ORDER:
        by = {"broken": [], "healthy": [], "worth a look": []}
        for t in truth:
            r = detail[t["run"]].get(src)
            if r is not None:
                by[t["expected verdict"]].append((t["run"], r["score"]))
        if not any(by.values()):
            continue
        b, h, w = by["broken"], by["healthy"], by["worth a look"]
        n = lambda xs, s: sum(1 for _, x in xs if x == s)  # noqa: E731
        fa = [r for r, s in h if s == "false alarm"]
        lines.append(f"| {src} | {len(b)} | {n(b, 'right')} | {n(b, 'right id, not first')} | "
                     f"**{n(b, 'right') + n(b, 'right id, not first')}/{len(b)}** | {n(b, 'miss')} | {len(h)} | "
                     f"**{len(fa)}**{' (' + ', '.join(f'`{r}`' for r in fa) + ')' if fa else ''} | {len(w)} | "
                     f"{n(w, 'right')} | {n(w, 'over-call')} | {n(w, 'miss')} |")
    return lines


def run_round(n: int) -> None:
    """The one command of round ``n`` (run{n}.py): its four scripts, TRUTH{n}.csv and table{n}.md/.json, trained and
    scored as round 11 is."""
    run10.SCRIPTS = tuple(f"{kind}_runs{n}.py" for kind in ("torch", "lightning", "keras", "hf"))
    run10.main(lambda out, src: round_table(out, src, f"TRUTH{n}.csv", f"table{n}.json"), f"table{n}.md")


def round_table(out: str, src: str, truth_csv: str, json_name: str) -> str:
    """The run x source table and the per-source score of one round (its frozen truth file under this folder);
    every warning and error with causes and fixes goes to OUT/json_name. Later rounds call it with their own."""
    truth = list(csv.DictReader(open(os.path.join(HERE, truth_csv))))
    rows, detail = [], {}
    for t in truth:
        name = t["run"]
        reads = readings(out, name, t["framework"], src)
        if not reads:
            reads["(none)"] = {"verdict": "no output", "loud": [], "quiet": []}
        for kind, r in reads.items():
            r["score"] = score(t, r) if kind != "(none)" else "miss"
            rows.append(f"| `{name}` | {kind} | {t['expected verdict']} | {cell(r)} | {r['score']} |")
            print(rows[-1], file=sys.stderr, flush=True)
        detail[name] = reads
    json.dump(detail, open(os.path.join(out, json_name), "w"), indent=1)
    lines = ["| run | read from | truth | traindoc: verdict, lead warning/error, its cause 1 | score |",
             "|---|---|---|---|---|", *rows, "", *summary(truth, detail)]
    return "\n".join(lines) + "\n"


def table(out: str, src: str) -> str:
    return round_table(out, src, "TRUTH11.csv", "table11.json")


def main() -> None:
    run10.main(table, "table11.md")


if __name__ == "__main__":
    main()
