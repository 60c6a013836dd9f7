"""Bug benchmark: buggy Keras 3 / PyTorch programs and their fixed twins, diagnosed passively and with ``check``.

    KERAS_BACKEND=torch PYTHONPATH=src python bench/bench_keras_bugs.py [--only NAME] [--json out.json]
    [--set heldout]   (the held-out programs written blind, keras_bugs/heldout_*.py, instead of the main set)
    [--set heldout2]  (the second blind held-out set, keras_bugs/heldout2_*.py)
    [--set heldout3]  (the third blind held-out set, keras_bugs/heldout3_*.py: measured blind, dev now)
    [--set heldout4]  (the fourth blind held-out set, keras_bugs/heldout4_*.py: measured blind, dev now)
    [--set heldout5]  (the fifth blind held-out set, keras_bugs/heldout5_*.py: measured blind, dev now)
    [--set heldout6]  (the sixth blind held-out set, keras_bugs/heldout6_*.py: measured blind, dev now)
    [--set heldout7]  (the seventh blind held-out set, keras_bugs/heldout7_*.py: measured blind, dev now)
    [--set devkinds]  (the bug-kinds dev set, keras_bugs/devkinds_*.py: kinds no other set covered; tunable)
    [--set heldout8]  (the eighth blind held-out set, keras_bugs/heldout8_*.py: measured blind, dev now)
    [--set devkinds2] (the second bug-kinds dev set, keras_bugs/devkinds2_*.py: kinds no other set covered; tunable)
    [--set heldout9]  (the ninth blind held-out set, keras_bugs/heldout9_*.py: measured blind, dev now)
    [--set heldout10] (the tenth blind held-out set, keras_bugs/heldout10_*.py: measured blind, dev now)
    [--set heldout11] (the eleventh blind held-out set, keras_bugs/heldout11_*.py: measured blind, dev now)
    [--set heldout12] (the twelfth blind held-out set, keras_bugs/heldout12_*.py: measured blind, dev now)
    [--set heldout13] (the thirteenth blind held-out set, keras_bugs/heldout13_*.py: measured blind, dev now)
    [--set heldout14] (the fourteenth blind held-out set, keras_bugs/heldout14_*.py: measured blind, dev now)
    [--set heldout15] (the fifteenth blind held-out set, keras_bugs/heldout15_*.py: measured blind, dev now)
    [--set devkinds3] (the common bug classes written through varied APIs, keras_bugs/devkinds3_*.py; tunable)
    [--set heldout16] (the sixteenth blind held-out set, keras_bugs/heldout16_*.py: the common bug classes, frozen)
    [--set heldout17] (the seventeenth blind held-out set, keras_bugs/heldout17_*.py: the common bug classes, frozen)
    [--set devkinds4] (the novel classes of held-out sets 10-15 in programs of their own, keras_bugs/devkinds4_*.py)
    [--set heldout18] (the eighteenth blind held-out set, keras_bugs/heldout18_*.py: the common bug classes, frozen)
    [--set heldout19] (the nineteenth blind held-out set, keras_bugs/heldout19_*.py: the common bug classes, frozen)
    [--set devkinds5] (classes sets 10-18 missed, each in programs of its own, keras_bugs/devkinds5_*.py; tunable)
    [--set heldout20] (the twentieth blind held-out set, keras_bugs/heldout20_*.py: the common bug classes, frozen)
    [--set devkinds6] (classes set 19 missed, each in programs of its own, keras_bugs/devkinds6_*.py; tunable)
    [--set devkinds7] (classes set 20 missed, each in programs of its own, keras_bugs/devkinds7_*.py; tunable)
    [--set heldout21] (the twenty-first blind held-out set, keras_bugs/heldout21_*.py: the common bug classes, frozen)
    [--set heldout22] (the twenty-second blind held-out set, keras_bugs/heldout22_*.py: the common bug classes, frozen)
    [--set heldout23] (the twenty-third blind held-out set, keras_bugs/heldout23_*.py: the common bug classes, frozen)
    [--set devkinds8] (classes sets 21-23 named by symptom only, in programs of their own, keras_bugs/devkinds8_*.py)
    [--set heldout24] (the twenty-fourth blind held-out set, keras_bugs/heldout24_*.py: the common bug classes, frozen)
    [--set heldout25] (the twenty-fifth blind held-out set, keras_bugs/heldout25_*.py: the common bug classes, frozen)
    [--set heldout26] (the twenty-sixth blind held-out set, keras_bugs/heldout26_*.py: the common bug classes, frozen)
    [--set devkinds9] (the live readings newuser9 got wrong, in programs of their own, keras_bugs/devkinds9_*.py)
    [--set heldout27] (the twenty-seventh blind held-out set, keras_bugs/heldout27_*.py: the common bug classes, frozen)
    [--set heldout28] (the twenty-eighth blind held-out set, keras_bugs/heldout28_*.py: the common bug classes, frozen)
    [--set heldout29] (the twenty-ninth blind held-out set, keras_bugs/heldout29_*.py: the common bug classes, frozen)
    [--set heldout30] (the thirtieth blind held-out set, keras_bugs/heldout30_*.py: the common bug classes, frozen)
    [--set heldout31] (the thirty-first blind held-out set, keras_bugs/heldout31_*.py: the common bug classes, frozen)
    [--set devkinds10] (uncovered classes of the published fault taxonomies, keras_bugs/devkinds10_*.py; COVERAGE.md)
    [--plain]         (train each program without traindoc and print its first/last loss: checks the twins)
    [--framework keras|torch]  (only that framework's programs)

Passive = the Keras callback (or ``traindoc.watch`` for PyTorch) during ``fit`` plus ``diagnose`` of its
logdir; "+check" adds ``traindoc.check`` on the untrained model. Scores per buggy program: a bug is
detected (any warning), the right symptom (an expected finding id), the right fix (a warning whose id is
expected and whose text names the change, per the case's regex), and whether the first finding is
that one. Fixed twins: a false alarm is any warning at all.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from keras_bugs.keras_cases import CASES  # noqa: E402
import keras_bugs.keras_cases_more  # noqa: E402,F401  (registers the later Keras cases)
import keras_bugs.torch_cases  # noqa: E402,F401  (registers the PyTorch cases)


def _text(f) -> str:
    return " ".join([f.title, *f.causes, *f.fixes])


def _merge(*groups):
    seen, out = set(), []
    for g in groups:
        for f in g:
            key = (f.id, f.title)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _ordered(findings):
    """In the order traindoc shows them: worst first, a structural or data cause ahead of its symptoms."""
    from traindoc.checks.structure import lead_with_causes

    return lead_with_causes(sorted(findings, key=lambda f: -int(f.severity)))


def run_keras_passive(prog: dict, logdir: str):
    from traindoc.probes.integrations.keras import TraindocCallback

    cb = TraindocCallback(logdir=logdir, quiet=True)
    fit = dict(prog["fit"])
    own = list(fit.pop("callbacks", []))  # a program's own callbacks (a scheduler) run ahead of traindoc's
    prog["model"].fit(prog["x"], prog["y"], callbacks=[*own, cb], **fit)
    offline = [f for run in traindoc.load(logdir).runs for f in traindoc.diagnose(run)]
    return _merge(cb.findings, offline)


def torch_loop(prog: dict, on_step=None) -> list[float]:
    """The PyTorch training loop every torch case runs; ``on_step(loss, xb, yb, out)`` sees each step.

    Loop switches a case may set (each defaults to a correct loop): ``zero_grad`` (True; False never
    zeroes; "after_backward" zeroes between ``backward`` and ``step``), ``shuffle`` (reshuffle each
    epoch), ``scheduler`` with ``sched_every`` ("epoch" or "batch": where ``scheduler.step()`` is called),
    ``step_first`` (False; True calls ``opt.step()`` before ``loss.backward()``).
    """
    model, opt, loss_fn = prog["model"], prog["optimizer"], prog["loss_fn"]
    x, y, bs = prog["x"], prog["y"], prog["batch_size"]
    zero, sched, every = prog.get("zero_grad", True), prog.get("scheduler"), prog.get("sched_every", "epoch")
    g = torch.Generator().manual_seed(0)
    losses: list[float] = []
    for _ in range(prog["epochs"]):
        perm = torch.randperm(len(x), generator=g) if prog.get("shuffle", True) else torch.arange(len(x))
        for i in range(0, len(x), bs):
            idx = perm[i:i + bs]
            xb, yb = x[idx], y[idx]
            if zero is True:
                opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            if prog.get("step_first"):
                opt.step()
            loss.backward()
            if zero == "after_backward":
                opt.zero_grad()
            if not prog.get("step_first"):
                opt.step()
            if sched is not None and every == "batch":
                sched.step()
            losses.append(float(loss.detach()))
            if on_step is not None:
                on_step(loss, xb, yb, out)
        if sched is not None and every == "epoch":
            sched.step()
    return losses


def run_torch_passive(prog: dict, logdir: str):
    model, opt, loss_fn = prog["model"], prog["optimizer"], prog["loss_fn"]
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=logdir, quiet=True) as doc:
        torch_loop(prog, lambda loss, xb, yb, out: doc.step(loss, inputs=xb, targets=yb, outputs=out))
    offline = [f for run in traindoc.load(logdir).runs for f in traindoc.diagnose(run)]
    return _merge(doc.findings, offline)


def run_plain(case, fixed: bool) -> str:
    """Train one program without traindoc; a one-line summary of its loss and metrics (first -> last)."""
    keras.utils.set_random_seed(0)
    prog = case.build(fixed)
    if case.framework == "torch":
        losses = torch_loop(prog)
        per = max(1, len(losses) // prog["epochs"])
        first, last = np.mean(losses[:per]), np.mean(losses[-per:])
        model, x, y = prog["model"], prog["x"], prog["y"]
        with torch.no_grad():
            out = model(x)
        extra = ""
        if y.dtype == torch.int64 and out.ndim == 2 and out.shape[1] > 1:
            extra = f" acc {(out.argmax(1) == y).float().mean():.3f}"
        return f"loss {first:.4g} -> {last:.4g}{extra}"
    hist = prog["model"].fit(prog["x"], prog["y"], **prog["fit"]).history
    return " ".join(f"{k} {v[0]:.4g} -> {v[-1]:.4g}" for k, v in hist.items() if k != "learning_rate")


def run_check(case, prog: dict):
    check = traindoc.check
    if case.framework == "torch":
        x, y, opt = prog["x"], prog["y"], prog["optimizer"]
        # The loader the program trains from: it reshuffles every epoch unless the program does not.
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32,
                                             shuffle=prog.get("shuffle", True),
                                             generator=torch.Generator().manual_seed(0))
        lr = opt.param_groups[0]["lr"]
        factory = lambda p: type(opt)(p, lr=lr)  # noqa: E731
        return check(prog["model"], next(iter(loader)), prog["loss_fn"], factory, loader=loader).findings
    model = prog["model"]
    x, y = prog["x"], prog["y"]
    if isinstance(x, keras.utils.PyDataset):  # batches served by index: check() sees the first and the loader
        return check(model, x[0], loader=[x[i] for i in range(len(x))]).findings
    if isinstance(x, Iterator):  # a generator of (x, y) batches: one epoch of them, handed back to fit() unchanged
        served = list(itertools.islice(x, prog["fit"].get("steps_per_epoch") or 32))
        prog["x"] = (b for b in itertools.chain(served, x))  # a generator again (fit() takes no other iterator):
        # training then sees exactly the batches it would have seen
        return check(model, served[0], loader=served).findings
    if isinstance(x, torch.utils.data.DataLoader):  # a torch loader handed to fit(): re-iterable, so one pass is
        with torch.random.fork_rng():  # read here; the RNG a shuffling loader draws from is left as fit() finds it
            served = [tuple(b) for b in x]
        return check(model, served[0], loader=served).findings
    rows = lambda t, a, b: [v[a:b] for v in t] if isinstance(t, (list, tuple)) else t[a:b]  # noqa: E731
    batch = (x[:32], rows(y, 0, 32))
    loader = [(x[i:i + 32], rows(y, i, i + 32)) for i in range(0, len(x), 32)]
    try:
        return check(model, batch, loader=loader).findings
    except ValueError:  # a check() that needs a torch-ordered loss_fn
        if isinstance(model.loss, (list, tuple, dict)):
            raise  # one loss per output: check() says what it needs (reported as the check error)
        loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
        fn = lambda out, t: loss(torch.as_tensor(t), out)  # noqa: E731
        tb = (torch.as_tensor(batch[0]), torch.as_tensor(batch[1]))
        tl = [(torch.as_tensor(a), torch.as_tensor(b)) for a, b in loader]
        return check(model, tb, fn, loader=tl).findings


def score(case, findings) -> dict:
    warn = [f for f in _ordered(findings) if f.severity >= Severity.WARNING]
    rx = re.compile(case.fix, re.I)
    fix_ids = case.extra.get("fix_ids", case.ids)  # a case may name the ids whose advice is the repair
    right = [f for f in warn if f.id in fix_ids and rx.search(_text(f))]
    return {"detected": bool(warn), "symptom": any(f.id in case.ids for f in findings), "fix": bool(right),
            "first": bool(warn) and warn[0] in right, "ids": [f"{f.id}:{f.severity.label}" for f in _ordered(findings)]}


def run_case(case, fixed: bool, with_check: bool) -> dict:
    keras.utils.set_random_seed(0)
    prog = case.build(fixed)
    out: dict = {}
    t0 = time.perf_counter()
    checked = []
    if with_check:
        try:
            checked = run_check(case, prog)
        except Exception as exc:  # a check that crashes is reported, not scored as a finding
            out["check_error"] = f"{type(exc).__name__}: {exc}"[:200]
    with tempfile.TemporaryDirectory() as logdir:
        try:
            passive = (run_torch_passive if case.framework == "torch" else run_keras_passive)(prog, logdir)
        except Exception as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"[:200]
            passive = []
    out["passive"] = score(case, passive)
    out["check"] = score(case, _merge(passive, checked))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def load_set(name: str) -> list:
    """The cases of one program set: "main", "heldout", "heldout2" to "heldout26", "devkinds" to "devkinds10"."""
    if name == "heldout":
        from keras_bugs.heldout_keras import HELDOUT
        import keras_bugs.heldout_torch  # noqa: F401  (registers the held-out PyTorch cases)

        return HELDOUT
    if name == "heldout2":
        from keras_bugs.heldout2_keras import HELDOUT2
        import keras_bugs.heldout2_torch  # noqa: F401  (registers the second held-out set's PyTorch cases)

        return HELDOUT2
    if name == "heldout3":
        from keras_bugs.heldout3_keras import HELDOUT3
        import keras_bugs.heldout3_torch  # noqa: F401  (registers the third held-out set's PyTorch cases)

        return HELDOUT3
    if name == "heldout4":
        from keras_bugs.heldout4_keras import HELDOUT4
        import keras_bugs.heldout4_torch  # noqa: F401  (registers the fourth held-out set's PyTorch cases)

        return HELDOUT4
    if name == "heldout5":
        from keras_bugs.heldout5_keras import HELDOUT5
        import keras_bugs.heldout5_torch  # noqa: F401  (registers the fifth held-out set's PyTorch cases)

        return HELDOUT5
    if name == "heldout6":
        from keras_bugs.heldout6_keras import HELDOUT6
        import keras_bugs.heldout6_torch  # noqa: F401  (registers the sixth held-out set's PyTorch cases)

        return HELDOUT6
    if name == "heldout7":
        from keras_bugs.heldout7_keras import HELDOUT7
        import keras_bugs.heldout7_torch  # noqa: F401  (registers the seventh held-out set's PyTorch cases)

        return HELDOUT7
    if name == "devkinds":
        from keras_bugs.devkinds_keras import DEVKINDS
        import keras_bugs.devkinds_torch  # noqa: F401  (registers the bug-kinds dev set's PyTorch cases)

        return DEVKINDS
    if name == "heldout8":
        from keras_bugs.heldout8_keras import HELDOUT8
        import keras_bugs.heldout8_torch  # noqa: F401  (registers the eighth held-out set's PyTorch cases)

        return HELDOUT8
    if name == "devkinds2":
        from keras_bugs.devkinds2_keras import DEVKINDS2
        import keras_bugs.devkinds2_torch  # noqa: F401  (registers the second bug-kinds dev set's PyTorch cases)

        return DEVKINDS2
    if name == "heldout9":
        from keras_bugs.heldout9_keras import HELDOUT9
        import keras_bugs.heldout9_torch  # noqa: F401  (registers the ninth held-out set's PyTorch cases)

        return HELDOUT9
    if name == "heldout10":
        from keras_bugs.heldout10_keras import HELDOUT10
        import keras_bugs.heldout10_torch  # noqa: F401  (registers the tenth held-out set's PyTorch cases)

        return HELDOUT10
    if name == "heldout11":
        from keras_bugs.heldout11_keras import HELDOUT11
        import keras_bugs.heldout11_torch  # noqa: F401  (registers the eleventh held-out set's PyTorch cases)

        return HELDOUT11
    if name == "heldout12":
        from keras_bugs.heldout12_keras import HELDOUT12
        import keras_bugs.heldout12_torch  # noqa: F401  (registers the twelfth held-out set's PyTorch cases)

        return HELDOUT12
    if name == "heldout13":
        from keras_bugs.heldout13_keras import HELDOUT13
        import keras_bugs.heldout13_torch  # noqa: F401  (registers the thirteenth held-out set's PyTorch cases)

        return HELDOUT13
    if name == "heldout14":
        from keras_bugs.heldout14_keras import HELDOUT14
        import keras_bugs.heldout14_torch  # noqa: F401  (registers the fourteenth held-out set's PyTorch cases)

        return HELDOUT14
    if name == "heldout15":
        from keras_bugs.heldout15_keras import HELDOUT15
        import keras_bugs.heldout15_torch  # noqa: F401  (registers the fifteenth held-out set's PyTorch cases)

        return HELDOUT15
    if name == "devkinds3":
        from keras_bugs.devkinds3_keras import DEVKINDS3
        import keras_bugs.devkinds3_torch  # noqa: F401  (registers the third bug-kinds dev set's PyTorch cases)

        return DEVKINDS3
    if name == "heldout16":
        from keras_bugs.heldout16_keras import HELDOUT16
        import keras_bugs.heldout16_torch  # noqa: F401  (registers the sixteenth held-out set's PyTorch cases)

        return HELDOUT16
    if name == "heldout17":
        from keras_bugs.heldout17_keras import HELDOUT17
        import keras_bugs.heldout17_torch  # noqa: F401  (registers the seventeenth held-out set's PyTorch cases)

        return HELDOUT17
    if name == "devkinds4":
        from keras_bugs.devkinds4_torch import DEVKINDS4

        return DEVKINDS4
    if name == "devkinds5":
        from keras_bugs.devkinds5_keras import DEVKINDS5
        import keras_bugs.devkinds5_torch  # noqa: F401  (registers the fifth bug-kinds dev set's PyTorch cases)

        return DEVKINDS5
    if name == "devkinds6":
        from keras_bugs.devkinds6_keras import DEVKINDS6
        import keras_bugs.devkinds6_torch  # noqa: F401  (registers the sixth bug-kinds dev set's PyTorch cases)

        return DEVKINDS6
    if name == "devkinds7":
        from keras_bugs.devkinds7_keras import DEVKINDS7
        import keras_bugs.devkinds7_torch  # noqa: F401  (registers the seventh bug-kinds dev set's PyTorch cases)

        return DEVKINDS7
    if name == "heldout18":
        from keras_bugs.heldout18_keras import HELDOUT18
        import keras_bugs.heldout18_torch  # noqa: F401  (registers the eighteenth held-out set's PyTorch cases)

        return HELDOUT18
    if name == "heldout19":
        from keras_bugs.heldout19_keras import HELDOUT19
        import keras_bugs.heldout19_torch  # noqa: F401  (registers the nineteenth held-out set's PyTorch cases)

        return HELDOUT19
    if name == "heldout20":
        from keras_bugs.heldout20_keras import HELDOUT20
        import keras_bugs.heldout20_torch  # noqa: F401  (registers the twentieth held-out set's PyTorch cases)

        return HELDOUT20
    if name == "heldout21":
        from keras_bugs.heldout21_keras import HELDOUT21
        import keras_bugs.heldout21_torch  # noqa: F401  (registers the twenty-first held-out set's PyTorch cases)

        return HELDOUT21
    if name == "heldout22":
        from keras_bugs.heldout22_keras import HELDOUT22
        import keras_bugs.heldout22_torch  # noqa: F401  (registers the twenty-second held-out set's PyTorch cases)

        return HELDOUT22
    if name == "heldout23":
        from keras_bugs.heldout23_keras import HELDOUT23
        import keras_bugs.heldout23_torch  # noqa: F401  (registers the twenty-third held-out set's PyTorch cases)

        return HELDOUT23
    if name == "devkinds8":
        from keras_bugs.devkinds8_keras import DEVKINDS8
        import keras_bugs.devkinds8_torch  # noqa: F401  (registers the eighth bug-kinds dev set's PyTorch cases)

        return DEVKINDS8
    if name == "heldout24":
        from keras_bugs.heldout24_keras import HELDOUT24
        import keras_bugs.heldout24_torch  # noqa: F401  (registers the twenty-fourth held-out set's PyTorch cases)

        return HELDOUT24
    if name == "heldout25":
        from keras_bugs.heldout25_keras import HELDOUT25
        import keras_bugs.heldout25_torch  # noqa: F401  (registers the twenty-fifth held-out set's PyTorch cases)

        return HELDOUT25
    if name == "heldout26":
        from keras_bugs.heldout26_keras import HELDOUT26
        import keras_bugs.heldout26_torch  # noqa: F401  (registers the twenty-sixth held-out set's PyTorch cases)

        return HELDOUT26
    if name == "devkinds9":
        from keras_bugs.devkinds9_torch import DEVKINDS9  # a torch-only set (the watcher's readings)

        return DEVKINDS9
    if name == "heldout27":
        from keras_bugs.heldout27_keras import HELDOUT27
        import keras_bugs.heldout27_torch  # noqa: F401  (registers the twenty-seventh held-out set's PyTorch cases)

        return HELDOUT27
    if name == "heldout28":
        from keras_bugs.heldout28_keras import HELDOUT28
        import keras_bugs.heldout28_torch  # noqa: F401  (registers the twenty-eighth held-out set's PyTorch cases)

        return HELDOUT28
    if name == "heldout29":
        from keras_bugs.heldout29_keras import HELDOUT29
        import keras_bugs.heldout29_torch  # noqa: F401  (registers the twenty-ninth held-out set's PyTorch cases)

        return HELDOUT29
    if name == "heldout30":
        from keras_bugs.heldout30_keras import HELDOUT30
        import keras_bugs.heldout30_torch  # noqa: F401  (registers the thirtieth held-out set's PyTorch cases)

        return HELDOUT30
    if name == "heldout31":
        from keras_bugs.heldout31_keras import HELDOUT31
        import keras_bugs.heldout31_torch  # noqa: F401  (registers the thirty-first held-out set's PyTorch cases)

        return HELDOUT31
    if name == "devkinds10":
        from keras_bugs.devkinds10_keras import DEVKINDS10
        import keras_bugs.devkinds10_torch  # noqa: F401  (registers the tenth bug-kinds dev set's PyTorch cases)

        return DEVKINDS10
    return CASES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None, help="substring of the case names to run")
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("-v", action="store_true", help="print the finding ids per program")
    ap.add_argument("--set", default="main", choices=("main", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6",
                                                 "heldout7", "devkinds", "heldout8", "devkinds2", "heldout9", "heldout10",
                                                 "heldout11", "heldout12", "heldout13", "heldout14", "heldout15", "devkinds3",
                                                 "heldout16", "heldout17", "devkinds4", "heldout18", "heldout19",
                                                 "devkinds5", "heldout20", "devkinds6", "devkinds7", "heldout21",
                                                 "heldout22", "heldout23", "devkinds8", "heldout24",
                                                 "heldout25", "heldout26", "devkinds9",
                                                 "heldout27",
                                                 "heldout28",
                                                 "heldout29",
                                                 "heldout30",
                                                 "heldout31", "devkinds10"),
                    help="which programs to run")
    ap.add_argument("--plain", action="store_true", help="train without traindoc (checks buggy vs fixed)")
    ap.add_argument("--framework", default=None, choices=("keras", "torch"), help="run only this framework's programs")
    args = ap.parse_args()
    pool = load_set(args.set)
    cases = [c for c in pool if (args.only is None or args.only in c.name)
             and (args.framework is None or c.framework == args.framework)]
    if args.plain:
        for c in cases:
            for fixed in (False, True):
                t0 = time.perf_counter()
                try:
                    line = run_plain(c, fixed)
                except Exception as exc:
                    line = f"ERROR {type(exc).__name__}: {exc}"[:200]
                print(f"{c.name:34} {'fixed' if fixed else 'buggy':5} {time.perf_counter() - t0:5.1f}s {line}",
                      flush=True)
        return
    rows = []
    for c in cases:
        for fixed in (False, True):
            r = run_case(c, fixed, not args.no_check)
            r.update(name=c.name, framework=c.framework, fixed=fixed)
            rows.append(r)
            mark = lambda s: "".join("x" if s[k] else "." for k in ("detected", "symptom", "fix", "first"))  # noqa
            print(f"{c.name:34} {'fixed' if fixed else 'buggy':5} passive {mark(r['passive'])} check {mark(r['check'])}"
                  f" {r['seconds']:5.1f}s {r.get('error', '') or r.get('check_error', '')}", flush=True)
            if args.v:
                print("      passive:", " ".join(r["passive"]["ids"]))
                print("      check:  ", " ".join(r["check"]["ids"]))
    print()
    print("| mode | programs | detects a bug | right symptom | right fix | fix first | false alarms on fixed |")
    print("|---|---|---|---|---|---|---|")
    for fw in ("keras", "torch", "all"):
        sel = [r for r in rows if fw == "all" or r["framework"] == fw]
        bug = [r for r in sel if not r["fixed"]]
        ok = [r for r in sel if r["fixed"]]
        if not bug:
            continue
        for mode in ("passive", "check"):
            if mode == "check" and args.no_check:
                continue
            n = len(bug)
            c = lambda k: sum(r[mode][k] for r in bug)  # noqa: E731
            fa = sum(r[mode]["detected"] for r in ok)
            print(f"| {fw} {mode} | {n} | {c('detected')}/{n} | {c('symptom')}/{n} | {c('fix')}/{n} ({c('fix') / n:.0%}) "
                  f"| {c('first')}/{n} | {fa}/{len(ok)} ({fa / max(1, len(ok)):.0%}) |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
