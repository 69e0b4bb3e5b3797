"""The one rule for names a user gives: steps, outputs, pipelines and runs.

These names become folder names in the artifact store and keys in the metadata
store, so they are checked once, where the user gives them, against a single
rule: 1 to :data:`MAX_NAME_LENGTH` characters, letters, digits, ``_``, ``-`` and
``.``, starting with a letter, a digit or ``_``. That keeps out path separators,
``..``, white space, control characters and names that are empty or hidden.
"""

from __future__ import annotations

import re

from cairn.exceptions import PipelineDefinitionError

#: The longest name accepted (folder names stay well under file system limits).
MAX_NAME_LENGTH = 128
#: Run names are longer: the default one is ``<pipeline>-<date>-<time>-<random>``.
MAX_RUN_NAME_LENGTH = 200

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


def name_rule(max_length: int = MAX_NAME_LENGTH) -> str:
    """The rule in words, for error messages."""
    return (
        f"use 1 to {max_length} letters, digits, '_', '-' or '.', "
        "starting with a letter, a digit or '_'"
    )


def is_valid_name(name: object, max_length: int = MAX_NAME_LENGTH) -> bool:
    """Whether ``name`` follows the naming rule."""
    return isinstance(name, str) and 0 < len(name) <= max_length and _NAME.match(name) is not None


def check_name(
    kind: str, name: object, where: str | None = None, max_length: int = MAX_NAME_LENGTH
) -> str:
    """Return ``name`` if it follows the rule.

    Args:
        kind: what is named (``step``, ``output``, ``pipeline``, ``run``).
        name: the name given by the user.
        where: ``file:line`` of the definition, prefixed to the message.
        max_length: the longest name accepted.

    Raises:
        PipelineDefinitionError: naming the bad name and the rule.
    """
    if is_valid_name(name, max_length):
        return str(name)
    shown = repr(name) if not isinstance(name, str) or len(name) <= 60 else repr(name[:60] + "...")
    prefix = f"{where}: " if where else ""
    raise PipelineDefinitionError(f"{prefix}invalid {kind} name {shown}: {name_rule(max_length)}.")


def name_of(func: object, fallback: str) -> str:
    """A valid default name from a function's ``__name__`` (``<lambda>`` gives ``lambda``)."""
    raw = str(getattr(func, "__name__", "") or "")
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "", raw).lstrip(".-")[:MAX_NAME_LENGTH]
    return cleaned or fallback
