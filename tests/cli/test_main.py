"""The root ``cairn`` command: lazy subcommands, version, init and the error boundary."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cairn.cli import main as main_module
from cairn.cli.main import COMMANDS, cli
from cairn.enums import StackComponentType
from cairn.store.registry_schema import SCHEMA_VERSION

from .helpers import fail, invoke


def cairn(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``cairn ARGS`` as a real process (environment inherited from the test)."""
    return subprocess.run(
        [sys.executable, "-m", "cairn.cli.main", *args], capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_help_lists_every_command() -> None:
    out = invoke("--help").stdout
    for name in ("init", "version", "stack", "pipeline", *(t.cli_name for t in StackComponentType)):
        assert f"  {name} " in out
    assert "Manage container registries." in out


def test_the_table_has_one_entry_per_type_and_every_target_loads() -> None:
    assert {t.cli_name for t in StackComponentType} <= set(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert isinstance(command, click.Command) and command.name == name


def test_version() -> None:
    from cairn import __version__

    assert invoke("version").stdout == f"cairn {__version__}\n"


def test_init_here_and_idempotent(tmp_path: Path) -> None:
    invoke("init")
    assert (Path.cwd() / ".cairn" / "config.json").is_file()
    assert "Initialised a Cairn repository" in invoke("init").stdout


def test_cairn_errors_are_one_line() -> None:
    result = invoke("stack", "describe", "ghost", code=1)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: No stack named")
    assert result.stdout == ""


def test_debug_shows_the_traceback() -> None:
    result = invoke("--debug", "stack", "describe", "ghost", code=1)
    assert "Traceback (most recent call last)" in result.stderr
    assert "DoesNotExistError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: No stack named 'ghost'")


def test_unexpected_errors_are_one_line_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("cairn.cli.stack_commands.registry", boom)
    err = fail("stack", "list")
    assert err == (
        "Error: internal error (RuntimeError: disk on fire); please report it (rerun with "
        "'cairn --debug ...' for the traceback)\n"
    )
    assert "Traceback" in invoke("--debug", "stack", "list", code=1).stderr
    monkeypatch.setenv(main_module.ENV_DEBUG, "1")
    assert "Traceback" in invoke("stack", "list", code=1).stderr


def _newer_schema(config: Path) -> None:
    invoke("stack", "list")
    with sqlite3.connect(config / "registry.db") as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def test_newer_schema_database_is_one_clear_line(isolated_config: Path) -> None:
    _newer_schema(isolated_config)
    err = fail("stack", "list")
    assert f"has schema revision {SCHEMA_VERSION + 1}, newer than this Cairn" in err
    assert "upgrade Cairn" in err


@pytest.mark.slow
def test_newer_schema_database_in_a_real_process(isolated_config: Path) -> None:
    _newer_schema(isolated_config)
    done = cairn("stack", "list")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "newer than this Cairn" in done.stderr
    assert done.stdout == ""
    debug = cairn("--debug", "stack", "list")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


def test_unreadable_database_is_one_clear_line(isolated_config: Path) -> None:
    isolated_config.mkdir(parents=True, exist_ok=True)
    (isolated_config / "registry.db").write_bytes(b"this is not a database" * 100)
    err = fail("artifact-store", "list")
    assert "cannot be read" in err and "CAIRN_CONFIG_DIR" in err


@pytest.mark.slow
def test_real_process_success_and_usage_error() -> None:
    done = cairn("stack", "list")
    assert done.returncode == 0 and "default" in done.stdout
    usage = cairn("stack", "nosuchcommand")
    assert usage.returncode == 2 and "No such command" in usage.stderr


@pytest.mark.parametrize(("columns", "width"), [("200", 78), ("60", 58), ("10", 50), ("x", 78)])
def test_help_width_follows_columns(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(main_module.os, "get_terminal_size", _no_terminal)
    assert main_module.help_width() == width


def _no_terminal(fd: int) -> object:
    raise OSError("not a terminal")
