"""``cairn secret ...``: secrets of the active stack's secrets manager.

Values are given as ``--KEY=VALUE``, ``--KEY=@file`` (read from a file, which
keeps them out of the shell history and the process list) or typed at a prompt
that does not echo (``-i``). They are never printed unless ``get --reveal``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cairn.cli.common import registry
from cairn.cli.output import echo_json, echo_mapping, echo_table, output_option
from cairn.exceptions import ConfigurationError

if TYPE_CHECKING:
    from cairn.secrets_managers import BaseSecretsManager
    from cairn.stack.local_secret_files import LocalSecretFiles
    from cairn.stack.registry import StackRegistry

EXTRA_ARGS = {"ignore_unknown_options": True, "allow_extra_args": True}
HIDDEN = "********"


def parse_values(args: Sequence[str]) -> dict[str, str]:
    """``["--user=me", "--password=@pw.txt"]`` -> ``{"user": "me", "password": "<file text>"}``.

    Raises:
        ConfigurationError: an argument is not ``--KEY=VALUE``, a key is repeated or
            a file cannot be read (the message never holds a value).
    """
    values: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg[2:].partition("=") if arg.startswith("--") else ("", "", "")
        if not key or not eq:
            shown = arg.split("=", 1)[0]
            raise ConfigurationError(
                f"Unexpected argument '{shown}': pass secret values as --KEY=VALUE, "
                f"--KEY=@file or -i."
            )
        key = key.replace("-", "_")
        if key in values:
            raise ConfigurationError(f"Key --{key} is given twice.")
        values[key] = _read_value(key, value)
    return values


def _read_value(key: str, value: str) -> str:
    if not (value.startswith("@") and len(value) > 1):
        return value
    path = Path(value[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read the value of --{key} from {path}: {exc.strerror}."
        ) from None


def prompt_values(schema: str, given: dict[str, str]) -> dict[str, str]:
    """Ask for values without echoing them: the schema's keys, else keys the user names."""
    from cairn.secrets_managers.secret_schemas import schema_keys

    values = dict(given)
    required, optional = schema_keys(schema)
    for key in required + optional:
        if key not in values:
            text = click.prompt(
                key + ("" if key in required else " (optional)"),
                hide_input=True, default="" if key not in required else None, show_default=False,
            )  # fmt: skip
            if text:
                values[key] = text
    if required or optional:
        return values
    while True:
        key = click.prompt("key (empty to finish)", default="", show_default=False)
        if not key:
            return values
        values[key] = click.prompt(f"value of {key}", hide_input=True)


def _local_files(reg: StackRegistry) -> LocalSecretFiles | None:
    """The files of the active stack's secrets manager, read from its registry record when
    it is the built-in ``local`` flavor configured with plain values (no component is
    built, so no pydantic); None in every other case (the built manager then answers)."""
    from cairn.enums import StackComponentType
    from cairn.exceptions import CairnError
    from cairn.stack.builtin_records import builtin_component
    from cairn.stack.local_secret_files import LocalSecretFiles

    try:
        stack = reg.store.get_stack(reg.active_stack_name())
        record = builtin_component(reg, StackComponentType.SECRETS_MANAGER, stack, "local")
    except CairnError:
        return None  # the manager reports it
    if record is None or not set(record.config) <= {"path", "key_file"}:
        return None  # what the component's validation would refuse, it reports
    path, key_file = record.config.get("path"), record.config.get("key_file")
    for value in (path, key_file):
        if value is not None and (not isinstance(value, str) or "{{" in value):
            return None
    return LocalSecretFiles(record.name, record.uuid, path, key_file)


def _local_secret(files: LocalSecretFiles, name: str) -> tuple[str, dict[str, str]]:
    """Schema and values of secret ``name``, as the manager's ``get_secret`` checks them."""
    from cairn.stack.secret_references import check_secret_name, no_such_secret

    check_secret_name(name)
    found = files.load(name)
    if found is None:
        raise no_such_secret(name, files.manager)
    return found


def _manager() -> BaseSecretsManager:
    reg = registry()
    return reg.active_secrets_manager()


@click.group("secret")
def secret() -> None:
    """Manage secrets in the active stack's secrets manager.

    Components refer to them as {{NAME.KEY}}.
    """


