"""The SQLite text of the named read statements is generated from the SQLAlchemy tables."""

from __future__ import annotations

import pytest

from cairn.store.metadata import sqlite_sql, statements
from cairn.store.metadata.schema import HEAD_REVISION


def test_generated_statements_match_the_sqlalchemy_ones() -> None:
    fix = "regenerate it: python -m cairn.store.metadata.statements"
    assert sqlite_sql.HEAD_REVISION == HEAD_REVISION, fix
    assert statements.sqlite_statements() == sqlite_sql.STATEMENTS, fix


def test_generated_module_is_what_the_generator_writes() -> None:
    import ast

    text = statements.sqlite_module_text()
    tree = ast.parse(text)
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert "HEAD_REVISION" in names
    assert any(isinstance(n, ast.AnnAssign) and n.target.id == "STATEMENTS" for n in tree.body)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("insert:step_runs", ("id", "run_id", "name", "status", "started")),
        ("insert:artifact_versions", ("artifact_id", "name", "version", "number", "created")),
        ("insert:pipelines", ("id", "name", "spec", "created", "updated")),
        ("update_by_id:pipelines", ("row_id", "spec", "updated")),
        ("update_by_id:pipeline_runs", ("row_id", "heartbeat")),
        ("update_running_run", ("row_id", "status", "finished", "error")),
        ("update_running_step", ("row_id", "status", "cached", "finished", "logs_uri")),
    ],
)
def test_inserts_and_updates_are_written_as_sqlalchemy_writes_them(
    name: str, keys: tuple[str, ...]
) -> None:
    from sqlalchemy.dialects import sqlite

    from cairn.store.metadata.sqlite_connection import _build

    ordered = tuple(sorted(keys))
    compiled = statements.named(name).compile(
        dialect=sqlite.dialect(), column_keys=[k for k in ordered if k != "row_id"]
    )
    sql, order = _build(name, ordered)
    assert sql == compiled.string
    assert order == tuple(compiled.positiontup or ())


def test_an_unknown_column_is_refused() -> None:
    from cairn.store.metadata.sqlite_connection import _build

    with pytest.raises(KeyError, match="no column"):
        _build("insert:step_runs", ("id", "not_a_column"))
