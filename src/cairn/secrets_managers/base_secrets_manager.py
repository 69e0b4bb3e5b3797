"""Base class of secrets managers: a central place for credentials.

A secret is a name plus key/value pairs, optionally of a schema (see
:mod:`cairn.secrets_managers.secret_schemas`) that validates its keys. Component
configuration refers to secrets as ``{{secret_name.key}}``; references are
resolved only when used (:meth:`StackComponent.resolve_secret`).

The public methods check names, keys and schemas, and never put a value in a
message; flavors implement a few primitives:

* ``_load(name)`` -> ``(schema, values)`` or ``None`` when there is no such secret,
* ``_save(name, schema, values, create)`` (``create``: the secret must not exist yet),
* ``_names()`` and ``_remove(name)`` (``False`` when there was nothing to remove).

A read-only flavor (``READ_ONLY = True``, e.g. ``env``) implements ``_load`` and
``_names`` only.

Example:
    >>> manager.register_secret("db", {"username": "me", "password": "pw"}, schema="basic_auth")
    >>> manager.get_secret("db")["password"]
    SecretStr('**********')
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from pydantic import SecretStr

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError, EntityExistsError, IllegalOperationError
from cairn.stack.secret_references import check_secret_key, check_secret_name, no_such_secret
from cairn.stack.stack_component import StackComponent

#: The schema of a secret registered without one (any keys); see :mod:`.secret_schemas`.
DEFAULT_SCHEMA = "arbitrary"


class BaseSecretsManager(StackComponent):
    """Abstract class for all Cairn secrets managers."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.SECRETS_MANAGER

    #: A read-only manager only reads secrets that something else provides.
    READ_ONLY: ClassVar[bool] = False

    # ------------------------------------------------------------ public API
    def register_secret(
        self,
        name: str,
        values: Mapping[str, str | SecretStr],
        overwrite: bool = False,
        *,
        schema: str = DEFAULT_SCHEMA,
    ) -> None:
        """Store a new secret; refuses to replace an existing one unless ``overwrite``.

        Raises:
            ConfigurationError: invalid name or key, or keys that do not match ``schema``.
            EntityExistsError: the secret exists and ``overwrite`` is false.
            IllegalOperationError: the manager is read-only.
        """
        plain = self._checked(name, values, schema)
        if not overwrite and self._load(name) is not None:
            raise EntityExistsError(
                f"Secret '{name}' already exists in secrets manager '{self.name}': change it "
                f"with 'cairn secret update {name} --KEY=VALUE' or delete it first."
            )
        self._save(name, schema, plain, create=not overwrite)

    def update_secret(
        self,
        name: str,
        values: Mapping[str, str | SecretStr],
        remove_keys: tuple[str, ...] = (),
    ) -> None:
        """Set (add or replace) keys of an existing secret and remove others.

        The result is validated against the secret's schema before it is stored.

        Raises:
            DoesNotExistError: there is no secret ``name``.
            ConfigurationError: invalid keys, or a result that does not match the schema.
        """
        schema, current = self._existing(name)
        merged = {k: v for k, v in current.items() if k not in remove_keys}
        for key in remove_keys:
            if key not in current:
                raise DoesNotExistError(f"Secret '{name}' has no key '{key}'.")
        merged.update(_plain(values))
        self._save(name, schema, self._checked(name, merged, schema), create=False)

    def get_secret(self, name: str) -> dict[str, SecretStr]:
        """The key/value pairs of a secret, values as ``SecretStr``.

        Raises:
            DoesNotExistError: there is no secret ``name``.
        """
        _schema, values = self._existing(name)
        return {k: SecretStr(v) for k, v in values.items()}

    def get_secret_schema(self, name: str) -> str:
        """The schema of a secret (``arbitrary`` unless it was registered with one)."""
        return self._existing(name)[0]

    def list_secrets(self) -> list[str]:
        """Names of all secrets, sorted."""
        return sorted(self._names())

    def has_secret(self, name: str) -> bool:
        """Whether a secret ``name`` exists."""
        check_secret_name(name)
        return self._load(name) is not None

    def delete_secret(self, name: str) -> None:
        """Remove a secret.

        Raises:
            DoesNotExistError: there is no secret ``name``.
        """
        check_secret_name(name)
        self._check_writable()
        if not self._remove(name):
            raise self._missing(name)

    # ------------------------------------------------------------ helpers
    def _checked(
        self, name: str, values: Mapping[str, str | SecretStr], schema: str
    ) -> dict[str, str]:
        check_secret_name(name)
        self._check_writable()
        plain = _plain(values)
        if not plain:
            raise _no_values(name)
        for key in plain:
            check_secret_key(key)
        from cairn.secrets_managers.secret_schemas import validate_values

        validate_values(schema, plain)
        return plain

    def _existing(self, name: str) -> tuple[str, dict[str, str]]:
        check_secret_name(name)
        found = self._load(name)
        if found is None:
            raise self._missing(name)
        return found

    def _missing(self, name: str) -> DoesNotExistError:
        return no_such_secret(name, self.name)

    def _check_writable(self) -> None:
        if self.READ_ONLY:
            raise IllegalOperationError(
                f"The secrets manager '{self.name}' (flavor {self.FLAVOR}) is read-only: set its "
                f"secrets where they come from, or use another secrets manager."
            )

    # ------------------------------------------------------------ primitives
    @abstractmethod
    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        """The schema and values of secret ``name``, or ``None``."""

    @abstractmethod
    def _names(self) -> list[str]:
        """Names of all secrets."""

    def _save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        """Store a secret (``create``: refuse if it exists meanwhile)."""
        self._check_writable()
        raise NotImplementedError(f"{type(self).__name__} cannot store secrets.")

    def _remove(self, name: str) -> bool:
        """Delete a secret; ``False`` if it did not exist."""
        self._check_writable()
        raise NotImplementedError(f"{type(self).__name__} cannot delete secrets.")


def _plain(values: Mapping[str, str | SecretStr]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        out[key] = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    return out


def _no_values(name: str) -> Exception:
    from cairn.exceptions import ConfigurationError

    return ConfigurationError(
        f"Secret '{name}' needs at least one key: pass --KEY=VALUE (or -i to be prompted)."
    )
