"""Secrets managers: store credentials outside of component configuration."""

from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager

__all__ = ["BaseSecretsManager"]
