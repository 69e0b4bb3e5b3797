"""The catalog part of the metadata store interface: named artifact versions and models.

:class:`BaseMetadataStore` inherits these abstract methods; the SQL flavors get
them from :class:`cairn.metadata_stores.sql_catalog.SQLCatalogMixin`.

How the pieces use it:

* the step runner: after ``register_artifact`` of each output,
  ``register_artifact_version`` (name, version, tags) and ``log_entity_metadata``
  (``ArtifactConfig(run_metadata=...)``, ``add_output_metadata``); with a model,
  ``link_artifact_to_model_version``;
* ``save_artifact``: ``register_standalone_artifact`` then ``register_artifact_version``;
* the pipeline runner: ``create_model_version`` / ``get_model_version`` for
  ``@pipeline(model=...)``, ``link_run_to_model_version``; lazy inputs by name
  through ``get_artifact_version``;
* CLI ``cairn artifact list|versions|describe`` and ``cairn model list|versions|describe|stage``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from cairn.models.catalog_records import (
    ArtifactVersionRecord,
    ModelArtifactLink,
    ModelRecord,
    ModelVersionRecord,
)
from cairn.models.run_records import ArtifactRecord, MetadataEntry

# The kinds of thing ``log_entity_metadata`` attaches metadata to (defined with the reads).
from cairn.store.metadata.catalog_reads import METADATA_KINDS as METADATA_KINDS

#: The kinds of thing ``log_entity_metadata`` attaches metadata to.


class CatalogStore(ABC):
    """Artifact versions, models, model versions and their metadata.

    Lookups of a missing entity raise :class:`cairn.exceptions.DoesNotExistError`.
    """

    # ------------------------------------------------------------ artifact versions
    @abstractmethod
    def register_standalone_artifact(
        self,
        uri: str,
        data_type: str,
        materializer: str,
        size: int = 0,
        content_hash: str = "",
        properties: dict[str, Any] | None = None,
    ) -> ArtifactRecord:
        """Record a complete artifact that no step produced (``save_artifact``)."""

    @abstractmethod
    def register_artifact_version(
        self,
        artifact_id: str,
        name: str,
        version: str | int | None = None,
        tags: Sequence[str] = (),
        is_model_artifact: bool = False,
        *,
        artifact: ArtifactRecord | None = None,
    ) -> ArtifactVersionRecord:
        """Give an artifact a name and a version (the next number when ``version`` is None).

        ``artifact`` is the artifact's record when the caller has it (saves a read).

        Raises:
            EntityExistsError: ``version`` of ``name`` exists already.
        """

    @abstractmethod
    def get_artifact_version(
        self, name: str, version: str | int | None = None
    ) -> ArtifactVersionRecord:
        """Version ``version`` of artifact ``name`` (the newest when None)."""

    @abstractmethod
    def find_artifact_version(self, artifact_id: str) -> ArtifactVersionRecord | None:
        """The name and version of an artifact, or None if it has none."""

    @abstractmethod
    def list_artifact_versions(
        self,
        name: str | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArtifactVersionRecord]:
        """Artifact versions, newest first, optionally of one name and with one tag."""

    @abstractmethod
    def list_artifact_names(self) -> list[tuple[str, int, ArtifactVersionRecord]]:
        """Every artifact name with its number of versions and its newest version, by name."""

    @abstractmethod
    def add_artifact_tags(self, artifact_id: str, tags: Sequence[str]) -> ArtifactVersionRecord:
        """Add tags to an artifact version (existing tags are kept)."""

    # ------------------------------------------------------------ metadata
    @abstractmethod
    def log_entity_metadata(self, kind: str, entity_id: str, key: str, value: Any) -> None:
        """Record ``key: value`` for a run, an artifact or a model version (replaces).

        ``kind`` is one of :data:`METADATA_KINDS`.
        """

    @abstractmethod
    def get_entity_metadata(self, kind: str, entity_id: str) -> dict[str, MetadataEntry]:
        """The metadata of a run, an artifact or a model version, by key.

        (``MetadataEntry.step_run_id`` holds the id of the entity.)
        """

    # ------------------------------------------------------------ models
    @abstractmethod
    def get_or_create_model(
        self, name: str, description: str | None = None, tags: Sequence[str] = ()
    ) -> ModelRecord:
        """The model called ``name``, created if needed (a given description or tags update it)."""

    @abstractmethod
    def get_model(self, name_or_id: str) -> ModelRecord:
        """A model by name or id."""

    @abstractmethod
    def list_models(self) -> list[ModelRecord]:
        """All models, by name."""

    @abstractmethod
    def create_model_version(
        self, model_id: str, name: str | None = None, description: str | None = None
    ) -> ModelVersionRecord:
        """A new version of a model: number = last + 1; name = ``str(number)`` unless given.

        Raises:
            EntityExistsError: a version called ``name`` exists.
        """

    @abstractmethod
    def get_model_version(self, model: str, version: str | int | None = None) -> ModelVersionRecord:
        """A version of a model (name or id) by number, name, or stage.

        ``None`` and ``"latest"`` give the newest version; ``"staging"`` and
        ``"production"`` the version in that stage.
        """

    @abstractmethod
    def get_model_version_by_id(self, model_version_id: str) -> ModelVersionRecord:
        """A model version by id."""

    @abstractmethod
    def list_model_versions(self, model: str, stage: str | None = None) -> list[ModelVersionRecord]:
        """The versions of a model, newest first, optionally those in one stage."""

    @abstractmethod
    def set_model_version_stage(
        self, model_version_id: str, stage: str, force: bool = False
    ) -> ModelVersionRecord:
        """Put a version in a stage; ``none`` clears it.

        Only one version per model may be in staging or production: another
        version there is archived with ``force=True``, else the call fails.

        Raises:
            IllegalOperationError: another version holds the stage and ``force`` is False.
        """

    @abstractmethod
    def link_artifact_to_model_version(
        self, model_version_id: str, artifact_id: str, kind: str = "data"
    ) -> None:
        """Link an artifact to a model version (``kind``: model, data or metric)."""

    @abstractmethod
    def get_model_version_artifacts(self, model_version_id: str) -> list[ModelArtifactLink]:
        """The artifact versions linked to a model version, oldest first."""

    @abstractmethod
    def link_run_to_model_version(self, model_version_id: str, run_id: str) -> None:
        """Record that a run produced or used a model version."""

    @abstractmethod
    def get_model_version_runs(self, model_version_id: str) -> list[str]:
        """Ids of the runs linked to a model version."""
