"""Export a stack to YAML and import it elsewhere (``cairn stack export|import``).

The file holds each component's type, name, flavor and configuration. Secret
values never leave the registry: they are written as the mask ``********``.
Importing a file re-uses a component that already exists with the same name,
flavor and configuration, registers the others (under ``<name>-<stack>`` when
the name is taken by a different component) and refuses a component that must
be created but whose secret was masked, saying how to provide it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType
from cairn.exceptions import ConfigurationError, DoesNotExistError, EntityExistsError
from cairn.stack.registry import MASK, masked_config

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry
    from cairn.stack.stack_component import StackComponent

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ImportedComponent:
    """One component of an imported stack and what the import did with it.

    Attributes:
        action: ``reused`` (an identical component existed) or ``registered``.
        original_name: the name in the file, when the component got another one.
    """

    type: StackComponentType
    name: str
    flavor: str
    action: str
    original_name: str | None = None


def export_stack(registry: StackRegistry, name: str) -> dict[str, Any]:
    """The stack ``name`` as plain data, secrets masked."""
    from cairn import __version__

    stack = registry.store.get_stack(name)
    components: dict[str, Any] = {}
    for ctype, cname in stack.components.items():
        record = registry.store.get_component(ctype, cname)
        components[ctype.value] = {
            "name": record.name,
            "flavor": record.flavor,
            "config": masked_config(record),
        }
    return {
        "format_version": FORMAT_VERSION,
        "cairn_version": __version__,
        "stack_name": stack.name,
        "components": components,
    }


def export_stack_to_file(registry: StackRegistry, name: str, path: Path) -> None:
    """Write :func:`export_stack` as YAML to ``path``."""
    import yaml

    data = export_stack(registry, name)
    try:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"Cannot write {path}: {exc}.") from exc


def read_stack_file(path: Path) -> dict[str, Any]:
    """Read and check the shape of an exported stack file."""
    from cairn.config.user_input import load_yaml, read_text_file

    data = load_yaml(read_text_file(path, "stack file"), str(path))
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
        raise ConfigurationError(
            f"{path} is not a stack export: it needs a 'components' mapping "
            f"(write one with 'cairn stack export NAME FILE')."
        )
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ConfigurationError(
            f"{path} has format version {version!r}, newer than this Cairn reads "
            f"({FORMAT_VERSION}): upgrade Cairn (pip install -U cairn)."
        )
    return data


@dataclass
class _Planned:
    type: StackComponentType
    name: str
    flavor: str
    config: dict[str, Any]
    original_name: str | None
    component: StackComponent
    reuse: bool


def _entry(ctype: str, value: Any) -> tuple[StackComponentType, str, str, dict[str, Any]]:
    try:
        component_type = StackComponentType.from_cli_name(ctype)
    except ValueError as exc:
        known = ", ".join(t.value for t in StackComponentType)
        raise ConfigurationError(f"Unknown component type '{ctype}' (known: {known}).") from exc
    if not isinstance(value, dict) or not value.get("name") or not value.get("flavor"):
        raise ConfigurationError(f"The {component_type.cli_name} entry needs a name and a flavor.")
    config = value.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigurationError(f"The config of the {component_type.cli_name} must be a mapping.")
    return component_type, str(value["name"]), str(value["flavor"]), config


def _free_name(registry: StackRegistry, ctype: StackComponentType, base: str) -> str:
    taken = {r.name for r in registry.store.list_components(ctype)}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _plan_one(
    registry: StackRegistry, stack: str, ctype: StackComponentType, name: str, flavor: str,
    config: dict[str, Any],
) -> _Planned:  # fmt: skip
    try:
        existing = registry.store.get_component(ctype, name)
    except DoesNotExistError:
        existing = None
    if existing is not None and existing.flavor == flavor and masked_config(existing) == config:
        return _Planned(ctype, name, flavor, config, None, registry.build_component(existing), True)
    masked = sorted(k for k, v in config.items() if v == MASK)
    if masked:
        field = masked[0]
        raise ConfigurationError(
            f"The {ctype.cli_name} '{name}' has secret '{field}', which is never exported: "
            f"register it with 'cairn {ctype.cli_name} register {name} --flavor={flavor} "
            f"--{field}=...' (or set it on an existing one with 'cairn {ctype.cli_name} update "
            f"{name} --{field}=...'), then import again."
        )
    new_name = name if existing is None else _free_name(registry, ctype, f"{name}-{stack}")
    component = registry.new_component(ctype, new_name, flavor, config)
    original = None if new_name == name else name
    return _Planned(ctype, new_name, flavor, config, original, component, False)


def _plan(registry: StackRegistry, name: str, data: Mapping[str, Any]) -> list[_Planned]:
    from cairn.stack.stack import Stack

    if any(s.name == name for s in registry.store.list_stacks()):
        raise EntityExistsError(
            f"A stack named '{name}' already exists: import under another name."
        )
    planned = [_plan_one(registry, name, *_entry(k, v)) for k, v in data["components"].items()]
    Stack(name, {p.type: p.component for p in planned}).validate()
    return planned


def import_stack(
    registry: StackRegistry, name: str, data: Mapping[str, Any]
) -> list[ImportedComponent]:
    """Register the stack ``name`` described by ``data`` (from :func:`export_stack`).

    Everything is validated before anything is written; if a write fails, the
    components registered so far are removed again.

    Raises:
        EntityExistsError: a stack named ``name`` exists.
        ConfigurationError: the data is malformed, a parameter is invalid or a
            secret must be provided.
        FlavorError: a flavor is unknown here.
        StackValidationError: the stack lacks a required component type.
    """
    planned = _plan(registry, name, data)
    created: list[_Planned] = []
    try:
        for item in planned:
            if not item.reuse:
                registry.register_component(item.type, item.name, item.flavor, item.config)
                created.append(item)
        registry.store.create_stack(name, {p.type: p.name for p in planned})
    except BaseException:
        for item in created:
            registry.store.delete_component(item.type, item.name)
        raise
    return [
        ImportedComponent(p.type, p.name, p.flavor, "reused" if p.reuse else "registered",
                          p.original_name)
        for p in planned
    ]  # fmt: skip


def import_stack_from_file(
    registry: StackRegistry, name: str, path: Path
) -> list[ImportedComponent]:
    """:func:`import_stack` of a YAML file written by :func:`export_stack_to_file`."""
    return import_stack(registry, name, read_stack_file(path))
