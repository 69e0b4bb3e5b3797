"""Base class of metadata stores: where runs, steps, artifacts and lineage are recorded."""

from __future__ import annotations

from typing import ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseMetadataStore(StackComponent):
    """Abstract class for all Cairn metadata stores."""

    __abstract_component__ = True

    TYPE: ClassVar[StackComponentType] = StackComponentType.METADATA_STORE
