"""What every registry store (SQLite today, PostgreSQL or MySQL later) must do."""

from __future__ import annotations

import uuid
from typing import Any

from cairn.enums import StackComponentType as T
from cairn.exceptions import (
    ConcurrentUpdateError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
)
from cairn.store.records import ComponentRecord, FlavorRecord
from cairn.testing._helpers import expect_error

_DEFAULT_STACK = {
    T.ORCHESTRATOR: "default",
    T.ARTIFACT_STORE: "default",
    T.METADATA_STORE: "default",
    T.SECRETS_MANAGER: "default",
}


def _component(type: T = T.ARTIFACT_STORE, name: str = "art", **config: Any) -> ComponentRecord:
    return ComponentRecord(str(uuid.uuid4()), type, "local", name, dict(config or {"path": "/a"}))


class RegistryStoreConformance:
    """Conformance suite for a :class:`~cairn.store.registry_store.RegistryStore`.

    Implement :meth:`make_store` to return a fresh, empty registry (it holds only
    the ``default`` stack, active). Every write must be atomic: the tests check
    that a refused write changes nothing.
    """

    def make_store(self) -> Any:
        """Return a fresh registry store."""
        raise NotImplementedError("implement make_store() in your test class")

    def setup_method(self, method: Any = None) -> None:
        self.store = self.make_store()

    def teardown_method(self, method: Any = None) -> None:
        close = getattr(getattr(self, "store", None), "close", None)
        if close is not None:
            close()

    def snapshot(self) -> tuple[Any, ...]:
        """Everything the store holds, to compare before and after a refused write."""
        s = self.store
        return (s.list_components(), s.list_stacks(), s.list_flavors(),
                s.get_active_stack_name())  # fmt: skip

    # ------------------------------------------------------------ fresh store
    def test_fresh_store_has_the_active_default_stack(self) -> None:
        assert self.store.get_active_stack_name() == "default"
        assert self.store.get_stack("default").components == _DEFAULT_STACK
        flavors = {c.type: c.flavor for c in self.store.list_components()}
        assert flavors == {T.ORCHESTRATOR: "local", T.ARTIFACT_STORE: "local",
                           T.METADATA_STORE: "sqlite", T.SECRETS_MANAGER: "local"}  # fmt: skip

    # ------------------------------------------------------------ components
    def test_component_round_trip(self) -> None:
        record = _component(path="/data", nested={"a": [1, 2]}, flag=True)
        self.store.create_component(record)
        got = self.store.get_component(T.ARTIFACT_STORE, "art")
        assert (got.uuid, got.type, got.flavor, got.name) == (
            record.uuid, T.ARTIFACT_STORE, "local", "art",
        )  # fmt: skip
        assert got.config == record.config

    def test_components_are_listed_by_type_then_name(self) -> None:
        self.store.create_component(_component(name="zeta"))
        self.store.create_component(_component(name="alpha"))
        names = [c.name for c in self.store.list_components(T.ARTIFACT_STORE)]
        assert names == ["alpha", "default", "zeta"]
        assert len(self.store.list_components()) == 6

    def test_names_are_unique_per_type(self) -> None:
        self.store.create_component(_component(T.ALERTER, "shared"))
        self.store.create_component(_component(T.ARTIFACT_STORE, "shared"))
        before = self.snapshot()
        with expect_error(EntityExistsError):
            self.store.create_component(_component(T.ALERTER, "shared"))
        assert self.snapshot() == before

    def test_missing_component(self) -> None:
        with expect_error(DoesNotExistError):
            self.store.get_component(T.ARTIFACT_STORE, "missing")

    def test_update_component(self) -> None:
        self.store.create_component(_component(path="/a"))
        updated = self.store.update_component(T.ARTIFACT_STORE, "art", {"path": "/b"})
        assert updated.config == {"path": "/b"}
        assert self.store.get_component(T.ARTIFACT_STORE, "art").config == {"path": "/b"}

    def test_update_component_compare_and_swap(self) -> None:
        self.store.create_component(_component(path="/a"))
        before = self.snapshot()
        with expect_error(ConcurrentUpdateError):
            self.store.update_component(
                T.ARTIFACT_STORE, "art", {"path": "/c"}, expected_config={"path": "/old"}
            )
        assert self.snapshot() == before
        self.store.update_component(
            T.ARTIFACT_STORE, "art", {"path": "/c"}, expected_config={"path": "/a"}
        )

    def test_rename_component_keeps_stack_membership(self) -> None:
        self.store.rename_component(T.ORCHESTRATOR, "default", "renamed")
        assert self.store.get_stack("default").components[T.ORCHESTRATOR] == "renamed"
        self.store.create_component(_component(T.ORCHESTRATOR, "taken"))
        with expect_error(EntityExistsError):
            self.store.rename_component(T.ORCHESTRATOR, "renamed", "taken")

    def test_component_used_by_a_stack_cannot_be_deleted(self) -> None:
        before = self.snapshot()
        with expect_error(IllegalOperationError):
            self.store.delete_component(T.ARTIFACT_STORE, "default")
        assert self.snapshot() == before
        self.store.create_component(_component())
        self.store.delete_component(T.ARTIFACT_STORE, "art")
        with expect_error(DoesNotExistError):
            self.store.delete_component(T.ARTIFACT_STORE, "art")

    # ------------------------------------------------------------ stacks
    def test_stack_round_trip_and_users(self) -> None:
        self.store.create_component(_component())
        self.store.create_stack("mine", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "art"})
        assert self.store.get_stack("mine").components == {
            T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "art",
        }  # fmt: skip
        assert [s.name for s in self.store.list_stacks()] == ["default", "mine"]
        assert self.store.stacks_using(T.ORCHESTRATOR, "default") == ["default", "mine"]

    def test_refused_stacks_change_nothing(self) -> None:
        before = self.snapshot()
        with expect_error(DoesNotExistError):
            self.store.create_stack("s", {T.ORCHESTRATOR: "ghost"})
        with expect_error(EntityExistsError):
            self.store.create_stack("default", {})
        assert self.snapshot() == before

    def test_update_stack_sets_and_removes(self) -> None:
        self.store.create_component(_component(T.ALERTER, "bell"))
        record = self.store.update_stack("default", {T.ALERTER: "bell"})
        assert record.components[T.ALERTER] == "bell"
        record = self.store.update_stack("default", {}, {T.ALERTER})
        assert record.components == _DEFAULT_STACK

    def test_rename_and_delete_stacks(self) -> None:
        self.store.rename_stack("default", "main")
        assert self.store.get_active_stack_name() == "main"
        self.store.create_stack("other", {})
        with expect_error(EntityExistsError):
            self.store.rename_stack("main", "other")
        with expect_error(IllegalOperationError):
            self.store.delete_stack("main")
        self.store.delete_stack("other")
        with expect_error(DoesNotExistError):
            self.store.get_stack("other")

    def test_active_stack(self) -> None:
        self.store.create_stack("other", {})
        self.store.set_active_stack_name("other")
        assert self.store.get_active_stack_name() == "other"
        with expect_error(DoesNotExistError):
            self.store.set_active_stack_name("missing")
        assert self.store.get_active_stack_name() == "other"

    # ------------------------------------------------------------ flavors
    def test_custom_flavors(self) -> None:
        self.store.register_flavor(FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.a:Store"))
        with expect_error(EntityExistsError):
            self.store.register_flavor(FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.b:Store"))
        self.store.register_flavor(
            FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.b:Store"), overwrite=True
        )
        self.store.register_flavor(FlavorRecord(T.ORCHESTRATOR, "custom", "pkg.o:Orch"))
        assert [f.source for f in self.store.list_flavors(T.ARTIFACT_STORE)] == ["pkg.b:Store"]
        assert len(self.store.list_flavors()) == 2
        self.store.delete_flavor(T.ORCHESTRATOR, "custom")
        with expect_error(DoesNotExistError):
            self.store.delete_flavor(T.ORCHESTRATOR, "custom")
