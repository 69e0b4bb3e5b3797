"""Plain-text tables and key/value blocks."""

from __future__ import annotations

from cairn.cli.output import format_table, plural, when
from cairn.enums import StackComponentType


def test_table_aligns_columns_and_renders_values() -> None:
    text = format_table(["name", "on", "n"], [["a", True, None], ["longer", False, {"k": 1}]])
    assert text.splitlines() == [
        "NAME    ON   N",
        "a       yes  -",
        'longer  no   {"k": 1}',
    ]


def test_table_without_rows_is_the_header() -> None:
    assert format_table(["a", "bb"], []) == "A  BB"


def test_plural_and_when() -> None:
    assert plural(StackComponentType.CONTAINER_REGISTRY) == "container registries"
    assert plural(StackComponentType.ARTIFACT_STORE) == "artifact stores"
    assert when(None) == "-"
    assert len(when(1_700_000_000.0)) == 19
