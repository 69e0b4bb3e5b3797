"""The code version of a run: the git commit of the working folder, read from ``.git``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn import pipeline, step
from cairn.execution.code_version import code_version

SHA = "0123456789abcdef0123456789abcdef01234567"


def _repo(root: Path, head: str) -> Path:
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text(head + "\n")
    return git


def test_branch_loose_packed_and_detached(tmp_path: Path) -> None:
    git = _repo(tmp_path / "loose", "ref: refs/heads/main")
    (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    sub = tmp_path / "loose" / "src" / "pkg"
    sub.mkdir(parents=True)
    assert code_version(str(sub)) == SHA

    git = _repo(tmp_path / "packed", "ref: refs/heads/dev")
    (git / "packed-refs").write_text(f"# pack-refs\n{SHA} refs/heads/dev\n")
    assert code_version(str(tmp_path / "packed")) == SHA

    _repo(tmp_path / "detached", SHA)
    assert code_version(str(tmp_path / "detached")) == SHA


def test_outside_a_work_tree(tmp_path: Path) -> None:
    assert code_version(str(tmp_path)) is None


@step
def one() -> int:
    return 1


def test_run_records_the_code_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git = _repo(tmp_path / "project", "ref: refs/heads/main")
    (git / "refs" / "heads" / "main").write_text(SHA)
    monkeypatch.chdir(tmp_path / "project")
    run = pipeline(lambda: one())().run()
    assert run.code_version == SHA
