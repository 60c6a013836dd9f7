"""The line under a run's name never says "no warnings or errors" above a warning: a warning whose rule
judged it worth a look (a high first loss the run recovered from) leaves the run unbroken, and the line
says there is one."""

from __future__ import annotations

import io

from traindoc.findings import Severity
from traindoc.readers import read_file
from traindoc.reports.terminal import render
from traindoc.rules import diagnose_run


def _diagnosed(tmp_path, rows: list[str]):
    path = tmp_path / "train_log.csv"
    path.write_text("epoch,loss,val_loss\n" + "\n".join(rows) + "\n")
    (run,) = read_file(path)
    return run, diagnose_run(run)


def test_a_short_run_with_a_warning_worth_a_look_says_so(tmp_path):
    run, fs = _diagnosed(tmp_path, ["0,117.06,0.00905", "1,0.0426,0.00927", "2,0.0409,0.00949", "3,0.0400,0.00952",
                                    "4,0.0396,0.00967"])
    assert any(f.severity >= Severity.WARNING and f.verdict == "worth a look" for f in fs)
    text = io.StringIO()
    render([(run, fs)], stream=text)
    assert "no warnings or errors" not in text.getvalue()
    assert "1 warning(s) worth a look" in text.getvalue()


def test_a_short_run_with_nothing_loud_keeps_its_line(tmp_path):
    run, fs = _diagnosed(tmp_path, ["0,1.06,1.00905", "1,0.926,0.927", "2,0.909,0.949", "3,0.900,0.952"])
    assert not any(f.severity >= Severity.WARNING for f in fs)
    text = io.StringIO()
    render([(run, fs)], stream=text)
    assert "too short to judge: no warnings or errors" in text.getvalue()
