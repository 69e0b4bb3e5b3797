"""Step operators: run individual steps in specialised runtime environments."""

from cairn.step_operators.base_step_operator import BaseStepOperator

__all__ = ["BaseStepOperator"]
