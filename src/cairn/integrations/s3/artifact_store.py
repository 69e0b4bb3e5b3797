"""The ``s3`` artifact store flavor: artifacts in an S3 (or S3-compatible) bucket."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, SecretStr

from cairn.artifact_stores.object_artifact_store import ObjectArtifactStore

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class S3ArtifactStore(ObjectArtifactStore):
    """Artifact store in an S3 bucket, through s3fs.

    Attributes:
        path: ``s3://bucket`` or ``s3://bucket/prefix``.
        endpoint_url: an S3-compatible server (MinIO, Ceph, R2, a local emulator);
            empty for AWS.
        key: access key id (a secret or a ``{{name.key}}`` reference); empty = the
            usual AWS credential chain.
        secret: secret access key (a secret).
        token: session token of temporary credentials (a secret).
        client_kwargs: extra arguments of the botocore client (e.g. ``verify``).
        config_kwargs: extra ``botocore.config.Config`` arguments (retries, ...).
        s3_additional_kwargs: extra arguments of every S3 call (e.g.
            ``ServerSideEncryption``).
        max_concurrency: parts uploaded or downloaded at the same time (by
            artifact writes, and by s3fs's own transfers).
        read_streams: concurrent GETs a large read (a whole array) is split
            into, each streamed into its part of the buffer. Some servers
            (moto) read the whole object for every range: keep it small there.
    """

    FLAVOR: ClassVar[str] = "s3"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"s3://"}

    endpoint_url: str | None = None
    key: SecretStr | None = None
    secret: SecretStr | None = None
    token: SecretStr | None = None
    client_kwargs: dict[str, Any] = Field(default_factory=dict)
    config_kwargs: dict[str, Any] = Field(default_factory=dict)
    s3_additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    max_concurrency: int = Field(default=8, ge=1)
    read_streams: int = Field(default=2, ge=1)

    @property
    def requirements(self) -> set[str]:
        """s3fs is needed wherever steps run."""
        return {"s3fs>=2024.3"}

    def _open_writer(self, path: str, mode: str, **kwargs: Any) -> Any:
        """Concurrent multipart upload (s3fs's own file uploads its parts one by one)."""
        from cairn.artifact_stores.object_artifact_store import STREAM_CHUNK
        from cairn.integrations.s3._transfers import PartUploader

        if set(mode) - {"w", "b"} or set(kwargs) - {"block_size"}:
            return super()._open_writer(path, mode, **kwargs)
        part = int(kwargs.get("block_size") or STREAM_CHUNK)
        return PartUploader(self.filesystem, path, part, self.max_concurrency)

    def _parallel_parts(self) -> int:
        return self.max_concurrency

    def _range_filler(self, path: str) -> Callable[[int, memoryview], int]:
        """Large reads: a few concurrent GETs, each streamed into its slice of the buffer."""
        from cairn.integrations.s3._transfers import read_ranges_into

        fs, streams = self.filesystem, self.read_streams
        return lambda start, view: read_ranges_into(fs, path, start, view, streams)

    def _make_filesystem(self) -> AbstractFileSystem:
        from cairn.integrations.s3._filesystem import make_s3_filesystem

        client_kwargs = dict(self.client_kwargs)
        if self.endpoint_url:
            client_kwargs.setdefault("endpoint_url", self.endpoint_url)
        return make_s3_filesystem(
            key=self.resolve_secret(self.key) or None,
            secret=self.resolve_secret(self.secret) or None,
            token=self.resolve_secret(self.token) or None,
            client_kwargs=client_kwargs,
            config_kwargs=dict(self.config_kwargs),
            s3_additional_kwargs=dict(self.s3_additional_kwargs),
            max_concurrency=self.max_concurrency,
        )
