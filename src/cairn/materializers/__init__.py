"""Materializers: how step outputs are saved to and loaded from the artifact store.

Public API:

* :class:`BaseMaterializer`: subclass it to handle your own types.
* :func:`register_materializer` / :func:`materializer_for`: the type -> materializer
  registry (MRO lookup, explicit ``PRIORITY``, cloudpickle fallback with a
  :class:`PickleFallbackWarning`).
* :func:`write_artifact` / :func:`load_artifact`: atomic save of one artifact and
  load by recorded materializer, used by the step runner and the client.
"""

from cairn.materializers.artifact_io import WrittenArtifact, load_artifact, write_artifact
from cairn.materializers.base_materializer import BaseMaterializer, type_source
from cairn.materializers.registry import (
    MaterializerRegistry,
    PickleFallbackWarning,
    load_materializer,
    materializer_for,
    register_materializer,
)

__all__ = [
    "BaseMaterializer",
    "MaterializerRegistry",
    "PickleFallbackWarning",
    "WrittenArtifact",
    "load_artifact",
    "load_materializer",
    "materializer_for",
    "register_materializer",
    "type_source",
    "write_artifact",
]
