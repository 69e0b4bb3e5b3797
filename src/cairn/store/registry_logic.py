"""The registry's operations, written once over a few primitives, for every backend.

:class:`RegistryOperations` implements the :class:`~cairn.store.registry_store.RegistryStore`
protocol in terms of named statements (:mod:`cairn.store.registry_statements`):
a backend supplies ``_rows`` (a read), ``_exec`` (a write, raising
:class:`Duplicate` on a unique or primary key clash) and ``_write`` (a
transaction). The SQLite store runs the statements' generated SQL through
``sqlite3``; the server store runs the SQLAlchemy statements themselves.

Updates are conditional on the ``version`` the transaction read (optimistic
versioning): when another process or machine changed the row meanwhile, nothing
is written and :class:`~cairn.exceptions.ConcurrentUpdateError` says to retry.
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from cairn.enums import StackComponentType
from cairn.exceptions import (
    ConcurrentUpdateError,
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
)
from cairn.store.records import ComponentRecord, FlavorRecord, StackRecord
from cairn.store.registry_schema import (
    ACTIVE_STACK_KEY,
    DEFAULT_NAME,
    default_stack_components,
    now,
)


class Duplicate(Exception):
    """A write clashed with a unique name or key (raised by a backend's ``_exec``)."""


def check_name(kind: str, name: str) -> None:
    """Names are non-empty, without surrounding spaces or control characters."""
    if not name or name != name.strip() or not name.isprintable():
        raise ConfigurationError(
            f"Invalid {kind} name {name!r}: use a non-empty name without surrounding spaces "
            f"or control characters."
        )


def _changed(what: str) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        f"The {what} was changed by someone else meanwhile (another process or machine): "
        f"nothing was written; run the command again."
    )


def component_values(record: ComponentRecord) -> dict[str, Any]:
    """The ``insert_component`` parameters of a record."""
    return {"uuid": record.uuid, "type": record.type.value, "flavor": record.flavor,
            "name": record.name, "config": json.dumps(record.config, sort_keys=True),
            "created": record.created or now(), "updated": record.updated or now()}  # fmt: skip


