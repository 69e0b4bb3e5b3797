"""StackComponent: class creation rules, configuration, secrets, state and hooks."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest
from pydantic import SecretStr, ValidationError

from cairn.config import local_stores_dir
from cairn.enums import StackComponentType
from cairn.models.run_info import PipelineRunInfo, StepRunInfo
from cairn.stack import RuntimeOption, StackComponent


class Alerter(StackComponent):
    TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER
    FLAVOR: ClassVar[str] = "test"
    RUNTIME_OPTIONS: ClassVar[dict[str, RuntimeOption]] = {
        "channel": RuntimeOption(description="where to post", type="str")
    }

    channel: str = "general"
    retries: int = 3
    token: SecretStr | None = None
    api_key: SecretStr = SecretStr("")
    _cache: dict[str, Any] = {}


def test_name_and_auto_uuid() -> None:
    a, b = Alerter(name="a"), Alerter(name="a")
    assert isinstance(a.uuid, UUID) and a.uuid != b.uuid
    fixed = Alerter(name="a", uuid=a.uuid)
    assert fixed.uuid == a.uuid


def test_concrete_subclass_without_flavor_fails_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"must define the class variable\(s\) FLAVOR"):

        class NoFlavor(StackComponent):
            TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER


def test_concrete_subclass_without_type_fails_at_class_creation() -> None:
    with pytest.raises(TypeError, match="TYPE"):

        class NoType(StackComponent):
            FLAVOR: ClassVar[str] = "x"


def test_type_must_be_a_component_type() -> None:
    with pytest.raises(TypeError, match="StackComponentType"):

        class BadType(StackComponent):
            TYPE: ClassVar[Any] = "alerter"
            FLAVOR: ClassVar[str] = "x"


def test_flavor_must_be_a_non_empty_string() -> None:
    with pytest.raises(TypeError, match="non-empty string"):

        class EmptyFlavor(StackComponent):
            TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER
            FLAVOR: ClassVar[str] = ""


def test_abstract_subclasses_need_no_flavor() -> None:
    class AbstractBase(StackComponent):
        TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER

        @abstractmethod
        def post(self) -> None: ...

    class MarkedBase(StackComponent):
        __abstract_component__ = True
        TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER

    class Concrete(MarkedBase):
        FLAVOR: ClassVar[str] = "concrete"

    assert Concrete(name="c").FLAVOR == "concrete"
    with pytest.raises(TypeError):
        AbstractBase(name="x")  # type: ignore[abstract]


def test_underscore_and_class_attributes_are_not_serialised() -> None:
    alerter = Alerter(name="a")
    alerter._cache["k"] = 1
    dumped = alerter.model_dump()
    assert set(dumped) == {"name", "uuid", "channel", "retries", "token", "api_key"}
    assert "_cache" not in alerter.model_dump_json()
    assert "RUNTIME_OPTIONS" not in dumped and "FLAVOR" not in dumped


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Alerter(name="a", chanel="typo")
    assert info.value.errors()[0]["type"] == "extra_forbidden"
    assert info.value.errors()[0]["loc"] == ("chanel",)


def test_values_are_validated_on_creation_and_assignment() -> None:
    assert Alerter(name="a", retries="5").retries == 5
    with pytest.raises(ValidationError, match="retries"):
        Alerter(name="a", retries="many")
    alerter = Alerter(name="a")
    with pytest.raises(ValidationError):
        alerter.retries = "many"  # type: ignore[assignment]


def test_config_dict_masks_secrets_unless_asked() -> None:
    alerter = Alerter(name="a", token="s3cr3t", api_key="k3y")
    shown = alerter.config_dict()
    assert shown == {"channel": "general", "retries": 3, "token": "**********",
                     "api_key": "**********"}  # fmt: skip
    assert "s3cr3t" not in alerter.model_dump_json()
    revealed = alerter.config_dict(reveal_secrets=True)
    assert (revealed["token"], revealed["api_key"]) == ("s3cr3t", "k3y")
    assert Alerter.secret_fields() == {"token", "api_key"}


def test_secret_not_set_stays_none() -> None:
    assert Alerter(name="a").config_dict(reveal_secrets=True)["token"] is None


def test_default_state_is_provisioned_and_running() -> None:
    alerter = Alerter(name="a")
    assert alerter.is_provisioned and alerter.is_running and not alerter.is_suspended
    assert alerter.state == "running"
    for method in (alerter.provision, alerter.resume, alerter.suspend, alerter.deprovision):
        method()


def test_state_follows_overridden_properties() -> None:
    class Daemon(Alerter):
        FLAVOR: ClassVar[str] = "daemon"
        _running: bool = False
        _provisioned: bool = False

        @property
        def is_provisioned(self) -> bool:
            return self._provisioned

        @property
        def is_running(self) -> bool:
            return self._running

        def provision(self) -> None:
            self._provisioned = True

        def resume(self) -> None:
            self._running = True

        def suspend(self) -> None:
            self._running = False

    daemon = Daemon(name="d")
    assert daemon.state == "not provisioned"
    daemon.provision()
    assert daemon.is_suspended and daemon.state == "suspended"
    daemon.resume()
    assert daemon.state == "running" and not daemon.is_suspended
    daemon.suspend()
    assert daemon.state == "suspended"


def test_hooks_defaults() -> None:
    alerter = Alerter(name="a")
    assert alerter.requirements == set()
    assert alerter.validator is None
    assert alerter.log_file is None
    assert alerter.runtime_options["channel"].type == "str"
    assert alerter.local_path == local_stores_dir() / str(alerter.uuid)
    assert not alerter.local_path.exists()
    alerter.prepare_pipeline_deployment(object(), object(), {"x": 1})  # type: ignore[arg-type]
    info = StepRunInfo("run-id", "run", "pipe", "stack", "step", "step-id", 1)
    alerter.prepare_step_run(info)
    alerter.cleanup_step_run(info, False)
    alerter.cleanup_pipeline_run(PipelineRunInfo("run-id", "run", "pipe"), True)


def test_local_path_follows_the_config_dir(isolated_config: Path) -> None:
    assert Alerter(name="a").local_path.parent == isolated_config.resolve() / "local_stores"


def test_str_names_type_name_and_flavor() -> None:
    assert str(Alerter(name="bell")) == "alerter 'bell' (flavor test)"


def test_runtime_option_is_frozen() -> None:
    option = RuntimeOption(description="d")
    with pytest.raises(ValidationError):
        option.description = "other"  # type: ignore[misc]


def test_flavor_declared_as_a_field_is_refused() -> None:
    with pytest.raises(TypeError, match="declares FLAVOR as configuration field"):

        class FieldFlavor(StackComponent):
            TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER
            FLAVOR: str = "x"  # type: ignore[misc]


def test_pickling_keeps_the_config_and_resets_runtime_attributes() -> None:
    import pickle
    import threading

    class Worker(Alerter):
        FLAVOR: ClassVar[str] = "worker"
        _local: Any = None
        _calls: list[int] = []

    Worker.__module__ = __name__
    globals()["Worker"] = Worker
    Worker.__qualname__ = "Worker"
    worker = Worker(name="w", retries=7, token="t")
    worker._local = threading.local()  # not picklable: runtime state
    worker._calls.append(1)
    again = pickle.loads(pickle.dumps(worker))
    assert again.model_dump() == worker.model_dump()
    assert again.token is not None and again.token.get_secret_value() == "t"
    assert again._local is None and again._calls == []
    assert worker._calls == [1]


def test_secrets_nested_in_containers_are_found_masked_and_revealed() -> None:
    class Vault(Alerter):
        FLAVOR: ClassVar[str] = "vault"
        keys: dict[str, SecretStr] = {}
        backups: list[SecretStr] | None = None
        where: Path = Path("/tmp")

    vault = Vault(name="v", keys={"a": "k1"}, backups=["b1"], token="t")
    assert Vault.secret_fields() == {"token", "api_key", "keys", "backups"}
    shown = vault.config_dict()
    assert "k1" not in str(shown) and "b1" not in str(shown) and "'t'" not in str(shown)
    revealed = vault.config_dict(reveal_secrets=True)
    assert revealed["keys"] == {"a": "k1"} and revealed["backups"] == ["b1"]
    assert revealed["token"] == "t" and revealed["where"] == "/tmp"
    again = Vault(name="v", **revealed)
    assert again.keys["a"].get_secret_value() == "k1"
