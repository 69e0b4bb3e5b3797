"""StackRegistry: the facade behind `cairn stack` and `cairn <type>` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.config import Repository
from cairn.enums import StackComponentType as T
from cairn.exceptions import (
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    FlavorError,
    StackValidationError,
)
from cairn.metadata_stores.sqlite_metadata_store import SQLiteMetadataStore
from cairn.orchestrators.local_orchestrator import LocalOrchestrator
from cairn.stack import StackRegistry
from cairn.stack.registry import SECRETS_KEY, CliText, masked_config, parse_cli_value
from cairn.store.records import FlavorRecord
from cairn.store.registry_store import SQLiteRegistryStore

MakeModule = Callable[..., str]

BELL = """
from enum import Enum
from pathlib import Path
from typing import ClassVar, Literal
from pydantic import SecretStr
from cairn.alerters import BaseAlerter
from cairn.enums import StackComponentType
from cairn.stack import StackValidator

class Tone(str, Enum):
    LOW = "1"
    HIGH = "2"

class Bell(BaseAlerter):
    FLAVOR: ClassVar[str] = "bell"
    tone: Tone = Tone.LOW
    volume: Literal["10", "11"] = "10"
    text: str = ""
    maybe_text: str | None = None
    where: Path | None = None
    count: int = 0
    ratio: float = 1.0
    flag: bool = False
    tags: list[str] = []
    token: SecretStr | None = None
    needs_registry: bool = False

    def _post(self, message, params):
        pass

    @property
    def validator(self):
        if self.needs_registry:
            return StackValidator(frozenset({StackComponentType.CONTAINER_REGISTRY}))
        return None
