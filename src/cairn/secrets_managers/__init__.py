"""Secrets managers: store credentials outside of component configuration."""

from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager
from cairn.secrets_managers.secret_schemas import SECRET_SCHEMAS, BaseSecretSchema

__all__ = ["SECRET_SCHEMAS", "BaseSecretSchema", "BaseSecretsManager"]
