"""``cairn registry``: work with a registry shared by a team, or the local one."""

from __future__ import annotations

from typing import Any

import click

from cairn.cli.output import echo_json, output_option


@click.group("registry")
def registry() -> None:
    """Where stacks, components and flavors live: local (SQLite) or shared.

    A shared registry is a PostgreSQL or MySQL/MariaDB database a team uses
    together. The active stack, the 'default' stack (with this machine's paths)
    and 'local' secrets managers stay on each machine.
    """


@registry.command("connect")
@click.argument("url")
def connect(url: str) -> None:
    """Use the shared registry in the database at URL.

    URL is postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or
    mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (the database must exist;
    Cairn creates and upgrades its tables). It is kept in your config folder,
    readable by you only; CAIRN_REGISTRY_URL overrides it.
    """
    from cairn.stack.registry_connection import (
        ENV_REGISTRY_URL,
        mask_url,
        normalize_url,
        save_connection,
    )
    from cairn.store.server_registry_store import ServerRegistryStore

    normalized = normalize_url(url)
    shown = mask_url(normalized)
    store = ServerRegistryStore(normalized, shown)  # connects and migrates, or one line
    try:
        stacks, components = len(store.list_stacks()), len(store.list_components())
    finally:
        store.close()
    path = save_connection(normalized)
    click.echo(f"Connected to the shared registry at {shown}: {stacks} stack(s), "
               f"{components} component(s). (Saved in {path}.)")  # fmt: skip
    click.echo("Your active stack, the 'default' stack and 'local' secrets managers stay on this "
               "machine.")  # fmt: skip
    import os

    if os.environ.get(ENV_REGISTRY_URL):
        click.echo(f"Note: {ENV_REGISTRY_URL} is set and wins over this connection.", err=True)


@registry.command("disconnect")
def disconnect() -> None:
    """Go back to the local registry (the shared one is left as it is)."""
    import os

    from cairn.stack.registry_connection import ENV_REGISTRY_URL, forget_connection

    if forget_connection():
        click.echo("Disconnected from the shared registry: using the local registry again.")
        if not os.environ.get(ENV_REGISTRY_URL):
            _reset_active_stack()
    else:
        click.echo("Not connected to a shared registry: nothing to do.")
    if os.environ.get(ENV_REGISTRY_URL):
        click.echo(f"Note: {ENV_REGISTRY_URL} is still set: unset it to use the local registry.",
                   err=True)  # fmt: skip


def _reset_active_stack() -> None:
    """After disconnecting, a shared active stack is gone: fall back to ``default``."""
    from cairn.exceptions import DoesNotExistError
    from cairn.stack.registry import open_registry_store

    store = open_registry_store()
    active = store.get_active_stack_name()
    if active is None:
        return
    try:
        store.get_stack(active)
    except DoesNotExistError:
        store.set_active_stack_name("default")
        click.echo(f"The active stack '{active}' is in the shared registry: 'default' is active "
                   "again.")  # fmt: skip


def status_info() -> dict[str, Any]:
    """What ``cairn registry status`` shows (also its JSON output)."""
    from cairn.config import config_dir
    from cairn.stack.registry import REGISTRY_FILENAME, local_secrets_warning
    from cairn.stack.registry_connection import mask_url, registry_connection

    connection = registry_connection()
    local_path = str(config_dir() / REGISTRY_FILENAME)
    if connection is None:
        from cairn.stack.registry import open_registry_store

        store: Any = open_registry_store()
        return {"kind": "local", "location": local_path,
                "revision": str(store.schema_version), "stacks": len(store.list_stacks()),
                "active_stack": store.get_active_stack_name(), "warnings": []}  # fmt: skip
    from cairn.stack.registry import open_registry_store

    team: Any = open_registry_store()
    warnings = [w for s in team.shared.list_stacks()
                if (w := local_secrets_warning(team, s)) is not None]  # fmt: skip
    return {"kind": "shared", "location": mask_url(connection.url),
            "configured_in": connection.source, "revision": team.shared.schema_version,
            "stacks": len(team.shared.list_stacks()),
            "components": len(team.shared.list_components()),
            "active_stack": team.get_active_stack_name(), "local_registry": local_path,
            "warnings": warnings}  # fmt: skip


@registry.command("status")
@output_option
def status(output: str) -> None:
    """Which registry is used, its schema revision and what it holds."""
    info = status_info()
    if output == "json":
        echo_json(info)
        return
    if info["kind"] == "local":
        click.echo(f"Registry: local, {info['location']} (schema revision {info['revision']}), "
                   f"{info['stacks']} stack(s).")  # fmt: skip
    else:
        click.echo(f"Registry: shared, {info['location']} (schema revision {info['revision']}), "
                   f"{info['stacks']} stack(s), {info['components']} component(s); configured in "
                   f"{info['configured_in']}.")  # fmt: skip
        click.echo(f"On this machine: {info['local_registry']} (active stack, 'default' stack, "
                   "local secrets managers).")  # fmt: skip
    click.echo(f"Active stack: {info['active_stack'] or 'none'}.")
    for warning in info["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
