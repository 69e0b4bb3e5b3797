"""Run names with placeholders: ``run_name="training_{{date}}_{{time}}"``.

Placeholders (ZenML's), written ``{name}`` or ``{{name}}``:

* ``date``: the run's start date, ``YYYY_MM_DD`` (UTC);
* ``time``: its start time, ``HH_MM_SS_ffffff`` (UTC);
* ``pipeline_name`` (also ``pipeline``): the pipeline's name.

Anything else between braces is an error, never part of a name.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from cairn.exceptions import ConfigurationError

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}|\{\s*([^{}]*?)\s*\}")
PLACEHOLDERS = ("date", "time", "pipeline_name", "pipeline")


def expand_run_name(template: str, pipeline_name: str, now: datetime | None = None) -> str:
    """The run name ``template`` with its placeholders filled in.

    Raises:
        ConfigurationError: an unknown placeholder, or a stray brace.
    """
    moment = now or datetime.now(timezone.utc)
    values = {
        "date": moment.strftime("%Y_%m_%d"),
        "time": moment.strftime("%H_%M_%S_%f"),
        "pipeline_name": pipeline_name,
        "pipeline": pipeline_name,
    }

    def fill(match: re.Match[str]) -> str:
        key = match.group(1) if match.group(1) is not None else match.group(2)
        if key not in values:
            raise ConfigurationError(
                f"Unknown placeholder {match.group(0)!r} in run name {template!r}; known: "
                + ", ".join("{{" + p + "}}" for p in PLACEHOLDERS)
                + "."
            )
        return values[key]

    name = _PLACEHOLDER.sub(fill, template)
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        raise ConfigurationError(
            f"Run name {template!r} has an unmatched brace: placeholders are written "
            "{{date}}, {{time}} or {{pipeline_name}}."
        )
    return name


__all__ = ["PLACEHOLDERS", "expand_run_name"]
