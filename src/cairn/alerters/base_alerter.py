"""Base class of alerters: send messages (and ask questions) through a channel."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseAlerter(StackComponent):
    """Abstract class for all Cairn alerters."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER

    @abstractmethod
    def post(self, message: str) -> bool:
        """Send ``message``; returns whether it was delivered."""

    def ask(self, question: str) -> bool:
        """Ask for an approval; the default alerter cannot ask and returns ``False``."""
        self.post(question)
        return False
