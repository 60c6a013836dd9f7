"""A real ``mlflow server`` on loopback for the REST tests: started once per module, stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

START_TIMEOUT = 240  # generous: on a loaded 2-core CI machine it has taken over 90s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    pytest.importorskip("mlflow")
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}", "--artifacts-destination", str(root / "artifacts")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, MLFLOW_TRACKING_URI=""))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"mlflow server did not start within {START_TIMEOUT}s (exit {proc.poll()})")
                time.sleep(0.3)
        yield url, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def traindoc_env() -> dict:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")


READY_TIMEOUT = 90  # seconds for the follower to start and say what it follows, on a loaded machine


class Following:
    """``traindoc diagnose --follow ARGS`` in its own process, ended with Ctrl-C once the job is done.

    Why not ``--idle``: a job that takes longer than the idle time to import its framework would
    race the follower, which then stops before any data exists. Here the job starts only once the
    follower has printed its first line, and Ctrl-C comes after the job has exited; the final poll
    then reads everything the job wrote, however slow the machine.
    """

    def __init__(self, args: list[str], env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "traindoc", "diagnose", "--follow", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._first = threading.Event()
        self._readers = [threading.Thread(target=self._collect, daemon=True),
                         threading.Thread(target=lambda: self.errors.extend(self.proc.stderr), daemon=True)]
        for thread in self._readers:
            thread.start()
        if not self._first.wait(READY_TIMEOUT):
            self.proc.kill()
            pytest.fail(f"the follower printed nothing within {READY_TIMEOUT}s: {''.join(self.errors)[-2000:]}")

    def _collect(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            self._first.set()
        self._first.set()

    def stop(self, timeout: float = 120) -> tuple[str, str, int]:
        """Ctrl-C, then (stdout, stderr, exit code) once the final summary is written."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        for thread in self._readers:
            thread.join(timeout=10)
        return "".join(self.lines), "".join(self.errors), code
