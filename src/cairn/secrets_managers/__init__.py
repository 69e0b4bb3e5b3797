"""Secrets managers: store credentials outside of component configuration."""

from typing import TYPE_CHECKING, Any

from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager

if TYPE_CHECKING:
    from cairn.secrets_managers.secret_schemas import SECRET_SCHEMAS, BaseSecretSchema

__all__ = ["SECRET_SCHEMAS", "BaseSecretSchema", "BaseSecretsManager"]


def __getattr__(name: str) -> Any:
    """The schemas are imported on first use (a run needs none of them)."""
    if name in ("SECRET_SCHEMAS", "BaseSecretSchema"):
        from cairn.secrets_managers import secret_schemas

        return getattr(secret_schemas, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
