"""The ``airflow`` orchestrator: a Cairn pipeline as an Airflow DAG (Airflow 3).

A run writes the DAG file ``cairn.pipeline.<name>`` into the component's DAGs
folder (one task per step, see :mod:`cairn.integrations.airflow.dag_file`) and runs
it now with ``airflow dags test`` in the component's ``AIRFLOW_HOME``: Airflow runs
each task, each task runs its step through the shared step runner in its own
process, which records it in the stack's metadata store. A schedule writes the
DAG file ``cairn.schedule.<name>``, carrying the schedule; the Airflow scheduler
that reads the DAGs folder starts its runs: with ``serve`` (the default) the
component's own Airflow service, which ``cairn stack up`` starts
(:mod:`cairn.integrations.airflow.service`), else yours.

Airflow is never imported by Cairn's process: it is run as the ``airflow``
command (``airflow_command``, default: the one next to this Python), with
``AIRFLOW_HOME``, the DAGs folder and the venv's ``bin`` set in its environment,
so nothing is written to the home folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from cairn.exceptions import ConfigurationError, PipelineRunFailedError
from cairn.integrations.airflow._service_log import airflow_service_id
from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.models.schedule import ScheduleRecord
    from cairn.services import LocalService
    from cairn.stack.stack import Stack

#: Step entry point of the step tasks of scheduled DAGs.
STEP_ENTRYPOINT = "cairn.entrypoints.step"
_OUTPUT_TAIL = 6000
#: Seconds the Airflow service has to stop its processes (it SIGKILLs them after 8 s).
SERVICE_STOP_GRACE = 20.0


class AirflowOrchestrator(BaseOrchestrator):
    """Runs pipelines as Airflow DAGs.

    Attributes:
        airflow_home: Airflow's home folder (default: ``airflow/home`` in the
            component's local folder); its ``airflow.db`` is created on first use.
        dags_folder: where DAG files are written (default: ``airflow/dags`` beside it);
            point it at your Airflow's DAGs folder to let your Airflow run them.
        airflow_command: the ``airflow`` executable (default: the one beside this Python).
        python: the Python that runs the step tasks (default: this one).
        run_timeout: seconds a run started now may take (default: no limit).
        serve: run Airflow's scheduler, DAG processor and API server on this machine as a
            Cairn service (``cairn stack up``; 127.0.0.1 only), which starts scheduled runs;
            false when another Airflow reads the DAGs folder.
    """

    FLAVOR: ClassVar[str] = "airflow"
    supports_schedules: ClassVar[bool] = True

    #: Airflow keeps running the tasks that do not depend on a failed one: ``continue``
    #: is the only failure policy it has.
    failure_policy: Literal["continue"] = "continue"

    airflow_home: str | None = None
    dags_folder: str | None = None
    airflow_command: str | None = None
    python: str | None = None
    run_timeout: float | None = None
    serve: bool = True

    # ------------------------------------------------------------ folders
    @property
    def home(self) -> Path:
        """``AIRFLOW_HOME`` of the ``airflow`` commands."""
        return Path(self.airflow_home) if self.airflow_home else self.local_path / "home"

    @property
    def dags(self) -> Path:
        """The DAGs folder."""
        return Path(self.dags_folder) if self.dags_folder else self.local_path / "dags"

    def prepare_pipeline_deployment(
        self, pipeline: Any, stack: Stack, runtime_configuration: Mapping[str, Any]
    ) -> None:
        """Refuse steps that name a step operator: every step is an Airflow task here.

        Raises:
            StackValidationError: naming the steps.
        """
        from cairn.exceptions import StackValidationError

        named = [s.name for s in pipeline.steps.values() if s.step_operator]
        if named:
            raise StackValidationError(
                f"The airflow orchestrator '{self.name}' runs every step as an Airflow task, so "
                f"it cannot hand step(s) {', '.join(named)} to a step operator: drop their "
                "step_operator option, or use the local or ray orchestrator."
            )

    @property
    def requirements(self) -> set[str]:
        """Airflow 3."""
        return {"apache-airflow>=3.0,<4"}

    def airflow_env(self) -> dict[str, str]:
        """The environment of the ``airflow`` commands (this one, plus Airflow's settings)."""
        bin_dir = str(Path(sys.executable).parent)
        env = dict(os.environ)
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
            "CAIRN_QUIET": "1",
        })  # fmt: skip
        return env

    def _airflow(
        self, *args: str, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = self.airflow_command or str(Path(sys.executable).parent / "airflow")
        if not Path(command).exists() and os.sep in command:
            raise ConfigurationError(
                f"The airflow orchestrator '{self.name}' cannot find the airflow command at "
                f"{command}: pip install 'cairn[airflow]', or set airflow_command."
            )
        return subprocess.run([command, *args], env=self.airflow_env(), capture_output=True,
                              text=True, timeout=timeout, check=False)  # fmt: skip

    def _airflow_run(
        self, *args: str, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """An ``airflow`` command that Ctrl-C stops at once, with every process it started
        (its own process group: the step commands of its tasks included)."""
        import signal
        import time

        command = self.airflow_command or str(Path(sys.executable).parent / "airflow")
        deadline = None if timeout is None else time.monotonic() + timeout
        with subprocess.Popen([command, *args], env=self.airflow_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True) as child:  # fmt: skip
            try:
                while True:
                    try:
                        stdout, stderr = child.communicate(timeout=0.25)
                        break
                    except subprocess.TimeoutExpired:
                        if deadline is not None and time.monotonic() > deadline:
                            raise
            except BaseException:  # Ctrl-C or the run's timeout: stop Airflow and its tasks
                tasks = _descendants(child.pid)  # task commands run in sessions of their own
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                for pid in tasks:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                child.wait()
                raise
        return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)

    def ensure_database(self) -> None:
        """Create (or migrate) Airflow's database in ``airflow_home`` once."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.dags.mkdir(parents=True, exist_ok=True)
        marker = self.home / ".cairn-db-migrated"
        if marker.is_file():
            return
        done = self._airflow("db", "migrate", timeout=600)
        if done.returncode != 0:
            raise ConfigurationError(
                f"'airflow db migrate' failed for orchestrator '{self.name}':\n"
                + (done.stdout + done.stderr)[-_OUTPUT_TAIL:]
            )
        marker.write_text("ok\n", encoding="utf-8")

    # ------------------------------------------------------------ the Airflow service
    @property
    def airflow_service(self) -> LocalService:
        """The local service running Airflow's scheduler, DAG processor and API server."""
        from cairn.services import LocalService

        return LocalService(airflow_service_id(self.uuid))

    @property
    def scheduler_running(self) -> bool:
        """Whether scheduled DAGs are run: by this machine's Airflow service, or another one."""
        return not self.serve or self.airflow_service.is_running()

    @property
    def background_running(self) -> bool:
        """For ``cairn stack up|down`` (runs started now never need the service)."""
        return self.scheduler_running

    @property
    def log_file(self) -> Path | None:
        """The Airflow service's log (``cairn orchestrator logs NAME``)."""
        return self.airflow_service.log_file if self.serve else None

    def resume(self) -> None:
        """Start the Airflow service (with ``serve``) and wait until its API answers."""
        if not self.serve:
            return
        from cairn.services import HealthCheck, free_port

        self.ensure_database()
        command = [sys.executable, "-m", "cairn.integrations.airflow.service",
                   "--port", "{port}", "--api-port", str(free_port())]  # fmt: skip
        self.airflow_service.start(command, health=HealthCheck("http", "/health", 10.0),
                                   env=self.airflow_env(), cwd=self.home, timeout=300.0,
                                   config={"orchestrator": self.name})  # fmt: skip

    def suspend(self) -> None:
        """Stop the Airflow service."""
        if self.serve:
            self.airflow_service.stop(SERVICE_STOP_GRACE)

    def deprovision(self) -> None:
        """Stop the Airflow service and remove its state and log (Airflow's home stays)."""
        if self.serve:
            self.airflow_service.remove(SERVICE_STOP_GRACE)

    # ------------------------------------------------------------ DAG files
    def write_dag(self, dag: str, source: str) -> Path:
        """Write a DAG file atomically (Airflow never parses half a file)."""
        self.dags.mkdir(parents=True, exist_ok=True)
        path = self.dags / f"{dag}.py"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(source, encoding="utf-8")
        os.replace(tmp, path)
        return path

    def pipeline_dag(self, deployment: PipelineDeployment, launcher: StepLauncher) -> str:
        """The DAG of a run started now (its run id comes from the DAG run's ``conf``)."""
        from cairn.integrations.airflow.dag_file import (
            CONF_RUN_ID_TEMPLATE,
            RUN_ID_TEMPLATE,
            dag_id,
            render,
        )

        spec = deployment.pipeline
        commands = {}
        for name in spec.topological_order():
            argv = launcher.step_command(name)  # stores the deployment on first call
            commands[name] = [a.replace(deployment.run_id, RUN_ID_TEMPLATE) for a in argv]
        return render(
            dag=dag_id("pipeline", spec.name),
            description=f"pipeline {spec.name}",
            start_command=["echo", CONF_RUN_ID_TEMPLATE],
            step_commands=commands,
            upstream={n: list(s.upstream) for n, s in spec.steps.items()},
            cwd=os.getcwd(),
        )

    def schedule_dag(self, record: ScheduleRecord, stack: Stack) -> str:
        """The DAG of a schedule: each DAG run creates, runs and finishes one Cairn run."""
        from cairn.integrations.airflow.dag_file import (
            RUN_ID_TEMPLATE,
            SLOT_TEMPLATE,
            DagSchedule,
            dag_id,
            render,
        )
        from cairn.models.pipeline_spec import PipelineSpec

        spec = PipelineSpec.model_validate(record.spec)
        python = self.python or sys.executable
        commands = {
            name: [
                python,
                "-m",
                STEP_ENTRYPOINT,
                "--run",
                RUN_ID_TEMPLATE,
                "--step",
                name,
                "--stack",
                stack.name,
            ]
            for name in spec.topological_order()
        }
        runs = [python, "-m", "cairn.integrations.airflow.runs"]
        return render(
            dag=dag_id("schedule", record.name),
            description=f"schedule {record.name} of pipeline {spec.name}",
            start_command=[
                *runs,
                "start",
                "--stack",
                stack.name,
                "--schedule",
                record.id,
                "--slot",
                SLOT_TEMPLATE,
            ],
            step_commands=commands,
            upstream={n: list(s.upstream) for n, s in spec.steps.items()},
            schedule=DagSchedule(
                record.cron_expression,
                record.interval_seconds,
                record.start_time,
                record.end_time,
                record.catchup,
            ),
            end_command=[*runs, "end", "--stack", stack.name, "--run", RUN_ID_TEMPLATE],
            cwd=record.source_root or os.getcwd(),
        )

    def schedule_registered(self, record: ScheduleRecord, stack: Stack) -> None:
        """Write the schedule's DAG file (called when ``run(schedule=...)`` recorded it)."""
        from cairn.integrations.airflow.dag_file import dag_id

        self.ensure_database()

        self.write_dag(dag_id("schedule", record.name), self.schedule_dag(record, stack))

    def schedule_paused(self, record: ScheduleRecord, paused: bool) -> None:
        """Pause (or unpause) the schedule's DAG in Airflow too.

        Best effort: a DAG Airflow has not parsed yet cannot be paused there; its
        ``cairn_start`` task then skips the DAG run (exit code 99) while the schedule
        is paused, so no Cairn run starts either way.
        """
        from cairn.integrations.airflow.dag_file import dag_id

        self._airflow("dags", "pause" if paused else "unpause", dag_id("schedule", record.name),
                      timeout=120)  # fmt: skip

    def schedule_deleted(self, record: ScheduleRecord) -> None:
        """Remove the schedule's DAG file, if this component wrote it."""
        from cairn.integrations.airflow.dag_file import dag_id

        path = self.dags / f"{dag_id('schedule', record.name)}.py"
        if path.is_file() and path.read_text(encoding="utf-8").startswith('"""Generated by Cairn'):
            path.unlink()

    # ------------------------------------------------------------ runs
    def submit_pipeline(
        self, deployment: PipelineDeployment, stack: Stack, launcher: StepLauncher
    ) -> Any:
        """The whole plan goes to Airflow: write the pipeline's DAG, run it with ``airflow dags
        test`` and wait (the orchestrator template's whole-run submission).

        Raises:
            PipelineRunFailedError: a step failed, or Airflow could not run the DAG.
        """
        from cairn.integrations.airflow.dag_file import dag_id

        self.ensure_database()
        dag = dag_id("pipeline", deployment.pipeline.name)
        self.write_dag(dag, self.pipeline_dag(deployment, launcher))
        conf = json.dumps({"cairn_run_id": deployment.run_id})
        for name in deployment.pipeline.steps:
            launcher.step_starting(name)
        try:
            done = self._airflow_run("dags", "test", dag, "--conf", conf, timeout=self.run_timeout)
        except subprocess.TimeoutExpired as exc:
            raise PipelineRunFailedError(
                f"Run '{deployment.run_name}' took longer than {self.run_timeout:g} s in Airflow.",
                deployment.run_name, [],
            ) from exc  # fmt: skip
        finally:
            for name in deployment.pipeline.steps:
                launcher.step_ended(name)
        self._check(deployment, stack, done)
        return deployment.run_id  # anything but NotImplemented: submitted, and it ended

    @staticmethod
    def _check(
        deployment: PipelineDeployment, stack: Stack, done: subprocess.CompletedProcess[str]
    ) -> None:
        from cairn.enums import ExecutionStatus

        records = {r.name: r for r in stack.metadata_store.get_step_runs(deployment.run_id)}
        ok = (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED)
        failed = [n for n in deployment.pipeline.steps
                  if n not in records or records[n].status not in ok]  # fmt: skip
        if not failed and done.returncode == 0:
            return
        tail = (done.stdout + done.stderr)[-_OUTPUT_TAIL:]
        errors = [records[n].error for n in failed if n in records and records[n].error]
        detail = errors[0] if errors else tail
        raise PipelineRunFailedError(
            f"Pipeline run '{deployment.run_name}' failed in Airflow, step(s) "
            f"{', '.join(failed) or '-'}:\n{detail}",
            deployment.run_name,
            [n for n in failed if n in records],
        )


__all__ = ["AirflowOrchestrator"]


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
