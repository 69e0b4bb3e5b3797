"""Serving the dashboard: loopback by default, a token required beyond it, the CLI command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from cairn.client import Client
from cairn.exceptions import ConfigurationError
from cli.test_import_weight import HEAVY, imported_by


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True),
     ("[::1]", True), ("0.0.0.0", False), ("10.0.0.1", False), ("::", False),
     ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    from cairn.dashboard.server import is_loopback

    assert is_loopback(host) is loopback


def test_a_token_is_generated_beyond_loopback_only() -> None:
    from cairn.dashboard.server import dashboard_token

    assert dashboard_token("127.0.0.1", None) is None
    assert dashboard_token("127.0.0.1", "t0k") == "t0k"
    generated = dashboard_token("0.0.0.0", None)
    assert generated and len(generated) >= 24 and generated != dashboard_token("0.0.0.0", None)
    assert dashboard_token("0.0.0.0", "given") == "given"
    with pytest.raises(ConfigurationError, match="empty"):
        dashboard_token("0.0.0.0", " ")


@pytest.fixture
def locked() -> Any:
    from fastapi.testclient import TestClient

    from cairn.dashboard import create_app

    with TestClient(create_app(Client(), token="s3cret-token")) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/", "/runs", "/api/v1/runs", "/api/v1/info", "/openapi.json", "/static/app.js"]
)
def test_every_request_without_the_token_is_refused(locked: Any, path: str) -> None:
    resp = locked.get(path)
    assert resp.status_code == 401 and "token" in resp.json()["detail"]
    assert locked.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert locked.get(path, headers={"Cookie": "cairn_dashboard_token=wrong"}).status_code == 401
    assert "s3cret-token" not in resp.text


def test_the_token_as_header_cookie_or_url(locked: Any) -> None:
    ok = locked.get("/api/v1/info", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    first = locked.get("/runs?status=failed&token=s3cret-token", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/runs?status=failed"
    assert "httponly" in first.headers["set-cookie"].lower()
    assert locked.get("/api/v1/runs").status_code == 200  # the cookie is kept
    assert locked.get("/").status_code == 200


def test_dashboard_help_stays_light() -> None:
    result = imported_by("dashboard", "--help", heavy=(*HEAVY, "fastapi", "uvicorn", "starlette"))
    assert result["code"] in (0, None) and result["heavy"] == []


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn.cli.main", "dashboard", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
        if found:
            return proc, found.group(1)
        if not line and proc.poll() is not None:
            break
    _stop(proc)
    raise AssertionError("cairn dashboard printed no URL")


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.mark.slow
def test_cli_serves_on_loopback_and_prints_the_url() -> None:
    proc, url = _start()
    try:
        assert url.endswith("/") and "token" not in url
        with urllib.request.urlopen(url + "api/v1/info", timeout=10) as resp:
            assert b'"stack":"default"' in resp.read()
    finally:
        _stop(proc)
    assert proc.returncode is not None


@pytest.mark.slow
def test_cli_with_a_token_refuses_requests_without_it() -> None:
    proc, url = _start("--token", "abc-123")
    try:
        assert url.endswith("/?token=abc-123")
        base = url.split("?")[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "api/v1/info", timeout=10)
        assert refused.value.code == 401
        refused.value.close()
        request = urllib.request.Request(
            base + "api/v1/info", headers={"Authorization": "Bearer abc-123"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
    finally:
        _stop(proc)


def test_unknown_stack_is_a_one_line_error() -> None:
    from click.testing import CliRunner

    from cairn.cli.main import cli

    result = CliRunner().invoke(cli, ["dashboard", "--stack", "nope", "--port", "0"])
    assert result.exit_code == 1 and "No stack named 'nope'" in result.output
