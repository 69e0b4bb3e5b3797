"""The rule for names, versions and tags of the artifact and model catalog."""

from __future__ import annotations

import re

from cairn.exceptions import ConfigurationError

#: Names: printable, no path separators or control characters, <= 255 (versions: no ``:`` too).
_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,255}$")


def check_name(what: str, value: str) -> str:
    """A name or version a user gave: 1-255 characters, no ``/``, ``\\`` or control chars.

    Versions (``what`` ending in "version") may not contain ``:`` either, so that
    ``NAME:VERSION`` on the command line is unambiguous.

    Raises:
        ConfigurationError: naming the bad value and the rule.
    """
    colon = what.endswith("version") and isinstance(value, str) and ":" in value
    if not isinstance(value, str) or not _NAME.match(value) or value.strip() != value or colon:
        extra = ", ':'" if what.endswith("version") else ""
        raise ConfigurationError(
            f"Invalid {what} {value!r}: use 1-255 characters without '/', '\\'{extra}, "
            "control characters or surrounding spaces."
        )
    return value
