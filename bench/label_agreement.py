"""How often two careful labellers agree on a real training log, and how traindoc scores against each.

Why: issue 14's targets (recall 0.85, false alarms 3%) only mean something if the labels are
themselves that reliable. A second labeller who had not read the rules, nor the first labels,
relabelled an anonymised sample of realdev logs (`bench/corpus/realdev/agreement/`: 56 dev logs of
rounds 1-37; `agreement2/`: 40 logs of rounds 60-71, drawn before any fixer studied them); this script
scores each labeller against the other with the corpus rule, and traindoc against both.

    PYTHONPATH=src python bench/label_agreement.py [--sample agreement2] [--no-tool]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy as acc  # noqa: E402  (bench module beside this one)

REALDEV = Path(__file__).resolve().parent / "corpus" / "realdev"


def _kind(label: str) -> str:
    ids = [i for i in label.split(";") if i.strip()]
    if ids in (["healthy"], ["ambiguous"], ["too-short"]):
        return ids[0]
    return "problem"


def _case(case_id: str, path: Path, label: str, accept: str) -> acc.Case:
    if _kind(label) == "ambiguous":  # a second labeller's "ambiguous" scores nothing, whatever it accepts
        return acc.make_case(case_id, path, label, "ambiguous", source="agreement")
    return acc.make_case(case_id, path, label, accept, source="agreement")


def _as_findings(label: str) -> list[tuple[str, str]]:
    """A labeller's problem ids, read as warnings, so the corpus rule can score one person against another."""
    return [] if _kind(label) != "problem" else [(i, "warning") for i in label.split(";") if i]


def _frozen(sample: Path) -> bool:
    want = (sample / "second_labels.sha256").read_text().split()[0]
    return hashlib.sha256((sample / "second_labels.csv").read_bytes()).hexdigest() == want


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-tool", action="store_true", help="only compare the two labellers")
    ap.add_argument("--sample", default="agreement", choices=("agreement", "agreement2"),
                    help="which relabelled sample under bench/corpus/realdev (default: agreement)")
    args = ap.parse_args()
    sample = REALDEV / args.sample
    if not _frozen(sample):
        print(f"{sample / 'second_labels.csv'}: does not match second_labels.sha256", file=sys.stderr)
        return 2
    key = {r["anon"]: r["case_id"] for r in csv.DictReader((sample / "anon_key.csv").open())}
    first = {r["case_id"]: r for r in csv.DictReader((REALDEV / "INDEX.csv").open(encoding="utf-8"))}
    second = {r["case"].strip(): r for r in csv.DictReader((sample / "second_labels.csv").open())}
    kinds: Counter = Counter()
    named = {"first by second": [0, 0], "second by first": [0, 0]}
    pairs = []
    for anon, cid in sorted(key.items()):
        f, s = first[cid], second[anon]
        path = REALDEV / f["file"]
        c1 = _case(cid, path, f["label"], f["accept"])
        c2 = _case(cid, path, s["label"], s["accept"])
        kinds[(c1.kind, c2.kind)] += 1
        for name, want, other in (("first by second", c1, s["label"]), ("second by first", c2, f["label"])):
            if want.kind == "problem" and _kind(other) != "ambiguous":
                named[name][0] += acc.case_passes(want, _as_findings(other))
                named[name][1] += 1
        pairs.append((c1, c2))
    print(f"{len(key)} logs, labelled twice (first labeller, second labeller): "
          + ", ".join(f"{a}/{b} {n}" for (a, b), n in sorted(kinds.items())))
    for name, (ok, n) in named.items():
        print(f"problems of the {name.split()[0]} labeller that the {name.split()[-1]} one names: {ok}/{n}")
    if args.no_tool:
        return 0
    results = acc.diagnose_cases([c1 for c1, _ in pairs], timeout=120)
    tally = {"first": [0, 0, 0, 0], "second": [0, 0, 0, 0]}
    for c1, c2 in pairs:
        found, err = results[c1.case_id]
        if err:
            print(f"{c1.case_id}: {err}")
        for who, c in (("first", c1), ("second", c2)):
            if c.kind == "ambiguous":
                continue
            i = 0 if c.kind == "problem" else 2
            tally[who][i] += acc.case_passes(c, found)
            tally[who][i + 1] += 1
    for who, (pn, p, hc, h) in tally.items():
        print(f"traindoc against the {who} labeller: problems named {pn}/{p}, healthy left clean {hc}/{h}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
