"""How an output is named and versioned, and references to artifacts given as step inputs.

Example (ZenML's style, unchanged after the rename):
    >>> from typing import Annotated
    >>> from cairn import ArtifactConfig, step
    >>> @step
    ... def train() -> Annotated[dict, ArtifactConfig(name="clf", is_model_artifact=True)]:
    ...     return {"weights": [1, 2]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairn.exceptions import PipelineDefinitionError


@dataclass(frozen=True)
class ArtifactConfig:
    """Name, version, tags and metadata of an output (in ``Annotated[T, ArtifactConfig(...)]``).

    Args:
        name: the artifact's name (also the output's name); default: the output's name.
        version: a version to give it (default: the next number for this name).
        tags: tags of every version this output produces.
        run_metadata: metadata attached to every version this output produces.
        is_model_artifact: whether the artifact is a model (linked as such to the run's model).
    """

    name: str | None = None
    version: str | int | None = None
    tags: Sequence[str] | None = None
    run_metadata: Mapping[str, Any] | None = None
    is_model_artifact: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.tags, str):
            object.__setattr__(self, "tags", [self.tags])


class ExternalArtifact:
    """A value given to a step as an input artifact: saved when the run starts.

    Example:
        >>> @pipeline
        ... def scoring():
        ...     predict(data=ExternalArtifact(value=[1, 2, 3]))   # doctest: +SKIP

    Args:
        value: the value; it is saved as a new artifact version when the run starts.
        name: the name of that artifact (default ``external_<pipeline>_<step>_<input>``).
        materializer: the materializer class to save it with (default: by type).
    """

    def __init__(self, value: Any, name: str | None = None, materializer: Any = None) -> None:
        if value is None:
            raise PipelineDefinitionError(
                "ExternalArtifact(value=...) needs a value that is not None."
            )
        self.value = value
        self.name = name
        self.materializer = materializer

    def __repr__(self) -> str:
        return f"ExternalArtifact(value={type(self.value).__name__}, name={self.name!r})"


@dataclass(frozen=True)
class LazyArtifact:
    """An artifact version named in a pipeline definition, looked up when the run starts.

    ``Client().get_artifact_version(name)`` and ``Model(...).get_artifact(name)``
    return this while a pipeline is traced; the step input it is bound to gets the
    version current when the run starts (not when the file was imported).

    Attributes:
        name: the artifact's name.
        version: its version (None: the newest when the run starts).
        model_name: for an artifact of a model version, the model's name.
        model_version: that model version (number, name, or stage).
    """

    name: str
    version: str | None = None
    model_name: str | None = None
    model_version: str | None = None

    def __repr__(self) -> str:
        of = (
            f" of model {self.model_name}:{self.model_version or 'latest'}"
            if self.model_name
            else ""
        )
        which = f"'{self.name}':{self.version or 'latest'}{of}"
        return f"<artifact {which}, looked up when the run starts>"


__all__ = ["ArtifactConfig", "ExternalArtifact", "LazyArtifact"]
