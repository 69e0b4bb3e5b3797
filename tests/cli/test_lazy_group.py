"""The lazy click group: listed without importing, loaded when invoked."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cairn.cli.lazy_group import LazyGroup


def _group(module: str) -> click.Group:
    @click.group(cls=LazyGroup, lazy_subcommands={"hello": (f"{module}:hello", "Say hello.")})
    def root() -> None:
        """Root."""

    @root.command("eager")
    def eager() -> None:
        """An eager command."""

    return root


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "lazy_hello_mod.py").write_text(textwrap.dedent("""
        import click

        @click.command()
        def hello():
            click.echo("hello!")

        not_a_command = 1
    """))  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazy_hello_mod"
    sys.modules.pop("lazy_hello_mod", None)


def test_help_lists_without_importing(module: str) -> None:
    out = CliRunner().invoke(_group(module), ["--help"]).output
    assert "hello  Say hello." in out and "eager  An eager command." in out
    assert module not in sys.modules


def test_invoking_imports_the_one_command(module: str) -> None:
    result = CliRunner().invoke(_group(module), ["hello"])
    assert result.output == "hello!\n"
    assert module in sys.modules


def test_a_target_that_is_not_a_command(module: str) -> None:
    @click.group(cls=LazyGroup, lazy_subcommands={"bad": (f"{module}:not_a_command", "Bad.")})
    def root() -> None:
        """Root."""

    result = CliRunner().invoke(root, ["bad"])
    assert isinstance(result.exception, TypeError)
