"""Step operators: run individual steps in specialised runtime environments."""

from cairn.step_operators.base_step_operator import BaseStepOperator
from cairn.step_operators.local_process_step_operator import LocalProcessStepOperator

__all__ = ["BaseStepOperator", "LocalProcessStepOperator"]
