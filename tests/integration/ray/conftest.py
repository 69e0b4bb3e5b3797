"""A real Ray cluster for the Ray tests: a head node and a second worker node on 127.0.0.1.

Both nodes run as ``ray start --block`` processes started here (token
authentication on, a short session folder under the temp dir, no dashboard) and
are stopped at the end of the session (SIGTERM to those processes only).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

if importlib.util.find_spec("ray") is None:  # never import ray here: it reads its auth
    pytest.skip("ray is not installed (pip install 'cairn[ray]')", allow_module_level=True)


@dataclass
class RayCluster:
    address: str
    token_file: Path
    processes: list[subprocess.Popen[bytes]]
    node_count: int = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ray() -> str:
    return str(Path(sys.executable).parent / "ray")


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    root = Path(tempfile.mkdtemp(prefix="cairn-rt-"))
    token = root / "token"
    token.write_text(secrets.token_hex(32))
    token.chmod(0o600)
    home = root / "home"
    home.mkdir()
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token),
               HOME=str(home), CAIRN_CONFIG_DIR=str(root / "worker-config"),
               CAIRN_CODE_CACHE=str(root / "code-cache"), RAY_USAGE_STATS_ENABLED="0",
               RAY_num_workers_soft_limit="8")  # fmt: skip
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("RAY_ADDRESS", None)
    port = _free_port()
    common = ["--block", "--node-ip-address", "127.0.0.1", "--num-cpus", "2",
              "--temp-dir", str(root / "s"), "--disable-usage-stats"]  # fmt: skip
    logs = root / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    head_log = (logs / "head.log").open("wb")
    opened = [head_log]
    processes.append(subprocess.Popen(
        [_ray(), "start", "--head", "--port", str(port), "--include-dashboard", "false",
         *common], env=env, stdout=head_log, stderr=subprocess.STDOUT,
        start_new_session=True))  # fmt: skip
    address = f"127.0.0.1:{port}"
    try:
        _wait_for_port(port, processes[0])
        worker_log = (logs / "worker.log").open("wb")
        opened.append(worker_log)
        processes.append(subprocess.Popen(
            [_ray(), "start", "--address", address, *common], env=env, stdout=worker_log,
            stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        _wait_for_nodes(address, token, 2)
        yield RayCluster(address, token, processes)
    finally:
        from cairn.integrations.ray._cluster import disconnect

        disconnect()
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in opened:
            log.close()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Ray head node exited while starting")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the Ray head node did not start in 120 s")


def _wait_for_nodes(address: str, token: Path, count: int) -> None:
    code = (
        "import ray, sys, time\n"
        f"ray.init(address={address!r}, _node_ip_address='127.0.0.1', log_to_driver=False)\n"
        "deadline = time.monotonic() + 120\n"
        f"while sum(n['Alive'] for n in ray.nodes()) < {count}:\n"
        "    if time.monotonic() > deadline: sys.exit(1)\n"
        "    time.sleep(0.2)\n"
    )
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                   timeout=180)  # fmt: skip


@pytest.fixture
def ray_env(ray_cluster: RayCluster, monkeypatch: pytest.MonkeyPatch) -> RayCluster:
    """The test process talks to the cluster with its token (a path in the environment)."""
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(ray_cluster.token_file))
    return ray_cluster
