"""A watcher log keeps the words of each check it raised: ``diagnose`` of the log names the same fix.

The check's series records only its verdict (the severity); the log's finding record holds the title,
causes and fixes. A malformed finding record costs nothing: the generic text of the id is used."""

import json

import traindoc


def _log(tmp_path, finding):
    lines = [{"traindoc": "traindoc-watch", "version": 1, "kind": "run", "name": "r", "started": 0.0,
              "meta": {"task": "regression", "hparams": {}}},
             {"kind": "series", "name": "train_loss", "role": "train_loss"},
             {"kind": "series", "name": "check/label-problem/target-tiny-scale", "role": "layer_stat"},
             {"kind": "finding", "step": 1, "finding": finding}]
    lines += [{"kind": "points", "step": i, "t": float(i),
               "v": {"train_loss": 1.0 / i, "check/label-problem/target-tiny-scale": 2.0}} for i in range(1, 30)]
    lines.append({"kind": "end", "steps": 29, "status": "finished", "t": 30.0})
    path = tmp_path / "r.traindoc.jsonl"
    path.write_text("\n".join(json.dumps(rec) for rec in lines) + "\n")
    return [f for run in traindoc.load(str(path)).runs for f in traindoc.diagnose(run)
            if f.evidence.get("subject") == "target-tiny-scale"]


def test_rebuilt_check_keeps_the_live_words(tmp_path):
    said = {"id": "label-problem", "severity": "warning", "title": "targets tiny: std 0.00075 vs outputs ~0.28",
            "causes": ["targets 380x smaller than the output's scale"], "fixes": ["Standardise the target: (y - m) / s."],
            "evidence": {"subject": "target-tiny-scale", "cause": True, "explains": ["no-learning"]}}
    (f,) = _log(tmp_path, said)
    assert (f.title, f.causes, f.fixes) == (said["title"], said["causes"], said["fixes"])
    assert f.evidence["recorded_by"] == "watch" and f.evidence["cause"] is True
    assert f.evidence["explains"] == ["no-learning"]


def test_malformed_finding_record_falls_back_to_the_generic_text(tmp_path):
    (f,) = _log(tmp_path, {"id": "label-problem", "title": 3, "evidence": "x", "fixes": [1]})
    assert f.title and "recorded by the watcher" in f.title and "cause" not in f.evidence
