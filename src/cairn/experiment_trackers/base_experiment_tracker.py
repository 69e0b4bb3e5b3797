"""Base class of experiment trackers: log parameters, metrics and models of step runs."""

from __future__ import annotations

from typing import ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseExperimentTracker(StackComponent):
    """Abstract class for all Cairn experiment trackers.

    A step that uses the tracker gets ``prepare_step_run`` before its code runs
    (e.g. to start a tracking run) and ``cleanup_step_run`` after it.
    """

    __abstract_component__ = True

    TYPE: ClassVar[StackComponentType] = StackComponentType.EXPERIMENT_TRACKER

    def get_tracking_url(self) -> str | None:
        """A URL where the current step run can be seen, if the tracker has a UI."""
        return None