@secret.command("register", context_settings=EXTRA_ARGS)
@click.argument("name")
@click.option("--schema", "-s", default="arbitrary", show_default=True,
              help="aws, gcp, azure, basic_auth, mysql or arbitrary.")  # fmt: skip
@click.option("--interactive", "-i", is_flag=True, help="Prompt for values (not echoed).")
@click.option("--overwrite", is_flag=True, help="Replace an existing secret of that name.")
@click.pass_context
def register(
    ctx: click.Context, name: str, schema: str, interactive: bool, overwrite: bool
) -> None:
    """Register secret NAME: --KEY=VALUE ... (or --KEY=@file, or -i)."""
    values = parse_values(ctx.args)
    if interactive:
        values = prompt_values(schema, values)
    manager = _manager()
    manager.register_secret(name, values, overwrite=overwrite, schema=schema)
    click.echo(
        f"Registered secret '{name}' ({schema}; keys: {', '.join(sorted(values))}) in secrets "
        f"manager '{manager.name}'. Refer to it as {{{{{name}.KEY}}}}."
    )


@secret.command("get")
@click.argument("name")
@click.option("--reveal", is_flag=True, help="Print the values in clear.")
@output_option
def get(name: str, reveal: bool, output: str) -> None:
    """Show the keys of secret NAME (values hidden unless --reveal)."""
    reg = registry()
    files = _local_files(reg)
    if files is not None:  # read and decrypted without building the manager
        manager_name = files.manager
        schema, values = _local_secret(files, name)
        shown = {k: v if reveal else HIDDEN for k, v in sorted(values.items())}
    else:
        manager = reg.active_secrets_manager()
        manager_name = manager.name
        schema = manager.get_secret_schema(name)
        secret_values = manager.get_secret(name)
        shown = {
            k: v.get_secret_value() if reveal else HIDDEN for k, v in sorted(secret_values.items())
        }
    if output == "json":
        echo_json({"name": name, "schema": schema, "secrets_manager": manager_name,
                   "values": shown})  # fmt: skip
        return
    echo_mapping(f"secret '{name}' ({schema}) in secrets manager '{manager_name}'", shown)


@secret.command("list")
@output_option
def list_secrets(output: str) -> None:
    """List the secrets (names only)."""
    reg = registry()
    files = _local_files(reg)  # names are not secret: neither the key nor pydantic is needed
    if files is not None:
        manager_name, names = files.manager, files.names()
    else:
        manager = reg.active_secrets_manager()
        manager_name, names = manager.name, manager.list_secrets()
    if output == "json":
        echo_json([{"name": n, "secrets_manager": manager_name} for n in names])
        return
    if not names:
        click.echo(f"No secrets in secrets manager '{manager_name}'.")
        return
    echo_table(["name"], [(n,) for n in names])


@secret.command("update", context_settings=EXTRA_ARGS)
@click.argument("name")
@click.option("--interactive", "-i", is_flag=True, help="Prompt for values (not echoed).")
@click.option("--remove-key", "remove", multiple=True, metavar="KEY", help="Remove KEY.")
@click.pass_context
def update(ctx: click.Context, name: str, interactive: bool, remove: tuple[str, ...]) -> None:
    """Change keys of secret NAME: --KEY=VALUE ... (or -i); --remove-key KEY."""
    values = parse_values(ctx.args)
    manager = _manager()
    if interactive:
        values = prompt_values(manager.get_secret_schema(name), values)
    if not values and not remove:
        raise ConfigurationError(
            f"Nothing to update: pass --KEY=VALUE, -i or --remove-key KEY, e.g. "
            f"'cairn secret update {name} --password=@file'."
        )
    manager.update_secret(name, values, remove_keys=remove)
    changed = sorted(values) + [f"-{k}" for k in remove]
    click.echo(f"Updated secret '{name}': {', '.join(changed)}.")


@secret.command("delete")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, yes: bool) -> None:
    """Delete secret NAME."""
    manager = _manager()
    if not manager.has_secret(name):
        manager.delete_secret(name)  # raises: no such secret
    if not yes:
        click.confirm(f"Delete secret '{name}' from secrets manager '{manager.name}'?", abort=True)
    manager.delete_secret(name)
    click.echo(f"Deleted secret '{name}'.")


__all__ = ["parse_values", "prompt_values", "secret"]
