"""Artifacts by name and version: ``save_artifact``, ``load_artifact`` and the version view.

Example:
    >>> from cairn import load_artifact, save_artifact
    >>> save_artifact([1, 2, 3], name="numbers", tags=["raw"])      # doctest: +SKIP
    >>> load_artifact("numbers")                                   # doctest: +SKIP
    [1, 2, 3]

Inside a running step these use the run's stack; elsewhere the active stack.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.catalog_records import ArtifactVersionRecord


class ArtifactVersion:
    """One version of a named artifact; pass it to a step as an input, or ``load()`` it.

    Attributes:
        record: the stored record.
    """

    def __init__(
        self,
        record: ArtifactVersionRecord,
        metadata_store: BaseMetadataStore,
        artifact_store: BaseArtifactStore,
    ) -> None:
        self.record = record
        self._metadata_store = metadata_store
        self._artifact_store = artifact_store

    @property
    def __cairn_artifact_id__(self) -> str:
        """Marks this object as an artifact reference when given to a step in a pipeline."""
        return self.record.artifact.id

    @property
    def id(self) -> str:
        """The artifact's id."""
        return self.record.artifact.id

    @property
    def name(self) -> str:
        """The artifact's name."""
        return self.record.name

    @property
    def version(self) -> str:
        """Its version (unique per name)."""
        return self.record.version

    @property
    def tags(self) -> list[str]:
        """Its tags."""
        return list(self.record.tags)

    @property
    def uri(self) -> str:
        """Its folder in the artifact store."""
        return self.record.artifact.uri

    @property
    def data_type(self) -> str:
        """Import path of its type."""
        return self.record.artifact.data_type

    @property
    def is_model_artifact(self) -> bool:
        """Whether it is a model."""
        return self.record.is_model_artifact

    @property
    def producer_step_run_id(self) -> str | None:
        """The step run that wrote it (None for ``save_artifact`` outside a step)."""
        return self.record.artifact.producer_step_run_id

    @property
    def run_metadata(self) -> dict[str, Any]:
        """The metadata attached to this version (read now)."""
        entries = self._metadata_store.get_entity_metadata("artifact", self.id)
        return {key: entry.value for key, entry in entries.items()}

    def load(self) -> Any:
        """Read the artifact with the materializer that wrote it."""
        from cairn.materializers.artifact_io import load_artifact as load

        artifact = self.record.artifact
        return load(self._artifact_store, artifact.uri, artifact.materializer, artifact.data_type)

    def to_dict(self) -> dict[str, Any]:
        """JSON data for ``cairn artifact describe --output json``."""
        artifact = self.record.artifact
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "tags": self.tags,
            "is_model_artifact": self.is_model_artifact,
            "uri": artifact.uri,
            "data_type": artifact.data_type,
            "materializer": artifact.materializer,
            "size": artifact.size,
            "content_hash": artifact.content_hash,
            "producer_step_run_id": artifact.producer_step_run_id,
            "created": self.record.created,
            "run_metadata": self.run_metadata,
        }

    def __repr__(self) -> str:
        return f"<artifact version {self.name}:{self.version}>"


def current_stores() -> tuple[BaseMetadataStore, BaseArtifactStore]:
    """The running step's stores, else the active stack's."""
    from cairn.execution.step_context import current_step_context

    context = current_step_context()
    if context is not None:
        return context.stack.metadata_store, context.stack.artifact_store
    from cairn.stack.registry import StackRegistry

    stack = StackRegistry().get_stack()
    return stack.metadata_store, stack.artifact_store


def _folder_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "artifact"


def save_artifact(
    data: Any,
    name: str,
    version: str | int | None = None,
    tags: Sequence[str] | None = None,
    run_metadata: Mapping[str, Any] | None = None,
    is_model_artifact: bool = False,
    materializer: Any = None,
    *,
    stores: tuple[BaseMetadataStore, BaseArtifactStore] | None = None,
) -> ArtifactVersion:
    """Save ``data`` as a new version of artifact ``name``, from any code.

    Args:
        data: the value.
        name: the artifact's name.
        version: the version (default: the next number).
        tags: tags of the version.
        run_metadata: metadata of the version (JSON values).
        is_model_artifact: whether it is a model.
        materializer: a materializer class (default: chosen by type).
        stores: the metadata and artifact store (default: the step's, else the active stack's).

    Raises:
        EntityExistsError: ``version`` exists already (nothing is kept).
    """
    from cairn.materializers.artifact_io import write_artifact
    from cairn.materializers.registry import materializer_for
    from cairn.models.catalog_names import check_name

    check_name("artifact name", name)
    if version is not None:
        check_name("artifact version", str(version))
    metadata_store, artifact_store = stores or current_stores()
    cls = materializer or materializer_for(type(data))
    folder = f"{_folder_name(name)}-{secrets.token_hex(8)}"
    uri = artifact_store.join("artifacts", folder)
    artifact_store.makedirs(artifact_store.join("artifacts"), exist_ok=True)
    written = write_artifact(artifact_store, uri, cls, data)
    try:
        with metadata_store.batch():  # the record is the commit point
            record = metadata_store.register_standalone_artifact(
                written.uri,
                written.data_type,
                written.materializer,
                size=written.size,
                content_hash=written.content_hash,
                properties=written.properties,
            )
            version_record = metadata_store.register_artifact_version(
                record.id, name, version, tags=list(tags or ()), is_model_artifact=is_model_artifact
            )
            for key, value in (run_metadata or {}).items():
                metadata_store.log_entity_metadata("artifact", record.id, key, value)
    except BaseException:
        if artifact_store.exists(written.uri):  # this call wrote it and nothing refers to it
            artifact_store.rmtree(written.uri)
        raise
    return ArtifactVersion(version_record, metadata_store, artifact_store)


def get_artifact_version(
    name: str,
    version: str | int | None = None,
    *,
    stores: tuple[BaseMetadataStore, BaseArtifactStore] | None = None,
) -> ArtifactVersion:
    """Version ``version`` of artifact ``name`` (the newest when None)."""
    metadata_store, artifact_store = stores or current_stores()
    record = metadata_store.get_artifact_version(name, version)
    return ArtifactVersion(record, metadata_store, artifact_store)


def load_artifact(
    name_or_id: str,
    version: str | int | None = None,
    *,
    stores: tuple[BaseMetadataStore, BaseArtifactStore] | None = None,
) -> Any:
    """Load version ``version`` of artifact ``name_or_id`` (the newest when None), or by id."""
    from cairn.exceptions import DoesNotExistError

    metadata_store, artifact_store = stores or current_stores()
    try:
        record = metadata_store.get_artifact_version(name_or_id, version)
    except DoesNotExistError:
        if version is not None:
            raise
        found = _by_id(metadata_store, name_or_id)
        if found is None:
            raise
        record = found
    return ArtifactVersion(record, metadata_store, artifact_store).load()


def _by_id(store: BaseMetadataStore, artifact_id: str) -> ArtifactVersionRecord | None:
    from cairn.exceptions import DoesNotExistError

    try:
        return store.find_artifact_version(artifact_id)
    except DoesNotExistError:
        return None


__all__ = ["ArtifactVersion", "get_artifact_version", "load_artifact", "save_artifact"]
