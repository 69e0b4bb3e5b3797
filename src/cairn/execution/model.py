"""``Model``: the model control plane (ZenML 0.45+ style).

Example:
    >>> from cairn import Model, pipeline, step, get_step_context
    >>> @step
    ... def promote() -> None:
    ...     get_step_context().model.set_stage("production", force=True)
    >>> @pipeline(model=Model(name="churn", tags=["tabular"]))
    ... def training():
    ...     promote()
    >>> @pipeline(model=Model(name="churn", version="production"))
    ... def inference():
    ...     ...

``@pipeline(model=Model(name))`` creates a new version of the model for every
run; ``version=`` names one to use (a stage, ``latest``, a number, or a name,
created if new). Every artifact a run produces is linked to the version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cairn.enums import ModelStages
from cairn.exceptions import CairnUserError

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.execution.artifact_versions import ArtifactVersion
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.catalog_records import ModelVersionRecord
    from cairn.models.pipeline_spec import ModelSpec

#: ZenML's descriptive fields; recorded as metadata of each version the run creates.
TEXT_FIELDS = ("license", "audience", "use_cases", "limitations", "trade_offs", "ethics")


class Model:
    """A model and one of its versions.

    Args:
        name: the model's name.
        version: None (a new version per run), a stage (``staging``, ``production``),
            ``latest``, a version number, or a version name.
        description: the model's description.
        tags: the model's tags.
        license: ZenML's descriptive fields (``license``, ``audience``, ``use_cases``,
            ``limitations``, ``trade_offs``, ``ethics``) are kept as metadata of
            the versions runs create.
    """

    def __init__(
        self,
        name: str,
        version: str | int | ModelStages | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        **fields: Any,
    ) -> None:
        from cairn.models.catalog_names import check_name

        unknown = sorted(set(fields) - set(TEXT_FIELDS) - {"save_models_to_registry"})
        if unknown:
            raise CairnUserError(
                f"Model() got unknown argument(s) {', '.join(unknown)}; it takes name, version, "
                f"description, tags, {', '.join(TEXT_FIELDS)}."
            )
        self.name = check_name("model name", name)
        self.version = None if version is None else str(version)
        self.description = description
        self.tags = [tags] if isinstance(tags, str) else list(tags or [])
        self.fields = {k: v for k, v in fields.items() if k in TEXT_FIELDS and v is not None}
        self._record: ModelVersionRecord | None = None
        self._stores: tuple[BaseMetadataStore, BaseArtifactStore] | None = None

    # ------------------------------------------------------------ config
    def to_spec(self) -> ModelSpec:
        """The plain, serialisable form kept in the pipeline spec."""
        from cairn.models.pipeline_spec import ModelSpec

        return ModelSpec(
            name=self.name,
            version=self.version,
            description=self.description,
            tags=self.tags,
            properties=self.fields,
        )

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> Model:
        """A model from the ``model:`` section of a run configuration file."""
        if not isinstance(data, Mapping) or "name" not in data:
            raise CairnUserError("The 'model' section of a configuration needs a 'name'.")
        return cls(**dict(data))

    @classmethod
    def bound(
        cls,
        record: ModelVersionRecord,
        metadata_store: BaseMetadataStore,
        artifact_store: BaseArtifactStore,
    ) -> Model:
        """A model object for an existing version (what steps and the client get)."""
        model = cls(record.model_name, record.name)
        model._record = record
        model._stores = (metadata_store, artifact_store)
        return model

    # ------------------------------------------------------------ the version
    def _resolve(self) -> tuple[ModelVersionRecord, BaseMetadataStore, BaseArtifactStore]:
        if self._record is None or self._stores is None:
            from cairn.execution.artifact_versions import current_stores

            stores = self._stores or current_stores()
            self._record = stores[0].get_model_version(self.name, self.version)
            self._stores = stores
        return self._record, self._stores[0], self._stores[1]

    @property
    def id(self) -> str:
        """The version's id."""
        return self._resolve()[0].id

    @property
    def model_id(self) -> str:
        """The model's id."""
        return self._resolve()[0].model_id

    @property
    def number(self) -> int:
        """The version's number."""
        return self._resolve()[0].number

    @property
    def stage(self) -> str | None:
        """The version's stage (read now)."""
        record, store, _ = self._resolve()
        self._record = store.get_model_version_by_id(record.id)
        return self._record.stage

    def set_stage(self, stage: str | ModelStages, force: bool = False) -> None:
        """Put this version in ``stage`` (``staging``, ``production``, ``archived``, ``none``).

        Raises:
            IllegalOperationError: another version holds the stage and ``force`` is False.
        """
        record, store, _ = self._resolve()
        self._record = store.set_model_version_stage(record.id, str(stage), force=force)

    @property
    def run_metadata(self) -> dict[str, Any]:
        """The metadata of this version."""
        record, store, _ = self._resolve()
        return {
            k: e.value for k, e in store.get_entity_metadata("model_version", record.id).items()
        }

    def log_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to this version."""
        from cairn.execution.step_context import jsonable_metadata

        record, store, _ = self._resolve()
        for key, value in jsonable_metadata(metadata).items():
            store.log_entity_metadata("model_version", record.id, key, value)

    # ------------------------------------------------------------ artifacts
    def get_artifact(self, name: str, version: str | int | None = None) -> Any:
        """The artifact ``name`` linked to this version (newest link; or the given version).

        Inside a pipeline definition this is a step input looked up when the run starts.
        """
        from cairn.execution.step_context import defining_pipeline

        if defining_pipeline():
            from cairn.models.artifact_config import LazyArtifact

            return LazyArtifact(
                name,
                None if version is None else str(version),
                model_name=self.name,
                model_version=self.version,
            )
        return self._linked(name, version)

    get_model_artifact = get_artifact
    get_data_artifact = get_artifact

    def load_artifact(self, name: str, version: str | int | None = None) -> Any:
        """Load the artifact ``name`` linked to this version."""
        return self._linked(name, version).load()

    def _linked(self, name: str, version: str | int | None) -> ArtifactVersion:
        from cairn.exceptions import DoesNotExistError
        from cairn.execution.artifact_versions import ArtifactVersion

        record, store, artifact_store = self._resolve()
        links = [
            link.artifact
            for link in store.get_model_version_artifacts(record.id)
            if link.artifact.name == name
            and (version is None or link.artifact.version == str(version))
        ]
        if not links:
            raise DoesNotExistError(
                f"Version '{record.name}' of model '{record.model_name}' has no artifact "
                f"'{name}': see 'cairn model describe {record.model_name}:{record.name}'."
            )
        return ArtifactVersion(links[-1], store, artifact_store)

    @property
    def artifacts(self) -> dict[str, ArtifactVersion]:
        """The linked artifact versions by name (the newest link of each name)."""
        from cairn.execution.artifact_versions import ArtifactVersion

        record, store, artifact_store = self._resolve()
        out: dict[str, ArtifactVersion] = {}
        for link in store.get_model_version_artifacts(record.id):
            out[link.artifact.name] = ArtifactVersion(link.artifact, store, artifact_store)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON data of this version, with its artifacts and runs."""
        record, store, _ = self._resolve()
        return {
            "model": record.model_name,
            "id": record.id,
            "version": record.name,
            "number": record.number,
            "stage": record.stage,
            "description": record.description,
            "created": record.created,
            "artifacts": [
                {
                    "kind": link.kind,
                    "name": link.artifact.name,
                    "version": link.artifact.version,
                    "id": link.artifact.id,
                }
                for link in store.get_model_version_artifacts(record.id)
            ],
            "runs": store.get_model_version_runs(record.id),
            "run_metadata": self.run_metadata,
        }

    def __repr__(self) -> str:
        if self._record is not None:
            return f"<model {self.name} version {self._record.name} ({self._record.stage or '-'})>"
        return f"Model(name={self.name!r}, version={self.version!r})"


__all__ = ["Model"]
