"""Secret references: ``{{secret_name.key}}`` in component configuration.

A reference names a secret of a secrets manager and one of its keys. It is what
the registry stores, what ``describe``, ``export`` and a run's stack snapshot
show, and what a component resolves (through its stack's secrets manager) only
in the code that is about to use the value.

Secret names are letters, digits, ``_`` and ``-`` (starting with a letter or a
digit); keys are identifiers. Both rules keep names safe as file names, AWS and
Vault paths, and (upper-cased, ``-`` as ``_``) environment variable names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cairn.exceptions import ConfigurationError, DoesNotExistError

_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}"
_KEY = r"[A-Za-z_][A-Za-z0-9_]{0,127}"
_NAME_RE = re.compile(rf"^{_NAME}$")
_KEY_RE = re.compile(rf"^{_KEY}$")
_REFERENCE_RE = re.compile(rf"^\{{\{{\s*({_NAME})\.({_KEY})\s*\}}\}}$")
_LOOKS_LIKE_RE = re.compile(r"^\s*\{\{.*\}\}\s*$", re.DOTALL)


@dataclass(frozen=True)
class SecretReference:
    """``{{name.key}}``: the key ``key`` of the secret ``name``."""

    name: str
    key: str

    def __str__(self) -> str:
        return f"{{{{{self.name}.{self.key}}}}}"


def parse_reference(value: Any) -> SecretReference | None:
    """The reference ``value`` holds (a ``str`` or a pydantic secret), else ``None``.

    Raises:
        ConfigurationError: ``value`` looks like a reference (``{{...}}``) but is
            not a valid one (the message shows the text only when it is not secret).
    """
    text = _text_of(value)
    if text is None:
        return None
    found = _REFERENCE_RE.match(text)
    if found:
        return SecretReference(found.group(1), found.group(2))
    if _LOOKS_LIKE_RE.match(text):
        shown = text if isinstance(value, str) else "(a secret field)"
        raise ConfigurationError(
            f"Invalid secret reference {shown}: write {{{{secret_name.key}}}}, the name of "
            f"letters, digits, '_' and '-', the key an identifier."
        )
    return None


def is_reference(value: Any) -> bool:
    """Whether ``value`` is a valid ``{{name.key}}`` reference."""
    try:
        return parse_reference(value) is not None
    except ConfigurationError:
        return False


def _text_of(value: Any) -> str | None:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value if isinstance(value, str) else None


def iter_references(value: Any) -> Iterator[SecretReference]:
    """Every reference inside ``value`` (strings, secrets, lists, tuples, dicts)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from iter_references(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from iter_references(item)
    else:
        reference = parse_reference(value)
        if reference is not None:
            yield reference


def is_secret_name(name: str) -> bool:
    """Whether ``name`` is a valid secret name."""
    return isinstance(name, str) and bool(_NAME_RE.match(name))


def check_secret_name(name: str) -> None:
    """Refuse a secret name that is not letters, digits, ``_`` and ``-``."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigurationError(
            f"Invalid secret name {name!r}: use letters, digits, '_' and '-' (at most 128), "
            f"starting with a letter or a digit."
        )


def no_such_secret(name: str, manager: str) -> DoesNotExistError:
    """The error for a secret ``name`` that secrets manager ``manager`` does not hold."""
    return DoesNotExistError(
        f"No secret named '{name}' in secrets manager '{manager}' (see 'cairn secret list')."
    )


def check_secret_key(key: str) -> None:
    """Refuse a secret key that is not an identifier."""
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ConfigurationError(
            f"Invalid secret key {key!r}: use letters, digits and '_' (at most 128), not "
            f"starting with a digit."
        )


def auto_secret_name(type_name: str, component_name: str, field: str) -> str:
    """The secret a plain value of ``field`` of a component is moved to.

    ``type_name`` is the component type's CLI name (``experiment-tracker``); the
    result is ``<type>-<component>-<field>``, other characters written as ``-``.
    """
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", component_name).strip("-_") or "component"
    return f"{type_name}-{base[:80]}-{field.replace('_', '-')}"[:128]


#: The key under which an automatically moved value is stored.
AUTO_SECRET_KEY = "value"
