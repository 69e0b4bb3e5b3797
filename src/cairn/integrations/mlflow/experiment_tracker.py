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
from typing import Any, ClassVar

from pydantic import SecretStr

from cairn.exceptions import ComponentNotRunningError
from cairn.experiment_trackers import BaseExperimentTracker
from cairn.services import DaemonSpec, HealthCheck, LocalDaemonMixin

#: Tags Cairn puts on MLflow runs.
TAG_PIPELINE = "cairn.pipeline"
TAG_RUN = "cairn.run"
TAG_RUN_ID = "cairn.run_id"
TAG_STEP = "cairn.step"
_PARENT_TAG = "mlflow.parentRunId"

_PARENTS: dict[str, str] = {}  # cairn run id -> MLflow parent run id (this process)
_LOCK = threading.Lock()
_CURRENT = threading.local()  # the MLflow run of the step running in this thread


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

    @property
    def requirements(self) -> set[str]:
        """MLflow is needed where steps run."""
        return {"mlflow>=2.10"}

    # ------------------------------------------------------------ daemon
    def _daemon_id(self) -> str:
        return f"mlflow-tracker-{self.uuid}"

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
        run_id: str | None = getattr(_CURRENT, "run_id", None)
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

    def prepare_step_run(self) -> None:
        """Start the step's MLflow run, nested under the pipeline run's, and record it."""
        import mlflow

        from cairn.execution.step_context import get_step_context, log_metadata

        self.configure_mlflow()
        context = get_step_context()
        experiment = mlflow.set_experiment(context.pipeline_name)
        tags = {TAG_PIPELINE: context.pipeline_name, TAG_RUN: context.run_name,
                TAG_RUN_ID: context.run_id}  # fmt: skip
        parent = self._parent_run(experiment.experiment_id, context.run_name, tags)
        run = mlflow.start_run(
            experiment_id=experiment.experiment_id, run_name=context.step_name,
            tags={**tags, TAG_STEP: context.step_name, _PARENT_TAG: parent},
        )  # fmt: skip
        _CURRENT.run_id = run.info.run_id
        log_metadata(mlflow_run_id=run.info.run_id, mlflow_parent_run_id=parent,
                     mlflow_experiment=context.pipeline_name,
                     mlflow_tracking_url=self.get_tracking_url() or "")  # fmt: skip

    def _parent_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> str:
        """The MLflow run of this pipeline run (created by its first tracked step)."""
        from mlflow.tracking import MlflowClient

        key = tags[TAG_RUN_ID]
        with _LOCK:
            if key in _PARENTS:
                return _PARENTS[key]
            client = MlflowClient()
            query = f"tags.`{TAG_RUN_ID}` = '{key}'"
            found = [r for r in client.search_runs([experiment_id], filter_string=query)
                     if TAG_STEP not in r.data.tags]  # fmt: skip
            run_id: str = (found[0] if found else client.create_run(
                experiment_id, tags=tags, run_name=run_name)).info.run_id  # fmt: skip
            _PARENTS[key] = run_id
            return run_id

    def cleanup_step_run(self) -> None:
        """End the step's MLflow run."""
        import mlflow

        from cairn.integrations.mlflow.auth import deactivate

        try:
            if getattr(_CURRENT, "run_id", None) is not None:
                mlflow.end_run()
                _CURRENT.run_id = None
        finally:
            deactivate()

    def cleanup_pipeline_run(self) -> None:
        """Mark the pipeline run's MLflow run finished."""
        if not _PARENTS:
            return
        from mlflow.tracking import MlflowClient

        with _LOCK:
            parents, _PARENTS_COPY = list(_PARENTS.values()), None
            _PARENTS.clear()
        from cairn.integrations.mlflow.auth import tracker_credentials

        client = MlflowClient(self.get_tracking_uri())
        with tracker_credentials(self):
            for run_id in parents:
                client.set_terminated(run_id)


def tracker_run_tags(run: Any) -> dict[str, str]:
    """The Cairn tags of an MLflow run (for tests and tools)."""
    return {k: v for k, v in run.data.tags.items() if k.startswith("cairn.")}
