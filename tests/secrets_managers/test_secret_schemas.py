"""Secret schemas validate keys and never show values."""

from __future__ import annotations

import pytest

from cairn.exceptions import ConfigurationError
from cairn.secrets_managers import SECRET_SCHEMAS
from cairn.secrets_managers.secret_schemas import schema_keys, validate_values


def test_the_schemas_of_the_issue_exist() -> None:
    assert set(SECRET_SCHEMAS) == {"aws", "gcp", "azure", "basic_auth", "mysql", "arbitrary"}
    assert schema_keys("aws") == (["aws_access_key_id", "aws_secret_access_key"],
                                  ["aws_session_token"])  # fmt: skip
    assert schema_keys("arbitrary") == ([], [])


def test_validation_names_keys_not_values() -> None:
    validate_values("arbitrary", {"anything": "x"})
    validate_values("basic_auth", {"username": "u", "password": "p"})
    with pytest.raises(ConfigurationError, match="password: missing") as missing:
        validate_values("basic_auth", {"username": "hidden-user"})
    assert "hidden-user" not in str(missing.value)
    with pytest.raises(ConfigurationError, match="extra: not a key") as extra:
        validate_values("mysql", {"user": "u", "extra": "hidden-value"})
    assert "hidden-value" not in str(extra.value)
    with pytest.raises(ConfigurationError, match="use one of arbitrary, aws"):
        validate_values("nope", {})


def test_the_default_schema_is_named_once_for_both_modules() -> None:
    """The secrets manager names the default schema without importing the schemas."""
    from cairn.secrets_managers import base_secrets_manager, secret_schemas

    assert base_secrets_manager.DEFAULT_SCHEMA == secret_schemas.DEFAULT_SCHEMA == "arbitrary"
    assert secret_schemas.DEFAULT_SCHEMA in SECRET_SCHEMAS
