"""Fixtures for materializer tests: a local artifact store in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore


@pytest.fixture
def artifact_store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(name="local", path=str(tmp_path / "artifacts"))
