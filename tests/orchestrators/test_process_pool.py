"""Warm step processes of the local orchestrator's ``processes`` mode."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.enums import ExecutionStatus
from cairn.exceptions import PipelineRunFailedError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.orchestrators import LocalOrchestrator
from cairn.orchestrators.process_pool import shared_pool
from cairn.pipelines.run_file import choose_pipeline, import_pipeline_file
from cairn.stack.stack import Stack

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import os
    from cairn import pipeline, step

    VERSION = {version}

    @step
    def pid() -> int:
        return os.getpid()

    @step
    def pid_after(x: int) -> int:
        return os.getpid()

    @step
    def version() -> int:
        return VERSION

    @step
    def crash() -> int:
        os._exit(3)

    @pipeline(enable_cache=False)
    def chain() -> None:
        x = pid()
        for _ in range(3):
            x = pid_after(x)

    @pipeline(enable_cache=False)
    def which() -> None:
        version()

    @pipeline(enable_cache=False)
    def crashing() -> None:
        crash()
    """
)


def _stack(tmp_path: Path, **config: Any) -> Stack:
    return Stack.from_components("pool", [
        LocalOrchestrator(name="local", mode="processes", **config),
        LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
    ])  # fmt: skip


def _pipelines(tmp_path: Path, version: int = 1) -> dict[str, Any]:
    script = tmp_path / "pool_pipes.py"
    script.write_text(SCRIPT.format(version=version))
    return import_pipeline_file(script)


def _pids(run: Any) -> set[int]:
    return {step.outputs["output"].load() for step in run.steps.values()}


def test_steps_run_in_warm_processes_reused_across_steps_and_runs(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    chain = choose_pipeline(_pipelines(tmp_path), "chain", "pool_pipes.py")
    pool = shared_pool()
    first = chain().run(stack=stack, run_name="first")
    started = pool.started
    second = chain().run(stack=stack, run_name="second")
    assert pool.started == started, "the second run started new processes"
    assert os.getpid() not in _pids(first) | _pids(second)
    assert _pids(second) <= _pids(first) | _pids(second)
    assert len(_pids(first) | _pids(second)) <= 4


def test_a_step_that_crashes_its_worker_fails_and_the_next_step_gets_a_fresh_one(
    tmp_path: Path,
) -> None:
    stack = _stack(tmp_path)
    pipelines = _pipelines(tmp_path)
    pool = shared_pool()
    with pytest.raises(PipelineRunFailedError, match="exit code 3"):
        choose_pipeline(pipelines, "crashing", "x")().run(stack=stack, run_name="crashed")
    record = stack.metadata_store.get_step_runs(stack.metadata_store.get_run("crashed").id)[0]
    assert record.status == ExecutionStatus.FAILED
    run = choose_pipeline(pipelines, "chain", "x")().run(stack=stack, run_name="after")
    assert run.status == ExecutionStatus.COMPLETED
    assert pool.started >= 1


def test_edited_code_is_imported_afresh_by_warm_workers(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    which = choose_pipeline(_pipelines(tmp_path, 1), "which", "x")
    assert which().run(stack=stack, run_name="v1").steps["version"].output.load() == 1
    which = choose_pipeline(_pipelines(tmp_path, 2), "which", "x")
    assert which().run(stack=stack, run_name="v2").steps["version"].output.load() == 2


def test_a_fresh_process_per_step_stays_an_option(tmp_path: Path) -> None:
    stack = _stack(tmp_path, reuse_processes=False)
    chain = choose_pipeline(_pipelines(tmp_path), "chain", "x")
    pool = shared_pool()
    started = pool.started
    run = chain().run(stack=stack, run_name="fresh")
    assert pool.started == started
    assert len(_pids(run)) == 4


def test_warm_workers_answer_when_the_process_has_over_1024_files_open(tmp_path: Path) -> None:
    """``select.select`` fails on a file descriptor >= 1024; the pool waits on a selector."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if soft < wanted + 64:
        if hard != resource.RLIM_INFINITY and hard < wanted + 64:
            pytest.skip(f"the file limit ({hard}) is too low to open {wanted} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted + 64, hard))
    opened = [os.open(os.devnull, os.O_RDONLY) for _ in range(wanted)]
    try:
        assert max(opened) >= 1024
        shared_pool().close()  # the workers made now read from pipes on high descriptors
        chain = choose_pipeline(_pipelines(tmp_path), "chain", "pool_pipes.py")
        run = chain().run(stack=_stack(tmp_path), run_name="many-files")
        assert run.status == ExecutionStatus.COMPLETED
    finally:
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_worker_that_fails_in_an_unexpected_way_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong while waiting for a warm worker, its process is not left behind."""
    from cairn.orchestrators import process_pool

    made: list[Any] = []
    acquire = process_pool.ProcessPool.acquire

    def keep(self: Any) -> Any:
        made.append(acquire(self))
        return made[-1]

    def broken(self: Any, request: Any, timeout: Any) -> Any:
        raise ValueError("cannot wait for the worker")

    monkeypatch.setattr(process_pool.ProcessPool, "acquire", keep)
    monkeypatch.setattr(process_pool.Worker, "run", broken)
    chain = choose_pipeline(_pipelines(tmp_path), "which", "pool_pipes.py")
    with pytest.raises(PipelineRunFailedError):
        chain().run(stack=_stack(tmp_path), run_name="broken-wait")
    assert made and not any(worker.alive() for worker in made)