class RegistryOperations:
    """Every registry operation, over the backend primitives below."""

    # ------------------------------------------------------------ primitives
    def _rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _exec(self, name: str, params: Mapping[str, Any]) -> int:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    # ------------------------------------------------------------ seeding
    def _seed_local(self, local_stores: Any, revision: int) -> None:
        """The ``default`` stack of a fresh local registry (and, from revision 3, the
        ``default`` local secrets manager in it), made active. Inside ``_write``."""
        components = default_stack_components(local_stores)
        if revision >= 3:
            ts = now()
            components.append(ComponentRecord(str(uuid_lib.uuid4()),
                                              StackComponentType.SECRETS_MANAGER, "local",
                                              DEFAULT_NAME, {}, ts, ts))  # fmt: skip
        for record in components:  # (columns of every revision: `version` has a default)
            self._exec("insert_component", component_values(record))
        ts, stack_id = now(), str(uuid_lib.uuid4())
        self._exec("insert_stack", {"uuid": stack_id, "name": DEFAULT_NAME, "created": ts,
                                    "updated": ts})  # fmt: skip
        for record in components:
            self._exec("insert_membership", {"stack_uuid": stack_id, "type": record.type.value,
                                             "component_uuid": record.uuid})  # fmt: skip
        self._put_setting(ACTIVE_STACK_KEY, DEFAULT_NAME)

    # ------------------------------------------------------------ components
    @staticmethod
    def _component(row: tuple[Any, ...]) -> ComponentRecord:
        return ComponentRecord(uuid=row[0], type=StackComponentType(row[1]), flavor=row[2],
                               name=row[3], config=json.loads(row[4]), created=row[5],
                               updated=row[6], version=row[7])  # fmt: skip

    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]:
        """Every component, or those of one type, ordered by type and name."""
        if type is None:
            rows = self._rows("components")
        else:
            rows = self._rows("components_of_type", {"type": type.value})
        return [self._component(r) for r in rows]

    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord:
        """The component ``name`` of ``type``; :class:`DoesNotExistError` lists those that exist."""
        rows = self._rows("component", {"type": type.value, "name": name})
        if not rows:
            known = [c.name for c in self.list_components(type)]
            hint = f" Registered: {', '.join(known)}." if known else ""
            raise DoesNotExistError(
                f"No {type.cli_name} named '{name}'.{hint} See 'cairn {type.cli_name} list'."
            )
        return self._component(rows[0])

    def create_component(self, record: ComponentRecord) -> None:
        """Insert a component; :class:`EntityExistsError` when its name is taken."""
        check_name(record.type.cli_name, record.name)
        with self._write():
            try:
                self._exec("insert_component", component_values(record))
            except Duplicate as exc:
                raise EntityExistsError(
                    f"A {record.type.cli_name} named '{record.name}' already exists: choose "
                    f"another name or delete it first with "
                    f"'cairn {record.type.cli_name} delete {record.name}'."
                ) from exc

    def update_component(
        self,
        type: StackComponentType,
        name: str,
        config: dict[str, Any],
        *,
        expected_config: dict[str, Any] | None = None,
    ) -> ComponentRecord:
        """Replace a component's configuration.

        Args:
            expected_config: when given, the update happens only if the stored
                configuration still equals it (compare and swap), else
                :class:`ConcurrentUpdateError` is raised and nothing changes.
        """
        what = f"{type.cli_name} '{name}'"
        with self._write():
            current = self.get_component(type, name)
            if expected_config is not None and current.config != expected_config:
                raise _changed(what)
            params = {"config": json.dumps(config, sort_keys=True), "updated": now(),
                      "row_uuid": current.uuid, "row_version": current.version}  # fmt: skip
            if self._exec("update_component_config", params) != 1:
                raise _changed(what)
        return self.get_component(type, name)

    def rename_component(self, type: StackComponentType, name: str, new_name: str) -> None:
        """Rename a component; stacks keep it (they refer to it by uuid)."""
        check_name(type.cli_name, new_name)
        with self._write():
            current = self.get_component(type, name)
            params = {"new_name": new_name, "updated": now(), "row_uuid": current.uuid,
                      "row_version": current.version}  # fmt: skip
            try:
                changed = self._exec("rename_component", params)
            except Duplicate as exc:
                raise EntityExistsError(
                    f"A {type.cli_name} named '{new_name}' already exists."
                ) from exc
            if changed != 1:
                raise _changed(f"{type.cli_name} '{name}'")

    def stacks_using(self, type: StackComponentType, name: str) -> list[str]:
        """Names of the stacks that contain the component, sorted."""
        return [r[0] for r in self._rows("stacks_using", {"type": type.value, "name": name})]

    def delete_component(self, type: StackComponentType, name: str) -> None:
        """Delete a component; refused while a stack uses it (the stacks are named)."""
        with self._write():
            current = self.get_component(type, name)
            users = self.stacks_using(type, name)
            if users:
                raise IllegalOperationError(
                    f"The {type.cli_name} '{name}' is used by stack(s) {', '.join(users)}: remove "
                    f"it from them (cairn stack remove-component / update) or delete them first."
                )
            self._exec("delete_component", {"uuid": current.uuid})

    # ------------------------------------------------------------ stacks
    def _stacks(self, name: str | None = None) -> list[StackRecord]:
        rows = self._rows("stacks") if name is None else self._rows("stack", {"name": name})
        stacks: dict[str, StackRecord] = {}
        for uuid, sname, created, updated, version, ctype, cname in rows:
            record = stacks.setdefault(
                sname, StackRecord(uuid, sname, {}, created, updated, version)
            )
            if ctype is not None:
                record.components[StackComponentType(ctype)] = cname
        return list(stacks.values())

    def list_stacks(self) -> list[StackRecord]:
        """Every stack, sorted by name."""
        return self._stacks()

    def get_stack(self, name: str) -> StackRecord:
        """The stack ``name``; :class:`DoesNotExistError` lists those that exist."""
        found = self._stacks(name)
        if found:
            return found[0]
        known = ", ".join(s.name for s in self.list_stacks()) or "none"
        raise DoesNotExistError(
            f"No stack named '{name}'. Registered stacks: {known} (see 'cairn stack list')."
        )

    def _component_uuids(
        self, components: Mapping[StackComponentType, str]
    ) -> dict[StackComponentType, str]:
        return {t: self.get_component(t, n).uuid for t, n in components.items()}

    def create_stack(self, name: str, components: Mapping[StackComponentType, str]) -> None:
        """Insert a stack of existing components (by name, keyed by type)."""
        check_name("stack", name)
        with self._write():
            uuids = self._component_uuids(components)
            ts, stack_id = now(), str(uuid_lib.uuid4())
            try:
                self._exec("insert_stack", {"uuid": stack_id, "name": name, "created": ts,
                                            "updated": ts})  # fmt: skip
            except Duplicate as exc:
                raise EntityExistsError(
                    f"A stack named '{name}' already exists: choose another name, or change it "
                    f"with 'cairn stack update {name}'."
                ) from exc
            for t, u in uuids.items():
                member = {"stack_uuid": stack_id, "type": t.value, "component_uuid": u}
                self._exec("insert_membership", member)

    def update_stack(
        self,
        name: str,
        set_components: Mapping[StackComponentType, str],
        remove_types: set[StackComponentType] | None = None,
        *,
        expected_version: int | None = None,
    ) -> StackRecord:
        """Set (replace) components of some types and remove those of others.

        Args:
            expected_version: when given, the update happens only if the stack is
                still at this version, else :class:`ConcurrentUpdateError`.
        """
        with self._write():
            stack = self.get_stack(name)
            if expected_version is not None and stack.version != expected_version:
                raise _changed(f"stack '{name}'")
            touch = {"updated": now(), "row_uuid": stack.uuid, "row_version": stack.version}
            if self._exec("touch_stack", touch) != 1:  # (also locks the row on a server)
                raise _changed(f"stack '{name}'")
            uuids = self._component_uuids(set_components)
            for t in (remove_types or set()) | set(uuids):
                self._exec("delete_membership", {"stack_uuid": stack.uuid, "type": t.value})
            for t, u in uuids.items():
                member = {"stack_uuid": stack.uuid, "type": t.value, "component_uuid": u}
                self._exec("insert_membership", member)
        return self.get_stack(name)

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack (the active stack follows)."""
        check_name("stack", new_name)
        with self._write():
            stack = self.get_stack(name)
            params = {"new_name": new_name, "updated": now(), "row_uuid": stack.uuid,
                      "row_version": stack.version}  # fmt: skip
            try:
                changed = self._exec("rename_stack", params)
            except Duplicate as exc:
                raise EntityExistsError(f"A stack named '{new_name}' already exists.") from exc
            if changed != 1:
                raise _changed(f"stack '{name}'")
            self._stack_renamed(name, new_name)

    def _stack_renamed(self, name: str, new_name: str) -> None:
        if self._setting(ACTIVE_STACK_KEY) == name:
            self._put_setting(ACTIVE_STACK_KEY, new_name)

    def delete_stack(self, name: str) -> None:
        """Delete a stack (not its components); refused for the active stack."""
        with self._write():
            stack = self.get_stack(name)
            if self.get_active_stack_name() == name:
                raise IllegalOperationError(
                    f"Stack '{name}' is the active stack: activate another one first "
                    f"('cairn stack set OTHER')."
                )
            self._exec("delete_memberships", {"uuid": stack.uuid})
            self._exec("delete_stack", {"uuid": stack.uuid})

    # ------------------------------------------------------------ settings
    def _setting(self, key: str) -> str | None:
        rows = self._rows("setting", {"key": key})
        return None if not rows else rows[0][0]

    def _put_setting(self, key: str, value: str) -> None:
        self._exec("delete_setting", {"key": key})
        self._exec("insert_setting", {"key": key, "value": value})

    def get_active_stack_name(self) -> str | None:
        """The active stack of this registry, if one is set."""
        return self._setting(ACTIVE_STACK_KEY)

    def set_active_stack_name(self, name: str) -> None:
        """Make the existing stack ``name`` the active one."""
        with self._write():
            self.get_stack(name)
            self._put_setting(ACTIVE_STACK_KEY, name)

    # ------------------------------------------------------------ flavors
    def list_flavors(self, type: StackComponentType | None = None) -> list[FlavorRecord]:
        """Custom flavors, or those of one type, ordered by type and name."""
        if type is None:
            rows = self._rows("flavors")
        else:
            rows = self._rows("flavors_of_type", {"type": type.value})
        return [FlavorRecord(StackComponentType(r[0]), r[1], r[2], r[3]) for r in rows]

    def register_flavor(self, record: FlavorRecord, overwrite: bool = False) -> None:
        """Store a custom flavor; a taken name needs ``overwrite``."""
        key = {"type": record.type.value, "name": record.name}
        with self._write():
            if overwrite:
                self._exec("delete_flavor", key)
            try:
                row = {**key, "source": record.source, "created": record.created or now()}
                self._exec("insert_flavor", row)
            except Duplicate as exc:
                raise EntityExistsError(
                    f"A custom {record.type.cli_name} flavor named '{record.name}' is already "
                    f"registered: pass --overwrite to replace it."
                ) from exc

    def delete_flavor(self, type: StackComponentType, name: str) -> None:
        """Forget a custom flavor."""
        with self._write():
            if not self._exec("delete_flavor", {"type": type.value, "name": name}):
                raise DoesNotExistError(f"No custom {type.cli_name} flavor named '{name}'.")
