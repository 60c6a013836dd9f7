"""Every rule of the internals family has its page, with the four sections users rely on."""

from traindoc.rules import RULES


def test_internals_rules_have_docs():
    internals = [s for s in RULES.values() if s.family == "internals"]
    assert len(internals) == 17
    for spec in internals:
        assert spec.doc_path.exists(), spec.id
        text = spec.doc()
        assert text.startswith(f"# {spec.id}\n")
        for section in ("## What it detects", "## Why it matters", "## What it looks like", "## What to do"):
            assert section in text, (spec.id, section)
