"""Many runs at a glance (summary table, --brief), a run against its baseline, and the JSON contract.

Runs are the bundled demo runs (written by Lightning's CSVLogger) and copies of them in a folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from traindoc.cli.demo import demo_dir

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "diagnose.schema.json"


def traindoc(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "traindoc", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env=env)


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """Twelve runs: four copies of each demo run, so the same findings repeat across runs."""
    root = tmp_path_factory.mktemp("many")
    for i in range(4):
        for case in ("healthy", "lr-too-high", "overfitting"):
            shutil.copytree(demo_dir() / case, root / f"{case}-{i}")
    return root


def test_summary_table_comes_first_worst_first(many):
    res = traindoc("diagnose", str(many), "--fail-on", "never")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split()[:2] == ["run", "verdict"]
    rows = lines[1:13]
    verdicts = [("broken" in r, "healthy" in r) for r in rows]
    # every broken row comes before every healthy row
    first_healthy = next(i for i, (_, h) in enumerate(verdicts) if h)
    assert not any(b for b, _ in verdicts[first_healthy:])
    assert any("lr-too-high" in r and "broken" in r for r in rows)
    assert "12 runs:" in res.stdout
    # healthy runs get no details; each cause is printed once however many runs share it
    details = res.stdout.split("Details of the runs that need a look:")[1]
    assert "healthy-0" not in details
    causes = [ln.strip() for ln in details.splitlines() if ln.strip().startswith("1. ")]
    assert len(causes) == len(set(causes)), "a cause or fix was printed twice"
    assert "as for" in details


def test_brief_is_the_table_alone(many):
    res = traindoc("diagnose", str(many), "--brief", "--fail-on", "never")
    assert res.returncode == 0
    assert "Details" not in res.stdout and "likely causes" not in res.stdout
    assert len(res.stdout.splitlines()) == 1 + 12 + 2


def test_compare_says_what_changed():
    bad, good = demo_dir() / "lr-too-high", demo_dir() / "healthy"
    res = traindoc("compare", str(bad), str(good), "--json")
    assert res.returncode == 0, res.stderr
    c = json.loads(res.stdout)["comparisons"][0]
    assert c["baseline_verdict"] == "healthy" and c["verdict"] == "broken"
    assert c["findings_added"] and not c["findings_removed"]
    losses = [s for s in c["series"] if s["direction"] == "↓"]
    assert losses and all(s["better"] is False for s in losses if s["better"] is not None)
    text = traindoc("diagnose", str(good), "--baseline", str(bad), "--fail-on", "never").stdout
    assert "vs baseline" in text and "gone since the baseline:" in text and "better" in text


def test_json_matches_its_schema(many):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    res = traindoc("diagnose", str(many), "--json", "--fail-on", "never",
                   "--baseline", str(demo_dir() / "healthy"))
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, schema)
    verdicts = {r["name"].split("/")[0].rsplit("-", 1)[0]: r["verdict"] for r in doc["runs"]}
    assert verdicts["healthy"] == "healthy" and verdicts["lr-too-high"] == "broken"
    # the schema can fail: a run without its verdict is rejected
    broken = json.loads(res.stdout)
    del broken["runs"][0]["verdict"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_findings_catalogue_is_current_and_complete():
    """docs/findings.md is generated from the rules' pages; a changed page without a rerun fails here."""
    root = SCHEMA.parents[1]
    res = subprocess.run([sys.executable, str(root / "scripts" / "make_findings_doc.py"), "--check"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    from traindoc.rules import RULES

    text = (root / "docs" / "findings.md").read_text()
    assert all(f"\n## {rid}\n" in text for rid in RULES)
    assert "](docs/findings.md)" in (root / "README.md").read_text()
