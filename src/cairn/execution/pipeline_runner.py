"""Running a compiled pipeline: the one sequence every orchestrator follows.

1. build and validate the stack (the active one unless given); refuse secrets that
   cannot reach the machines steps may run on;
2. stop with "run `cairn stack up`" if a component is not running;
3. check the runtime options against those the components declare, and the
   step operators / experiment trackers the steps name;
4. ``prepare_pipeline_deployment`` on every component;
5. record the pipeline and the run (with the git commit of the working folder as its
   code version); the deployment is stored with the run
   (``runs/<run id>/deployment.json`` in the artifact store) as soon as the
   orchestrator asks for a step's command line (``launcher.step_command``), so
   another process can run that step (``python -m cairn.entrypoints.step``);
6. ``orchestrator.prepare_or_run_pipeline(deployment, stack, launcher)``;
7. ``cleanup_pipeline_run`` on every component;
8. mark the run completed or failed (steps left unfinished are marked failed), or
   cancelled after Ctrl-C (steps left unfinished are marked cancelled).

The terminal shows the run's progress meanwhile (:mod:`cairn.execution.progress`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cairn.enums import ExecutionStatus
from cairn.exceptions import (
    ConfigurationError,
    PipelineRunFailedError,
    RunCancelledError,
    RunNotRunningError,
    StackValidationError,
)
from cairn.execution.catalog_runtime import link_run, resolve_run_catalog
from cairn.execution.code_version import code_version
from cairn.execution.hooks import UNFINISHED_STEP_ERROR, end_of_run, run_start_hooks
from cairn.execution.launcher import Launcher
from cairn.execution.progress import make_progress
from cairn.execution.run_names import expand_run_name
from cairn.execution.step_runner import StepRunner
from cairn.models.names import MAX_RUN_NAME_LENGTH, check_name
from cairn.models.pipeline_spec import CodeSource, PipelineDeployment, PipelineSpec

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.run_records import RunRecord
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent

logger = logging.getLogger(__name__)

#: Seconds between two heartbeats of a running run (see ``BaseMetadataStore.heartbeat``).
HEARTBEAT_SECONDS = 30.0


def deployment_uri(artifact_store: BaseArtifactStore, run_id: str) -> str:
    """Where the deployment of a run is stored in the artifact store."""
    return artifact_store.join("runs", run_id, "deployment.json")


def save_deployment(artifact_store: BaseArtifactStore, deployment: PipelineDeployment) -> None:
    """Store a run's deployment (JSON) next to its artifacts."""
    uri = deployment_uri(artifact_store, deployment.run_id)
    artifact_store.makedirs(uri.rsplit("/", 1)[0])
    with artifact_store.open(uri, "w") as f:
        f.write(deployment.model_dump_json())


def load_deployment(artifact_store: BaseArtifactStore, run_id: str) -> PipelineDeployment:
    """The deployment of a recorded run."""
    with artifact_store.open(deployment_uri(artifact_store, run_id), "r") as f:
        return PipelineDeployment.model_validate_json(f.read())


def delete_deployment(artifact_store: BaseArtifactStore, run_id: str) -> None:
    """Remove the stored deployment of a deleted run (if it is there)."""
    uri = deployment_uri(artifact_store, run_id)
    if artifact_store.exists(uri):
        artifact_store.remove(uri)


