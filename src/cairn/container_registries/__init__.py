"""Container registries: store the images that remote orchestrators and step operators run."""

from cairn.container_registries.base_container_registry import (
    BaseContainerRegistry,
    DefaultContainerRegistry,
)

__all__ = ["BaseContainerRegistry", "DefaultContainerRegistry"]
