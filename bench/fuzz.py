"""Seeded mutation fuzzer: every reader must answer any file with exit 0/1/2, never a crash or a hang.

Seeds are real writers' output (``tests/data/fuzz_seeds``, written by ``bench/fuzz_seeds.py``).
Each case copies one seed into a fresh folder, applies one mutation chosen by a seeded RNG (byte
flips, truncation, deep nesting, huge integers, inf/nan literals, rich markup in names, YAML alias
bombs, non-UTF-8 bytes, NUL prefixes, duplicated or descending steps, torn last lines, conflict
markers, the whole file on one line past 64 KiB, the file appended to itself, FIFOs, symlinks out
of the tree, SQLite damage) and runs ``traindoc diagnose --json`` and
the terminal report in-process. Each case runs in a forked child (no new interpreter) with a
memory limit and a wall-clock limit, so a hang or a blow-up is measured instead of stalling.

    python bench/fuzz.py --per-format 2000 --seed 0 [--jobs 2] [--format tensorboard] [--show 5]

Outcomes: ok (exit 0/1), refused (exit 2, one line), crash (uncaught exception), timeout,
memory (over the limit), wrote (files appeared or changed beside the input), followed (a symlink
out of the tree was read), markup (rich markup in a name was eaten from the terminal report).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "fuzz_seeds"
GOOD = ("ok", "refused")

# format name -> (seed folder under SEEDS, main file glob relative to it)
FORMATS: dict[str, tuple[str, str]] = {
    "tensorboard": ("tensorboard", "run/events.out.tfevents.*.0"),
    "tensorboard_hparams": ("tensorboard", "run/hp/events.out.tfevents.*"),
    "lightning_csv": ("lightning_csv", "lightning_logs/version_0/metrics.csv"),
    "lightning_hparams": ("lightning_csv", "lightning_logs/version_0/hparams.yaml"),
    "keras_csv": ("keras_csv", "training.log"),
    "keras_history": ("keras_history", "history.json"),
    "hf_trainer_state": ("hf_trainer_state", "run/trainer_state.json"),
    "mlflow_file": ("mlflow_file", "mlruns/*/*/metrics/train/loss"),
    "mlflow_meta": ("mlflow_file", "mlruns/*/*/meta.yaml"),
    "mlflow_sqlite": ("mlflow_sqlite", "mlflow.db"),
    "wandb": ("wandb", "offline-run-*/run-*.wandb"),
    "traindoc_watch": ("traindoc_watch", "*.traindoc.jsonl"),
    "ultralytics": ("ultralytics", "yolo_run/results.csv"),
    "ultralytics_args": ("ultralytics", "yolo_run/args.yaml"),
    "detectron2": ("detectron2", "d2_run/metrics.json"),
    "mmengine": ("mmengine", "mmengine_run/vis_data/scalars.json"),
    "generic_table": ("generic_table", "log.csv"),
    "text_log": ("text_log", "nanogpt_train.log"),
    "text_log_blocks": ("text_log", "epoch_blocks.txt"),
    "text_log_counters": ("text_log", "loss.txt"),
    "text_log_verbs": ("text_log", "lists.txt"),
    "text_log_lists": ("text_log", "curves.txt"),
    "hf_summary_only": ("hf_trainer_state", "summary_only/trainer_state.json"),
    "list_cells": ("list_cells", "history.csv"),
    "keras_history_records": ("keras_history_shapes", "records.json"),
    "value_list_npy": ("value_list", "loss.npy"),
    "sb3_monitor": ("sb3_monitor", "monitor.csv"),
    "value_list_indexed": ("value_list", "losses.csv"),
    "keras_history_index": ("keras_history_shapes", "index.json"),
    "keras_history_grouped": ("keras_history_shapes", "grouped.json"),
    "value_list_epoch_lines": ("printed", "epoch_lines/loss_log.txt"),
    "value_list_batch_epochs": ("printed", "batch_epochs/train_losses.csv"),
    "value_list_labelled": ("printed", "labelled/loss_log.txt"),
    "text_log_ragged_table": ("printed", "ragged/training_results.txt"),
    "text_log_colon_blocks": ("printed", "colon_blocks/loss_log.txt"),
    "final_one_line": ("printed", "one_line/train.log"),
    "headerless_columns": ("printed", "headerless/progress.csv"),
    "yolov5_relaunches": ("printed", "yolov5/results.txt"),
    "keras_history_list": ("printed", "histories/cv_histories.json"),
    "episode_report": ("printed", "episode_report/training_progress.txt"),
    "hf_state_summary": ("printed", "state_summary/trainer_state.json"),
    "table_row_kinds": ("printed", "row_kinds/training_log.csv"),
    "table_running_total": ("printed", "running_total/training_log.csv"),
    "keras_history_pyrepr": ("printed", "pyrepr/model_history.json"),
    "table_ragged": ("printed", "ragged/log.csv"),
    "console_bars_and_wandb": ("printed", "console_bars_and_wandb/train.log"),
    "console_metric_blocks": ("printed", "console_metric_blocks/train.log"),
    "console_split_lines": ("printed", "console_split_lines/train.log"),
    "console_padded_counter": ("printed", "console_padded_counter/train.log"),
    "console_wrapped_numbers": ("printed", "console_wrapped_numbers/train.log"),
    "json_counted_numbers": ("printed", "json_counted_numbers/losses.json"),
    "json_column_vector": ("printed", "json_column_vector/losses.json"),
    "json_counter_list": ("printed", "json_counter_list/losses.json"),
    "json_generations": ("printed", "json_generations/train_log.json"),
    "named_record_loss": ("printed", "named_record_loss/*"),
    "named_metric_pair": ("printed", "named_metric_pair/*"),
    "named_json_triples": ("printed", "named_json_triples/*"),
    "named_smoothed_pair": ("printed", "named_smoothed_pair/*"),
}
# Options a format's cases are diagnosed with (a header-less table is read under names the user gives).
EXTRA_ARGS: dict[str, list[str]] = {"headerless_columns": ["--columns", "epoch,loss,val_loss"]}

MARKUP = "[/x][lr=0.1]"
_NUM = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass
class Case:
    fmt: str
    index: int
    mutation: str
    outcome: str = ""
    detail: str = ""
    seconds: float = 0.0  # wall time
    cpu: float = 0.0  # CPU time (what the time limit counts; see WALL_FACTOR)


# ------------------------------------------------------------------------------------ mutations
def _numbers(data: bytes) -> list[re.Match]:
    return list(_NUM.finditer(data))


def _replace_number(data: bytes, rng: random.Random, new: bytes) -> bytes:
    found = _numbers(data)
    if not found:
        return data + new
    m = rng.choice(found)
    return data[:m.start()] + new + data[m.end():]


def m_byte_flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def m_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)] if data else data


def m_torn_last_line(data: bytes, rng: random.Random) -> bytes:
    body = data.rstrip(b"\n")
    cut = body.rfind(b"\n")
    last = body[cut + 1:]
    if len(last) < 2:
        return body[:-1]
    return body[:cut + 1 + rng.randrange(1, len(last))]


def m_deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((200, 1000, 5000, 100000))
    opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}"), (b"- ", b"")))
    blob = opener * depth + b"1" + closer * depth
    if rng.random() < 0.5:
        return blob
    at = data.find(b"\n") + 1 if b"\n" in data else len(data)
    return data[:at] + blob + b"\n" + data[at:]


def m_huge_int(data: bytes, rng: random.Random) -> bytes:
    return _replace_number(data, rng, b"9" * rng.choice((309, 400, 1000, 5000)))


def m_nonfinite(data: bytes, rng: random.Random) -> bytes:
    word = rng.choice((b"inf", b"-inf", b"nan", b"Infinity", b"-Infinity", b"NaN", b".inf", b"1e999", b"-1e999"))
    out = data
    for _ in range(rng.choice((1, 3, 10))):
        out = _replace_number(out, rng, word)
    return out


def m_markup_text(data: bytes, rng: random.Random) -> bytes:
    """Markup inside the file: keys, names, text cells."""
    word = rng.choice((b"[/x]", b"[lr=0.1]", b"[bold red]", b"[/]", b"[link=x]"))
    idx = [m.start() for m in re.finditer(rb"[A-Za-z_]{3,}", data)]
    at = rng.choice(idx) if idx else 0
    return data[:at] + word + data[at:]


def m_non_utf8(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice((b"\xff\xfe", b"\xc3", b"\x80\x80\x80", b"\xed\xa0\x80")) + data[at:]


def m_nul_prefix(data: bytes, rng: random.Random) -> bytes:
    return b"\x00" * rng.choice((1, 512, 4096, 20000)) + data


def m_descending_steps(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    head, body = lines[:1], [ln for ln in lines[1:] if ln.strip()]
    if rng.random() < 0.5:
        body = body[::-1]
        if rng.random() < 0.5:
            body = body * 50  # many rows, all going down: must not become one run per row
    else:
        body = [ln for ln in body for _ in range(rng.choice((2, 3)))]
    return b"\n".join(head + body) + b"\n"


def m_conflict(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(1, max(2, len(lines)))
    block = [b"<<<<<<< HEAD"] + lines[at:at + 2] + [b"======="] + lines[at:at + 2] + [b">>>>>>> branch"]
    return b"\n".join(lines[:at] + block + lines[at + 2:])


def m_splice(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randrange(1, 256))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] * rng.choice((1, 2, 50)) + data[at:]


def m_one_line(data: bytes, rng: random.Random) -> bytes:
    """The file on one line (a minified document, a log written without line breaks), grown past 64 KiB."""
    flat = data.replace(b"\r", b" ").replace(b"\n", rng.choice((b" ", b"", b"\t")))
    return flat * max(1, (70_000 // max(len(flat), 1)) + 1) if rng.random() < 0.7 else flat


def m_appended(data: bytes, rng: random.Random) -> bytes:
    """A second run appended to the same file (``>>``, mode "a"): the file twice, the header kept or not."""
    second = data
    if rng.random() < 0.5 and b"\n" in data:
        second = data.split(b"\n", 1)[1]  # a writer that skips the header when the file exists
    return data + (b"" if data.endswith(b"\n") else b"\n") + second


YAML_BOMB = (b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
             b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
             b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
             b"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
             b"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\nnum_classes: 10\n")
YAML_SELF = b"num_classes: &n [1, *n]\nlr: &l {a: *l}\n"


def m_yaml(data: bytes, rng: random.Random) -> bytes:
    return rng.choice((YAML_BOMB, YAML_SELF, b"nc: .inf\nnum_classes: .inf\n", b"num_classes: " + b"9" * 400 + b"\n",
                       b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", b"num_classes: !!python/object/apply:os.system [ls]\n"))


BYTE_MUTATIONS = {
    "byte_flip": m_byte_flip, "truncate": m_truncate, "torn_last_line": m_torn_last_line,
    "deep_nesting": m_deep_nesting, "huge_int": m_huge_int, "nonfinite": m_nonfinite,
    "markup_text": m_markup_text, "non_utf8": m_non_utf8, "nul_prefix": m_nul_prefix,
    "descending_steps": m_descending_steps, "conflict_markers": m_conflict, "splice": m_splice,
    "one_line": m_one_line, "appended": m_appended,
}
TREE_MUTATIONS = ("markup_path", "fifo", "symlink_out", "yaml_side")
SQL_MUTATIONS = ("sql_text_cell", "sql_wal", "sql_generated", "sql_bad_schema", "sql_descending")


def _sql_mutate(db: Path, kind: str, rng: random.Random) -> None:
    con = sqlite3.connect(db)
    try:
        if kind == "sql_text_cell":
            con.execute("UPDATE metrics SET value = ? WHERE rowid IN (SELECT rowid FROM metrics ORDER BY random() LIMIT ?)",
                        (rng.choice(("abc", "", "[/x]", b"\xff\xfe")), rng.choice((1, 3))))
        elif kind == "sql_wal":
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("UPDATE metrics SET value = value + 0")
        elif kind == "sql_generated":
            con.execute("ALTER TABLE metrics ADD COLUMN g REAL GENERATED ALWAYS AS (value * 2) VIRTUAL")
        elif kind == "sql_bad_schema":
            con.execute("PRAGMA writable_schema=ON")
            con.execute("UPDATE sqlite_master SET sql = CAST(? AS TEXT) || sql WHERE name = 'metrics'",
                        (b"/*\xff\xfe*/",))
        elif kind == "sql_descending":
            con.execute("UPDATE metrics SET step = 100000 - step")
        con.commit()
    except sqlite3.Error:
        pass
    finally:
        con.close()


def build_case(fmt: str, index: int, seed: int, workdir: Path) -> tuple[str, Path, Path]:
    """Lay out one mutated case under ``workdir``; return (mutation, path to give traindoc, case root)."""
    rng = random.Random(f"{seed}:{fmt}:{index}")
    seed_dir, pattern = FORMATS[fmt]
    choices = list(BYTE_MUTATIONS) + list(TREE_MUTATIONS)
    if fmt == "mlflow_sqlite":
        choices += list(SQL_MUTATIONS) * 3
    mutation = rng.choice(choices)
    case_root = workdir / (f"case{MARKUP}" if mutation == "markup_path" else "case")
    shutil.copytree(SEEDS / seed_dir, case_root, symlinks=True)
    target = sorted(case_root.glob(pattern))[0]
    outside = workdir / "outside"
    if not outside.exists():
        outside.mkdir()
        (outside / "OUTSIDE.csv").write_text("step,loss\n" + "".join(f"{i},{1 / (i + 1)}\n" for i in range(20)))
    if mutation in BYTE_MUTATIONS:
        target.write_bytes(BYTE_MUTATIONS[mutation](target.read_bytes(), rng))
    elif mutation == "markup_path":
        new = target.with_name(f"[b]{target.stem}[lr=0.1]{target.suffix}") if target.suffix in (".csv", ".log") else target
        target.rename(new)
        target = new
    elif mutation == "fifo":
        target.unlink()
        os.mkfifo(target)
    elif mutation == "symlink_out":
        if rng.random() < 0.5:
            target.unlink()
            target.symlink_to(outside / "OUTSIDE.csv")
        else:
            (target.parent / "linked").symlink_to(outside, target_is_directory=True)
    elif mutation == "yaml_side":
        yamls = sorted(case_root.rglob("*.yaml")) or [target.parent / "hparams.yaml"]
        rng.choice(yamls).write_bytes(m_yaml(b"", rng))
    elif mutation in SQL_MUTATIONS:
        _sql_mutate(target, mutation, rng)
    given = case_root if rng.random() < 0.4 or mutation == "symlink_out" else target
    return mutation, given, case_root


# ------------------------------------------------------------------------------------ running one case
def _tree(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def _invoke(args: list[str]) -> tuple[int, str, str, str]:
    """Run the CLI in this process; return (exit code, stdout, stderr, traceback or '')."""
    from traindoc.cli import main

    out, err = io.StringIO(), io.StringIO()
    code, tb = 0, ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args, standalone_mode=False)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        except Exception as exc:  # noqa: BLE001 — classified, that is the point
            from traindoc.errors import TraindocError

            import click

            if isinstance(exc, TraindocError):
                code = 2
            elif isinstance(exc, click.ClickException):
                code = exc.exit_code
            else:
                code, tb = 3, traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), tb


def _signature(tb: str) -> str:
    """The exception type and the innermost traindoc frame: one crash class."""
    frames = re.findall(r'File "[^"]*?/(traindoc/[^"]+)", line (\d+), in (\w+)', tb)
    last = tb.strip().splitlines()[-1] if tb.strip() else "?"
    etype = last.split(":", 1)[0]
    where = f"{frames[-1][0]}:{frames[-1][2]}" if frames else "?"
    return f"{etype} at {where}"


def run_case(given: Path, case_root: Path, mutation: str, extra: list[str] = ()) -> tuple[str, str]:
    before = _tree(case_root)
    for args in (["diagnose", "--json", "--fail-on", "never", *extra, str(given)], ["diagnose", *extra, str(given)]):
        code, out, err, tb = _invoke(args)
        if tb or code not in (0, 1, 2):
            return "crash", _signature(tb) if tb else f"exit {code}: {err.strip()[:200]}"
        if code == 2 and "Traceback" in err:
            return "crash", "traceback on stderr"
        if "OUTSIDE" in out:
            return "followed", "read a file through a symlink out of the tree"
        if mutation == "markup_path" and "--json" not in args and "lr=0.1" in out and "[lr=0.1]" not in out:
            return "markup", "rich markup in a path was eaten"
    if _tree(case_root) != before:
        changed = sorted({os.path.basename(p) for p in set(_tree(case_root)) ^ set(before)})
        return "wrote", "new or removed beside the input: " + (", ".join(changed)[:200] or "(a file changed)")
    return ("refused" if code == 2 else "ok"), ""


def _child(given: Path, case_root: Path, mutation: str, mem_bytes: int, wfd: int, extra: list[str] = ()) -> None:
    os.environ["TRAINDOC_DEBUG"] = "1"
    try:
        soft = _vm_size() + mem_bytes
        resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
        outcome, detail = run_case(given, case_root, mutation, extra)
    except MemoryError:
        outcome, detail = "memory", "MemoryError"
    except BaseException as exc:  # noqa: BLE001
        outcome, detail = "crash", f"harness: {type(exc).__name__}: {exc}"[:300]
    os.write(wfd, json.dumps([outcome, detail]).encode())
    os._exit(0)


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


# A case is a timeout when its *CPU* time passes the limit, or its wall time passes the limit this many
# times over (a blocking hang uses no CPU). On a machine shared by many jobs a 1 s case can take 20 s
# of wall time; counting those as hangs measured the load, not traindoc.
WALL_FACTOR = 6.0
_reaped_cpu: dict[int, float] = {}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running child (Linux /proc); 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _wait_cpu(pid: int) -> float:
    """Reap a finished child; its CPU seconds."""
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime


class Runner:
    """Forked children, ``jobs`` at a time, each with its own time and memory limit."""

    def __init__(self, seed: int, timeout: float, mem_mb: int, jobs: int, workdir: Path) -> None:
        self.seed, self.timeout, self.mem, self.jobs, self.workdir = seed, timeout, mem_mb << 20, jobs, workdir

    def run(self, todo: list[tuple[str, int]], on_done) -> None:
        live: dict[int, tuple] = {}
        todo = list(todo)
        slot = 0
        while todo or live:
            while todo and len(live) < self.jobs:
                fmt, index = todo.pop(0)
                slot += 1
                wd = self.workdir / f"w{slot}"
                shutil.rmtree(wd, ignore_errors=True)
                wd.mkdir()
                case = Case(fmt, index, "")
                try:
                    case.mutation, given, case_root = build_case(fmt, index, self.seed, wd)
                except Exception as exc:  # noqa: BLE001
                    case.mutation, case.outcome, case.detail = "?", "harness", repr(exc)
                    on_done(case)
                    continue
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    _child(given, case_root, case.mutation, self.mem, w, EXTRA_ARGS.get(fmt, []))
                os.close(w)
                live[r] = (pid, case, time.monotonic(), wd)
            ready, _, _ = select.select(list(live), [], [], 0.05)
            now = time.monotonic()
            for r in list(live):
                pid, case, t0, wd = live[r]
                if r in ready:
                    data = b""
                    while chunk := os.read(r, 65536):
                        data += chunk
                    _reaped_cpu[pid] = _wait_cpu(pid)
                    try:
                        case.outcome, case.detail = json.loads(data)
                    except ValueError:
                        case.outcome, case.detail = "crash", "child died without a result (killed: memory?)"
                elif now - t0 > self.timeout and (_cpu_seconds(pid) > self.timeout
                                                  or now - t0 > self.timeout * WALL_FACTOR):
                    cpu = _cpu_seconds(pid)
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    case.outcome, case.detail = "timeout", f"over {self.timeout:g} s"
                    case.cpu = cpu
                else:
                    continue
                case.seconds = now - t0
                if case.outcome != "timeout":
                    case.cpu = _reaped_cpu.pop(pid, case.seconds)
                os.close(r)
                del live[r]
                shutil.rmtree(wd, ignore_errors=True)
                on_done(case)


def fuzz(per_format: int, seed: int = 0, formats: list[str] | None = None, timeout: float = 10.0,
         mem_mb: int = 2048, jobs: int = 1, progress: bool = False) -> list[Case]:
    """Run the campaign; return every case with its outcome."""
    import traindoc.cli  # noqa: F401 — imported once, before forking
    import traindoc.reports.json_report  # noqa: F401
    import traindoc.reports.terminal  # noqa: F401
    import traindoc.rules  # noqa: F401

    formats = formats or list(FORMATS)
    todo = [(f, i) for i in range(per_format) for f in formats]
    done: list[Case] = []
    t0 = time.monotonic()

    def on_done(case: Case) -> None:
        done.append(case)
        if progress and len(done) % 200 == 0:
            bad = sum(c.outcome not in GOOD for c in done)
            print(f"  {len(done)}/{len(todo)} cases, {bad} bad, {time.monotonic() - t0:.0f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="traindoc-fuzz-") as tmp:
        Runner(seed, timeout, mem_mb, jobs, Path(tmp)).run(todo, on_done)
    return done


def summary(cases: list[Case], show: int = 3) -> str:
    lines = []
    total = len(cases)
    outcomes = collections.Counter(c.outcome for c in cases)
    lines.append(f"{total} cases: " + ", ".join(f"{k} {v} ({100 * v / total:.2f}%)" for k, v in outcomes.most_common()))
    by_fmt = collections.defaultdict(collections.Counter)
    for c in cases:
        by_fmt[c.fmt][c.outcome] += 1
    lines.append("per format (bad / total):")
    for fmt, cnt in sorted(by_fmt.items()):
        bad = sum(v for k, v in cnt.items() if k not in GOOD)
        lines.append(f"  {fmt:22s} {bad:5d} / {sum(cnt.values())}")
    classes = collections.defaultdict(list)
    for c in cases:
        if c.outcome not in GOOD:
            classes[(c.outcome, c.detail)].append(c)
    if classes:
        lines.append("bad outcome classes (count, example: format index mutation):")
        for (outcome, detail), cs in sorted(classes.items(), key=lambda kv: -len(kv[1])):
            ex = ", ".join(f"{c.fmt} {c.index} {c.mutation}" for c in cs[:show])
            lines.append(f"  {len(cs):5d} {outcome}: {detail}  [{ex}]")
    slow = sorted(cases, key=lambda c: -c.cpu)[:3]
    lines.append("slowest (CPU): " + ", ".join(f"{c.fmt} {c.index} {c.mutation} {c.cpu:.1f}s cpu / {c.seconds:.1f}s wall"
                                               for c in slow))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-format", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", action="append", choices=list(FORMATS), help="only this format (repeatable)")
    ap.add_argument("--timeout", type=float, default=10.0,
                    help=f"CPU seconds per case (wall time may run to {WALL_FACTOR:g}x this on a loaded machine)")
    ap.add_argument("--mem-mb", type=int, default=2048, help="memory limit per case, MiB")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--show", type=int, default=3, help="examples per bad class")
    ap.add_argument("--case", help="rebuild one case FORMAT:INDEX into ./fuzz-case and stop (for debugging)")
    args = ap.parse_args()
    if args.case:
        fmt, index = args.case.split(":")
        wd = Path("fuzz-case")
        shutil.rmtree(wd, ignore_errors=True)
        wd.mkdir()
        mutation, given, _ = build_case(fmt, int(index), args.seed, wd.resolve())
        print(f"{mutation}: traindoc diagnose {' '.join(EXTRA_ARGS.get(fmt, []))} '{given}'".replace("  ", " "))
        return
    t0 = time.monotonic()
    cases = fuzz(args.per_format, args.seed, args.format, args.timeout, args.mem_mb, args.jobs, progress=True)
    print(summary(cases, args.show))
    print(f"wall time {time.monotonic() - t0:.0f} s; command: python bench/fuzz.py --per-format {args.per_format} "
          f"--seed {args.seed} --jobs {args.jobs}")


if __name__ == "__main__":
    main()
