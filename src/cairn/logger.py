"""``get_logger``: ZenML's ``from zenml.logger import get_logger``, after the rename.

Example:
    >>> from cairn.logger import get_logger
    >>> logger = get_logger(__name__)
    >>> logger.info("training")
"""

from __future__ import annotations

import logging


def get_logger(name: str) -> logging.Logger:
    """The standard library logger ``name`` (what a step logs is captured with its logs)."""
    return logging.getLogger(name)


__all__ = ["get_logger"]
