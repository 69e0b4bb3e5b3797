"""What every stack component flavor must do, whatever its type."""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cairn.enums import StackComponentType
from cairn.testing._helpers import expect_error


class StackComponentConformance:
    """Conformance suite for a stack component flavor.

    Implement :meth:`make_component` to return a configured instance. Set
    ``STATE_METHODS = False`` when calling ``provision``/``resume``/``suspend``/
    ``deprovision`` in a test would touch real infrastructure.
    """

    STATE_METHODS: bool = True

    def make_component(self) -> Any:
        """Return a configured instance of the flavor under test."""
        raise NotImplementedError("implement make_component() in your test class")

    # ------------------------------------------------------------ plumbing
    def setup_method(self, method: Any = None) -> None:
        self._temporary: list[str] = []

    def teardown_method(self, method: Any = None) -> None:
        for folder in getattr(self, "_temporary", []):
            shutil.rmtree(folder, ignore_errors=True)

    def temporary_directory(self) -> str:
        """A fresh folder, removed after the test."""
        folder = tempfile.mkdtemp(prefix="cairn-conformance-")
        self._temporary.append(folder)
        return str(Path(folder).resolve())

    def _component(self) -> Any:
        component = getattr(self, "_cached_component", None)
        if component is None:
            component = self.make_component()
            self._cached_component = component
        return component

    @staticmethod
    def _config_of(component: Any) -> dict[str, Any]:
        data: dict[str, Any] = component.config_dict(reveal_secrets=True)
        return {"name": component.name, "uuid": component.uuid, **data}

    # ------------------------------------------------------------ tests
    def test_is_a_stack_component_of_its_type(self) -> None:
        from cairn.stack.flavor_registry import base_class
        from cairn.stack.stack_component import StackComponent

        component = self._component()
        assert isinstance(component, StackComponent)
        assert isinstance(component.TYPE, StackComponentType)
        assert isinstance(component, base_class(component.TYPE))
        assert isinstance(component.FLAVOR, str) and component.FLAVOR

    def test_config_round_trip(self) -> None:
        component = self._component()
        cls = type(component)
        again = cls(**self._config_of(component))
        assert again.model_dump() == component.model_dump()
        assert cls.model_validate(component.model_dump()).model_dump() == component.model_dump()

    def test_json_config_round_trip(self) -> None:
        component = self._component()
        cls = type(component)
        data = component.model_dump(mode="json")
        data.update(component.config_dict(reveal_secrets=True))
        assert cls.model_validate(data).model_dump() == component.model_dump()

    def test_unknown_key_is_rejected(self) -> None:
        from pydantic import ValidationError

        component = self._component()
        with expect_error(ValidationError):
            type(component)(**self._config_of(component), no_such_parameter_xyz=1)

    def test_class_and_private_attributes_are_not_serialised(self) -> None:
        dumped = self._component().model_dump()
        assert "name" in dumped and "uuid" in dumped
        assert not [key for key in dumped if key.startswith("_")]
        assert not {"TYPE", "FLAVOR", "RUNTIME_OPTIONS"} & set(dumped)

    def test_secrets_are_masked(self) -> None:
        component = self._component()
        shown = component.config_dict()
        for field in component.secret_fields():
            value = getattr(component, field)
            if isinstance(value, dict):  # e.g. dict[str, SecretStr]
                values = list(value.values())
            else:
                values = list(value) if isinstance(value, list | tuple) else [value]
            for secret in values:
                if secret is not None and secret.get_secret_value():
                    assert secret.get_secret_value() not in str(shown)

    def test_pickles(self) -> None:
        component = self._component()
        assert pickle.loads(pickle.dumps(component)).model_dump() == component.model_dump()

    def test_hooks_have_the_documented_types(self) -> None:
        from cairn.stack.stack_component import RuntimeOption
        from cairn.stack.stack_validator import StackValidator

        component = self._component()
        assert isinstance(component.requirements, set)
        assert all(isinstance(r, str) for r in component.requirements)
        assert isinstance(component.runtime_options, Mapping)
        assert all(isinstance(o, RuntimeOption) for o in component.runtime_options.values())
        assert component.validator is None or isinstance(component.validator, StackValidator)
        assert component.log_file is None or isinstance(component.log_file, Path)
        assert component.name in str(component)

    def test_state_properties_are_booleans(self) -> None:
        component = self._component()
        for prop in ("is_provisioned", "is_running", "is_suspended"):
            assert isinstance(getattr(component, prop), bool), prop
        assert component.state in {"running", "suspended", "not provisioned"}

    def test_state_methods_are_callable(self) -> None:
        if not self.STATE_METHODS:
            return
        component = self._component()
        component.provision()
        component.resume()
        assert component.is_provisioned
        assert component.is_running
        component.suspend()
        assert isinstance(component.is_suspended, bool)
        component.resume()
        component.deprovision()
