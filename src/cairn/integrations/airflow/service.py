"""Airflow on this machine as one Cairn service: scheduler, DAG processor and API server.

``python -m cairn.integrations.airflow.service --port N --api-port M`` (started by
``cairn stack up`` for an ``airflow`` orchestrator with ``serve: true``) starts
``airflow api-server --host 127.0.0.1 --port M``, ``airflow scheduler
--skip-serve-logs`` and ``airflow dag-processor`` in the environment it was given
(``AIRFLOW_HOME``, DAGs folder, ``PATH``), with the execution API on 127.0.0.1:M
and no log server (Airflow's binds every interface). ``GET /health`` on
127.0.0.1:N answers 200 while the three run and the API server answers. SIGTERM
stops them: SIGTERM, then SIGKILL after a grace period (Airflow's scheduler may
not end on SIGTERM alone).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

LOOPBACK = "127.0.0.1"
STOP_GRACE = 8.0


def airflow_processes(api_port: int) -> dict[str, list[str]]:
    """The ``airflow`` commands of the service, by name."""
    return {
        "api-server": ["airflow", "api-server", "--host", LOOPBACK, "--port", str(api_port)],
        "scheduler": ["airflow", "scheduler", "--skip-serve-logs"],
        "dag-processor": ["airflow", "dag-processor"],
    }


def service_env(api_port: int) -> dict[str, str]:
    """This environment, with the execution API and health checks on the loopback only."""
    env = dict(os.environ)
    env.update({
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{LOOPBACK}:{api_port}/execution/",
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": LOOPBACK,
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
        # new DAG files (a schedule just registered) are seen within seconds, not 5 minutes
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": env.get(
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "5"
        ),
    })  # fmt: skip
    return env


class Supervisor:
    """Starts the Airflow processes, watches them, stops them."""

    def __init__(self, api_port: int) -> None:
        self.api_port = api_port
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stop = threading.Event()

    def start(self) -> None:
        env = service_env(self.api_port)
        for name, command in airflow_processes(self.api_port).items():
            self.children[name] = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
            print(f"cairn: started airflow {name} (pid {self.children[name].pid})", flush=True)

    def healthy(self) -> bool:
        from cairn.services.health import http_ok

        if any(child.poll() is not None for child in self.children.values()):
            return False
        return http_ok(f"http://{LOOPBACK}:{self.api_port}/api/v2/monitor/health", 5.0)

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for name, child in self.children.items():
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"cairn: airflow {name} did not stop on SIGTERM: SIGKILL", flush=True)
                child.kill()
                child.wait()


def _health_server(supervisor: Supervisor, port: int) -> Any:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/health" and supervisor.healthy()
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((LOOPBACK, port), Handler)
    threading.Thread(target=server.serve_forever, name="cairn-airflow-health", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    """Run the service until SIGTERM; the exit code."""
    parser = argparse.ArgumentParser(prog="python -m cairn.integrations.airflow.service")
    parser.add_argument("--port", type=int, required=True, help="port of /health")
    parser.add_argument("--api-port", type=int, required=True, help="port of the API server")
    args = parser.parse_args(argv)
    supervisor = Supervisor(args.api_port)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: supervisor.stop.set())
    supervisor.start()
    server = _health_server(supervisor, args.port)
    try:
        while not supervisor.stop.wait(1.0):
            ended = [n for n, c in supervisor.children.items() if c.poll() is not None]
            if ended:
                print(f"cairn: airflow {', '.join(ended)} ended: stopping the others", flush=True)
                break
    finally:
        server.shutdown()
        supervisor.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
