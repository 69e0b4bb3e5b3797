"""The ``azure`` artifact store flavor: artifacts in an Azure Blob Storage container."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, SecretStr

from cairn.artifact_stores.object_artifact_store import ObjectArtifactStore
from cairn.exceptions import IntegrationError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class AzureArtifactStore(ObjectArtifactStore):
    """Artifact store in an Azure Blob Storage container, through adlfs.

    Give either ``connection_string``, or ``account_name`` with one of
    ``account_key``, ``sas_token`` or a service principal (``tenant_id``,
    ``client_id``, ``client_secret``); with only ``account_name``, adlfs uses
    Azure's default credential chain. Every credential is a secret field (a
    plain value or a ``{{name.key}}`` reference).

    Attributes:
        path: ``az://container`` or ``az://container/prefix`` (``abfs://`` also).
        account_name: the storage account.
        connection_string: a full connection string (a secret).
        account_key: the account's access key (a secret).
        sas_token: a shared access signature (a secret).
        tenant_id: service principal tenant.
        client_id: service principal id.
        client_secret: service principal secret (a secret).
        max_concurrency: blocks transferred in parallel by adlfs.
    """

    FLAVOR: ClassVar[str] = "azure"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"az://", "abfs://"}

    account_name: str | None = None
    connection_string: SecretStr | None = None
    account_key: SecretStr | None = None
    sas_token: SecretStr | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    max_concurrency: int = Field(default=4, ge=1)

    #: adlfs's convention (as ADLS Gen2's): a folder is an empty blob of its own name
    #: whose metadata says ``is_directory``.
    FOLDER_MARKER: ClassVar[str] = ""

    @property
    def requirements(self) -> set[str]:
        """adlfs is needed wherever steps run."""
        return {"adlfs>=2024.4"}

    def _write_folder_marker(self, path: str) -> None:
        with self.filesystem.open(path, "wb", metadata={"is_directory": "true"}):
            pass

    def _make_filesystem(self) -> AbstractFileSystem:
        try:
            import adlfs
        except ImportError as exc:
            raise IntegrationError(
                "The azure artifact store needs adlfs: pip install 'cairn[azure]'."
            ) from exc
        options: dict[str, Any] = {
            "account_name": self.account_name,
            "connection_string": self.resolve_secret(self.connection_string),
            "account_key": self.resolve_secret(self.account_key),
            "sas_token": self.resolve_secret(self.sas_token),
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": self.resolve_secret(self.client_secret),
        }
        kwargs = {k: v for k, v in options.items() if v}
        return adlfs.AzureBlobFileSystem(
            skip_instance_cache=True, max_concurrency=self.max_concurrency, **kwargs
        )
