"""Ready-made steps that use the stack's alerter: post a message, or ask for an approval.

Example:
    >>> from cairn import pipeline
    >>> from cairn.steps.alerter_steps import alerter_ask_step, alerter_post_step
    >>> @pipeline
    ... def gated(accuracy_threshold: float = 0.9):
    ...     approved = alerter_ask_step("Deploy the new model?", params={"timeout": 600})
    ...     deploy(approved)
    ...     alerter_post_step("Training finished.", after=approved)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cairn.exceptions import StackValidationError
from cairn.execution.step_context import get_step_context
from cairn.steps.base_step import step

if TYPE_CHECKING:
    from cairn.alerters import BaseAlerter


def _alerter() -> BaseAlerter:
    context = get_step_context()
    alerter = context.stack.alerter
    if alerter is None:
        raise StackValidationError(
            f"Step '{context.step_name}' needs an alerter in stack '{context.stack.name}': "
            "cairn alerter register NAME --flavor=webhook|email|slack ... && "
            "cairn stack update -al NAME"
        )
    return alerter


@step(enable_cache=False)
def alerter_post_step(message: str, params: dict[str, Any] | None = None) -> bool:
    """Post ``message`` through the stack's alerter; outputs whether it was delivered.

    Args:
        message: the text to send.
        params: options of the alerter flavor (``title``, and e.g. ``recipients`` for email).
    """
    return _alerter().post(message, params)


@step(enable_cache=False)
def alerter_ask_step(question: str, params: dict[str, Any] | None = None) -> bool:
    """Ask ``question`` through the stack's alerter and wait for approve/reject.

    Outputs ``True`` when approved; ``False`` when rejected or unanswered within the
    timeout (``params={"timeout": seconds}``, else the alerter's ``ask_timeout``).
    The step fails when the alerter cannot read answers (email, webhook).
    """
    return _alerter().ask(question, params)


__all__ = ["alerter_ask_step", "alerter_post_step"]
