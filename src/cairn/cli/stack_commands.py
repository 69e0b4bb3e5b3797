"""``cairn stack ...``: register, inspect, activate, change, bring up/down, export, import.

Read commands (``list``, ``describe``, ``get``, ``set``) use only the registry
store's plain records, so they never import pydantic or a flavor's class.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cairn.cli.common import active_name, echo_notices, registry
from cairn.cli.output import echo_json, echo_table, output_option, with_state
from cairn.enums import STACK_OPTION_LETTERS, StackComponentType
from cairn.exceptions import ConfigurationError

if TYPE_CHECKING:
    from cairn.stack.lifecycle import Outcome

F = TypeVar("F", bound=Callable[..., Any])
_T = StackComponentType


def _one_name(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """A component option given twice (``-a x -a y``) is an error, not "last one wins"."""
    if len(value) > 1:
        raise click.BadParameter(
            f"given {len(value)} times ({', '.join(value)}); a stack has one component of a type."
        )
    return value[0] if value else None


def component_options(func: F) -> F:
    """``-o ORCH -a ART -m META -c ... -al ...``: a component name per type."""
    for ctype, letter in reversed(STACK_OPTION_LETTERS.items()):
        func = click.option(
            f"-{letter}", f"--{ctype.cli_name}", ctype.value, multiple=True, metavar="NAME",
            callback=_one_name,
            help=f"Name of the {ctype.cli_name}" + (" (required)." if ctype.is_required else "."),
        )(func)  # fmt: skip
    return func


def removal_flags(func: F) -> F:
    """``-c -x -s -d -f -e -al``: flags naming the optional types to remove."""
    for ctype, letter in reversed(STACK_OPTION_LETTERS.items()):
        if not ctype.is_required:
            func = click.option(
                f"-{letter}", f"--{ctype.cli_name}", ctype.value, is_flag=True,
                help=f"Remove the {ctype.cli_name}.",
            )(func)  # fmt: skip
    return func


def _chosen(values: dict[str, Any]) -> dict[StackComponentType, str]:
    return {t: values[t.value] for t in StackComponentType if values.get(t.value)}


@click.group("stack")
def stack() -> None:
    """Manage stacks: sets of stack components, one of them active."""


@stack.command("register")
@click.argument("name")
@component_options
@click.option("--set", "activate", is_flag=True, help="Make it the active stack.")
def register(name: str, activate: bool, **components: str | None) -> None:
    """Register a stack of existing components.

    -o, -a and -m are required; the other types are optional.
    """
    reg = registry()
    reg.register_stack(name, _chosen(components), activate=activate)
    click.echo(f"Registered stack '{name}'." + (" It is now active." if activate else ""))
    echo_notices(reg)


@stack.command("list")
@output_option
def list_stacks(output: str) -> None:
    """List stacks (* marks the active one)."""
    reg = registry()
    active, records = active_name(reg), reg.store.list_stacks()
    if output == "json":
        echo_json([{"name": r.name, "uuid": r.uuid, "active": r.name == active,
                    "components": {t.value: n for t, n in r.components.items()}}
                   for r in records])  # fmt: skip
        return
    used = {t for r in records for t in r.components}
    types = [t for t in StackComponentType if t.is_required or t in used]
    rows = [["*" if r.name == active else "", r.name, *(r.components.get(t) for t in types)]
            for r in records]  # fmt: skip
    echo_table(["active", "stack", *(t.value for t in types)], rows)


@stack.command("describe")
@click.argument("name", required=False)
@output_option
def describe(name: str | None, output: str) -> None:
    """Show the components of a stack.

    Without NAME: the active stack.
    """
    reg = registry()
    active = active_name(reg)
    record = reg.store.get_stack(name or reg.active_stack_name())
    flavors = {(c.type, c.name): c.flavor for c in reg.store.list_components()}
    members = sorted(record.components.items(), key=lambda i: list(StackComponentType).index(i[0]))
    if output == "json":
        echo_json({"name": record.name, "uuid": record.uuid, "active": record.name == active,
                   "components": {t.value: {"name": n, "flavor": flavors.get((t, n))}
                                  for t, n in members}})  # fmt: skip
        return
    click.echo(f"Stack '{record.name}'" + (" [active]" if record.name == active else ""))
    echo_table(["type", "name", "flavor"], [(t.value, n, flavors.get((t, n))) for t, n in members])


@stack.command("set")
@click.argument("name")
@click.option("--global", "global_", is_flag=True, help="Set it globally, even in a repository.")
def set_stack(name: str, global_: bool) -> None:
    """Make NAME the active stack.

    Inside a repository (cairn init) it is pinned for that repository, unless
    --global is given.
    """
    where = registry().set_active_stack(name, global_=global_)
    click.echo(f"Active stack set to '{name}' ({where}).")


@stack.command("validate")
@click.argument("name", required=False)
def validate(name: str | None) -> None:
    """Check stack NAME (default: the active stack), its secret references included.

    Nothing is started and no secret value is shown.
    """
    reg = registry()
    stack_name = name or reg.active_stack_name()
    stack = reg.get_stack(stack_name)
    stack.validate_secrets()
    click.echo(f"Stack '{stack_name}' is valid.")


@stack.command("get")
def get_stack() -> None:
    """Show the active stack and where it is set."""
    from cairn.config import ENV_ACTIVE_STACK, find_repository

    name = registry().active_stack_name()
    repo = find_repository()
    if os.environ.get(ENV_ACTIVE_STACK):
        where = f"${ENV_ACTIVE_STACK}"
    elif repo is not None and repo.active_stack:
        where = f"repository {repo.root}"
    else:
        where = "global"
    click.echo(f"Active stack: '{name}' ({where}).")


@stack.command("update")
@click.argument("name")
@component_options
def update(name: str, **components: str | None) -> None:
    """Replace components of a stack.

    The new stack is validated before anything is stored.
    """
    chosen = _chosen(components)
    if not chosen:
        raise ConfigurationError(
            f"Nothing to update: pass components, e.g. 'cairn stack update {name} -a STORE'."
        )
    reg = registry()
    reg.update_stack(name, chosen)
    parts = ", ".join(f"{t.cli_name} '{n}'" for t, n in chosen.items())
    click.echo(f"Updated stack '{name}': {parts}.")
    echo_notices(reg)


@stack.command("remove-component")
@click.argument("name")
@removal_flags
def remove_component(name: str, **flags: bool) -> None:
    """Remove optional components from a stack.

    For example -c removes the container registry.
    """
    types = {t for t in StackComponentType if flags.get(t.value)}
    if not types:
        options = " ".join(f"-{STACK_OPTION_LETTERS[t]}" for t in StackComponentType
                           if not t.is_required)  # fmt: skip
        raise ConfigurationError(f"Nothing to remove: pass one of {options}.")
    registry().update_stack(name, {}, types)
    click.echo(f"Removed {', '.join(sorted(t.cli_name for t in types))} from stack '{name}'.")


@stack.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename(name: str, new_name: str) -> None:
    """Rename stack NAME to NEW_NAME."""
    registry().rename_stack(name, new_name)
    click.echo(f"Renamed stack '{name}' to '{new_name}'.")


@stack.command("delete")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, yes: bool) -> None:
    """Delete stack NAME (its components stay registered)."""
    reg = registry()
    reg.check_stack_deletable(name)
    if not yes:
        click.confirm(f"Delete stack '{name}'?", abort=True)
    reg.delete_stack(name)
    click.echo(f"Deleted stack '{name}'.")


def _report(outcome: Outcome) -> None:
    status = with_state(outcome.message, outcome.state) if outcome.ok else "FAILED"
    click.echo(f"{outcome.label}: {status}")


def _report_changes(outcome: Outcome) -> None:
    """``stack down``: say only what was changed (and what failed)."""
    if outcome.changed or not outcome.ok:
        _report(outcome)


def _finish(ctx: click.Context, verb: str, outcomes: list[Outcome]) -> None:
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        changed = sum(o.changed for o in outcomes)
        if changed == len(outcomes):
            click.echo(f"All {len(outcomes)} component(s) {verb}.")
        elif changed:
            click.echo(
                f"{changed} of {len(outcomes)} component(s) {verb}; the others had nothing "
                "to change."
            )
        else:
            click.echo(f"Nothing to change: none of the {len(outcomes)} component(s) needed it.")
        return
    for outcome in failed:
        click.echo(f"Error: {outcome.label} failed: {outcome.message}", err=True)
        if outcome.log_tail:
            click.echo(f"  last lines of its log:\n{_indent(outcome.log_tail)}", err=True)
    click.echo(f"Error: {len(failed)} of {len(outcomes)} component(s) failed.", err=True)
    ctx.exit(1)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


@stack.command("up")
@click.argument("name", required=False)
@click.pass_context
def up(ctx: click.Context, name: str | None) -> None:
    """Bring every component of a stack up.

    Without NAME: the active stack. Each component is provisioned and resumed
    if needed; a failure does not stop the others.
    """
    from cairn.stack.lifecycle import stack_up

    _finish(ctx, "up", stack_up(registry(), name, report=_report))


@stack.command("down")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Deprovision: stop and remove resources.")
@click.pass_context
def down(ctx: click.Context, name: str | None, force: bool) -> None:
    """Suspend every component of a stack.

    Without NAME: the active stack. --force also deprovisions them.
    """
    from cairn.stack.lifecycle import stack_down

    verb = "deprovisioned" if force else "suspended"
    _finish(ctx, verb, stack_down(registry(), name, force=force, report=_report_changes))


@stack.command("export")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(name: str, file: Path) -> None:
    """Export a stack to a YAML file.

    FILE '-' prints it. Secret values are written masked, never in clear.
    """
    from cairn.stack.portability import export_stack, export_stack_to_file

    if str(file) == "-":
        import yaml

        sys.stdout.write(yaml.safe_dump(export_stack(registry(), name), sort_keys=False))
        return
    export_stack_to_file(registry(), name, file)
    click.echo(f"Exported stack '{name}' to {file}.")


@stack.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(name: str, file: Path) -> None:
    """Import a stack from a YAML file.

    FILE is written by 'cairn stack export'. Identical components are re-used.
    """
    from cairn.stack.portability import import_stack_from_file

    for item in import_stack_from_file(registry(), name, file):
        renamed = f" (named '{item.original_name}' in the file)" if item.original_name else ""
        click.echo(f"  {item.type.cli_name} '{item.name}': {item.action}{renamed}")
    click.echo(f"Imported stack '{name}' from {file}.")


__all__ = ["stack"]
