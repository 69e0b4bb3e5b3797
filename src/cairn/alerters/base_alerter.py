"""Base class of alerters: send messages (and ask questions) through a channel.

A flavor implements :meth:`BaseAlerter._post` (and, if its channel can carry
answers, :meth:`BaseAlerter._ask`); the public :meth:`~BaseAlerter.post` and
:meth:`~BaseAlerter.ask` validate the parameters, log and turn delivery errors
into a ``False`` result.

Example:
    >>> from cairn import get_step_context, step
    >>> @step
    ... def report(accuracy: float) -> None:
    ...     alerter = get_step_context().stack.alerter
    ...     if alerter is not None:
    ...         alerter.post(f"accuracy {accuracy:.3f}", params={"title": "Training"})
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError, ConfigurationError, IllegalOperationError
from cairn.stack.stack_component import StackComponent

logger = logging.getLogger(__name__)

#: Answers that approve / reject a question (compared without case and spaces).
APPROVE_WORDS = ("approve", "approved", "yes", "y", "ok", "lgtm")
REJECT_WORDS = ("reject", "rejected", "no", "n", "decline")


class AlerterError(CairnError):
    """An alerter could not deliver a message or read the answer to a question."""


class AlerterParams(BaseModel):
    """Options of one message (flavors add their own fields).

    Attributes:
        title: a title or subject for the message.
        timeout: seconds ``ask`` waits for an answer (default: the alerter's ``ask_timeout``).
        approve_words: answers that approve (default :data:`APPROVE_WORDS`).
        reject_words: answers that reject (default :data:`REJECT_WORDS`).
    """

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    timeout: float | None = Field(default=None, gt=0)
    approve_words: list[str] = Field(default_factory=lambda: list(APPROVE_WORDS))
    reject_words: list[str] = Field(default_factory=lambda: list(REJECT_WORDS))

    def decision(self, answer: str) -> bool | None:
        """``True`` for an approving answer, ``False`` for a rejecting one, else ``None``."""
        word = answer.strip().lower().strip(".!")
        if word in (w.lower() for w in self.approve_words):
            return True
        if word in (w.lower() for w in self.reject_words):
            return False
        return None


ParamsOption = AlerterParams | Mapping[str, Any] | None


class BaseAlerter(StackComponent):
    """Abstract class for all Cairn alerters.

    Attributes:
        notify_on_failure: post a message when a pipeline run on this stack fails.
        notify_on_success: post a message when a pipeline run on this stack completes.
        ask_timeout: seconds ``ask`` waits for an answer when the params give none.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER
    #: The parameters class of this flavor's messages.
    PARAMS_CLASS: ClassVar[type[AlerterParams]] = AlerterParams

    notify_on_failure: bool = False
    notify_on_success: bool = False
    ask_timeout: float = Field(default=300.0, gt=0)

    def params(self, params: ParamsOption = None) -> AlerterParams:
        """``params`` as this flavor's parameters class (validated).

        Raises:
            ConfigurationError: an unknown or invalid parameter, naming it.
        """
        if isinstance(params, self.PARAMS_CLASS):
            return params
        data = params.model_dump() if isinstance(params, AlerterParams) else dict(params or {})
        try:
            return self.PARAMS_CLASS.model_validate(data)
        except ValueError as exc:
            raise ConfigurationError(
                f"Invalid parameters for {self}: {_first_error(exc)}; accepted: "
                f"{', '.join(self.PARAMS_CLASS.model_fields)}."
            ) from exc

    def post(self, message: str, params: ParamsOption = None) -> bool:
        """Send ``message``; returns whether it was delivered (failures are logged).

        Raises:
            ConfigurationError: invalid ``params``.
        """
        options = self.params(params)
        try:
            self._post(message, options)
        except Exception as exc:
            logger.warning("%s could not post a message: %s", self, exc)
            return False
        return True

    def ask(self, question: str, params: ParamsOption = None) -> bool:
        """Post ``question`` and wait for an answer: ``True`` if approved.

        Rejection, no answer within the timeout and a failed delivery give ``False``.

        Raises:
            IllegalOperationError: this flavor cannot read answers.
            ConfigurationError: invalid ``params``.
        """
        options = self.params(params)
        timeout = options.timeout or self.ask_timeout
        try:
            answer = self._ask(question, options, timeout)
        except IllegalOperationError:
            raise
        except Exception as exc:
            logger.warning("%s could not ask a question: %s", self, exc)
            return False
        if answer is None:
            logger.warning("%s: no answer to %r within %.0fs", self, question, timeout)
            return False
        return answer

    @abstractmethod
    def _post(self, message: str, params: AlerterParams) -> None:
        """Deliver ``message``; raise on failure."""

    def _ask(self, question: str, params: AlerterParams, timeout: float) -> bool | None:
        """Post ``question``, wait up to ``timeout`` seconds; ``None`` when nobody answered."""
        raise IllegalOperationError(
            f"The {self.FLAVOR} alerter '{self.name}' cannot ask questions: it has no way to "
            "read answers. Use an alerter that can (e.g. slack) for approval steps."
        )


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "params"
        return f"{where}: {first.get('msg', exc)}"
    return str(exc)
