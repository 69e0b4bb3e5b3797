"""Config folder, repository root and the repository's pinned stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.config import (
    ENV_CONFIG_DIR,
    ENV_REPOSITORY,
    REPOSITORY_DIR_NAME,
    Repository,
    config_dir,
    find_repository,
    local_stores_dir,
)


def test_config_dir_from_env_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CONFIG_DIR, str(tmp_path / "a" / "b"))
    assert config_dir() == (tmp_path / "a" / "b").resolve()
    assert config_dir().is_dir()
    assert local_stores_dir() == config_dir() / "local_stores"


def test_config_dir_falls_back_to_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CONFIG_DIR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == (tmp_path / "xdg" / "cairn").resolve()


def test_config_dir_falls_back_to_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CONFIG_DIR)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_dir() == (tmp_path / "home" / ".config" / "cairn").resolve()


def test_initialize_is_idempotent_and_keeps_settings(tmp_path: Path) -> None:
    repo = Repository.initialize(tmp_path)
    assert (tmp_path / REPOSITORY_DIR_NAME).is_dir()
    assert repo.read_config() == {}
    repo.set_active_stack("mine")
    again = Repository.initialize(tmp_path)
    assert again.active_stack == "mine"
    again.set_active_stack(None)
    assert again.active_stack is None


def test_find_repository_from_a_sub_folder(tmp_path: Path) -> None:
    Repository.initialize(tmp_path / "project")
    deep = tmp_path / "project" / "a" / "b"
    deep.mkdir(parents=True)
    found = find_repository(deep)
    assert found is not None and found.root == (tmp_path / "project").resolve()
    assert find_repository(tmp_path) is None


def test_find_repository_uses_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Repository.initialize(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = find_repository()
    assert found is not None and found.root == tmp_path.resolve()


def test_find_repository_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Repository.initialize(tmp_path / "elsewhere")
    monkeypatch.setenv(ENV_REPOSITORY, str(tmp_path / "elsewhere"))
    found = find_repository(tmp_path)
    assert found is not None and found.root == (tmp_path / "elsewhere").resolve()
    monkeypatch.setenv(ENV_REPOSITORY, str(tmp_path / "not-a-repo"))
    assert find_repository() is None


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"active_stack": 3}'])
def test_damaged_repository_config_is_ignored(tmp_path: Path, content: str) -> None:
    repo = Repository.initialize(tmp_path)
    repo.config_path.write_text(content)
    assert repo.active_stack is None
    repo.set_active_stack("fixed")
    assert repo.active_stack == "fixed"


def test_write_config_leaves_no_temporary_file(tmp_path: Path) -> None:
    repo = Repository.initialize(tmp_path)
    repo.write_config({"a": 1})
    assert sorted(p.name for p in repo.config_path.parent.iterdir()) == ["config.json"]


def test_concurrent_writers_never_fail_or_leave_partial_files(tmp_path: Path) -> None:
    import threading

    repo = Repository.initialize(tmp_path)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for i in range(100):
                repo.write_config({"active_stack": f"{tag}-{i}"})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert repo.active_stack in {"a-99", "b-99"}
    assert sorted(p.name for p in repo.config_path.parent.iterdir()) == ["config.json"]
