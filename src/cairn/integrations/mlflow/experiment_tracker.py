"""The ``mlflow`` experiment tracker flavor.

With ``tracking_uri`` set, steps log to that MLflow server. Without it, the
tracker runs a local MLflow tracking server as a Cairn service (started by
``cairn stack up`` / ``cairn experiment-tracker up NAME``) on a free loopback
port, with its backend store in a SQLite file and its artifacts in the
component's local folder.

Inside a step that uses the tracker (``@step(experiment_tracker="name")``),
MLflow is configured so that plain ``mlflow.log_metric`` / ``mlflow.autolog``
calls land in a run of the step, nested under one run per pipeline run, in
an experiment named after the pipeline.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import PrivateAttr, SecretStr

from cairn.exceptions import ComponentNotRunningError
from cairn.experiment_trackers import BaseExperimentTracker
from cairn.integrations.mlflow._service_log import tracker_service_id
from cairn.services import DaemonSpec, HealthCheck, LocalDaemonMixin

if TYPE_CHECKING:
    from cairn.models.run_info import PipelineRunInfo, StepRunInfo

#: Tags Cairn puts on MLflow runs.
TAG_PIPELINE = "cairn.pipeline"
TAG_RUN = "cairn.run"
TAG_RUN_ID = "cairn.run_id"
TAG_STEP = "cairn.step"
_PARENT_TAG = "mlflow.parentRunId"


class MLFlowExperimentTracker(LocalDaemonMixin, BaseExperimentTracker):
    """Track step runs with MLflow.

    Attributes:
        tracking_uri: an MLflow tracking URI; empty = run a local tracking server.
        tracking_username: user name for a remote server (a secret).
        tracking_password: password for a remote server (a secret).
        port: fixed port of the local server (default: a free loopback port).
        host: interface the local server binds to (loopback unless told).
    """

    FLAVOR: ClassVar[str] = "mlflow"

    tracking_uri: str | None = None
    tracking_username: SecretStr | None = None
    tracking_password: SecretStr | None = None
    port: int | None = None
    host: str = "127.0.0.1"

    # The MLflow run of each step run in progress in this process, and the parent
    # run found for each Cairn run (per component instance: no module globals).
    _step_runs: dict[str, str] = PrivateAttr(default_factory=dict)
    _parents: dict[str, str] = PrivateAttr(default_factory=dict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def requirements(self) -> set[str]:
        """MLflow is needed where steps run."""
        return {"mlflow>=2.10"}

    # ------------------------------------------------------------ daemon
    def _daemon_id(self) -> str:
        return tracker_service_id(self.uuid)

    def _daemon_data_dir(self) -> Path:
        return self.local_path

    def _daemon_spec(self) -> DaemonSpec | None:
        if self.tracking_uri:
            return None
        from cairn.integrations.mlflow._commands import mlflow_command, service_env

        data = self.local_path
        command = [*mlflow_command(), "server",
                   "--backend-store-uri", f"sqlite:///{data / 'mlflow.db'}",
                   "--artifacts-destination", str(data / "artifacts"),
                   "--host", "{host}", "--port", "{port}", "--workers", "1"]  # fmt: skip
        return DaemonSpec(command, HealthCheck("http", "/health"), host=self.host,
                          port=self.port, env=service_env(), start_timeout=120.0)  # fmt: skip

    def get_tracking_uri(self) -> str:
        """The tracking URI steps log to.

        Raises:
            ComponentNotRunningError: the local tracking server is not running.
        """
        if self.tracking_uri:
            uri = self.resolve_secret(self.tracking_uri)
            assert uri is not None
            return uri
        url = self.service_url
        if url is None or not self.service.is_running():
            raise ComponentNotRunningError(
                f"The local MLflow tracking server of experiment tracker '{self.name}' is not "
                f"running: run 'cairn experiment-tracker up {self.name}' or 'cairn stack up'."
            )
        return url

    def get_tracking_url(self) -> str | None:
        """The MLflow UI address of the current step run (or of the server)."""
        try:
            base = self.get_tracking_uri()
        except ComponentNotRunningError:
            return None
        if not base.startswith("http"):
            return None
        from cairn.execution.step_context import current_step_context

        context = current_step_context()
        run_id = self._step_runs.get(context.step_run_id) if context is not None else None
        if run_id is None:
            return base
        import mlflow

        run = mlflow.get_run(run_id)
        return f"{base}/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"

    # ------------------------------------------------------------ step hooks
    def configure_mlflow(self) -> None:
        """Point MLflow at this tracker; its credentials go with the requests of this context.

        The user name and password are never put in ``os.environ``: they are
        resolved for each request by :class:`~.auth.CairnRequestHeaderProvider`.
        """
        import mlflow

        from cairn.integrations.mlflow.auth import activate

        activate(self)
        mlflow.set_tracking_uri(self.get_tracking_uri())

    def prepare_step_run(self, info: StepRunInfo) -> None:
        """Start the step's MLflow run, nested under the pipeline run's, and record it."""
        import mlflow

        from cairn.execution.step_context import log_metadata

        self.configure_mlflow()
        experiment = mlflow.set_experiment(info.pipeline_name)
        tags = {TAG_PIPELINE: info.pipeline_name, TAG_RUN: info.run_name,
                TAG_RUN_ID: info.run_id}  # fmt: skip
        parent = self._parent_run(experiment.experiment_id, info.run_name, tags)
        run = mlflow.start_run(
            experiment_id=experiment.experiment_id, run_name=info.step_name,
            tags={**tags, TAG_STEP: info.step_name, _PARENT_TAG: parent},
        )  # fmt: skip
        with self._lock:
            self._step_runs[info.step_run_id] = run.info.run_id
        log_metadata(mlflow_run_id=run.info.run_id, mlflow_parent_run_id=parent,
                     mlflow_experiment=info.pipeline_name,
                     mlflow_tracking_url=self.get_tracking_url() or "")  # fmt: skip

    def _parent_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> str:
        """The MLflow run of this pipeline run, shared by all its steps in every process.

        The first tracked step creates it. Two steps that start at once in two
        processes may both create one: each then keeps the oldest of those it finds
        and deletes its own if it is not that one, so all steps agree.
        """
        key = tags[TAG_RUN_ID]
        with self._lock:
            known = self._parents.get(key)
            if known is not None:
                return known
            from mlflow.tracking import MlflowClient

            client = MlflowClient()
            found = self._parents_of(client, experiment_id, key)
            if not found:
                mine = client.create_run(experiment_id, tags=tags, run_name=run_name).info.run_id
                found = self._parents_of(client, experiment_id, key)
                winner = found[0] if found else mine
                if winner != mine:
                    client.delete_run(mine)
            else:
                winner = found[0]
            self._parents[key] = winner
            return winner

    @staticmethod
    def _parents_of(client: Any, experiment_id: str, run_id: str) -> list[str]:
        """The parent MLflow runs of a Cairn run, oldest first."""
        query = f"tags.`{TAG_RUN_ID}` = '{run_id}'"
        runs = [r for r in client.search_runs([experiment_id], filter_string=query)
                if TAG_STEP not in r.data.tags]  # fmt: skip
        runs.sort(key=lambda r: (r.info.start_time or 0, r.info.run_id))
        return [r.info.run_id for r in runs]

    def cleanup_step_run(self, info: StepRunInfo, failed: bool) -> None:
        """End the step's MLflow run: ``FAILED`` when the attempt failed."""
        import mlflow

        from cairn.integrations.mlflow.auth import deactivate

        try:
            with self._lock:
                run_id = self._step_runs.pop(info.step_run_id, None)
            if run_id is not None:
                active = mlflow.active_run()
                if active is not None and active.info.run_id == run_id:
                    mlflow.end_run(status="FAILED" if failed else "FINISHED")
                else:
                    from mlflow.tracking import MlflowClient

                    MlflowClient().set_terminated(run_id, "FAILED" if failed else "FINISHED")
        finally:
            deactivate()

    def cleanup_pipeline_run(self, info: PipelineRunInfo, failed: bool) -> None:
        """End this run's parent MLflow run (found by its tag: steps may have run in
        other processes), ``FAILED`` when the Cairn run did not complete."""
        with self._lock:
            self._parents.pop(info.run_id, None)
        try:
            uri = self.get_tracking_uri()
        except ComponentNotRunningError:
            return
        from mlflow.tracking import MlflowClient

        from cairn.integrations.mlflow.auth import tracker_credentials

        client = MlflowClient(uri)
        with tracker_credentials(self):
            experiment = client.get_experiment_by_name(info.pipeline_name)
            if experiment is None:
                return  # no step of the run was tracked
            for run_id in self._parents_of(client, experiment.experiment_id, info.run_id):
                client.set_terminated(run_id, "FAILED" if failed else "FINISHED")


def tracker_run_tags(run: Any) -> dict[str, str]:
    """The Cairn tags of an MLflow run (for tests and tools)."""
    return {k: v for k, v in run.data.tags.items() if k.startswith("cairn.")}
