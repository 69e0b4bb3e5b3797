"""Stack and component management: the logic behind ``cairn stack`` and ``cairn <type>``.

:class:`StackRegistry` combines the registry store (plain records, no pydantic)
with the flavor registry (component classes, imported on use). Read methods
that return records stay light; methods that validate or build live components
import the flavor classes. Every write validates first, so an invalid request
never changes the store.
"""

from __future__ import annotations

import json
import os
import uuid as uuid_lib
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from cairn.config import ENV_ACTIVE_STACK, config_dir, find_repository, local_stores_dir
from cairn.enums import StackComponentType
from cairn.exceptions import (
    ConcurrentUpdateError,
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
)
from cairn.store.records import ComponentRecord, StackRecord
from cairn.store.registry_store import RegistryStore, SQLiteRegistryStore

if TYPE_CHECKING:
    from cairn.secrets_managers import BaseSecretsManager
    from cairn.stack.secret_moves import MovedSecrets
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent

REGISTRY_FILENAME = "registry.db"
SECRETS_KEY = "__secrets__"
MASK = "********"
_UPDATE_ATTEMPTS = 5


def open_registry_store() -> RegistryStore:
    """The registry store of this user.

    The local SQLite registry (``$CAIRN_CONFIG_DIR/registry.db``), or, once
    connected to a shared registry (``cairn registry connect``, or
    ``CAIRN_REGISTRY_URL``), the shared one seen through this user's local one
    (see :class:`~cairn.store.server_registry_store.TeamRegistryStore`).
    """
    from cairn.stack.registry_connection import mask_url, registry_connection

    local = SQLiteRegistryStore(config_dir() / REGISTRY_FILENAME, local_stores_dir())
    connection = registry_connection()
    if connection is None:
        return local
    from cairn.store.server_registry_store import ServerRegistryStore, TeamRegistryStore

    try:
        shared = ServerRegistryStore(connection.url, mask_url(connection.url))
    except BaseException:
        local.close()
        raise
    return TeamRegistryStore(local, shared)


def local_secrets_warning(store: RegistryStore, stack: StackRecord) -> str | None:
    """A notice when a stack of a shared registry uses a ``local`` secrets manager."""
    is_shared = getattr(store, "is_shared_stack", None)
    manager = stack.components.get(StackComponentType.SECRETS_MANAGER)
    if is_shared is None or manager is None or not is_shared(stack.name):
        return None
    record = store.get_component(StackComponentType.SECRETS_MANAGER, manager)
    if record.flavor != "local":
        return None
    return (
        f"Stack '{stack.name}' is shared, but its secrets manager '{manager}' is a 'local' one: "
        f"its secrets stay on the machine that stored them, so teammates cannot resolve them. "
        f"Use a secrets manager they can reach (env, aws, vault)."
    )


def masked_config(record: ComponentRecord) -> dict[str, Any]:
    """A record's configuration for display.

    Secret fields hold references (``{{name.key}}``), shown as written; plain
    values kept apart by registries older than secret references are masked.
    """
    config = {k: v for k, v in record.config.items() if k != SECRETS_KEY}
    for key in record.config.get(SECRETS_KEY, {}):
        config[key] = MASK
    return config


class CliText(str):
    """Text typed on the command line, parsed to the type of the field it sets."""

    __slots__ = ()


def parse_cli_value(raw: str) -> CliText:
    """A ``--param=value`` value: ``@file`` reads the value from a file.

    The text is kept as typed; :class:`StackRegistry` parses it to the type of
    the field it sets (``--path=123`` stays ``"123"``, ``--port=8080`` becomes
    ``8080``, ``--tags='["a"]'`` a list).
    """
    if raw.startswith("@") and len(raw) > 1:
        from cairn.config.user_input import read_text_file

        raw = read_text_file(raw[1:], "parameter file").rstrip("\n")
    return CliText(raw)


def _wants_text(annotation: Any) -> bool:
    """Whether a field's annotation is text-like.

    ``str`` and its subclasses (string enums), ``SecretStr``, ``Path``, a
    ``Literal`` of strings, or an optional of one of them.
    """
    from pydantic import SecretStr

    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, UnionType):
        return len(args) == 1 and _wants_text(args[0])
    if origin is Literal:
        return all(isinstance(a, str) for a in args)
    return isinstance(annotation, type) and issubclass(annotation, str | Path | SecretStr)


