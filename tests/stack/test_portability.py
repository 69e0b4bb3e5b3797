"""Export and import of stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.enums import StackComponentType
from cairn.exceptions import (
    ConfigurationError,
    EntityExistsError,
    FlavorError,
    StackValidationError,
)
from cairn.stack.portability import (
    export_stack,
    export_stack_to_file,
    import_stack,
    import_stack_from_file,
    read_stack_file,
)
from cairn.stack.registry import MASK, StackRegistry

T = StackComponentType


@pytest.fixture
def registry() -> StackRegistry:
    return StackRegistry()


def test_export_has_types_names_flavors_and_config(registry: StackRegistry) -> None:
    data = export_stack(registry, "default")
    assert data["stack_name"] == "default" and data["format_version"] == 1
    assert set(data["components"]) == {"orchestrator", "artifact_store", "metadata_store",
                                  "secrets_manager"}  # fmt: skip
    assert data["components"]["metadata_store"]["flavor"] == "sqlite"
    assert data["components"]["metadata_store"]["config"]["uri"].endswith("metadata.db")


def test_import_reuses_identical_components(registry: StackRegistry) -> None:
    done = import_stack(registry, "copy", export_stack(registry, "default"))
    assert {(c.type, c.name, c.action) for c in done} == {
        (T.ORCHESTRATOR, "default", "reused"),
        (T.ARTIFACT_STORE, "default", "reused"),
        (T.METADATA_STORE, "default", "reused"),
        (T.SECRETS_MANAGER, "default", "reused"),
    }
    assert (
        registry.store.get_stack("copy").components
        == registry.store.get_stack("default").components
    )


def test_import_renames_components_whose_name_is_taken(
    registry: StackRegistry, tmp_path: Path
) -> None:
    data = export_stack(registry, "default")
    data["components"]["artifact_store"]["config"] = {"path": str(tmp_path / "elsewhere")}
    done = {c.type: c for c in import_stack(registry, "moved", data)}
    store = done[T.ARTIFACT_STORE]
    assert (store.name, store.action, store.original_name) == ("default-moved", "registered",
                                                               "default")  # fmt: skip
    data["components"]["artifact_store"]["config"] = {"path": str(tmp_path / "third")}
    with pytest.raises(EntityExistsError):
        import_stack(registry, "moved", data)
    names = {c.name for c in import_stack(registry, "other", data) if c.type == T.ARTIFACT_STORE}
    assert names == {"default-other"}


def test_import_refuses_masked_secrets_and_changes_nothing(registry: StackRegistry) -> None:
    data = export_stack(registry, "default")
    data["components"]["orchestrator"]["config"] = {"token": MASK}
    before = registry.store.list_components(), registry.store.list_stacks()
    with pytest.raises(ConfigurationError, match="cairn orchestrator update default --token="):
        import_stack(registry, "s", data)
    assert (registry.store.list_components(), registry.store.list_stacks()) == before


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda d: d["components"].pop("metadata_store"), StackValidationError, "metadata-store"),
        (lambda d: d["components"].update(bogus={}), ConfigurationError, "Unknown component type"),
        (lambda d: d["components"]["orchestrator"].update(flavor="nope"), FlavorError, "nope"),
        (lambda d: d["components"]["orchestrator"].pop("name"), ConfigurationError, "a name"),
        (lambda d: d["components"]["orchestrator"].update(config=[1]), ConfigurationError,
         "must be a mapping"),
        (lambda d: d["components"]["artifact_store"].update(name="x", config={}),
         ConfigurationError, "path"),
    ],
)  # fmt: skip
def test_invalid_imports_change_nothing(
    registry: StackRegistry, change: object, error: type[Exception], message: str
) -> None:
    data = export_stack(registry, "default")
    change(data)  # type: ignore[operator]
    before = registry.store.list_components(), registry.store.list_stacks()
    with pytest.raises(error, match=message):
        import_stack(registry, "s", data)
    assert (registry.store.list_components(), registry.store.list_stacks()) == before


def test_a_failed_write_removes_what_was_registered(
    registry: StackRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = export_stack(registry, "default")
    data["components"]["artifact_store"]["name"] = "fresh"
    before = registry.store.list_components()

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry.store, "create_stack", broken)
    with pytest.raises(RuntimeError):
        import_stack(registry, "s", data)
    assert registry.store.list_components() == before


def test_file_round_trip_and_errors(registry: StackRegistry, tmp_path: Path) -> None:
    file = tmp_path / "s.yaml"
    export_stack_to_file(registry, "default", file)
    assert read_stack_file(file)["stack_name"] == "default"
    assert [c.action for c in import_stack_from_file(registry, "s", file)] == ["reused"] * 4
    with pytest.raises(ConfigurationError, match="Cannot read"):
        read_stack_file(tmp_path / "missing.yaml")
    with pytest.raises(ConfigurationError, match="Cannot write"):
        export_stack_to_file(registry, "default", tmp_path / "no" / "such" / "dir.yaml")


def test_a_file_of_a_newer_format_is_refused(registry: StackRegistry, tmp_path: Path) -> None:
    file = tmp_path / "s.yaml"
    export_stack_to_file(registry, "default", file)
    file.write_text(file.read_text().replace("format_version: 1", "format_version: 99"))
    with pytest.raises(ConfigurationError, match="format version 99, newer than this Cairn"):
        read_stack_file(file)
