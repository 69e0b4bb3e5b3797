"""Secret schemas: the keys a secret of a known kind must (and may) have.

A secret is a name plus key/value pairs; a schema names the keys of one kind of
credentials and validates them when the secret is registered or updated. The
``arbitrary`` schema (the default) accepts any keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from cairn.exceptions import ConfigurationError


class BaseSecretSchema(BaseModel):
    """A kind of secret: its keys are the model's fields (all ``SecretStr``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    TYPE: ClassVar[str]


class ArbitrarySecretSchema(BaseSecretSchema):
    """Any keys."""

    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True)

    TYPE: ClassVar[str] = "arbitrary"


class AWSSecretSchema(BaseSecretSchema):
    """AWS credentials."""

    TYPE: ClassVar[str] = "aws"

    aws_access_key_id: SecretStr
    aws_secret_access_key: SecretStr
    aws_session_token: SecretStr | None = None


class GCPSecretSchema(BaseSecretSchema):
    """A GCP service account key (the JSON text of the key file)."""

    TYPE: ClassVar[str] = "gcp"

    token: SecretStr


class AzureSecretSchema(BaseSecretSchema):
    """Azure storage credentials (any of them)."""

    TYPE: ClassVar[str] = "azure"

    account_name: SecretStr | None = None
    account_key: SecretStr | None = None
    sas_token: SecretStr | None = None
    connection_string: SecretStr | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    tenant_id: SecretStr | None = None


class BasicAuthSecretSchema(BaseSecretSchema):
    """A user name and a password."""

    TYPE: ClassVar[str] = "basic_auth"

    username: SecretStr
    password: SecretStr


class MySQLSecretSchema(BaseSecretSchema):
    """MySQL credentials and TLS material."""

    TYPE: ClassVar[str] = "mysql"

    user: SecretStr
    password: SecretStr | None = None
    ssl_ca: SecretStr | None = None
    ssl_cert: SecretStr | None = None
    ssl_key: SecretStr | None = None


SECRET_SCHEMAS: dict[str, type[BaseSecretSchema]] = {
    s.TYPE: s
    for s in (
        ArbitrarySecretSchema, AWSSecretSchema, GCPSecretSchema, AzureSecretSchema,
        BasicAuthSecretSchema, MySQLSecretSchema,
    )
}  # fmt: skip
DEFAULT_SCHEMA = ArbitrarySecretSchema.TYPE  # also base_secrets_manager.DEFAULT_SCHEMA (tested)


def schema_class(name: str) -> type[BaseSecretSchema]:
    """The schema called ``name``; the error lists the known ones."""
    try:
        return SECRET_SCHEMAS[name]
    except KeyError:
        known = ", ".join(sorted(SECRET_SCHEMAS))
        raise ConfigurationError(f"Unknown secret schema '{name}': use one of {known}.") from None


def schema_keys(name: str) -> tuple[list[str], list[str]]:
    """The required and optional keys of schema ``name`` (both empty for ``arbitrary``)."""
    cls = schema_class(name)
    required = [k for k, f in cls.model_fields.items() if f.is_required()]
    optional = [k for k, f in cls.model_fields.items() if not f.is_required()]
    return required, optional


def validate_values(schema: str, values: Mapping[str, str]) -> None:
    """Check ``values`` has the keys ``schema`` needs and no others.

    Raises:
        ConfigurationError: naming the missing or unknown keys, never a value.
    """
    cls = schema_class(schema)
    try:
        cls(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error.get("loc", ())) or "(secret)"
            kind = error.get("type")
            text = {"missing": "missing", "extra_forbidden": "not a key of this schema"}.get(
                str(kind), "invalid"
            )
            problems.append(f"{key}: {text}")
        raise ConfigurationError(
            f"The secret does not match schema '{schema}': {'; '.join(problems)}."
        ) from None
