"""Shared test fixtures: every test gets its own config folder and leaves no trace."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_SERVERS = os.environ.get("CAIRN_REQUIRE_SERVERS") == "1"

#: Home-like folders for what runs before a test's fixtures (imports while collecting) or
#: outside them: matplotlib's config and font cache, Chromium's dconf file, anything that
#: follows XDG. Each test then gets its own (``isolated_config``); removed at exit.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="cairn-tests-home-"))
atexit.register(shutil.rmtree, _SESSION_HOME, ignore_errors=True)
_HOME_VARS = {
    "XDG_CONFIG_HOME": "xdg",
    "XDG_CACHE_HOME": "xdg-cache",
    "XDG_DATA_HOME": "xdg-data",
    "XDG_STATE_HOME": "xdg-state",
    "MPLCONFIGDIR": "matplotlib",
}
for _var, _name in _HOME_VARS.items():
    os.environ[_var] = str(_SESSION_HOME / _name)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private CAIRN_CONFIG_DIR, working folder and home-like folders for each test."""
    config = tmp_path / "cairn_config"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("CAIRN_CONFIG_DIR", str(config))
    for var, name in _HOME_VARS.items():
        monkeypatch.setenv(var, str(tmp_path / name))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path / "ray"))
    # never the developer's OS keyring (tests that need one install an in-memory backend)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for var in ("CAIRN_ACTIVE_STACK", "CAIRN_REPOSITORY_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    yield config
    _stop_services(config)


def _stop_services(config: Path) -> None:
    """Stop the daemons a test left running (e.g. the scheduler ``cairn stack up`` starts)."""
    if not (config / "services").is_dir():
        return
    from cairn.services import list_services

    for service in list_services(config / "services"):
        service.stop(grace=5.0)


def server_available(host: str, port: int) -> bool:
    """Whether something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_server(name: str, port: int) -> None:
    """Skip (or, in CI with CAIRN_REQUIRE_SERVERS=1, fail) when a server is not reachable."""
    if server_available("127.0.0.1", port):
        return
    message = f"{name} is not reachable on 127.0.0.1:{port}"
    if REQUIRE_SERVERS:
        pytest.fail(message + " (CAIRN_REQUIRE_SERVERS=1: server-backed tests must run)")
    pytest.skip(message)
