"""Plain records of the catalog: artifact versions, models and model versions.

Frozen dataclasses like :mod:`cairn.models.run_records`; the metadata store
returns them and the client wraps them in views.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cairn.enums import ModelStages
from cairn.models.run_records import ArtifactRecord

#: Stages at most one version of a model holds at a time.
EXCLUSIVE_STAGES = frozenset({ModelStages.STAGING.value, ModelStages.PRODUCTION.value})
#: Stages ``set_stage`` accepts.
SETTABLE_STAGES = ("staging", "production", "archived", "none")


@dataclass(frozen=True)
class ArtifactVersionRecord:
    """An artifact with a name and a version.

    Attributes:
        artifact: the artifact (URI, type, materializer, content hash, ...).
        name: the artifact's name (an output name, ``ArtifactConfig(name=...)`` or
            ``save_artifact(name=...)``).
        version: the version, unique per name (``"1"``, ``"2"``, ... or a given one).
        number: the auto-incremented version number, None for a given version.
        tags: tags, sorted.
        is_model_artifact: whether it is a model (``ArtifactConfig(is_model_artifact=True)``).
        created: when the version was recorded.
    """

    artifact: ArtifactRecord
    name: str
    version: str
    number: int | None = None
    tags: tuple[str, ...] = ()
    is_model_artifact: bool = False
    created: float = 0.0

    @property
    def id(self) -> str:
        """The artifact's id (an artifact has at most one name and version)."""
        return self.artifact.id


@dataclass(frozen=True)
class ModelRecord:
    """A model of the model control plane (one row per model name)."""

    id: str
    name: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    created: float = 0.0
    updated: float = 0.0


@dataclass(frozen=True)
class ModelVersionRecord:
    """One version of a model.

    Attributes:
        id: UUID of the version.
        model_id: UUID of the model.
        model_name: the model's name.
        name: the version's name (``str(number)`` unless given).
        number: 1, 2, ... per model.
        stage: staging, production, archived or None.
    """

    id: str
    model_id: str
    model_name: str
    name: str
    number: int
    stage: str | None = None
    description: str | None = None
    created: float = 0.0
    updated: float = 0.0


@dataclass(frozen=True)
class ModelArtifactLink:
    """An artifact version linked to a model version (``kind``: model, data or metric)."""

    kind: str
    artifact: ArtifactVersionRecord = field(compare=False)


__all__ = [
    "EXCLUSIVE_STAGES",
    "SETTABLE_STAGES",
    "ArtifactVersionRecord",
    "ModelArtifactLink",
    "ModelRecord",
    "ModelVersionRecord",
]
