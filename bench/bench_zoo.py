"""The full failure zoo as a benchmark: detection, named causes, clean twins, repairs, timings.

Run from the repository root:

    PYTHONPATH=src python bench/bench_zoo.py [--json OUT.json] [--no-repair] [NAME...]

It prints the same tables as ``traindoc zoo --repair`` plus per-case wall time (each case must
stay well under 20 s on 2 CPU cores) and, with --json, writes every number to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--json", dest="out", help="write the results here")
    parser.add_argument("--no-repair", action="store_true")
    args = parser.parse_args(argv)

    import torch

    from traindoc.zoo.cases import BY_NAME, CASES
    from traindoc.zoo.repairs import repair_case
    from traindoc.zoo.runner import run_case
    from traindoc.zoo.table import repair_table, zoo_table

    cases = [BY_NAME[n] for n in args.names] if args.names else list(CASES)
    t0 = time.perf_counter()
    reports = [run_case(c) for c in cases]
    t_zoo = time.perf_counter() - t0
    repairs = [] if args.no_repair else [repair_case(r.case, r.faulty) for r in reports]
    t_all = time.perf_counter() - t0
    print(zoo_table(reports))
    print()
    slowest = max(reports, key=lambda r: r.faulty.seconds)
    print("seconds per run (faulty / twin):")
    for r in reports:
        print(f"  {r.case.name:<32} {r.faulty.seconds:6.2f} / {r.fixed.seconds:6.2f}")
    print(f"slowest case: {slowest.case.name} {slowest.faulty.seconds:.2f} s; zoo {t_zoo:.1f} s, with repairs {t_all:.1f} s")
    if repairs:
        print()
        print(repair_table(repairs))
    if args.out:
        doc = {"machine": {"python": sys.version.split()[0], "torch": torch.__version__, "platform": platform.platform(),
                           "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads()},
               "seconds": {"zoo": t_zoo, "with_repairs": t_all},
               "totals": {"cases": len(reports), "detected": sum(bool(r.detected) for r in reports),
                          "cause_named": sum(r.cause_named for r in reports),
                          "twins_clean": sum(r.fixed.clean for r in reports),
                          "repairs_attempted": sum(r.attempted for r in repairs),
                          "repairs_succeeded": sum(r.success for r in repairs),
                          "repairs_succeeded_fixing_the_bug": sum(r.success and r.fixes_the_bug for r in repairs)},
               "cases": [r.to_json() for r in reports], "repairs": [r.to_json() for r in repairs]}
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, allow_nan=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
