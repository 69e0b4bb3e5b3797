"""The SQLite text of the named read statements is generated from the SQLAlchemy tables."""

from __future__ import annotations

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
