"""The ``vault`` secrets manager: secrets in HashiCorp Vault's KV version 2 engine (hvac).

Each Cairn secret is the KV entry ``<mount_point>/data/<path_prefix>/<name>``;
its keys and values are the entry's data, its schema the entry's custom
metadata ``cairn_schema``. Deleting a secret deletes all its versions and its
metadata. The token comes from the ``token`` field (best a reference, resolved
through the ``default`` local secrets manager) or else from hvac's usual
sources (``VAULT_TOKEN``); a client is made for each operation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import SecretStr

from cairn.exceptions import ConfigurationError, StoreError
from cairn.secrets_managers import BaseSecretsManager

SCHEMA_METADATA = "cairn_schema"


class VaultSecretsManager(BaseSecretsManager):
    """Secrets in a Vault KV v2 secrets engine.

    Attributes:
        url: the Vault server, e.g. ``https://vault.example.com:8200``.
        token: a Vault token (a secret field).
        mount_point: where the KV v2 engine is mounted.
        path_prefix: the folder of Cairn's secrets in the engine.
        namespace: a Vault Enterprise namespace.
        verify_tls: check the server's TLS certificate.
    """

    FLAVOR: ClassVar[str] = "vault"

    url: str
    token: SecretStr | None = None
    mount_point: str = "secret"
    path_prefix: str = "cairn"
    namespace: str | None = None
    verify_tls: bool = True

    @property
    def requirements(self) -> set[str]:
        """hvac where steps run."""
        return {"hvac>=2.1"}

    def _kv(self) -> Any:
        import hvac

        client = hvac.Client(
            url=self.url, token=self.resolve_secret(self.token), namespace=self.namespace,
            verify=self.verify_tls,
        )  # fmt: skip
        return client.secrets.kv.v2

    def _path(self, name: str) -> str:
        return f"{self.path_prefix.strip('/')}/{name}" if self.path_prefix.strip("/") else name

    def _call(self, action: str, name: str, **kwargs: Any) -> Any:
        """``kv.<action>(mount_point=..., **kwargs)``; ``None`` for a missing secret."""
        from hvac import exceptions as hv
        from requests.exceptions import RequestException

        try:
            return getattr(self._kv(), action)(mount_point=self.mount_point, **kwargs)
        except hv.InvalidPath:
            return None
        except (hv.Forbidden, hv.Unauthorized):
            raise ConfigurationError(
                f"Vault refused {action} of secret '{name}' for secrets manager '{self.name}': "
                f"check its token and policy."
            ) from None
        except hv.VaultError as exc:
            raise StoreError(
                f"Vault failed {action} of secret '{name}': {type(exc).__name__}."
            ) from None
        except RequestException as exc:
            raise StoreError(f"Cannot reach Vault at {self.url}: {type(exc).__name__}.") from None

    # ------------------------------------------------------------ primitives
    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        found = self._call(
            "read_secret_version", name, path=self._path(name), raise_on_deleted_version=True
        )
        if found is None:
            return None
        data = found.get("data") or {}
        values = data.get("data") or {}
        metadata = (data.get("metadata") or {}).get("custom_metadata") or {}
        schema = str(metadata.get(SCHEMA_METADATA) or "arbitrary")
        return schema, {str(k): str(v) for k, v in values.items()}

    def _names(self) -> list[str]:
        from cairn.stack.secret_references import is_secret_name

        found = self._call("list_secrets", "*", path=self.path_prefix.strip("/"))
        if found is None:
            return []
        keys = (found.get("data") or {}).get("keys") or []
        return [k for k in keys if not k.endswith("/") and is_secret_name(k)]

    def _save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        path = self._path(name)
        self._call("create_or_update_secret", name, path=path, secret=values,
                   cas=0 if create else None)  # fmt: skip
        self._call("update_metadata", name, path=path,
                   custom_metadata={SCHEMA_METADATA: schema})  # fmt: skip

    def _remove(self, name: str) -> bool:
        if self._load(name) is None:
            return False
        self._call("delete_metadata_and_all_versions", name, path=self._path(name))
        return True
