"""What every orchestrator flavor must do: DAG order, parallel branches, failure policy,
retries, cancellation, step operators, outputs another process can read.

Subclass :class:`OrchestratorConformance` in a test module (name it ``Test...``)
and implement :meth:`make_orchestrator`; the suite builds a stack of it with a
local artifact store and a SQLite metadata store in a temporary folder. For the
step-operator test, also implement :meth:`make_step_operator` (the suite names
it ``conformance-operator``). The pipelines it runs live in
``cairn.testing._orchestration_pipelines``, importable wherever Cairn is.

Each test runs real pipelines through the flavor and checks the metadata store's
records: the order of steps comes from their recorded start and end times, not
from timing the test.
"""

from __future__ import annotations

import _thread
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from cairn.enums import ExecutionStatus
from cairn.exceptions import PipelineRunFailedError, RunCancelledError
from cairn.testing._helpers import expect_error

OPERATOR_NAME = "conformance-operator"


class OrchestratorConformance:
    """Conformance suite for an orchestrator flavor (see the module's docs).

    A flavor that cannot do something says so with a class variable, and the test
    of it is skipped with that reason: ``SEQUENTIAL`` (why independent steps never
    run at once), ``FAILURE_POLICIES`` (the policies it has).
    """

    #: Why this flavor runs independent steps one after another (``None``: it does not).
    SEQUENTIAL: str | None = None
    #: The ``failure_policy`` values the flavor accepts.
    FAILURE_POLICIES: tuple[str, ...] = ("stop", "continue")

    def make_orchestrator(self, **config: Any) -> Any:
        """The orchestrator under test, with ``config`` (e.g. ``failure_policy``) applied."""
        raise NotImplementedError("implement make_orchestrator() in your test class")

    def make_step_operator(self) -> Any | None:
        """A step operator named ``conformance-operator``, or ``None`` (test skipped)."""
        return None

    # ------------------------------------------------------------ helpers
    def setup_method(self, method: Any = None) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cairn-orch-")
        self.folder = Path(self._folder.name)

    def teardown_method(self, method: Any = None) -> None:
        self._folder.cleanup()

    def stack(self, operator: Any | None = None, **config: Any) -> Any:
        from cairn.artifact_stores import LocalArtifactStore
        from cairn.metadata_stores import SQLiteMetadataStore
        from cairn.stack.stack import Stack

        components = [
            self.make_orchestrator(**config),
            LocalArtifactStore(name="conformance-artifacts", path=str(self.folder / "artifacts")),
            SQLiteMetadataStore(name="conformance-metadata", uri=str(self.folder / "meta.db")),
        ]
        if operator is not None:
            components.append(operator)
        return Stack.from_components("conformance", components)

    @staticmethod
    def steps(stack: Any, run_name: str) -> dict[str, Any]:
        store = stack.metadata_store
        run = store.get_run(run_name)
        return {r.name: r for r in store.get_step_runs(run.id)}

    @staticmethod
    def output(stack: Any, record: Any, name: str = "output") -> Any:
        from cairn.client import Client

        client = Client(stack)
        return client.get_step_run(record.id).outputs[name].load()

    # ------------------------------------------------------------ tests
    def test_steps_run_in_dag_order(self) -> None:
        from cairn.testing._orchestration_pipelines import diamond

        stack = self.stack()
        diamond(value=2, seconds=0.2).run(stack=stack, run_name="dag-order")
        steps = self.steps(stack, "dag-order")
        assert {s.status for s in steps.values()} == {ExecutionStatus.COMPLETED}
        edges = [("source", "left"), ("source", "right"), ("left", "join"), ("right", "join")]
        for up, down in edges:
            assert steps[up].finished <= steps[down].started, f"{down} started before {up} ended"
        assert self.output(stack, steps["join"]) == 4

    def _skip(self, reason: str) -> None:
        import pytest

        pytest.skip(reason)

    def test_independent_branches_run_in_parallel(self) -> None:
        from cairn.testing._orchestration_pipelines import diamond

        if self.SEQUENTIAL:
            self._skip(self.SEQUENTIAL)

        stack = self.stack()
        diamond(value=1, seconds=4.0).run(stack=stack, run_name="parallel")
        left, right = (self.steps(stack, "parallel")[n] for n in ("left", "right"))
        assert left.started < right.finished and right.started < left.finished, (
            "the two branches did not overlap"
        )

    def test_a_failure_stops_new_steps(self) -> None:
        from cairn.testing._orchestration_pipelines import failing

        if "stop" not in self.FAILURE_POLICIES:
            self._skip("this flavor has no 'stop' failure policy")
        stack = self.stack(failure_policy="stop")
        with expect_error(PipelineRunFailedError):
            failing(seconds=1.0).run(stack=stack, run_name="stop-policy")
        steps = self.steps(stack, "stop-policy")
        assert steps["boom"].status == ExecutionStatus.FAILED
        assert "boom on 1" in (steps["boom"].error or "")
        assert "after_slow" not in steps or steps["after_slow"].status != ExecutionStatus.COMPLETED
        assert stack.metadata_store.get_run("stop-policy").status == ExecutionStatus.FAILED

    def test_continue_policy_runs_independent_branches(self) -> None:
        from cairn.testing._orchestration_pipelines import failing

        if "continue" not in self.FAILURE_POLICIES:
            self._skip("this flavor has no 'continue' failure policy")
        stack = self.stack(failure_policy="continue")
        with expect_error(PipelineRunFailedError):
            failing(seconds=1.0).run(stack=stack, run_name="continue-policy")
        steps = self.steps(stack, "continue-policy")
        assert steps["boom"].status == ExecutionStatus.FAILED
        assert steps["after_slow"].status == ExecutionStatus.COMPLETED
        assert stack.metadata_store.get_run("continue-policy").status == ExecutionStatus.FAILED

    def test_retries_are_honoured(self) -> None:
        from cairn.testing._orchestration_pipelines import retrying

        stack = self.stack()
        retrying(folder=str(self.folder)).run(stack=stack, run_name="retries")
        flaky = self.steps(stack, "retries")["flaky"]
        assert flaky.status == ExecutionStatus.COMPLETED
        assert flaky.attempts == 2
        assert self.output(stack, flaky) == 7

    def test_ctrl_c_cancels_the_run(self) -> None:
        from cairn.testing._orchestration_pipelines import sleeping

        stack = self.stack()
        store = stack.metadata_store

        def interrupt_when_long_step_runs() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    run = store.get_run("cancelled")
                    if any(r.name == "long" for r in store.get_step_runs(run.id)):
                        break
                except Exception:
                    pass
                time.sleep(0.05)
            time.sleep(0.3)
            _thread.interrupt_main()

        threading.Thread(target=interrupt_when_long_step_runs, daemon=True).start()
        started = time.monotonic()
        with expect_error(RunCancelledError):
            sleeping(seconds=60.0).run(stack=stack, run_name="cancelled")
        assert time.monotonic() - started < 55, "the run waited for the long step"
        assert store.get_run("cancelled").status == ExecutionStatus.CANCELLED
        long = self.steps(stack, "cancelled")["long"]
        assert long.status != ExecutionStatus.COMPLETED

    def test_a_step_operator_runs_its_step(self) -> None:
        operator = self.make_step_operator()
        if operator is None:
            import pytest

            pytest.skip("this flavor's test names no step operator")
        from cairn.testing._orchestration_pipelines import on_operator

        stack = self.stack(operator=operator)
        on_operator().run(stack=stack, run_name="on-operator")
        record = self.steps(stack, "on-operator")["where"]
        assert record.status == ExecutionStatus.COMPLETED
        assert self.output(stack, record) != os.getpid(), "the step ran in the test's process"

    def test_outputs_are_readable_from_another_process(self) -> None:
        from cairn.stack.stack_config import stack_config
        from cairn.testing._orchestration_pipelines import diamond

        stack = self.stack()
        diamond(value=3, seconds=0.0).run(stack=stack, run_name="second-process")
        config = stack_config(stack).model_dump_json()
        code = (
            "import sys\n"
            "from cairn.client import Client\n"
            "from cairn.models.pipeline_spec import StackConfig\n"
            "from cairn.stack.stack_config import build_stack\n"
            "stack = build_stack(StackConfig.model_validate_json(sys.argv[1]))\n"
            "run = Client(stack).get_run('second-process')\n"
            "print(run.steps['join'].outputs['output'].load())\n"
        )
        env = dict(os.environ, CAIRN_CONFIG_DIR=str(self.folder / "other-config"))
        done = subprocess.run(
            [sys.executable, "-c", code, config], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip()) == 6

    def test_cached_steps_are_not_dispatched(self) -> None:
        from cairn.testing._orchestration_pipelines import cached

        stack = self.stack()
        cached(value=5).run(stack=stack, run_name="first")
        cached(value=5).run(stack=stack, run_name="again")
        steps = self.steps(stack, "again")
        assert {s.status for s in steps.values()} == {ExecutionStatus.CACHED}
