"""Print, split by label, the distributions of the readings that tie an accuracy to the loss of the
same split, so boundaries are chosen from every dev run with such a pair and not from the cases studied:

1. ``markov``: the Markov floor of a cross-entropy. A sample whose true class gets probability > 1/2
   is classified correctly and costs < ln 2, so accuracy >= 1 - CE / ln 2 on the same predictions.
   Per (loss, top-1 accuracy) pair of one split: the accuracy's shortfall below that floor, median
   over the second half of the evaluations (``stats.chance.markov_shortfall``);
2. ``uniform``: a model at chance over C classes has CE = ln C and top-m accuracy m / C, so
   accuracy ~ m * exp(-CE) whatever C is. Per pair: the accuracy over m * exp(-CE) at the end, with
   the loss level and how far the loss fell from its first value (many classes, short runs);
3. ``held-out``: per run with a validation loss of 10+ points and k >= 3 classes (named in the log, or
   matched from the first validation loss): the best third's median validation loss over ln(k), and
   each top-1 validation accuracy at its end over 1/k (``rules.chance_heldout.held_out_reading``).

Groups: healthy / labelled (stuck-at-chance, loss-metric-mismatch, misleading-accuracy, no-learning) /
other problem / ambiguous.

    PYTHONPATH=src python bench/metric_chance_distributions.py [--until REV]

Never reads the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from short_run_distributions import dev_runs  # noqa: E402

from traindoc.rules._common import cross_entropy_like  # noqa: E402
from traindoc.rules.chance_heldout import LOSS_BAND, held_out_reading  # noqa: E402
from traindoc.rules._loss_accuracy import loss_accuracy_pairs, markov_shortfall, summed_loss, uniform_ratio  # noqa: E402
from traindoc.rules.metrics import MARKOV_SHARE, MARKOV_SHORTFALL  # noqa: E402

KIND = {"stuck-at-chance", "loss-metric-mismatch", "misleading-accuracy", "no-learning"}


def group(case) -> str:
    if case.kind == "healthy":
        return "healthy"
    if case.kind == "ambiguous":
        return "ambiguous"
    return "labelled" if KIND & set(case.label) else "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--until", help="only realdev rows that existed at this git revision (with the shared corpus)")
    args = ap.parse_args()
    rows, held = [], []
    for c, run in dev_runs(args.until):
        if not cross_entropy_like(run):
            continue
        h = held_out_reading(run)
        if h is not None:
            held.append((group(c), c.case_id, h))
        for loss, acc, m in loss_accuracy_pairs(run):
            mk = markov_shortfall(loss, acc)
            un = uniform_ratio(loss, acc, m)
            rows.append((group(c), c.case_id, run.name, loss.name, acc.name, mk, un, summed_loss(run, loss.series)))
    print(f"{len(rows)} (loss, accuracy) pairs of one split on cross-entropy-like runs")
    for g in ("healthy", "labelled", "other", "ambiguous"):
        mks = sorted((r[5]["shortfall"], r[1], r[4]) for r in rows if r[0] == g and r[5] is not None)
        print(f"\n## markov shortfall, {g}: {len(mks)} pairs")
        if mks:
            v = np.array([x[0] for x in mks])
            print("  quantiles 50/90/99/max:", np.round(np.quantile(v, [0.5, 0.9, 0.99, 1.0]), 3))
            for s, cid, an in mks[-8:]:
                print(f"  {s:7.3f} {cid} {an}")
    # The floor is a plain cross-entropy's: pairs whose loss is a sum of terms or sits beside other
    # terms (rules._loss_accuracy.summed_loss) get none. Per group: floor hits (shortfall and share
    # at the rule's limits) of all pairs, and of the plain-CE pairs the rule reads.
    print(f"\n## markov floor hits (shortfall >= {MARKOV_SHORTFALL}, share >= {MARKOV_SHARE}): all pairs / plain CE")
    for g in ("healthy", "labelled", "other", "ambiguous"):
        def hit(r):
            return r[5] is not None and r[5]["shortfall"] >= MARKOV_SHORTFALL and r[5]["share_below"] >= MARKOV_SHARE
        allh = sorted({r[1] for r in rows if r[0] == g and hit(r)})
        plain = sorted({r[1] for r in rows if r[0] == g and hit(r) and r[7] is None})
        print(f"  {g}: {len(allh)} runs' files / {len(plain)}; dropped: {sorted(set(allh) - set(plain))}")
        n_sum = sum(1 for r in rows if r[0] == g and r[7] is not None)
        print(f"    {n_sum} of {sum(1 for r in rows if r[0] == g)} pairs have a summed loss")
        for label, keep in (("all", lambda r: True), ("plain CE", lambda r: r[7] is None)):
            v = np.array([r[5]["shortfall"] for r in rows if r[0] == g and r[5] is not None and keep(r)])
            if v.size:
                print(f"    shortfall quantiles 50/90/99/max, {label} ({v.size}):",
                      np.round(np.quantile(v, [0.5, 0.9, 0.99, 1.0]), 3))
        top = sorted((r[5]["shortfall"], r[1], r[3], r[7]) for r in rows if r[0] == g and r[5] is not None and r[7])
        for sf, cid, ln, why in top[-4:]:
            print(f"    summed: {sf:7.3f} {cid} {ln} (beside {why})")
    for g in ("healthy", "labelled", "other", "ambiguous"):
        uns = sorted((r[6]["ratio"], r[6]["loss_level"], r[6]["loss_fall"], r[1], r[4]) for r in rows
                     if r[0] == g and r[6] is not None)
        print(f"\n## uniform ratio (accuracy / m exp(-CE)), {g}: {len(uns)} pairs; loss level >= ln 20 shown")
        for ratio, lvl, fall, cid, an in uns:
            if lvl >= np.log(20):
                print(f"  ratio {ratio:7.2f} loss {lvl:6.3f} fall {fall:6.3f} {cid} {an}")
    for g in ("healthy", "labelled", "other", "ambiguous"):
        hs = sorted(((min(h["thirds"]), max(h["thirds"]), h["classes"], [round(a * h["classes"], 2) for _, a in h["accuracies"]],
                      cid) for gg, cid, h in held if gg == g), reverse=True)
        print(f"\n## held-out: best third of the validation loss / ln k, {g}: {len(hs)} runs "
              f"(band {LOSS_BAND}); accuracy x k at the end")
        for best, worst, k, accs, cid in hs[:12]:
            print(f"  best {best:5.3f} worst {worst:5.3f} k={k:<4} accuracy x k {accs} {cid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