def _coerce(cls: type[StackComponent], values: Mapping[str, Any]) -> dict[str, Any]:
    """Parse command-line text to each field's type; keep other values as given.

    Raises:
        ConfigurationError: ``name`` or ``uuid`` is given as a parameter.
    """
    reserved = sorted({"name", "uuid"} & set(values))
    if reserved:
        raise ConfigurationError(
            f"{' and '.join(reserved)} cannot be set as parameter(s): the name is given as "
            f"NAME (change it with 'rename') and the uuid is assigned by Cairn."
        )
    out: dict[str, Any] = {}
    for key, value in values.items():
        field = cls.model_fields.get(key)
        text = field is not None and _wants_text(field.annotation)
        if isinstance(value, CliText):
            value = str(value) if text else _decode(value)
            if (
                isinstance(value, bool)
                and field is not None
                and not _accepts_bool(field.annotation)
            ):
                value = str(values[key])  # "true" for a number: refused by pydantic
        elif text and isinstance(value, bool | int | float):
            value = json.dumps(value)
        out[key] = value
    return out


def _accepts_bool(annotation: Any) -> bool:
    """Whether a field takes booleans (``bool``, ``Any``, or a union with ``bool``)."""
    if annotation is bool or annotation is Any:
        return True
    return bool(get_origin(annotation) in (Union, UnionType) and bool in get_args(annotation))


def _decode(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _validation_message(component: str, exc: Any, valid: Iterable[str] = ()) -> str:
    valid = [v for v in valid if v not in ("name", "uuid")]
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error.get("loc", ())) or "(config)"
        msg = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            msg = "unknown parameter"
            if valid:
                msg += f" (valid: {', '.join(sorted(valid))})"
        elif error.get("type") == "missing":
            msg = f"missing: pass --{loc}=VALUE"
        parts.append(f"{loc}: {msg}")
    return f"Invalid configuration for {component}: " + "; ".join(parts) + "."


