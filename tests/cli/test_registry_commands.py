"""``cairn registry connect|status|disconnect`` against PostgreSQL and MariaDB."""

from __future__ import annotations

import importlib.util
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import fail, invoke


def _store_conftest() -> object:
    """``tests/store/conftest.py`` (its fresh-database helper), loaded by path."""
    path = Path(__file__).resolve().parents[1] / "store" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_store_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["postgresql", "mariadb"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    database_url, drop = _store_conftest().new_database(str(request.param))  # type: ignore[attr-defined]
    try:
        yield database_url.replace("+psycopg", "").replace("+pymysql", "")  # the user's form
    finally:
        drop()


def test_the_local_registry_is_the_default(isolated_config: Path) -> None:
    out = invoke("registry", "status").output
    assert "Registry: local" in out and str(isolated_config / "registry.db") in out
    info = json.loads(invoke("registry", "status", "--output", "json").output)
    assert info["kind"] == "local" and info["revision"] == "4"
    assert "Not connected" in invoke("registry", "disconnect").output


def test_a_url_that_is_not_a_database_server_is_one_line(isolated_config: Path) -> None:
    err = fail("registry", "connect", "sqlite:///x.db")
    assert "PostgreSQL or MySQL/MariaDB" in err and len(err.strip().splitlines()) == 1
    assert not (isolated_config / "registry_connection.json").exists()


def test_an_unreachable_server_is_one_line_and_nothing_is_saved(isolated_config: Path) -> None:
    err = fail("registry", "connect", "postgresql://ana:pw-secret-1@127.0.0.1:9/team")
    assert "shared registry at postgresql+psycopg://ana:***@127.0.0.1:9/team" in err
    assert "pw-secret-1" not in err and len(err.strip().splitlines()) == 1
    assert not (isolated_config / "registry_connection.json").exists()


@pytest.mark.server
def test_connect_share_and_disconnect(
    url: str, isolated_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = invoke("registry", "connect", url).output
    assert "Connected to the shared registry" in out
    saved = isolated_config / "registry_connection.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    invoke("orchestrator", "register", "team_orch", "--flavor=local")
    moved = invoke("alerter", "register", "hook", "--flavor=webhook", "--url=http://127.0.0.1:9/x",
                   "--secret=plain-token-value")  # fmt: skip
    assert "teammates cannot resolve them" in moved.stderr
    invoke("artifact-store", "register", "team_art", "--flavor=local", f"--path={tmp_path / 'a'}")
    invoke("metadata-store", "register", "team_md", "--flavor=sqlite", f"--uri={tmp_path / 'm.db'}")
    invoke("secrets-manager", "register", "mine", "--flavor=local")
    result = invoke("stack", "register", "team", "-o", "team_orch", "-a", "team_art", "-m",
                    "team_md", "-x", "mine", "--set")  # fmt: skip
    assert "is shared, but its secrets manager 'mine' is a 'local' one" in result.stderr
    listed = invoke("stack", "list").output
    assert "default" in listed and "team" in listed
    info = json.loads(invoke("registry", "status", "--output", "json").output)
    assert (info["kind"], info["stacks"], info["active_stack"]) == ("shared", 1, "team")
    assert info["warnings"] and info["revision"] == "0004"
    err = fail("stack", "register", "bad", "-o", "default", "-a", "team_art", "-m", "team_md")
    assert "cannot use the 'default' orchestrator" in err

    out = invoke("registry", "disconnect").output
    assert "'default' is active again" in out and not saved.exists()
    listed = invoke("stack", "list").output
    assert "team" not in listed and "default" in listed

    # the same registry from the environment, as another machine (another config folder) sees it
    monkeypatch.setenv("CAIRN_CONFIG_DIR", str(tmp_path / "other_machine"))
    monkeypatch.setenv("CAIRN_REGISTRY_URL", url)
    assert "team" in invoke("stack", "list").output
    info = json.loads(invoke("registry", "status", "--output", "json").output)
    assert (info["configured_in"], info["active_stack"]) == ("environment", "default")
    assert url.split("@")[0] not in json.dumps(info) or ":" not in url.split("//")[1].split("@")[0]


def test_disconnect_works_while_the_shared_server_is_down(isolated_config: Path) -> None:
    saved = isolated_config / "registry_connection.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"url": "postgresql://ana:pw@127.0.0.1:9/team"}))
    err = fail("stack", "list")
    assert "127.0.0.1:9" in err and "pw" not in err.replace("postgresql", "")
    assert "Disconnected" in invoke("registry", "disconnect").output
    assert "default" in invoke("stack", "list").output


WRAPPER = """
import json, sys
from cairn.cli.main import main
try:
    main(["stack", "list"])
except SystemExit:
    pass
print("@@" + json.dumps(sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules)))
"""


@pytest.mark.server
def test_stack_list_on_a_shared_registry_imports_no_sqlalchemy(
    url: str, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads run the generated SQL through the driver; SQLAlchemy is for migrations only."""
    import os
    import subprocess
    import sys

    invoke("registry", "connect", url)  # creates the tables (this process: SQLAlchemy)
    monkeypatch.setenv("CAIRN_REGISTRY_URL", url)
    done = subprocess.run([sys.executable, "-c", WRAPPER], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ), check=False)  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("@@")]
    assert lines and json.loads(lines[-1][2:]) == [], done.stdout + done.stderr
    assert "default" in done.stdout