def check_runtime_options(stack: Stack, options: Mapping[str, Any]) -> None:
    """Every runtime option must be declared by a component of the stack.

    Raises:
        ConfigurationError: listing the unknown keys and the accepted ones.
    """
    accepted: dict[str, str] = {}
    for component in stack:
        for key in component.runtime_options:
            accepted.setdefault(key, component.name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        listing = ", ".join(f"{k} ({accepted[k]})" for k in sorted(accepted)) or "none"
        raise ConfigurationError(
            f"Unknown runtime option(s) {', '.join(unknown)} for stack '{stack.name}'. "
            f"Accepted: run_name, enable_cache, schedule; from its components: {listing}."
        )


def check_step_components(spec: PipelineSpec, stack: Stack) -> None:
    """Steps that name a step operator or experiment tracker need it in the stack."""
    for step in spec.steps.values():
        for kind, wanted, component in (
            ("step operator", step.step_operator, stack.step_operator),
            ("experiment tracker", step.experiment_tracker, stack.experiment_tracker),
        ):
            if wanted and (component is None or component.name != wanted):
                have = f"has '{component.name}'" if component is not None else "has none"
                raise StackValidationError(
                    f"Step '{step.name}' uses the {kind} '{wanted}', but stack '{stack.name}' "
                    f"{have}: add it to the stack or change the step's option."
                )


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        try:
            json.dumps(value)
            out[key] = value
        except (TypeError, ValueError):
            out[key] = repr(value)
    return out


def stack_snapshot(stack: Stack) -> dict[str, Any]:
    """The stack as JSON data: secret references as written, other secret values masked."""
    return {
        "name": stack.name,
        "components": {
            str(c.TYPE): {"name": c.name, "flavor": c.FLAVOR, "config": c.config_dict()}
            for c in stack
        },
    }


def default_run_name(pipeline_name: str) -> str:
    """``<pipeline>-<YYYYmmdd-HHMMSS>-<random>``."""
    return f"{pipeline_name}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def _remote_components(spec: PipelineSpec, stack: Stack) -> list[StackComponent]:
    """The orchestrator and step operator of the run whose steps may run on other machines."""
    found: list[StackComponent] = []
    if stack.orchestrator.runs_remotely:
        found.append(stack.orchestrator)
    operator = stack.step_operator
    if (
        operator is not None
        and operator.runs_remotely
        and any(s.step_operator == operator.name for s in spec.steps.values())
    ):
        found.append(operator)
    return found


def check_portable_secrets(spec: PipelineSpec, stack: Stack) -> None:
    """Refuse a run whose steps may run elsewhere while its secrets cannot go there.

    A ``local`` secrets manager keeps its key on this machine, and plain secret
    values never leave this process.

    Raises:
        StackValidationError: naming the components and the flavors that work.
    """
    from cairn.stack.secret_moves import plain_secret_fields

    remote = _remote_components(spec, stack)
    if not remote:
        return
    where = " and ".join(str(c) for c in remote)
    plain = [f"{c} ({', '.join(fields)})" for c in stack if (fields := plain_secret_fields(c))]
    if plain:
        raise StackValidationError(
            f"Steps of this run may run on other machines ({where}), but {'; '.join(plain)} "
            "holds a plain secret, which never leaves this machine: store it in a secrets "
            "manager and use a reference ({{secret.key}})."
        )
    manager = stack.secrets_manager
    if manager is None or manager.FLAVOR != "local":
        return
    users = [str(c) for c in stack if c is not manager and c.secret_references()]
    if users:
        raise StackValidationError(
            f"Steps of this run may run on other machines ({where}), but the secrets of "
            f"{', '.join(users)} are in the local secrets manager '{manager.name}', whose key "
            "is only on this machine: use a secrets manager that works from anywhere "
            "(flavors aws, vault or env) in stack "
            f"'{stack.name}'."
        )


def _prepare(spec: PipelineSpec, stack: Stack, runtime_options: Mapping[str, Any]) -> None:
    stack.validate()
    stack.validate_secrets()
    stack.check_running()
    check_runtime_options(stack, runtime_options)
    check_step_components(spec, stack)
    check_portable_secrets(spec, stack)
    for component in stack:
        component.prepare_pipeline_deployment(spec, stack, runtime_options)


def _code_source(spec: PipelineSpec, stack: Stack) -> CodeSource:
    """Pack the code into the artifact store when a component ships it to workers."""
    from cairn.execution.code_package import pack_code, source_root

    root = source_root(spec)
    shipping = [stack.orchestrator.ships_code]
    operator = stack.step_operator
    if operator is not None and any(s.step_operator for s in spec.steps.values()):
        shipping.append(operator.ships_code)
    if any(shipping):
        return pack_code(root, stack.artifact_store)
    return CodeSource(mode="local", root=str(root))


def portable_fields(
    spec: PipelineSpec, stack: Stack, code: CodeSource | None = None
) -> dict[str, Any]:
    """What makes a deployment self-contained: the stack as plain data, where the code
    comes from, the Cairn and Python versions, the components' requirements."""
    from cairn import __version__
    from cairn.execution.code_package import source_root
    from cairn.stack.stack_config import stack_config

    return {
        "stack": stack_config(stack),
        "code": code or CodeSource(mode="local", root=str(source_root(spec))),
        "cairn_version": __version__,
        "python_version": platform.python_version(),
        "requirements": sorted({r for c in stack for r in c.requirements}),
    }


def _record(
    spec: PipelineSpec,
    stack: Stack,
    run_name: str | None,
    enable_cache: bool | None,
    schedule: Any,
    runtime_options: Mapping[str, Any],
    code: CodeSource,
) -> PipelineDeployment:
    store = stack.metadata_store
    with store.batch():  # one transaction (BEGIN IMMEDIATE: the get-or-create cannot race)
        pipeline = store.get_or_create_pipeline(spec.name, spec.model_dump(mode="json"))
        run = store.create_run(
            pipeline.id,
            run_name or default_run_name(spec.name),
            parameters=spec.parameters,
            runtime_options=_jsonable(runtime_options),
            stack_snapshot=stack_snapshot(stack),
            code_version=code_version(os.getcwd()),
            enable_cache=enable_cache,
        )
    return PipelineDeployment(
        run_id=run.id,
        run_name=run.name,
        pipeline=spec,
        stack_name=stack.name,
        enable_cache=enable_cache,
        runtime_options=_jsonable(runtime_options),
        schedule=_jsonable({"schedule": schedule})["schedule"],
        **portable_fields(spec, stack, code),
    )


def run_pipeline(
    spec: PipelineSpec,
    *,
    live_steps: Mapping[str, Any] | None = None,
    run_name: str | None = None,
    enable_cache: bool | None = None,
    schedule: Any = None,
    runtime_options: Mapping[str, Any] | None = None,
    stack: Stack | None = None,
    quiet: bool | None = None,
    external_values: Mapping[str, Mapping[str, Any]] | None = None,
) -> RunRecord:
    """Run a compiled pipeline on ``stack`` (default: the active stack).

    Args:
        spec: the compiled pipeline.
        live_steps: the step objects by step name (run in-process without importing).
        run_name: the run's name (default: generated).
        enable_cache: overrides the step and pipeline settings.
        schedule: for orchestrators that schedule runs.
        runtime_options: passed to ``prepare_pipeline_deployment`` of every component.
        stack: the stack (default: the active stack).
        quiet: no progress display (default: ``CAIRN_QUIET``; see
            :mod:`cairn.execution.progress`).
        external_values: ``ExternalArtifact`` inputs by step and argument (saved when the
            run starts).

    Returns:
        The run's final record.

    Raises:
        PipelineRunFailedError: a step failed (the run is recorded as failed).
        RunCancelledError: Ctrl-C (the run is recorded as cancelled).
    """
    if run_name is not None:
        run_name = expand_run_name(run_name, spec.name)
        check_name("run", run_name, max_length=MAX_RUN_NAME_LENGTH)
    options = dict(runtime_options or {})
    if stack is None:
        from cairn.stack.registry import StackRegistry

        stack = StackRegistry().get_stack()
    _prepare(spec, stack, options)
    code = _code_source(spec, stack)
    external, model_versions = resolve_run_catalog(spec, stack, external_values or {})
    deployment = _record(spec, stack, run_name, enable_cache, schedule, options, code)
    deployment = deployment.model_copy(
        update={"external_artifacts": external, "model_versions": model_versions}
    )
    link_run(stack.metadata_store, model_versions, deployment.run_id)
    if spec.hooks:
        run_start_hooks(deployment, stack)
    functions: dict[str, Callable[..., Any]] = {
        name: getattr(obj, "entrypoint", obj) for name, obj in (live_steps or {}).items()
    }
    runner = StepRunner(deployment, stack, functions)
    progress = make_progress(quiet)
    launcher = Launcher(
        runner,
        deployment_uri(stack.artifact_store, deployment.run_id),
        save=lambda: save_deployment(stack.artifact_store, deployment),
        progress=progress,
    )
    progress.run_started(deployment.run_name, spec.name, stack.name, len(spec.steps))
    record = _orchestrate(deployment, stack, launcher)
    progress.run_ended(record)
    return record


def _orchestrate(deployment: PipelineDeployment, stack: Stack, launcher: Launcher) -> RunRecord:
    try:
        return _orchestrate_steps(deployment, stack, launcher)
    except BaseException:
        if launcher.progress.enabled:
            try:
                launcher.progress.run_ended(stack.metadata_store.get_run(deployment.run_id))
            except Exception:  # the summary must never hide the run's own error
                logger.debug("no run summary", exc_info=True)
        raise


def _orchestrate_steps(
    deployment: PipelineDeployment, stack: Stack, launcher: Launcher
) -> RunRecord:
    store = stack.metadata_store
    error: BaseException | None = None
    stop_heartbeat = _start_heartbeat(store, deployment.run_id)
    try:
        stack.orchestrator.prepare_or_run_pipeline(deployment, stack, launcher)
    except BaseException as exc:
        error = exc
    finally:
        stop_heartbeat.set()
    if isinstance(error, KeyboardInterrupt):
        launcher.runner.cancel()  # steps still running in threads write nothing more
    if error is None:
        record = _status_from_steps(store, deployment, detach=True)
        if record.status.is_finished:
            cleanup_pipeline_run(deployment, stack, record.status != ExecutionStatus.COMPLETED)
        if record.status == ExecutionStatus.COMPLETED:
            end_of_run(deployment, stack, None)
        return record
    cleanup_pipeline_run(deployment, stack, True)
    if isinstance(error, KeyboardInterrupt):
        reason = "the run was cancelled (Ctrl-C) before this step ended"
        _end_unfinished_steps(store, deployment.run_id, ExecutionStatus.CANCELLED, reason)
        store.update_run_status(
            deployment.run_id, ExecutionStatus.CANCELLED, error="cancelled by the user (Ctrl-C)"
        )
        if isinstance(error, RunCancelledError):
            raise error
        raise RunCancelledError(
            f"Run '{deployment.run_name}' was cancelled.", deployment.run_name
        ) from error
    _end_unfinished_steps(store, deployment.run_id, ExecutionStatus.FAILED, UNFINISHED_STEP_ERROR)
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    store.update_run_status(deployment.run_id, ExecutionStatus.FAILED, error=text)
    end_of_run(deployment, stack, error)
    if isinstance(error, PipelineRunFailedError) or not isinstance(error, Exception):
        raise error
    raise PipelineRunFailedError(
        f"Run '{deployment.run_name}' failed: {text}", deployment.run_name, []
    ) from error


def _status_from_steps(
    store: BaseMetadataStore, deployment: PipelineDeployment, *, detach: bool
) -> RunRecord:
    """Finish the run from its step records once every step has one that is finished.

    An orchestrator that submits steps and returns leaves steps without a finished
    record: the run then stays ``running`` (with ``detach``, the run is released
    from this process, so that it is not taken for the run of a dead process), and
    the process that records its last step finishes it (``python -m
    cairn.entrypoints.step`` calls this too).
    """
    records = store.get_step_runs(deployment.run_id)
    finished = {r.name: r.status for r in records if r.status.is_finished}
    if len(finished) < len(deployment.pipeline.steps):
        if detach:
            store.detach_run(deployment.run_id)
        return store.get_run(deployment.run_id)
    statuses = set(finished.values())
    for status in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
        if status in statuses:
            return store.update_run_status(deployment.run_id, status)
    return store.update_run_status(deployment.run_id, ExecutionStatus.COMPLETED)


def finish_run_if_done(store: BaseMetadataStore, deployment: PipelineDeployment) -> RunRecord:
    """Finish a run whose steps all ended (see :func:`_status_from_steps`)."""
    return _status_from_steps(store, deployment, detach=False)


def finish_released_run(deployment: PipelineDeployment, stack: Stack) -> RunRecord | None:
    """In a worker: finish a run its orchestrator released, once its last step is recorded.

    The process that finishes it calls ``cleanup_pipeline_run`` of the components
    and the run's end hooks (the orchestrator's process returned long ago).
    Returns the run's record when this call finished it.
    """
    store = stack.metadata_store
    run = store.get_run(deployment.run_id)
    if run.owner_pid is not None or run.status.is_finished:
        return None  # the orchestrator's process is still there, or it ended already
    record = finish_run_if_done(store, deployment)
    if not record.status.is_finished:
        return None
    failed = record.status != ExecutionStatus.COMPLETED
    cleanup_pipeline_run(deployment, stack, failed)
    error = None if not failed else PipelineRunFailedError(
        f"Run '{deployment.run_name}' {record.status.value}.", deployment.run_name, []
    )  # fmt: skip
    end_of_run(deployment, stack, error)
    return record


def cleanup_pipeline_run(deployment: PipelineDeployment, stack: Stack, failed: bool) -> None:
    """``cleanup_pipeline_run(info, failed)`` on every component (errors are logged)."""
    from cairn.models.run_info import PipelineRunInfo

    info = PipelineRunInfo(
        deployment.run_id, deployment.run_name, deployment.pipeline.name, stack.name
    )
    for component in stack:
        try:
            component.cleanup_pipeline_run(info, failed)
        except Exception:
            logger.exception("cleanup_pipeline_run of %s failed", component)


class _Heartbeats:
    """One daemon thread per process that tells the stores, every ``HEARTBEAT_SECONDS``,
    that the runs of this process are alive (started once, not once per run)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, tuple[BaseMetadataStore, str]] = {}
        self._pid = -1  # the process whose thread runs (a forked child starts its own)

    def forget(self) -> None:
        """In a forked child: the parent's runs, thread and lock are not this process's."""
        self._lock, self._runs, self._pid = threading.Lock(), {}, -1

    def add(self, store: BaseMetadataStore, run_id: str) -> _Beating:
        beating = _Beating(self)
        with self._lock:
            self._runs[id(beating)] = (store, run_id)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._beat, name="cairn-heartbeat", daemon=True).start()
        return beating

    def remove(self, beating: _Beating) -> None:
        with self._lock:
            self._runs.pop(id(beating), None)

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with self._lock:
                runs = list(self._runs.values())
            for store, run_id in runs:
                try:
                    store.heartbeat(run_id)
                except Exception:  # a missed beat is harmless; the next one may succeed
                    logger.debug("heartbeat of run %s failed", run_id, exc_info=True)


class _Beating:
    """A run's heartbeat; ``set()`` stops it."""

    def __init__(self, beats: _Heartbeats) -> None:
        self._beats = beats

    def set(self) -> None:
        self._beats.remove(self)


_HEARTBEATS = _Heartbeats()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_HEARTBEATS.forget)


def _start_heartbeat(store: BaseMetadataStore, run_id: str) -> _Beating:
    """Tell the store every ``HEARTBEAT_SECONDS`` that the run's process is alive."""
    return _HEARTBEATS.add(store, run_id)


def _end_unfinished_steps(
    store: BaseMetadataStore, run_id: str, status: ExecutionStatus, reason: str
) -> None:
    for record in store.get_step_runs(run_id):
        if not record.status.is_finished:
            with contextlib.suppress(RunNotRunningError):  # it ended meanwhile
                store.finish_step_run(record.id, status, error=reason)
