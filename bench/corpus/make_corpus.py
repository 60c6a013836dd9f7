"""Generate the labelled corpus of training runs: real CPU training into each failure, plus
healthy runs, logged with the real writers (Lightning CSVLogger, Keras CSVLogger, Hugging Face
TrainerState, torch SummaryWriter) and as plain CSV / text logs.

    KERAS_BACKEND=torch python bench/corpus/make_corpus.py            # everything (~1 min)
    python bench/corpus/make_corpus.py --only nan-relu-naive-softmax  # one case

Outputs go to bench/corpus/generated/<case>/; each case's label (from gen/*.py, written after
plotting every curve) is merged into bench/corpus/labels.json, leaving hand labels untouched.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MODULES = ("gen.cases_fail", "gen.cases_healthy", "gen.cases_keras", "gen.cases_hf")


def load_cases() -> dict:
    for mod in MODULES:
        importlib.import_module(mod)
    from gen.registry import CASES

    return CASES


def label_of(case, rel: str) -> dict:
    entry = {"healthy": case.healthy, "expected": case.expected, "allowed": case.allowed, "reason": case.reason,
             "origin": "generated"}
    if case.uncertain:
        entry["uncertain"] = True
    return entry


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="case names to (re)generate")
    ap.add_argument("--out", type=Path, default=HERE / "generated")
    ap.add_argument("--labels", type=Path, default=HERE / "labels.json")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    cases = load_cases()
    names = args.only or list(cases)
    unknown = [n for n in names if n not in cases]
    if unknown:
        ap.error(f"unknown cases: {', '.join(unknown)}")
    labels = json.loads(args.labels.read_text()) if args.labels.exists() else {}
    if not args.only:
        # A full run owns every generated label: drop stale ones, keep the hand labels.
        labels = {k: v for k, v in labels.items() if v.get("origin") != "generated"}
        if args.out.exists():
            shutil.rmtree(args.out)
    t_all = time.time()
    for name in names:
        case = cases[name]
        t = time.time()
        target = case.func(args.out / name, case.seed)
        rel = Path(target).resolve().relative_to(HERE).as_posix()
        labels = {k: v for k, v in labels.items() if not k.startswith(f"generated/{name}/")}
        labels[rel] = label_of(case, rel)
        print(f"{name:45s} {time.time() - t:6.1f}s  {rel}", flush=True)
    labels = dict(sorted(labels.items()))
    args.labels.write_text(json.dumps(labels, indent=1) + "\n")
    print(f"{len(names)} cases in {time.time() - t_all:.0f}s; labels -> {args.labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
