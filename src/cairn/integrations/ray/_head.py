"""A local Ray head node as a Cairn service (``cairn stack up`` / ``stack down``).

The head runs as ``ray start --head --block`` under the service's own pid, so
``stack down`` stops exactly that process (``ray start --block`` then stops the
Ray processes it started) and never another Ray on the machine (no ``ray stop``).
Ray's session folder is short (``<temp dir>/cairn-ray-<id>``: Unix socket paths
are limited to 107 bytes) and never in the home folder; token authentication
is on (``RAY_AUTH_MODE=token``) with a token made for this component and kept
in its folder (0600); the dashboard is off.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

from cairn.services import DaemonSpec, HealthCheck


def ray_command() -> list[str]:
    """How to run the ``ray`` CLI of the current interpreter's environment."""
    script = Path(sys.executable).parent / "ray"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from ray.scripts.scripts import main; main()"]


def session_dir(component_id: str) -> Path:
    """Ray's temp folder for this head node (short: socket paths live in it)."""
    return Path(tempfile.gettempdir()) / f"cairn-ray-{component_id[:8]}"


def token_file(data_dir: Path) -> Path:
    """The head node's auth token (made on first use, 0600)."""
    path = data_dir / "auth_token"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path


def head_env(data_dir: Path, warm_workers: int | None = None) -> dict[str, str]:
    """The head node's environment: ours, the venv's ``bin`` first, token auth on,
    and how many idle Python workers it keeps (``warm_workers``; Ray's default is one
    per CPU, so a wider fan-out starts new worker processes on every run)."""
    env = dict(os.environ)
    if warm_workers is not None:
        env["RAY_num_workers_soft_limit"] = str(warm_workers)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    env["RAY_AUTH_MODE"] = "token"
    env["RAY_AUTH_TOKEN_PATH"] = str(token_file(data_dir))
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    env.pop("RAY_ADDRESS", None)
    return env


def head_spec(component_id: str, data_dir: Path, port: int | None,
              num_cpus: int | None, warm_workers: int | None = None) -> DaemonSpec:  # fmt: skip
    """The daemon of a local head node listening on 127.0.0.1 (``{port}``: free port)."""
    command = [*ray_command(), "start", "--head", "--block", "--port", "{port}",
               "--node-ip-address", "127.0.0.1", "--include-dashboard", "false",
               "--temp-dir", str(session_dir(component_id)), "--disable-usage-stats"]  # fmt: skip
    if num_cpus is not None:
        command += ["--num-cpus", str(num_cpus)]
    return DaemonSpec(command, HealthCheck("tcp"), port=port, env=head_env(data_dir, warm_workers),
                      start_timeout=120.0, stop_grace=20.0)  # fmt: skip
