"""Base class of step operators: run one step in a specialised environment."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseStepOperator(StackComponent):
    """Abstract class for all Cairn step operators.

    A step that names a step operator is not run in the orchestrator's process:
    the orchestrator calls :meth:`launch` with the command line that runs the step
    through Cairn's shared step runner, and waits for it to finish.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.STEP_OPERATOR

    @property
    def runs_remotely(self) -> bool:
        """Whether the step may run on another machine (then it needs portable secrets)."""
        return False

    @property
    def ships_code(self) -> bool:
        """Whether the pipeline's code is packed into the artifact store for the step."""
        return False

    @abstractmethod
    def launch(self, step_name: str, command: list[str], environment: dict[str, str]) -> None:
        """Run ``command`` (which runs one step) and block until it ends.

        Raises:
            StepFailedError: when the command failed.
        """
