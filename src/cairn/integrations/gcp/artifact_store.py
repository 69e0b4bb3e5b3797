"""The ``gcp`` artifact store flavor: artifacts in a Google Cloud Storage bucket."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import SecretStr

from cairn.artifact_stores.object_artifact_store import ObjectArtifactStore
from cairn.exceptions import ConfigurationError, IntegrationError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class GCPArtifactStore(ObjectArtifactStore):
    """Artifact store in a Google Cloud Storage bucket, through gcsfs.

    Credentials: ``service_account_json``, the content of a service account key
    file (a secret field: a plain value or a ``{{name.key}}`` reference); without
    it gcsfs uses Google's default credentials (``gcloud auth``, the metadata
    server). ``token="anon"`` reaches public buckets and emulators.

    Attributes:
        path: ``gs://bucket`` or ``gs://bucket/prefix``.
        project: the project that new buckets are created in.
        service_account_json: a service account key, as JSON text (a secret).
        token: a gcsfs token mode instead (``anon``, ``google_default``, ``cloud``).
        endpoint_url: another endpoint (an emulator); empty for Google's.
    """

    FLAVOR: ClassVar[str] = "gcp"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"gs://", "gcs://"}

    project: str | None = None
    service_account_json: SecretStr | None = None
    token: str | None = None
    endpoint_url: str | None = None

    @property
    def requirements(self) -> set[str]:
        """gcsfs is needed wherever steps run."""
        return {"gcsfs>=2024.3"}

    def _credentials(self) -> Any:
        raw = self.resolve_secret(self.service_account_json)
        if not raw:
            return self.token
        try:
            info = json.loads(raw)
        except ValueError as exc:
            raise ConfigurationError(
                f"The {self}'s service_account_json is not JSON: paste the content of the "
                f"key file (or a reference to a secret that holds it)."
            ) from exc
        return info

    def _make_filesystem(self) -> AbstractFileSystem:
        try:
            import gcsfs
        except ImportError as exc:
            raise IntegrationError(
                "The gcp artifact store needs gcsfs: pip install 'cairn[gcp]'."
            ) from exc
        kwargs: dict[str, Any] = {"token": self._credentials()}
        if self.project:
            kwargs["project"] = self.project
        cls: Any = gcsfs.GCSFileSystem
        if self.endpoint_url:
            # another endpoint speaks the JSON API only: use gcsfs's plain HTTP client,
            # not the variant that probes Google's gRPC control plane for bucket types
            from gcsfs.core import GCSFileSystem as PlainGCSFileSystem

            cls = PlainGCSFileSystem
            kwargs["endpoint_url"] = self.endpoint_url
        return cls(skip_instance_cache=True, **kwargs)