class StackRegistry:
    """Register, validate and build stacks and stack components.

    Args:
        store: the registry store; by default the installation's SQLite registry.
    """

    def __init__(self, store: RegistryStore | None = None) -> None:
        self.store = store if store is not None else open_registry_store()
        #: Things the CLI tells the user once (secrets moved into a secrets manager...).
        self.notices: list[str] = []
        self.move_legacy_secrets()

    # ------------------------------------------------------------ active stack
    def active_stack_name(self) -> str:
        """The active stack: ``$CAIRN_ACTIVE_STACK``, else the repository's pin, else global."""
        env = os.environ.get(ENV_ACTIVE_STACK)
        if env:
            return env
        repo = find_repository()
        pinned = repo.active_stack if repo else None
        if pinned:
            return pinned
        name = self.store.get_active_stack_name()
        if name is None:
            raise DoesNotExistError("No active stack: set one with 'cairn stack set NAME'.")
        return name

    def set_active_stack(self, name: str, *, global_: bool = False) -> str:
        """Activate ``name``: for the repository when inside one (unless ``global_``)."""
        self.store.get_stack(name)
        repo = None if global_ else find_repository()
        if repo is not None:
            repo.set_active_stack(name)
            return f"repository {repo.root}"
        self.store.set_active_stack_name(name)
        return "global"

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack; the global active stack and this repository's pin follow."""
        self.store.rename_stack(name, new_name)
        repo = find_repository()
        if repo is not None and repo.active_stack == name:
            repo.set_active_stack(new_name)

    def delete_stack(self, name: str) -> None:
        """Delete a stack (not its components); refused for the active stack.

        Raises:
            DoesNotExistError: there is no stack ``name``.
            IllegalOperationError: ``name`` is the active stack (globally, for this
                repository or through ``$CAIRN_ACTIVE_STACK``).
        """
        self.check_stack_deletable(name)
        self.store.delete_stack(name)

    def check_stack_deletable(self, name: str) -> None:
        """Raise what :meth:`delete_stack` would raise, without deleting anything."""
        self.store.get_stack(name)
        try:
            active = self.active_stack_name()
        except DoesNotExistError:
            active = None
        if active == name:
            raise IllegalOperationError(
                f"Stack '{name}' is the active stack: activate another one first "
                f"('cairn stack set OTHER')."
            )

    # ------------------------------------------------------------ components
    def flavor_class(self, type: StackComponentType, flavor: str) -> type[StackComponent]:
        """The class of ``flavor`` (imported now); see :func:`get_flavor_class`."""
        from cairn.stack.flavor_registry import get_flavor_class

        return get_flavor_class(self.store, type, flavor)

    def build_component(self, record: ComponentRecord) -> StackComponent:
        """A live, validated component from its record."""
        from pydantic import ValidationError

        cls = self.flavor_class(record.type, record.flavor)
        config = {k: v for k, v in record.config.items() if k != SECRETS_KEY}
        config.update(record.config.get(SECRETS_KEY, {}))
        try:
            component = cls(name=record.name, uuid=uuid_lib.UUID(record.uuid), **config)
        except ValidationError as exc:
            raise ConfigurationError(
                _validation_message(
                    f"{record.type.cli_name} '{record.name}'", exc, cls.model_fields
                )
            ) from exc
        component._secrets_lookup = weakref.WeakMethod(self.secrets_manager_for)
        return component

    def _record_of(self, component: StackComponent, created: float = 0.0) -> ComponentRecord:
        """The record of a component whose secret fields hold references only."""
        from cairn.stack.secret_moves import plain_secret_fields

        plain = plain_secret_fields(component)
        if plain:  # a guard: callers move plain values first
            raise ConfigurationError(
                f"The {component}: {', '.join(plain)} would be stored in clear; refused."
            )
        config = component.config_dict(reveal_secrets=True)
        return ComponentRecord(str(component.uuid), component.TYPE, component.FLAVOR,
                               component.name, config, created)  # fmt: skip

    # ------------------------------------------------------------ secrets
    def default_secrets_manager(self) -> BaseSecretsManager:
        """The installation's ``local`` secrets manager named ``default``.

        Raises:
            DoesNotExistError: it was deleted (the message says how to make it again).
        """
        try:
            record = self.store.get_component(StackComponentType.SECRETS_MANAGER, "default")
        except DoesNotExistError:
            record = None
        if record is None or record.flavor != "local":
            raise DoesNotExistError(
                "This installation has no local secrets manager named 'default': register it "
                "with 'cairn secrets-manager register default --flavor=local'."
            )
        return self.build_component(record)  # type: ignore[return-value]

    def stack_secrets_manager(self, stack_name: str | None = None) -> BaseSecretsManager | None:
        """The secrets manager of a stack (default: the active one), or ``None``."""
        record = self.store.get_stack(stack_name or self.active_stack_name())
        name = record.components.get(StackComponentType.SECRETS_MANAGER)
        if name is None:
            return None
        return self.get_component(StackComponentType.SECRETS_MANAGER, name)  # type: ignore[return-value]

    def active_secrets_manager(self) -> BaseSecretsManager:
        """The active stack's secrets manager (what ``cairn secret`` works on).

        Raises:
            DoesNotExistError: the active stack has none (the message says how to add one).
        """
        stack = self.active_stack_name()
        manager = self.stack_secrets_manager(stack)
        if manager is None:
            raise DoesNotExistError(
                f"The active stack '{stack}' has no secrets manager: add one with 'cairn stack "
                f"update {stack} -x default' (the local secrets manager every installation has)."
            )
        return manager

    def secrets_manager_for(self, component: StackComponent) -> BaseSecretsManager:
        """Where ``component``'s references are looked up outside a stack.

        A secrets manager's own references: the ``default`` local secrets manager;
        any other component's: the active stack's secrets manager.
        """
        if component.TYPE == StackComponentType.SECRETS_MANAGER:
            return self.default_secrets_manager()
        return self.active_secrets_manager()

    def _manager_for_new(self, component: StackComponent) -> tuple[Any, str]:
        """The secrets manager a component's plain values move to, and how to name it."""
        if component.TYPE == StackComponentType.SECRETS_MANAGER:
            return self.default_secrets_manager(), "this installation"
        stack = self.active_stack_name()
        return self.stack_secrets_manager(stack), f"the active stack '{stack}'"

    def verify_references(self, component: StackComponent) -> None:
        """Refuse references the component's secrets manager cannot resolve.

        Raises:
            DoesNotExistError: naming each missing secret or key (``--no-verify`` skips).
        """
        from cairn.stack.secret_checks import reference_problems

        if not component.secret_references():
            return
        manager, where = self._manager_for_new(component)
        problems = reference_problems(component, manager, where)
        if problems:
            raise DoesNotExistError(
                f"{'; '.join(problems)}. Register the secret first ('cairn secret register'), "
                f"or pass --no-verify if it lives in another stack's secrets manager."
            )

    def _store_secrets(
        self, component: StackComponent, verify: bool, previous: StackComponent | None = None
    ) -> MovedSecrets:
        from cairn.stack.secret_moves import move_plain_values, plain_secret_fields

        if verify:
            self.verify_references(component)
        if not plain_secret_fields(component):
            from cairn.stack.secret_moves import MovedSecrets

            return MovedSecrets()
        manager, where = self._manager_for_new(component)
        moved = move_plain_values(component, manager, where, previous)
        if moved.fields:
            self.notices.append(
                f"Stored the secret value(s) of {component} in secrets manager "
                f"'{moved.manager.name if moved.manager else '?'}': {', '.join(moved.fields)}."
            )
            is_shared = getattr(self.store, "is_shared_stack", None)
            local = moved.manager is not None and moved.manager.FLAVOR == "local"
            if local and is_shared is not None and is_shared(component.name):
                self.notices.append(
                    f"{component} is in the shared registry, but those secrets are in a 'local' "
                    f"secrets manager on this machine: teammates cannot resolve them. Store them "
                    f"in a shared secrets manager (env, aws, vault) and refer to them instead."
                )
        return moved

    def move_legacy_secrets(self) -> None:
        """Move plain values kept by older registries into the ``default`` secrets manager."""
        records = [r for r in self.store.list_components() if SECRETS_KEY in r.config]
        if not records:
            return
        from cairn.stack.secret_moves import legacy_config

        try:
            manager = self.default_secrets_manager()
        except DoesNotExistError as exc:
            self.notices.append(f"Secret values are still stored in clear in the registry: {exc}")
            return
        moved_fields: list[str] = []
        for record in records:
            config, moved = legacy_config(record, manager, SECRETS_KEY)
            try:
                self.store.update_component(
                    record.type, record.name, config, expected_config=record.config
                )
            except (ConcurrentUpdateError, DoesNotExistError):
                moved.undo()  # another process moved or changed it meanwhile
                continue
            moved_fields += moved.fields
        scrub = getattr(self.store, "scrub", None)
        if moved_fields and scrub is not None:
            scrub()
        if moved_fields:
            self.notices.append(
                f"Moved {len(moved_fields)} secret value(s) from the registry into the local "
                f"secrets manager 'default' ({'; '.join(moved_fields)}); the components now "
                f"hold references to them."
            )

    def get_component(self, type: StackComponentType, name: str) -> StackComponent:
        """The live component ``name`` of ``type``.

        Raises:
            DoesNotExistError: no such component.
            FlavorError: its flavor cannot be imported.
            ConfigurationError: its stored configuration no longer validates.
        """
        return self.build_component(self.store.get_component(type, name))

    def new_component(
        self, type: StackComponentType, name: str, flavor: str, params: Mapping[str, Any]
    ) -> StackComponent:
        """A validated component that is not stored (what ``register_component`` would store).

        Raises:
            FlavorError: the flavor is unknown (the message lists the known ones).
            ConfigurationError: a parameter is missing or invalid (naming the field).
        """
        from pydantic import ValidationError

        cls = self.flavor_class(type, flavor)
        try:
            component = cls(name=name, **_coerce(cls, params))
        except ValidationError as exc:
            raise ConfigurationError(
                _validation_message(
                    f"{type.cli_name} '{name}' (flavor {flavor})", exc, cls.model_fields
                )
            ) from exc
        component._secrets_lookup = weakref.WeakMethod(self.secrets_manager_for)
        return component

    def register_component(
        self,
        type: StackComponentType,
        name: str,
        flavor: str,
        params: Mapping[str, Any],
        *,
        verify: bool = True,
    ) -> StackComponent:
        """Validate and register a component; nothing is stored if validation fails.

        Plain values of secret fields become secrets of the active stack's secrets
        manager (a secrets manager's own: of the ``default`` local one) and the
        fields references to them; references are checked unless ``verify`` is false.
        """
        component = self.new_component(type, name, flavor, params)
        if any(r.name == name for r in self.store.list_components(type)):
            raise EntityExistsError(
                f"A {type.cli_name} named '{name}' already exists: choose another name or "
                f"delete it first with 'cairn {type.cli_name} delete {name}'."
            )
        component.check_local_paths()
        moved = self._store_secrets(component, verify)
        try:
            self.store.create_component(self._record_of(component))
        except BaseException:
            moved.undo()
            raise
        return component

    def update_component(
        self,
        type: StackComponentType,
        name: str,
        params: Mapping[str, Any],
        *,
        verify: bool = True,
    ) -> StackComponent:
        """Change parameters of a component; stacks using it are validated before storing.

        A concurrent change of the same component by another process is never
        overwritten: the update is retried on the new configuration.
        """
        for _attempt in range(_UPDATE_ATTEMPTS - 1):
            try:
                return self._update_component_once(type, name, params, verify)
            except ConcurrentUpdateError:
                continue
        return self._update_component_once(type, name, params, verify)

    def _update_component_once(
        self, type: StackComponentType, name: str, params: Mapping[str, Any], verify: bool
    ) -> StackComponent:
        from pydantic import ValidationError

        record = self.store.get_component(type, name)
        current = self.build_component(record)
        cls = type_of(current)
        merged = {**current.config_dict(reveal_secrets=True), **_coerce(cls, params)}
        try:
            updated = cls(name=name, uuid=current.uuid, **merged)
        except ValidationError as exc:
            raise ConfigurationError(
                _validation_message(f"{type.cli_name} '{name}'", exc, cls.model_fields)
            ) from exc
        updated._secrets_lookup = weakref.WeakMethod(self.secrets_manager_for)
        updated.check_local_paths()
        for stack_name in self.store.stacks_using(type, name):
            self.build_stack(self.store.get_stack(stack_name), override=updated).validate()
        moved = self._store_secrets(updated, verify, previous=current)
        try:
            new_record = self._record_of(updated)
            self.store.update_component(
                type, name, new_record.config, expected_config=record.config
            )
        except BaseException:
            moved.undo()
            raise
        return updated

    # ------------------------------------------------------------ stacks
    def build_stack(self, record: StackRecord, override: StackComponent | None = None) -> Stack:
        """The live (not yet validated) stack of a record; ``override`` replaces one member."""
        from cairn.stack.stack import Stack

        components: dict[StackComponentType, StackComponent] = {}
        for ctype, cname in record.components.items():
            if override is not None and ctype == override.TYPE and override.name == cname:
                components[ctype] = override
            else:
                components[ctype] = self.get_component(ctype, cname)
        return Stack(record.name, components)

    def get_stack(self, name: str | None = None) -> Stack:
        """The live stack ``name`` (default: the active stack), validated."""
        stack = self.build_stack(self.store.get_stack(name or self.active_stack_name()))
        stack.validate()
        return stack

    def _validated_stack(self, name: str, components: Mapping[StackComponentType, str]) -> Stack:
        from cairn.stack.stack import Stack

        live = {t: self.get_component(t, n) for t, n in components.items()}
        stack = Stack(name, live)
        stack.validate()
        return stack

    def register_stack(
        self, name: str, components: Mapping[StackComponentType, str], *, activate: bool = False
    ) -> Stack:
        """Validate and register a stack (optionally activating it)."""
        stack = self._validated_stack(name, components)
        self.store.create_stack(name, components)
        self._warn_local_secrets(name)
        if activate:
            self.set_active_stack(name)
        return stack

    def _warn_local_secrets(self, name: str) -> None:
        notice = local_secrets_warning(self.store, self.store.get_stack(name))
        if notice is not None:
            self.notices.append(notice)

    def update_stack(
        self,
        name: str,
        set_components: Mapping[StackComponentType, str],
        remove_types: set[StackComponentType] | None = None,
    ) -> Stack:
        """Replace or remove components of a stack, validating the result first.

        The write is conditional on the version of the stack that was validated:
        if another process or machine changed the stack meanwhile, the update is
        validated again on the new stack (a few times, then
        :class:`ConcurrentUpdateError` says to retry).
        """
        for attempt in range(_UPDATE_ATTEMPTS):
            record = self.store.get_stack(name)
            components = {t: n for t, n in record.components.items()
                          if t not in (remove_types or ())}  # fmt: skip
            components.update(set_components)
            stack = self._validated_stack(name, components)
            try:
                self.store.update_stack(
                    name, set_components, remove_types, expected_version=record.version
                )
            except ConcurrentUpdateError:
                if attempt == _UPDATE_ATTEMPTS - 1:
                    raise
                continue
            self._warn_local_secrets(name)
            return stack
        raise AssertionError("unreachable")  # pragma: no cover


def type_of(component: StackComponent) -> type[StackComponent]:
    """The flavor class of a component."""
    return type(component)
