"""``cairn <component-type> ...``: one command group per component type, built from a table.

The groups are made on demand by :func:`component_group` (``cairn.cli.main``
lists them as ``cairn.cli.component_commands:<type value>``), so invoking
``cairn artifact-store list`` builds only the artifact-store group.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.common import active_component_names, name_or_active, registry
from cairn.cli.lazy_group import LazyGroup
from cairn.cli.output import (
    echo_json,
    echo_mapping,
    echo_table,
    output_option,
    plural,
    when,
    with_state,
)
from cairn.enums import StackComponentType

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry
    from cairn.store.records import ComponentRecord

#: Extra subcommands of some types, loaded lazily: type -> {name: ("module:attr", help)}.
EXTRA_SUBCOMMANDS: dict[StackComponentType, dict[str, tuple[str, str]]] = {
    StackComponentType.ARTIFACT_STORE: {
        "clean": (
            "cairn.cli.artifact_store_commands:clean",
            "Remove partly written data no artifact record points to.",
        ),
    },
    StackComponentType.MODEL_DEPLOYER: {
        "models": ("cairn.cli.model_deployer_commands:models", "Manage model deployments."),
    },
    StackComponentType.FEATURE_STORE: {
        "features": ("cairn.cli.feature_store_commands:features", "List features."),
        "entities": ("cairn.cli.feature_store_commands:entities", "List entities."),
        "views": ("cairn.cli.feature_store_commands:views", "List feature views."),
    },
}

EXTRA_ARGS = {"ignore_unknown_options": True, "allow_extra_args": True}
NO_VERIFY_HELP = "Do not check that referenced secrets exist in the active stack."

CommandFactory = Callable[[StackComponentType], click.Command]


def component_dict(reg: StackRegistry, record: ComponentRecord, active: bool) -> dict[str, Any]:
    """A component record as JSON-ready data, secrets masked."""
    from cairn.stack.registry import masked_config

    return {
        "type": record.type.value, "name": record.name, "flavor": record.flavor,
        "uuid": record.uuid, "config": masked_config(record), "active": active,
        "stacks": reg.store.stacks_using(record.type, record.name),
        "created": record.created, "updated": record.updated,
    }  # fmt: skip


# ---------------------------------------------------------------- list / describe
def _list(ctype: StackComponentType) -> click.Command:
    @click.command("list")
    @output_option
    def list_components(output: str) -> None:
        """List components of this type (* = in the active stack)."""
        reg = registry()
        active = active_component_names(reg).get(ctype)
        records = reg.store.list_components(ctype)
        if output == "json":
            echo_json([component_dict(reg, r, r.name == active) for r in records])
            return
        if not records:
            click.echo(f"No {plural(ctype)} registered.")
            return
        rows = [("*" if r.name == active else "", r.name, r.flavor, r.uuid) for r in records]
        echo_table(["active", "name", "flavor", "uuid"], rows)

    return list_components


def _describe(ctype: StackComponentType) -> click.Command:
    @click.command("describe")
    @click.argument("name", required=False)
    @output_option
    def describe(name: str | None, output: str) -> None:
        """Show a component (default: the active stack's).

        Secret values are masked.
        """
        reg = registry()
        record = reg.store.get_component(ctype, name_or_active(reg, ctype, name))
        data = component_dict(reg, record, active_component_names(reg).get(ctype) == record.name)
        if output == "json":
            echo_json(data)
            return
        title = f"{ctype.cli_name} '{record.name}' (flavor {record.flavor})"
        info = {"uuid": record.uuid, "active": data["active"],
                "stacks": ", ".join(data["stacks"]) or "-", "created": when(record.created),
                "updated": when(record.updated)}  # fmt: skip
        echo_mapping(title + (" [active]" if data["active"] else ""), info)
        echo_mapping("  configuration:", data["config"], indent=4)
        click.echo(
            f"  parameters not listed take their defaults: "
            f"'cairn {ctype.cli_name} flavor describe {record.flavor}'"
        )

    return describe


# ---------------------------------------------------------------- register / update
def _register(ctype: StackComponentType) -> click.Command:
    @click.command("register", context_settings=EXTRA_ARGS)
    @click.argument("name")
    @click.option("--flavor", "-f", required=True, help="The flavor (see 'flavor list').")
    @click.option("--no-verify", is_flag=True, help=NO_VERIFY_HELP)
    @click.pass_context
    def register(ctx: click.Context, name: str, flavor: str, no_verify: bool) -> None:
        """Register a component."""
        from cairn.cli.common import echo_notices
        from cairn.cli.params import check_name, parse_params

        check_name(name, f"cairn {ctype.cli_name} register NAME --flavor=F --param=value")
        params = parse_params(ctx.args)
        reg = registry()
        reg.register_component(ctype, name, flavor, params, verify=not no_verify)
        click.echo(f"Registered {ctype.cli_name} '{name}' (flavor {flavor}).")
        echo_notices(reg)

    register.help = (
        f"Register a component NAME of flavor F.\n\nParameters are passed as "
        f"--param=value (--param=@file reads the value from a file), e.g.\n\n"
        f"  cairn {ctype.cli_name} register NAME --flavor=F --param=value\n\n"
        f"A value may be a secret reference {{{{secret_name.key}}}}; a plain value of a "
        f"secret field is stored in the active stack's secrets manager.\n\n"
        f"The parameters of a flavor, with types and defaults: "
        f"'cairn {ctype.cli_name} flavor describe F'."
    )
    return register


def _update(ctype: StackComponentType) -> click.Command:
    @click.command("update", context_settings=EXTRA_ARGS)
    @click.argument("name")
    @click.option("--no-verify", is_flag=True, help=NO_VERIFY_HELP)
    @click.pass_context
    def update(ctx: click.Context, name: str, no_verify: bool) -> None:
        """Change parameters of NAME: --param=value ...

        The stacks that use NAME are validated again before anything is stored.
        """
        from cairn.cli.common import echo_notices
        from cairn.cli.params import check_name, parse_params
        from cairn.exceptions import ConfigurationError

        check_name(name, f"cairn {ctype.cli_name} update NAME --param=value")
        params = parse_params(ctx.args)
        if not params:
            raise ConfigurationError(
                f"Nothing to update: pass parameters, e.g. 'cairn {ctype.cli_name} update "
                f"{name} --param=value'."
            )
        reg = registry()
        reg.update_component(ctype, name, params, verify=not no_verify)
        click.echo(f"Updated {ctype.cli_name} '{name}': {', '.join(sorted(params))}.")
        echo_notices(reg)

    return update


def _rename(ctype: StackComponentType) -> click.Command:
    @click.command("rename")
    @click.argument("name")
    @click.argument("new_name")
    def rename(name: str, new_name: str) -> None:
        """Rename NAME to NEW_NAME (stacks keep using it)."""
        registry().store.rename_component(ctype, name, new_name)
        click.echo(f"Renamed {ctype.cli_name} '{name}' to '{new_name}'.")

    return rename


def _delete(ctype: StackComponentType) -> click.Command:
    @click.command("delete")
    @click.argument("name")
    def delete(name: str) -> None:
        """Delete NAME (refused while a stack uses it)."""
        registry().store.delete_component(ctype, name)
        click.echo(f"Deleted {ctype.cli_name} '{name}'.")

    return delete


# ---------------------------------------------------------------- state
def _up(ctype: StackComponentType) -> click.Command:
    @click.command("up")
    @click.argument("name", required=False)
    def up(name: str | None) -> None:
        """Provision and resume NAME (default: the active stack's)."""
        from cairn.stack.lifecycle import component_up, log_tail

        reg = registry()
        component = reg.get_component(ctype, name_or_active(reg, ctype, name))
        try:
            done = component_up(component)
        except Exception:
            tail = log_tail(component)
            if tail:
                lines = "\n".join("    " + line for line in tail.splitlines())
                click.echo(f"Last lines of {component.log_file}:\n{lines}", err=True)
            raise
        click.echo(f"{ctype.cli_name} '{component.name}': {with_state(done, component.state)}.")

    return up


def _down(ctype: StackComponentType) -> click.Command:
    @click.command("down")
    @click.argument("name", required=False)
    @click.option("--force", is_flag=True, help="Deprovision: stop and remove its resources.")
    def down(name: str | None, force: bool) -> None:
        """Suspend NAME; --force deprovisions it.

        Without NAME, the component of this type in the active stack.
        """
        from cairn.stack.lifecycle import component_down

        reg = registry()
        component = reg.get_component(ctype, name_or_active(reg, ctype, name))
        done = component_down(component, force=force)
        click.echo(f"{ctype.cli_name} '{component.name}': {with_state(done, component.state)}.")

    return down


def _logs(ctype: StackComponentType) -> click.Command:
    @click.command("logs")
    @click.argument("name")
    @click.option("--follow", "-f", is_flag=True, help="Keep printing what is appended.")
    def logs(name: str, follow: bool) -> None:
        """Show the log of the process behind NAME."""
        from cairn.stack import component_logs
        from cairn.stack.lifecycle import follow_file

        reg = registry()
        known, path = component_logs.service_log_file(reg, ctype, name)  # without building it
        if not known:
            path = reg.get_component(ctype, name).log_file
        if path is None or (not follow and not Path(path).is_file()):
            click.echo(f"The {ctype.cli_name} '{name}' has no logs.")
            return
        if not follow:
            click.echo(Path(path).read_text(encoding="utf-8", errors="replace"), nl=False)
            return
        with contextlib.suppress(KeyboardInterrupt):
            follow_file(Path(path), lambda text: click.echo(text, nl=False))

    return logs


# ---------------------------------------------------------------- flavors
def _flavor_group(ctype: StackComponentType) -> click.Group:
    @click.group("flavor")
    def flavor() -> None:
        """List and register flavors of this type."""

    @flavor.command("list")
    @output_option
    def list_flavors(output: str) -> None:
        """List the flavors: built-in, integrations, custom and plugins."""
        from cairn.stack.flavor_catalog import catalog
        from cairn.stack.flavor_registry import list_flavors as list_all

        infos = list_all(registry().store, ctype)
        if output == "json":
            echo_json([i.as_dict() for i in infos])
            return
        described = {e.name: e.description for e in catalog() if e.type == ctype}
        rows = [
            (i.name, i.origin, i.integration, i.usable, i.source,
             i.problem or described.get(i.name) or None)
            for i in infos
        ]  # fmt: skip
        echo_table(["flavor", "origin", "integration", "usable", "source", "note"], rows)

    @flavor.command("describe")
    @click.argument("name")
    @output_option
    def describe_flavor(name: str, output: str) -> None:
        """Show every parameter of flavor NAME: type, default, secret, description."""
        from cairn.stack.flavor_param_table import known_parameters

        params = known_parameters(ctype, name)  # the catalog's flavors, without importing them
        if params is None:
            from cairn.stack.flavor_params import flavor_parameters
            from cairn.stack.flavor_registry import get_flavor_class

            params = flavor_parameters(get_flavor_class(registry().store, ctype, name))
        if output == "json":
            echo_json({"flavor": name, "type": ctype.value,
                       "parameters": [p.as_dict() for p in params]})  # fmt: skip
            return
        click.echo(f"{ctype.cli_name} flavor '{name}': pass parameters as --NAME=VALUE")
        if not params:
            click.echo("  (no parameters)")
            return
        rows = [(p.name, p.type, p.default, "yes" if p.secret else "", p.description)
                for p in params]  # fmt: skip
        echo_table(["parameter", "type", "default", "secret", "description"], rows)

    @flavor.command("register")
    @click.argument("source")
    @click.option("--overwrite", is_flag=True, help="Replace a custom flavor of the same name.")
    def register_flavor(source: str, overwrite: bool) -> None:
        """Register the flavor class at SOURCE (package.module.ClassName)."""
        from cairn.stack.flavor_registry import register_custom_flavor

        info = register_custom_flavor(registry().store, ctype, source, overwrite=overwrite)
        click.echo(f"Registered {ctype.cli_name} flavor '{info.name}' ({info.source}).")

    @flavor.command("delete")
    @click.argument("name")
    def delete_flavor(name: str) -> None:
        """Forget the custom flavor NAME."""
        registry().store.delete_flavor(ctype, name)
        click.echo(f"Deleted custom {ctype.cli_name} flavor '{name}'.")

    return flavor


FACTORIES: tuple[CommandFactory, ...] = (
    _list, _register, _describe, _update, _rename, _delete, _up, _down, _logs, _flavor_group,
)  # fmt: skip


def _available_extras(ctype: StackComponentType) -> dict[str, tuple[str, str]]:
    extras = {}
    for name, (target, help_text) in EXTRA_SUBCOMMANDS.get(ctype, {}).items():
        if importlib.util.find_spec(target.partition(":")[0]) is not None:
            extras[name] = (target, help_text)
    return extras


def component_group(ctype: StackComponentType) -> click.Group:
    """The ``cairn <ctype.cli_name>`` group with every command of a component type."""
    group = LazyGroup(
        name=ctype.cli_name,
        lazy_subcommands=_available_extras(ctype),
        help=f"Manage {plural(ctype)}: register, configure, bring up and down, flavors.",
    )
    for factory in FACTORIES:
        group.add_command(factory(ctype))
    return group


def __getattr__(name: str) -> click.Group:
    """``component_commands.artifact_store`` is the artifact-store group (built on access)."""
    try:
        ctype = StackComponentType(name)
    except ValueError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return component_group(ctype)


__all__ = sorted(["component_group", *(t.value for t in StackComponentType)])
