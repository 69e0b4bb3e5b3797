"""Benchmark: the dashboard's run list at 100,000 runs and the page of a 1,000-step run.

Fills a fresh SQLite metadata store (bulk insert: 100,000 runs over 10 pipelines,
3 stacks and 100 days; one run with 1,000 steps in 100 layers of 10 distinct step
functions, and one with a fan-out of 998 calls of one step function), serves the
dashboard with uvicorn on 127.0.0.1 in this process, and measures:

* server time: a GET of the API from this process over HTTP (median);
* time to a rendered page: Chromium (Debian's, through Playwright) from navigation
  until the DAG's nodes are in the page (median).

Run: ``.venv/bin/python bench/dashboard.py [--runs 100000] [--repeat 20] [--browser-repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from cairn.artifact_stores import LocalArtifactStore
from cairn.client import Client
from cairn.enums import ExecutionStatus
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.store.metadata.schema import pipeline_runs, step_runs

STACKS = ("default", "staging", "cloud")
DAY = 86_400.0
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def fill_runs(store: SQLiteMetadataStore, runs: int, n_pipelines: int = 10) -> float:
    """Insert ``runs`` finished runs; returns the time of the newest."""
    ids = [store.get_or_create_pipeline(f"pipeline_{i}", {}).id for i in range(n_pipelines)]
    params = json.dumps({"lr": 0.1, "epochs": 10, "layers": [64, 32]})
    now = time.time()
    step = 100 * DAY / runs
    rows = []
    for i in range(runs):
        stack = STACKS[i % len(STACKS)]
        created = now - 100 * DAY + i * step
        rows.append({
            "id": str(uuid.uuid4()), "name": f"run_{i}", "pipeline_id": ids[i % n_pipelines],
            "status": "failed" if i % 17 == 0 else "completed", "parameters": params,
            "runtime_options": "{}", "stack_snapshot": json.dumps({"name": stack}),
            "stack_name": stack, "code_version": None, "enable_cache": True,
            "created": created, "started": created, "finished": created + 0.5,
        })  # fmt: skip
    with store.engine.begin() as conn:
        for chunk in range(0, runs, 10_000):
            conn.execute(pipeline_runs.insert(), rows[chunk : chunk + 10_000])
    return now


def big_run(store: SQLiteMetadataStore, name: str, fanout: bool) -> str:
    """A finished run of 1,000 steps (layers of distinct steps, or one big fan-out)."""
    specs: dict[str, Any] = {}
    if fanout:
        specs["load"] = {"source": "bench:load", "upstream": []}
        for i in range(998):
            specs[f"work_{i}"] = {"source": "bench:work", "upstream": ["load"]}
        specs["merge"] = {"source": "bench:merge", "upstream": [f"work_{i}" for i in range(998)]}
    else:
        for layer in range(100):
            for j in range(10):
                up = [f"s{layer - 1}_{(j + k) % 10}" for k in (0, 1)] if layer else []
                specs[f"s{layer}_{j}"] = {"source": f"bench:s{layer}_{j}", "upstream": up}
    pipeline = store.get_or_create_pipeline(name, {"steps": specs})
    run = store.create_run(pipeline.id, name, stack_snapshot={"name": "default"})
    t = time.time()
    rows = [
        {"id": str(uuid.uuid4()), "run_id": run.id, "name": step, "status": "completed",
         "cache_key": "k", "parameters": "{}", "code_hash": "h", "cached": False,
         "cache_reason": "", "started": t + i * 0.01, "finished": t + i * 0.01 + 0.005,
         "attempts": 1}
        for i, step in enumerate(specs)
    ]  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(step_runs.insert(), rows)
    store.update_run_status(run.id, ExecutionStatus.COMPLETED)
    return run.id


class Server:
    """The dashboard under uvicorn in a thread, on a free loopback port."""

    def __init__(self, client: Client) -> None:
        import uvicorn

        from cairn.dashboard import create_app

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(client, stack_name="bench"), log_level="warning",
                                access_log=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def get_ms(url: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` GETs, and the size of the body."""
    samples, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as resp:
            body = resp.read()
        samples.append(time.perf_counter() - start)
        size = len(body)
    return statistics.median(samples) * 1000, size


def browser_ms(urls: dict[str, str], repeat: int) -> dict[str, float]:
    """Median milliseconds from navigation until the page's DAG nodes are in the page."""
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for label, url in urls.items():
            samples = []
            for _ in range(repeat + 1):  # the first load warms the cache of static files
                start = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.wait_for_selector("#dag svg g.node", timeout=120_000)
                samples.append(time.perf_counter() - start)
            out[label] = statistics.median(samples[1:]) * 1000
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser-repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    try:
        store = SQLiteMetadataStore(name="bench", uri=str(folder / "metadata.db"))
        t0 = time.perf_counter()
        now = fill_runs(store, args.runs)
        layered = big_run(store, "layered-1000", fanout=False)
        fanned = big_run(store, "fanout-1000", fanout=True)
        print(
            f"filled {args.runs} runs + 2 runs of 1,000 steps in {time.perf_counter() - t0:.1f} s"
        )
        client = Client(
            metadata_store=SQLiteMetadataStore(name="bench", uri=str(folder / "metadata.db")),
            artifact_store=LocalArtifactStore(name="bench", path=str(folder / "artifacts")),
        )
        server = Server(client)
        try:
            week = f"created_after={now - 30 * DAY}&created_before={now - 23 * DAY}"
            api = {
                "runs, first page (50)": "/api/v1/runs?limit=50",
                "runs, stack=cloud + one week": f"/api/v1/runs?stack=cloud&{week}",
                "runs, pipeline + status=failed": "/api/v1/runs?pipeline=pipeline_3&status=failed",
                "runs, page at offset 5,000": "/api/v1/runs?offset=5000",
                "run of 1,000 steps (layered)": f"/api/v1/runs/{layered}",
                "run of 1,000 steps (fan-out)": f"/api/v1/runs/{fanned}",
            }
            get_ms(server.url + api["runs, first page (50)"], 2)  # warm up
            for label, path in api.items():
                ms, size = get_ms(server.url + path, args.repeat)
                print(f"server  {label:<34}: {ms:8.1f} ms  ({size / 1024:.0f} KiB)")
            if Path(CHROMIUM).exists():
                pages = {
                    "page: run of 1,000 steps (layered)": f"{server.url}/runs/{layered}",
                    "page: run of 1,000 steps (fan-out)": f"{server.url}/runs/{fanned}",
                }
                for label, ms in browser_ms(pages, args.browser_repeat).items():
                    print(f"browser {label:<34}: {ms:8.1f} ms")
            else:
                print(f"browser: {CHROMIUM} missing, skipped (apt-get install chromium)")
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
