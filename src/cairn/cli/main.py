"""The ``cairn`` command: a lazy root group and the error boundary of the CLI.

Every subcommand is listed in :data:`COMMANDS` (one line each; the ten
component groups are generated from :class:`~cairn.enums.StackComponentType`)
and imported only when invoked, so ``cairn --help`` imports click alone.

A :class:`~cairn.exceptions.CairnError` becomes one line ``Error: <message>`` on
stderr and exit code 1; ``cairn --debug ...`` also prints the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from cairn.cli.lazy_group import LazyGroup
from cairn.cli.output import plural
from cairn.enums import StackComponentType
from cairn.exceptions import CairnError, RunCancelledError

ENV_DEBUG = "CAIRN_DEBUG"


def _component_commands() -> dict[str, tuple[str, str]]:
    return {
        t.cli_name: (f"cairn.cli.component_commands:{t.value}", f"Manage {plural(t)}.")
        for t in StackComponentType
    }


#: Every subcommand of ``cairn``: name -> ("module:attr", short help).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cairn.cli.basic_commands:init", "Make this folder a Cairn repository (.cairn/)."),
    "version": ("cairn.cli.basic_commands:version", "Show Cairn's version."),
    "stack": ("cairn.cli.stack_commands:stack", "Manage stacks."),
    "pipeline": ("cairn.cli.pipeline_commands:pipeline", "Pipelines and their runs."),
    "secret": ("cairn.cli.secret_commands:secret", "Secrets of the active stack."),
    "artifact": ("cairn.cli.artifact_commands:artifact", "Artifacts by name and version."),
    "model": ("cairn.cli.model_commands:model", "Models, their versions and stages."),
    "dashboard": ("cairn.cli.dashboard_commands:dashboard", "Serve the web dashboard."),
    "registry": ("cairn.cli.registry_commands:registry", "Use a shared (team) or local registry."),
    **_component_commands(),
}


def help_width(max_width: int = 80) -> int:
    """The width of help texts, as click computes it, without importing :mod:`shutil`.

    ``shutil`` pulls in ``bz2``, ``lzma`` and more: about 10 ms of every ``--help``.
    """
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(min(columns, max_width) - 2, 50)


class CairnGroup(LazyGroup):
    """The root group: lazy subcommands and Cairn's error boundary."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        from click import formatting

        if parent is None and "terminal_width" not in extra and formatting.FORCED_WIDTH is None:
            extra["terminal_width"] = help_width()
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug")) or os.environ.get(ENV_DEBUG) == "1"
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except RunCancelledError as exc:
            _report(str(exc), debug)
            ctx.exit(130)
        except CairnError as exc:
            _report(str(exc), debug)
        except SystemExit as exc:  # user or plugin code imported by a command called sys.exit
            _report(
                f"code imported by this command called sys.exit({exc.code!r}); nothing was "
                "changed (check the flavor, plugin or pipeline module it loaded)",
                debug,
            )
        except Exception as exc:
            _report(describe_error(exc, debug), debug)
        ctx.exit(1)


def describe_error(exc: BaseException, debug: bool = False) -> str:
    """One sentence for an error that is not a :class:`CairnError` (never "unexpected X")."""
    import json

    if isinstance(exc, json.JSONDecodeError):
        text = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    elif isinstance(exc, UnicodeError):
        text = "an input is not valid UTF-8 text"
    elif isinstance(exc, MemoryError):
        text = "ran out of memory reading the input: give a smaller value or file"
    elif isinstance(exc, OverflowError):
        text = f"a number is too large ({exc})"
    elif isinstance(exc, RecursionError):
        text = "the input is nested too deeply"
    elif isinstance(exc, SyntaxError):
        text = f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}"
    elif isinstance(exc, ModuleNotFoundError):
        text = f"no module named '{exc.name}': install it, or check the import path"
    elif isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror or exc}:{where}".rstrip(":")
    else:
        text = f"internal error ({type(exc).__name__}: {exc}); please report it"
    hint = "" if debug else " (rerun with 'cairn --debug ...' for the traceback)"
    return text + hint


def _report(message: str, debug: bool) -> None:
    if debug:
        import traceback

        click.echo(traceback.format_exc().rstrip(), err=True)
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    click.echo(f"Error: {first}", err=True)


@click.group(
    cls=CairnGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show Cairn's version and exit.",
)
def cli(debug: bool) -> None:
    """Cairn: ML pipelines on a stack of pluggable infrastructure.

    Every command of a component type, e.g. 'cairn artifact-store --help',
    works the same for the ten types.
    """


def _print_version(ctx: click.Context) -> None:
    from cairn import __version__

    click.echo(f"cairn {__version__}")
    ctx.exit(0)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``cairn`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="cairn")


if __name__ == "__main__":
    main()
