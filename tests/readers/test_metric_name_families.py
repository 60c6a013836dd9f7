"""Every variant of each layout family of ``_metric_name_families`` (metrics named with ``@K``, ``top-1``,
``(%)`` or an IoU range; rule-underlined epoch headers; batch counters starting over under epoch headers;
markdown tables; consoles saved under a ``.py`` name) reads to exactly the curves it prints, under their
roles; the near misses are refused with the one-line error."""

from __future__ import annotations

import pytest

from ._console_families import misread_variants
from ._metric_name_families import FAMILIES, metric_at_k, near_misses
from traindoc.errors import InputError
from traindoc.readers import load
from traindoc.run import Role, infer_role

from .test_bad_input import _one_error_line, _show

SEEDS = range(30)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    assert not (failed := misread_variants(FAMILIES[family], SEEDS, tmp_path)), failed


def test_the_family_draws_every_metric_name_it_lists(tmp_path):
    """The seeds cover names with "@K", an IoU range, "top-1" and "(%)" (a family that drew one name only
    would test one name)."""
    names = {line.split("|")[-1].split(":")[0].split("=")[0].strip()
             for seed in SEEDS for line in metric_at_k(seed).text.splitlines() if "Epoch" in line and "|" in line}
    assert len(names) >= 6, names


def _written(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))  # CRLF kept as generated
    return path


@pytest.mark.parametrize("name,role,kind", [
    ("recall@20", Role.VAL_METRIC, "recall"), ("NDCG@10", Role.VAL_METRIC, "ndcg"), ("ndcg10", Role.VAL_METRIC, "ndcg"),
    ("HR@10", Role.VAL_METRIC, "hit_rate"), ("MRR", Role.VAL_METRIC, "mrr"), ("mAP@0.5:0.95", Role.VAL_METRIC, "map"),
    ("train_recall@20", Role.TRAIN_METRIC, "recall"), ("top-1", Role.TRAIN_METRIC, "accuracy"),
    ("val top-5", Role.VAL_METRIC, "accuracy"), ("acc(%)", Role.TRAIN_METRIC, "accuracy"),
])
def test_metric_names_with_punctuation_are_task_metrics_higher_is_better(name, role, kind):
    info = infer_role(name)
    assert (info.role, info.metric, info.higher_is_better) == (role, kind, True)


@pytest.mark.parametrize("name", ["hits", "time_hr", "p10", "conv1", "count", "n"])
def test_near_names_stay_unjudged(name):
    """A count of hits, an hour, a percentile, a layer: no K-metric without the word before its K."""
    assert infer_role(name).role is Role.OTHER


@pytest.mark.parametrize("seed", range(6))
def test_near_misses_are_refused_with_one_line(tmp_path, seed):
    for name, text in near_misses(seed):
        path = _written(tmp_path / f"{seed}", name, text)
        with pytest.raises(InputError, match="expected"):
            load(path)
    assert "expected" in _one_error_line(_show(path), path)


def test_a_value_with_its_hit_count_is_no_progress_counter(tmp_path):
    """'Recall@5 : 0.2095  (318 / 1,518)' after the epochs: the count is the value's own, not an x."""
    lines = [f"Epoch {e} | train_loss={1 / e:.4f}" for e in range(1, 9)]
    lines += ["Test:", "  Recall@5          : 0.2095  (318 / 1,518)", "  Recall@10         : 0.2602  (395 / 1,518)"]
    run = load(_written(tmp_path, "training_logs.txt", "\n".join(lines) + "\n")).runs[0]
    assert run.series["train_loss"].steps.tolist() == [float(e) for e in range(1, 9)]


def test_a_handful_of_cut_offs_is_no_class_breakdown(tmp_path):
    """acc1/acc5, R@1/R@5/R@10: a few cut-offs of one metric stay judged; five classes or more are set aside."""
    head = "epoch,loss,recall@1,recall@5,recall@10," + ",".join(f"class_{i}_f1" for i in range(5))
    rows = [f"{e},{1 / e:.3f},{0.1 * e / 10:.3f},{0.2 * e / 10:.3f},{0.3 * e / 10:.3f}," +
            ",".join(f"{0.5 + i / 100:.2f}" for i in range(5)) for e in range(1, 11)]
    run = load(_written(tmp_path, "metrics.csv", "\n".join([head] + rows) + "\n")).runs[0]
    assert {n for n, s in run.series.items() if s.role is Role.VAL_METRIC} == {"recall@1", "recall@5", "recall@10"}
    assert {n for n, s in run.series.items() if s.role is Role.OTHER} >= {f"class_{i}_f1" for i in range(5)}
    assert any("5 per-class metrics (class_N_f1)" in note for note in run.meta.notes)


def test_per_class_metrics_alone_stay_judged(tmp_path):
    """With no loss and no other metric, the per-class curves are all the run has: none is set aside."""
    head = "epoch," + ",".join(f"acc_class{i}" for i in range(6))
    rows = [f"{e}," + ",".join(f"{0.5 + e / 40 + i / 100:.3f}" for i in range(6)) for e in range(1, 11)]
    run = load(_written(tmp_path, "metrics.csv", "\n".join([head] + rows) + "\n")).runs[0]
    assert all(s.role is Role.TRAIN_METRIC for s in run.series.values())


def test_a_script_is_refused_without_a_warning_from_its_parse(tmp_path):
    """A real script given by mistake ('\\d' in a regex string: a SyntaxWarning from Python 3.12) is refused
    with the one-line error; parsing it to tell it from a console prints nothing of its own."""
    import warnings

    path = _written(tmp_path, "train.py", 'import re\nPAT = re.compile("epoch (\\d+)")\n'
                    + "".join(f"print('Epoch {e}: loss {1 / e:.4f}')\n" for e in range(1, 12)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputError):
            load(path)
    assert not [w for w in caught if "escape" in str(w.message)], [str(w.message) for w in caught]
