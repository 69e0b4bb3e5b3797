"""save_artifact / load_artifact from any code, on the active stack."""

from __future__ import annotations

import pytest

from cairn import ArtifactVersion, load_artifact, save_artifact
from cairn.client import Client
from cairn.exceptions import DoesNotExistError, EntityExistsError


def test_save_and_load_by_name_and_version() -> None:
    first = save_artifact([1, 2], name="numbers", tags=["raw"], run_metadata={"n": 2})
    second = save_artifact([1, 2, 3], name="numbers")
    assert isinstance(first, ArtifactVersion)
    assert (first.version, second.version) == ("1", "2")
    assert first.tags == ["raw"] and first.run_metadata == {"n": 2}
    assert first.producer_step_run_id is None
    assert load_artifact("numbers") == [1, 2, 3]
    assert load_artifact("numbers", 1) == [1, 2]
    assert load_artifact(first.id) == [1, 2]  # by id too
    assert Client().get_artifact_version("numbers", "1").load() == [1, 2]


def test_a_taken_version_keeps_nothing() -> None:
    saved = save_artifact({"a": 1}, name="config", version="v1")
    store = Client().artifact_store
    folder = saved.uri.rsplit("/", 1)[0]
    before = sorted(store.listdir(folder))
    with pytest.raises(EntityExistsError, match="exists already"):
        save_artifact({"a": 2}, name="config", version="v1")
    assert sorted(store.listdir(folder)) == before  # the second write was removed
    assert load_artifact("config", "v1") == {"a": 1}


def test_missing_artifacts_name_the_command() -> None:
    with pytest.raises(DoesNotExistError, match="cairn artifact versions nothing"):
        load_artifact("nothing")


def test_a_given_output_version_that_exists_fails_the_step() -> None:
    from typing import Annotated

    from cairn import ArtifactConfig, pipeline, step
    from cairn.enums import ExecutionStatus
    from cairn.exceptions import CairnError

    @step(enable_cache=False)
    def pinned() -> Annotated[int, ArtifactConfig(name="pinned", version="v1")]:
        return 1

    @pipeline
    def pinning() -> None:
        pinned()

    first = pinning().run(run_name="pin-1")
    assert Client().get_artifact_version("pinned", "v1").id == first.steps["pinned"].output.id
    with pytest.raises(CairnError, match="Version 'v1' of artifact 'pinned' exists already"):
        pinning().run(run_name="pin-2")
    failed = Client().get_run("pin-2")
    assert failed.status == ExecutionStatus.FAILED
    assert failed.steps["pinned"].status == ExecutionStatus.FAILED
    assert failed.steps["pinned"].outputs == {}  # nothing of the failed step is registered
