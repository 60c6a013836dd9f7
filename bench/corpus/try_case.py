"""Development helper: run named cases into bench/out/try and plot them (not part of the corpus)."""
import sys, importlib
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import torch
torch.set_num_threads(1)
from gen.registry import CASES
for mod in ("gen.cases_fail", "gen.cases_healthy", "gen.cases_keras", "gen.cases_hf"):
    try:
        importlib.import_module(mod)
    except ModuleNotFoundError as e:
        if e.name != mod: raise
out = Path(__file__).parents[1] / "out" / "try"
from gen import writers
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
CAPT = []
for fn in ("lightning_csv", "tensorboard", "csv_epochs", "csv_steps", "text_log"):
    orig = getattr(writers, fn)
    def wrap(log, *a, _o=orig, **k):
        CAPT.append(log); return _o(log, *a, **k)
    setattr(writers, fn, wrap)
def plot(name, log):
    keys = sorted({k for r in log.rows for k in r if k not in ("kind","step","epoch")})
    fig, axes = plt.subplots(1, len(keys), figsize=(4*len(keys), 3))
    axes = [axes] if len(keys) == 1 else axes
    for ax, k in zip(axes, keys):
        pts = [(r["step"], r[k]) for r in log.rows if k in r]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], ".-" if len(pts) < 60 else "-", ms=3)
        ax.set_title(k)
        if k in ("loss","val_loss","lr") and all(p[1] > 0 for p in pts if p[1]==p[1]): ax.set_yscale("log")
    fig.tight_layout(); fig.savefig(out / f"{name}.png", dpi=60); plt.close(fig)
import time
for name in sys.argv[1:]:
    c = CASES[name]
    t = time.time()
    p = c.func(out / name, c.seed)
    print(name, p, f"{time.time()-t:.1f}s")
    for i, lg in enumerate(CAPT): plot(name + (f"_{i}" if i else ""), lg)
    CAPT.clear()
