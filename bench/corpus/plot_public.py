"""Dev helper: plot a public log's numeric columns (independently of traindoc's readers) to a PNG
so a person can label it by eye. CSV/whitespace tables and HF trainer_state.json are handled."""
import json
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def frames(path: Path) -> pd.DataFrame:
    if path.name == "trainer_state.json":
        return pd.DataFrame(json.loads(path.read_text())["log_history"])
    if path.suffix == ".json":  # detectron2 metrics.json: one JSON object per line
        return pd.DataFrame([json.loads(l) for l in path.read_text().splitlines() if l.strip()])
    return pd.read_csv(path, skipinitialspace=True)


for arg in sys.argv[2:]:
    p = Path(arg)
    df = frames(p)
    df.columns = [str(c).strip() for c in df.columns]
    x = "step" if "step" in df else ("iteration" if "iteration" in df else None)
    cols = [c for c in df.columns if c not in ("step", "epoch", "iteration") and pd.api.types.is_numeric_dtype(df[c])
            and df[c].notna().sum() > 0 and "runtime" not in c and "per_second" not in c]
    fig, axes = plt.subplots(1, len(cols), figsize=(3.2 * len(cols), 2.6))
    axes = [axes] if len(cols) == 1 else axes
    for ax, c in zip(axes, cols):
        d = df[[c] + ([x] if x else [])].dropna()
        ax.plot(d[x] if x else d.index, d[c], ".-", ms=3)
        ax.set_title(c, fontsize=8)
    fig.suptitle(str(p.parent.name), fontsize=9)
    fig.tight_layout()
    fig.savefig(Path(sys.argv[1]) / f"{p.parent.name}.png", dpi=55)
    plt.close(fig)
