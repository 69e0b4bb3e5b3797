"""Plain-text output of the CLI: aligned tables, key/value blocks and JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click

from cairn.enums import StackComponentType

#: ``--output`` option shared by every list and describe command.
output_option = click.option(
    "--output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format; json is printed alone on stdout.",
)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as columns aligned on the widest cell, headers in capitals.

    Example:
        >>> print(format_table(["name", "flavor"], [["default", "local"]]))
        NAME     FLAVOR
        default  local
    """
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print :func:`format_table`."""
    click.echo(format_table(headers, rows))


def echo_mapping(title: str, data: Mapping[str, Any], indent: int = 2) -> None:
    """Print a title and aligned ``key: value`` lines below it."""
    click.echo(title)
    if not data:
        return
    width = max(len(k) for k in data) + 1
    pad = " " * indent
    for key, value in data.items():
        click.echo(f"{pad}{(key + ':').ljust(width)} {_cell(value)}")


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (sorted keys) on stdout."""
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def plural(ctype: StackComponentType) -> str:
    """Readable plural of a component type: ``artifact stores``, ``container registries``."""
    words = ctype.value.replace("_", " ")
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def with_state(message: str, state: str | None) -> str:
    """``provisioned (running)``; the state is left out when the message already says it."""
    return message if not state or state in message else f"{message} ({state})"


def when(timestamp: float | None) -> str:
    """A timestamp as local ``YYYY-MM-DD HH:MM:SS``."""
    import time

    if not timestamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))
