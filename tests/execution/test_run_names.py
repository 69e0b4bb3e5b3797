"""Run names with ZenML's placeholders are filled in; unknown ones are errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cairn.exceptions import ConfigurationError
from cairn.execution.run_names import expand_run_name

NOW = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("nightly", "nightly"),
        ("run_{{date}}_{{time}}", "run_2026_03_04_05_06_07_000890"),
        ("run_{date}_{time}", "run_2026_03_04_05_06_07_000890"),
        ("{{pipeline_name}}-{{ date }}", "training-2026_03_04"),
        ("{pipeline}", "training"),
    ],
)
def test_placeholders_are_filled(template: str, expected: str) -> None:
    assert expand_run_name(template, "training", NOW) == expected


@pytest.mark.parametrize("template", ["run_{{user}}", "run_{foo}", "run_{", "run_}}x", "{{}}"])
def test_unknown_placeholders_and_stray_braces_are_errors(template: str) -> None:
    with pytest.raises(ConfigurationError, match=r"placeholder|brace"):
        expand_run_name(template, "training", NOW)


def test_a_pipeline_name_with_braces_is_not_a_placeholder() -> None:
    assert expand_run_name("{{pipeline_name}}", "odd{name}", NOW) == "odd{name}"
