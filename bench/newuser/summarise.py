"""One line per run of `traindoc diagnose PATH --json`: the exit code, the run verdict, and each
finding at warning or above with its 'is this normal?' verdict and lead cause (cut to 90 chars)."""
from __future__ import annotations

import json
import subprocess
import sys


def summarise(path: str, *extra: str) -> str:
    p = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", path, "--json", *extra],
                       capture_output=True, text=True)
    try:
        runs = json.loads(p.stdout)["runs"]
    except (ValueError, KeyError):
        return f"{path}: rc={p.returncode} (no JSON) {p.stderr.strip()[:200]}"
    lines = []
    for r in runs:
        fs = [f for f in r.get("findings", []) if f["severity"] in ("warning", "error")]
        lines.append(f"{path} [{r['format']}] rc={p.returncode} verdict={r.get('verdict')}")
        for f in fs:
            cause = (f.get("causes") or [""])[0][:90]
            lines.append(f"    {f['severity']} {f['id']} ({f.get('verdict')}): {f['title'][:110]} | {cause}")
    return "\n".join(lines)


if __name__ == "__main__":
    for a in sys.argv[1:]:
        print(summarise(a))
