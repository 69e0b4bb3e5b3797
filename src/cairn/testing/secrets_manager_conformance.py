"""What every secrets manager flavor must do (on top of :class:`StackComponentConformance`)."""

from __future__ import annotations

import uuid
from typing import Any

from cairn.testing._helpers import expect_error
from cairn.testing.stack_component_conformance import StackComponentConformance


class SecretsManagerConformance(StackComponentConformance):
    """Conformance suite for a writable secrets manager flavor.

    Implement :meth:`make_component` to return a secrets manager that starts
    empty (or at least holds no secret named like the ones the tests make: they
    use random names).
    """

    STATE_METHODS = False

    def _name(self) -> str:
        return f"conf-{uuid.uuid4().hex[:10]}"

    def test_register_get_list_delete(self) -> None:
        from pydantic import SecretStr

        manager: Any = self._component()
        name = self._name()
        manager.register_secret(name, {"user": "alice", "password": "p@ss w0rd"})
        got = manager.get_secret(name)
        assert set(got) == {"user", "password"}
        assert all(isinstance(v, SecretStr) for v in got.values())
        assert got["password"].get_secret_value() == "p@ss w0rd"
        assert "p@ss w0rd" not in repr(got) and "p@ss w0rd" not in str(got)
        assert name in manager.list_secrets() and manager.has_secret(name)
        manager.delete_secret(name)
        assert name not in manager.list_secrets() and not manager.has_secret(name)

    def test_missing_secret_raises_does_not_exist(self) -> None:
        from cairn.exceptions import DoesNotExistError

        manager: Any = self._component()
        name = self._name()
        for call in (manager.get_secret, manager.delete_secret, manager.get_secret_schema):
            with expect_error(DoesNotExistError):
                call(name)
        with expect_error(DoesNotExistError):
            manager.update_secret(name, {"a": "b"})

    def test_register_refuses_an_existing_secret_unless_overwrite(self) -> None:
        from cairn.exceptions import EntityExistsError

        manager: Any = self._component()
        name = self._name()
        manager.register_secret(name, {"k": "one"})
        try:
            with expect_error(EntityExistsError):
                manager.register_secret(name, {"k": "two"})
            assert manager.get_secret(name)["k"].get_secret_value() == "one"
            manager.register_secret(name, {"other": "three"}, overwrite=True)
            assert set(manager.get_secret(name)) == {"other"}
        finally:
            manager.delete_secret(name)

    def test_update_adds_replaces_and_removes_keys(self) -> None:
        manager: Any = self._component()
        name = self._name()
        manager.register_secret(name, {"a": "1", "b": "2"})
        try:
            manager.update_secret(name, {"b": "20", "c": "30"}, remove_keys=("a",))
            got = {k: v.get_secret_value() for k, v in manager.get_secret(name).items()}
            assert got == {"b": "20", "c": "30"}
        finally:
            manager.delete_secret(name)

    def test_schema_is_validated_and_kept(self) -> None:
        from cairn.exceptions import ConfigurationError

        manager: Any = self._component()
        name = self._name()
        with expect_error(ConfigurationError):
            manager.register_secret(name, {"username": "u"}, schema="basic_auth")
        with expect_error(ConfigurationError):
            manager.register_secret(name, {"username": "u", "password": "p", "x": "1"},
                                    schema="basic_auth")  # fmt: skip
        assert not manager.has_secret(name)
        manager.register_secret(name, {"username": "u", "password": "p"}, schema="basic_auth")
        try:
            assert manager.get_secret_schema(name) == "basic_auth"
            with expect_error(ConfigurationError):
                manager.update_secret(name, {}, remove_keys=("password",))
            assert manager.get_secret(name)["password"].get_secret_value() == "p"
        finally:
            manager.delete_secret(name)

    def test_invalid_names_and_keys_are_refused(self) -> None:
        from cairn.exceptions import ConfigurationError

        manager: Any = self._component()
        for bad in ("", "../etc", "a/b", "-x", "a b", "x" * 200):
            with expect_error(ConfigurationError):
                manager.register_secret(bad, {"k": "v"})
        with expect_error(ConfigurationError):
            manager.register_secret(self._name(), {"bad key": "v"})
        with expect_error(ConfigurationError):
            manager.register_secret(self._name(), {})

    def test_error_messages_hold_no_value(self) -> None:
        from cairn.exceptions import CairnError

        manager: Any = self._component()
        name = self._name()
        try:
            manager.register_secret(name, {"username": "u", "pw": "s3cr3t-value"},
                                    schema="basic_auth")  # fmt: skip
        except CairnError as exc:
            assert "s3cr3t-value" not in str(exc)
        else:
            raise AssertionError("a key outside the schema was accepted")
