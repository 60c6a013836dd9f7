"""An MLflow tracking server read through its REST API: ``mlflow+http://host:port/#experiment``.

The fragment names an experiment (by name, or by id), optionally one run (``#experiment/run_id``);
without it every active experiment is read. Only the standard library talks to the server (no
mlflow install needed); ``MLFLOW_TRACKING_TOKEN`` or ``MLFLOW_TRACKING_USERNAME``/``PASSWORD`` are
sent as MLflow's own client sends them. Each metric's full history is fetched page by page
(``metrics/get-history``) and becomes a Series exactly as the store readers build it.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import InputError
from ..readers import _table as T
from ..readers import mlflow as store
from ..readers._hparams import apply_hparams
from ..run import Run

SCHEMES = ("mlflow+http://", "mlflow+https://")
_PAGE = 25000
_TIMEOUT = 30


def is_mlflow_url(text: str) -> bool:
    return str(text).startswith(SCHEMES)


@dataclass
class Target:
    base: str  # http(s)://host:port[/prefix]
    experiment: str | None
    run_id: str | None
    url: str


def parse(url: str) -> Target:
    rest = url[len("mlflow+"):]
    base, _, frag = rest.partition("#")
    parsed = urllib.parse.urlparse(base)
    if not parsed.netloc:
        raise InputError(url, "expected mlflow+http://HOST:PORT/#EXPERIMENT")
    frag = urllib.parse.unquote(frag)
    experiment, _, run_id = frag.partition("/") if "/" in frag else (frag, "", "")
    return Target(base.rstrip("/"), experiment or None, run_id or None, url)


class Client:
    """GET/POST against ``/api/2.0/mlflow``; errors become one-line InputErrors naming the URL."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.headers = {"Content-Type": "application/json"}
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user, pw = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user and pw:
            self.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()

    def call(self, endpoint: str, query: dict | None = None, body: dict | None = None) -> dict:
        url = f"{self.target.base}/api/2.0/mlflow/{endpoint}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, headers=self.headers, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(req, timeout=_TIMEOUT) as resp:
                return json.loads(resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            if exc.code == 404 and "RESOURCE_DOES_NOT_EXIST" in detail:
                raise LookupError(detail) from None
            raise InputError(self.target.url,
                             f"the MLflow server answered {exc.code} to {endpoint} ({detail})") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(self.target.url,
                             f"cannot reach the MLflow server at {self.target.base} ({reason})") from None
        except ValueError:
            raise InputError(self.target.url, f"the server at {self.target.base} did not answer with JSON "
                                              "(is it an MLflow tracking server?)") from None

    def experiments(self) -> list[dict]:
        name = self.target.experiment
        if name is not None:
            for endpoint, key in (("experiments/get-by-name", "experiment_name"), ("experiments/get", "experiment_id")):
                if key == "experiment_id" and not name.isdigit():
                    continue
                try:
                    return [self.call(endpoint, {key: name})["experiment"]]
                except LookupError:
                    continue
            raise InputError(self.target.url, f"the MLflow server has no experiment named {name!r}")
        out, token = [], None
        while True:
            body = {"max_results": 1000, "view_type": "ACTIVE_ONLY", **({"page_token": token} if token else {})}
            page = self.call("experiments/search", body=body)
            out.extend(page.get("experiments", []))
            token = page.get("next_page_token")
            if not token:
                return out

    def runs(self, experiment_ids: list[str]) -> list[dict]:
        if self.target.run_id:
            try:
                return [self.call("runs/get", {"run_id": self.target.run_id})["run"]]
            except LookupError:
                raise InputError(self.target.url, f"the MLflow server has no run {self.target.run_id!r}") from None
        out, token = [], None
        while True:
            body = {"experiment_ids": experiment_ids, "max_results": 1000, "run_view_type": "ACTIVE_ONLY",
                    **({"page_token": token} if token else {})}
            page = self.call("runs/search", body=body)
            out.extend(page.get("runs", []))
            token = page.get("next_page_token")
            if not token:
                return out

    def history(self, run_id: str, key: str) -> list[dict]:
        out, token = [], None
        while True:
            query = {"run_id": run_id, "metric_key": key, "max_results": _PAGE,
                     **({"page_token": token} if token else {})}
            page = self.call("metrics/get-history", query)
            out.extend(page.get("metrics", []))
            token = page.get("next_page_token")
            if not token:
                return out


def _value(v) -> float:
    num = T.json_number(v)
    return T.NAN if num is None else num


def run_from_rest(client: Client, info: dict, experiment_name: str | None, keys: list[str] | None = None) -> Run | None:
    """One MLflow run (a ``runs/search`` entry) with every metric's history."""
    meta, data = info.get("info", {}), info.get("data", {})
    run_id = meta.get("run_id") or meta.get("run_uuid")
    tags = {t["key"]: t.get("value") for t in data.get("tags", [])}
    name = meta.get("run_name") or tags.get("mlflow.runName") or run_id
    exp = experiment_name or meta.get("experiment_id")
    run = Run(name=str(name), source=f"mlflow+{client.target.base}/#{exp}/{run_id}", format=store.NAME)
    for key in keys if keys is not None else sorted({m["key"] for m in data.get("metrics", [])}):
        points = client.history(run_id, key)
        if not points:
            continue
        points.sort(key=lambda m: (int(m.get("timestamp", 0)), int(m.get("step", 0))))
        steps = [float(m.get("step", 0)) for m in points]
        values = [_value(m.get("value")) for m in points]
        stamps = [float(m.get("timestamp", 0)) for m in points]
        run.add(store._series(key, steps, values, stamps, run.meta.notes))
    apply_hparams(run.meta, {p["key"]: store._number(str(p.get("value", ""))) for p in data.get("params", [])})
    if experiment_name and experiment_name != "Default":
        run.name = f"{experiment_name}/{run.name}"
    return run if run.series else None


def read_url(url: str) -> list[Run]:
    """Every run of the experiment (or the one run) the URL names."""
    client = Client(parse(url))
    exps = client.experiments()
    names = {str(e["experiment_id"]): e.get("name") for e in exps}
    runs = []
    for info in client.runs(list(names)):
        exp_id = str(info.get("info", {}).get("experiment_id"))
        run = run_from_rest(client, info, names.get(exp_id))
        if run is not None:
            runs.append(run)
    if not runs:
        raise InputError(url, "the MLflow server holds no runs with metrics there")
    return runs


class RestTail:
    """Following a tracking server: one ``runs/search`` per poll says which metrics moved (their latest
    step and timestamp); only those metrics' histories are fetched again. New runs join as they appear."""

    format = store.NAME

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = Client(parse(url))
        self._latest: dict[tuple[str, str], tuple] = {}
        self._runs: dict[str, Run] = {}
        self._names: dict[str, str | None] = {}
        self._next: dict[str, float] = {}  # run id -> earliest time its histories are fetched again
        self.problem: str | None = None

    def poll(self) -> bool:
        try:
            if not self._names:
                self._names = {str(e["experiment_id"]): e.get("name") for e in self.client.experiments()}
            infos = self.client.runs(list(self._names))
        except InputError as exc:
            self.problem = exc.problem  # the server may come back: keep what was read, try again next poll
            return False
        self.problem = None
        import time

        from ..follow.tail_whole import DUTY

        changed = False
        for info in infos:
            meta, data = info.get("info", {}), info.get("data", {})
            run_id = meta.get("run_id") or meta.get("run_uuid")
            if time.monotonic() < self._next.get(run_id, 0.0):
                continue  # within its fetch budget: the moved metrics are seen on a later poll
            t0 = time.monotonic()
            moved = []
            for m in data.get("metrics", []):
                mark = (m.get("step"), m.get("timestamp"), str(m.get("value")))
                if self._latest.get((run_id, m["key"])) != mark:
                    self._latest[(run_id, m["key"])] = mark
                    moved.append(m["key"])
            if not moved:
                continue
            old = self._runs.get(run_id)
            exp = self._names.get(str(meta.get("experiment_id")))
            fresh = run_from_rest(self.client, info, exp, keys=moved)
            if fresh is None:
                continue
            if old is not None:
                for key, series in old.series.items():
                    fresh.series.setdefault(key, series)
            self._runs[run_id] = fresh
            self._next[run_id] = time.monotonic() + (time.monotonic() - t0) * (1 / DUTY - 1)
            changed = True
        return changed

    def pending(self) -> int:
        return 0

    def force(self) -> None:
        self._next.clear()

    def runs(self) -> list[Run]:
        return list(self._runs.values())
