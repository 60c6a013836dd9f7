"""Round 9 table and score (RUNS9.md): each run of TRUTH9.csv read live (the callback's or watcher's
findings in OUT/RUN/live.txt) and with `traindoc diagnose --json` on every file it wrote, scored
against the frozen truth. Usage: table9.py OUT_DIR [SRC] (SRC: the traindoc source tree; default
this checkout's src). Writes OUT_DIR/table9.json (every warning and error, with causes and fixes)."""
from __future__ import annotations

import csv
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = {  # framework -> {source: glob under OUT/RUN}
    "torch": {"watch": "*.traindoc.jsonl", "tb": "tb", "print": "train.log"},
    "lightning": {"watch": "traindoc", "csv": "lightning_logs/version_0/metrics.csv"},
    "keras": {"watch": "traindoc", "csv": "log.csv"},
    "hf": {"watch": "traindoc", "state": "trainer_state.json"},
}
LOUD = ("warning", "error")


def diagnose(path: str, src: str) -> dict:
    p = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", path, "--json"], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=src))
    try:
        run = json.loads(p.stdout)["runs"][0]
    except (ValueError, KeyError, IndexError):
        return {"verdict": f"rc {p.returncode}: {p.stderr.strip()[:80]}", "loud": [], "quiet": []}
    fs = run.get("findings", [])
    return {"verdict": run.get("verdict"),
            "loud": [{k: f.get(k) for k in ("id", "severity", "title", "causes", "fixes")} for f in fs
                     if f["severity"] in LOUD],
            "quiet": [f["id"] for f in fs if f["severity"] not in LOUD]}


def live(path: str) -> dict:
    """live.txt: one line per finding, 'SEVERITY id: title | cause1: ...'."""
    loud, quiet = [], []
    for line in open(path):
        sev, rest = line.split(" ", 1)
        fid, rest = rest.split(": ", 1)
        title, _, cause = rest.partition(" | cause1: ")
        item = {"id": fid, "severity": sev.lower(), "title": title, "causes": [cause.strip()], "fixes": []}
        (loud if sev.lower() in LOUD else quiet).append(item if sev.lower() in LOUD else fid)
    verdict = "broken" if any(f["severity"] == "error" for f in loud) else (
        "warning" if loud else "no warning")
    return {"verdict": verdict, "loud": loud, "quiet": quiet}


def score(truth: dict, r: dict) -> str:
    """right / miss / false alarm / wrong lead / over-call, from the verdict and the finding ids."""
    exp = truth["expected verdict"]
    ok = set(filter(None, truth["accepted finding ids"].split("|")))
    loud = [f["id"] for f in r["loud"]]
    if exp == "healthy":
        return "false alarm" if loud else "right"
    if exp == "worth a look":
        if r["verdict"] == "broken" or any(f["severity"] == "error" for f in r["loud"]):
            return "over-call"
        return "right" if ok & set(loud + r["quiet"]) else "miss"
    if not ok & set(loud):
        return "miss"
    return "right" if loud[0] in ok else "right id, not first"


def cell(r: dict) -> str:
    if not r["loud"]:
        return f"{r['verdict']}" + (f" ({', '.join(dict.fromkeys(r['quiet']))})" if r["quiet"] else "")
    f = r["loud"][0]
    more = f" +{len(r['loud']) - 1}" if len(r["loud"]) > 1 else ""
    cause = ((f.get("causes") or [""])[0] or "")[:80].replace("|", "/")
    return f"{r['verdict']}: **{f['id']}**{more}; cause 1: {cause}"


def readings(out: str, name: str, framework: str, src: str) -> dict:
    """Every reading of one run: its live findings and `diagnose` on the last file of each kind it wrote."""
    reads = {}
    lp = os.path.join(out, name, "live.txt")
    if os.path.exists(lp):
        reads["live"] = live(lp)
    for kind, pattern in SOURCES[framework].items():
        paths = sorted(glob.glob(os.path.join(out, name, pattern)))
        if paths:
            reads[kind] = diagnose(paths[-1], src)
    return reads


def main(out: str, src: str) -> None:
    truth = list(csv.DictReader(open(os.path.join(HERE, "TRUTH9.csv"))))
    rows, tally, detail = [], {}, {}
    for t in truth:
        name = t["run"]
        reads = readings(out, name, t["framework"], src)
        for kind, r in reads.items():
            s = score(t, r)
            r["score"] = s
            tally.setdefault((t["expected verdict"], kind), []).append(s)
            rows.append(f"| `{name}` | {kind} | {t['expected verdict']} | {cell(r)} | {s} |")
        detail[name] = reads
        print(rows[-1], file=sys.stderr, flush=True)
    print("| run | read from | truth | traindoc: verdict, lead warning/error, its cause 1 | score |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("\n| truth | source | runs | right | right id, not first | miss | false alarm / over-call |")
    print("|---|---|---|---|---|---|---|")
    for (exp, kind), ss in sorted(tally.items()):
        print(f"| {exp} | {kind} | {len(ss)} | {ss.count('right')} | {ss.count('right id, not first')} | "
              f"{ss.count('miss')} | {ss.count('false alarm') + ss.count('over-call')} |")
    json.dump(detail, open(os.path.join(out, "table9.json"), "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "src"))