"""


@pytest.fixture
def registry(store: SQLiteRegistryStore) -> StackRegistry:
    return StackRegistry(store)


@pytest.fixture
def bell(registry: StackRegistry, make_module: MakeModule) -> str:
    """Register the custom alerter flavor ``bell``; return its module name."""
    module = make_module(BELL)
    registry.store.register_flavor(FlavorRecord(T.ALERTER, "bell", f"{module}:Bell"))
    return module


def register_bell(registry: StackRegistry, name: str = "b", **params: Any) -> Any:
    return registry.register_component(T.ALERTER, name, "bell", params)


# ---------------------------------------------------------------- default stack
def test_default_store_lives_in_the_config_dir(isolated_config: Path) -> None:
    registry = StackRegistry()
    assert Path(registry.store.path) == isolated_config.resolve() / "registry.db"  # type: ignore[attr-defined]
    stack = registry.get_stack()
    assert stack.name == "default"
    assert isinstance(stack.orchestrator, LocalOrchestrator)
    assert isinstance(stack.artifact_store, LocalArtifactStore)
    assert isinstance(stack.metadata_store, SQLiteMetadataStore)
    assert Path(stack.artifact_store.path).is_relative_to(isolated_config.resolve())


# ---------------------------------------------------------------- components
def test_register_component_stores_a_validated_config(
    registry: StackRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    component = registry.register_component(T.ARTIFACT_STORE, "a", "local", {"path": "rel"})
    record = registry.store.get_component(T.ARTIFACT_STORE, "a")
    assert record.config == {"path": str(tmp_path.resolve() / "rel")}
    assert record.uuid == str(component.uuid)
    again = registry.get_component(T.ARTIFACT_STORE, "a")
    assert again.model_dump() == component.model_dump()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"path": "/x", "bogus": "1"}, "bogus: unknown parameter"),
        ({}, "path: missing: pass --path=VALUE"),
        ({"path": "s3://bucket"}, "path: Value error, path 's3://bucket' is not supported"),
    ],
)
def test_invalid_component_is_refused_naming_the_field(
    registry: StackRegistry, params: dict[str, Any], message: str
) -> None:
    before = registry.store.list_components()
    with pytest.raises(ConfigurationError) as info:
        registry.register_component(T.ARTIFACT_STORE, "a", "local", params)
    assert "artifact-store 'a' (flavor local)" in str(info.value)
    assert message in str(info.value)
    assert registry.store.list_components() == before


def test_unknown_flavor_lists_flavors(registry: StackRegistry) -> None:
    with pytest.raises(FlavorError, match="Available: azure, gcp, local, s3"):
        registry.register_component(T.ARTIFACT_STORE, "a", "nfs", {"path": "/x"})


def test_duplicate_component_name(registry: StackRegistry) -> None:
    with pytest.raises(EntityExistsError):
        registry.register_component(T.ARTIFACT_STORE, "default", "local", {"path": "/x"})


def test_cli_text_is_parsed_to_each_field_type(registry: StackRegistry, bell: str) -> None:
    raw = {"text": "123", "maybe_text": "true", "where": "~/x", "count": "8080",
           "ratio": "1e3", "flag": "false", "tags": '["a", "b"]', "tone": "2",
           "volume": "11"}  # fmt: skip
    component = register_bell(registry, **{k: parse_cli_value(v) for k, v in raw.items()})
    assert component.text == "123" and component.maybe_text == "true"
    assert component.count == 8080 and component.ratio == 1000.0 and component.flag is False
    assert component.tags == ["a", "b"] and isinstance(component.where, Path)
    assert component.tone.value == "2" and component.volume == "11"
    stored = registry.store.get_component(T.ALERTER, "b").config
    assert stored["text"] == "123" and stored["count"] == 8080


def test_python_values_for_text_fields_keep_their_json_spelling(
    registry: StackRegistry, bell: str
) -> None:
    assert register_bell(registry, text=True).text == "true"
    assert register_bell(registry, "c", text=12).text == "12"


def test_invalid_cli_text_names_the_field(registry: StackRegistry, bell: str) -> None:
    with pytest.raises(ConfigurationError, match="count: Input should be a valid integer"):
        register_bell(registry, count=parse_cli_value("many"))


def test_parse_cli_value_reads_files(tmp_path: Path) -> None:
    (tmp_path / "value.txt").write_text("from a file\n")
    value = parse_cli_value(f"@{tmp_path / 'value.txt'}")
    assert value == "from a file" and isinstance(value, CliText)
    assert parse_cli_value("@") == "@"
    with pytest.raises(ConfigurationError, match="Cannot read parameter file"):
        parse_cli_value(f"@{tmp_path / 'missing.txt'}")


def test_secrets_are_stored_as_references(registry: StackRegistry, bell: str) -> None:
    register_bell(registry, token=parse_cli_value("s3cr3t"))
    record = registry.store.get_component(T.ALERTER, "b")
    assert SECRETS_KEY not in record.config
    assert record.config["token"] == "{{alerter-b-token.value}}"
    shown = masked_config(record)
    assert shown["token"] == "{{alerter-b-token.value}}" and "s3cr3t" not in str(shown)
    live = registry.get_component(T.ALERTER, "b")
    assert live.resolve_secret(live.token) == "s3cr3t"


def test_update_component_merges_and_validates(registry: StackRegistry, bell: str) -> None:
    register_bell(registry, text="a", count=1, token="t")
    updated = registry.update_component(T.ALERTER, "b", {"count": parse_cli_value("2")})
    assert (updated.text, updated.count) == ("a", 2)
    assert updated.resolve_secret(updated.token) == "t"
    before = registry.store.get_component(T.ALERTER, "b")
    with pytest.raises(ConfigurationError, match="nope: unknown parameter"):
        registry.update_component(T.ALERTER, "b", {"nope": 1})
    assert registry.store.get_component(T.ALERTER, "b") == before


def test_update_that_breaks_a_stack_is_refused(registry: StackRegistry, bell: str) -> None:
    register_bell(registry)
    registry.update_stack("default", {T.ALERTER: "b"})
    before = registry.store.get_component(T.ALERTER, "b")
    with pytest.raises(StackValidationError, match="container-registry"):
        registry.update_component(T.ALERTER, "b", {"needs_registry": True})
    assert registry.store.get_component(T.ALERTER, "b") == before


def test_concurrent_update_of_another_field_is_not_lost(
    registry: StackRegistry, bell: str, tmp_path: Path
) -> None:
    register_bell(registry, text="old", count=1)
    other = SQLiteRegistryStore(registry.store.path, tmp_path)  # type: ignore[attr-defined]
    real_update = registry.store.update_component
    calls = []

    def racing_update(*args: Any, **kwargs: Any) -> Any:
        if not calls:  # another process changes `text` between our read and our write
            config = dict(other.get_component(T.ALERTER, "b").config, text="theirs")
            other.update_component(T.ALERTER, "b", config)
        calls.append(1)
        return real_update(*args, **kwargs)

    registry.store.update_component = racing_update  # type: ignore[method-assign]
    updated = registry.update_component(T.ALERTER, "b", {"count": 2})
    other.close()
    assert len(calls) == 2
    assert (updated.text, updated.count) == ("theirs", 2)
    stored = registry.store.get_component(T.ALERTER, "b").config
    assert (stored["text"], stored["count"]) == ("theirs", 2)


# ---------------------------------------------------------------- stacks
REQUIRED = {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default", T.METADATA_STORE: "default"}


def test_register_stack_and_activate(registry: StackRegistry, bell: str) -> None:
    register_bell(registry)
    stack = registry.register_stack("s", {**REQUIRED, T.ALERTER: "b"}, activate=True)
    assert stack.alerter is not None and stack.alerter.name == "b"
    assert registry.active_stack_name() == "s"
    assert registry.get_stack().name == "s"


def test_stack_without_required_types_is_refused(registry: StackRegistry) -> None:
    before = registry.store.list_stacks()
    with pytest.raises(StackValidationError, match=r"metadata-store.*-m <metadata-store>"):
        registry.register_stack("s", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default"})
    assert registry.store.list_stacks() == before


def test_stack_failing_a_component_validator_is_refused(registry: StackRegistry, bell: str) -> None:
    register_bell(registry, needs_registry=True)
    with pytest.raises(StackValidationError, match="container-registry"):
        registry.register_stack("s", {**REQUIRED, T.ALERTER: "b"})
    assert [s.name for s in registry.store.list_stacks()] == ["default"]


def test_stack_with_unknown_component(registry: StackRegistry) -> None:
    with pytest.raises(DoesNotExistError, match="No orchestrator named 'ghost'"):
        registry.register_stack("s", {**REQUIRED, T.ORCHESTRATOR: "ghost"})


def test_update_stack_validates_the_result(registry: StackRegistry) -> None:
    registry.register_component(T.CONTAINER_REGISTRY, "r", "default", {"uri": "localhost:5000"})
    stack = registry.update_stack("default", {T.CONTAINER_REGISTRY: "r"})
    assert stack.container_registry is not None
    with pytest.raises(StackValidationError, match="orchestrator"):
        registry.update_stack("default", {}, {T.ORCHESTRATOR})
    assert registry.store.get_stack("default").components[T.ORCHESTRATOR] == "default"
    assert (
        T.CONTAINER_REGISTRY
        not in registry.update_stack("default", {}, {T.CONTAINER_REGISTRY}).components
    )


def test_get_stack_validates_before_use(registry: StackRegistry, bell: str) -> None:
    register_bell(registry)
    registry.update_stack("default", {T.ALERTER: "b"})
    config = dict(registry.store.get_component(T.ALERTER, "b").config, needs_registry=True)
    registry.store.update_component(T.ALERTER, "b", config)  # bypasses validation
    with pytest.raises(StackValidationError):
        registry.get_stack("default")


def test_component_whose_flavor_vanished(registry: StackRegistry, bell: str) -> None:
    register_bell(registry)
    registry.store.delete_flavor(T.ALERTER, "bell")
    with pytest.raises(FlavorError, match="No alerter flavor named 'bell'"):
        registry.get_component(T.ALERTER, "b")


def test_stored_config_that_no_longer_validates(registry: StackRegistry) -> None:
    registry.store.update_component(T.ARTIFACT_STORE, "default", {"path": "/x", "old": 1})
    with pytest.raises(ConfigurationError, match=r"artifact-store 'default'.*old: unknown"):
        registry.get_component(T.ARTIFACT_STORE, "default")


# ---------------------------------------------------------------- active stack
def test_active_stack_sources_in_order(
    registry: StackRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.register_stack("global", REQUIRED)
    registry.register_stack("pinned", REQUIRED)
    assert registry.set_active_stack("global") == "global"
    assert registry.active_stack_name() == "global"
    repo = Repository.initialize(tmp_path / "project")
    monkeypatch.chdir(repo.root)
    assert registry.set_active_stack("pinned") == f"repository {repo.root}"
    assert registry.active_stack_name() == "pinned"
    assert registry.store.get_active_stack_name() == "global"
    monkeypatch.setenv("CAIRN_ACTIVE_STACK", "default")
    assert registry.active_stack_name() == "default"
    assert registry.set_active_stack("pinned", global_=True) == "global"
    assert registry.store.get_active_stack_name() == "pinned"


def test_set_active_stack_to_missing_stack(registry: StackRegistry) -> None:
    with pytest.raises(DoesNotExistError):
        registry.set_active_stack("missing")
    assert registry.active_stack_name() == "default"


@pytest.mark.parametrize("key", ["name", "uuid"])
def test_name_and_uuid_are_not_parameters(registry: StackRegistry, key: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{key} cannot be set as parameter"):
        registry.register_component(T.ARTIFACT_STORE, "a", "local", {"path": "/x", key: "v"})
    with pytest.raises(ConfigurationError, match=f"{key} cannot be set as parameter"):
        registry.update_component(T.ARTIFACT_STORE, "default", {key: "v"})
