"""A click group whose subcommands are imported only when invoked.

The group knows each subcommand by ``"module:attr"`` plus a short help string,
so ``cairn --help`` lists every command without importing any of them
(Kedro's ``LazyGroup`` works the same way).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

#: ``name -> ("package.module:attr", "short help")``
LazyTable = Mapping[str, tuple[str, str]]


class LazyGroup(click.Group):
    """A :class:`click.Group` with subcommands loaded on first use.

    Args:
        lazy_subcommands: the table of lazily loaded subcommands.
        *args: passed to :class:`click.Group`.
        **kwargs: passed to :class:`click.Group`.
    """

    def __init__(self, *args: Any, lazy_subcommands: LazyTable | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands: dict[str, tuple[str, str]] = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, _, attr = self.lazy_subcommands[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attr} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every subcommand with its help, importing none of the lazy ones."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            if name in self.lazy_subcommands:
                rows.append((name, self.lazy_subcommands[name][1]))
            elif not self.commands[name].hidden:
                rows.append((name, self.commands[name].get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
