"""Defence in depth against secrets in responses.

Component configurations already come masked from the registry
(:func:`cairn.stack.registry.masked_config`) and run snapshots are recorded
masked; the dashboard masks again every value whose key names a secret, so a
plugin that forgot to declare a field as ``SecretStr`` does not leak it either.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "********"
_SECRET_KEY = re.compile(
    r"(passw(or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """Whether a configuration key names a secret (``password``, ``aws_secret_key``...)."""
    return bool(_SECRET_KEY.search(key))


def redact(value: Any) -> Any:
    """``value`` with every non-empty value under a secret-looking key replaced by a mask."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if is_secret_key(str(key)) and item not in (None, "", [], {}):
                out[key] = MASK
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value
