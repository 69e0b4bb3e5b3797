"""Connecting this process to a Ray cluster, and the tasks that run Cairn steps there.

:func:`connect` initialises Ray once per process (a process talks to one cluster
at a time; connecting to another one shuts the first connection down).
:func:`run_step_task` is the body of every Ray task Cairn submits: it runs one
step of a deployment through the shared step runner (rebuilding the stack from
the deployment, once per run and worker process) and returns the Ray node id.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.execution.step_runner import StepRunner
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.stack.stack import Stack

_LOCK = threading.Lock()
_ADDRESS: list[str] = []  # the address this process is connected to (Ray is per process)
#: Deployments and stacks of recent runs, by run id, in a worker process.
_RUNS: OrderedDict[str, tuple[PipelineDeployment, Stack, StepRunner]] = OrderedDict()
_RUNS_KEPT = 4


def connect(address: str, token_file: Path | None, namespace: str = "cairn") -> None:
    """Connect this process to the cluster at ``address`` (once).

    ``token_file`` holds the cluster's token when it uses token authentication
    (``RAY_AUTH_MODE=token``); only its path goes into the environment. Ray reads
    these settings when it is first imported, so the first cluster this process
    connects to decides them.
    """
    import sys

    if token_file is not None:
        if "ray" not in sys.modules:
            os.environ["RAY_AUTH_MODE"] = "token"
            os.environ["RAY_AUTH_TOKEN_PATH"] = str(token_file)
        elif os.environ.get("RAY_AUTH_TOKEN_PATH") != str(token_file):
            from cairn.exceptions import ConfigurationError

            raise ConfigurationError(
                f"This process imported Ray with other authentication settings than the "
                f"cluster at {address} needs (Ray reads them once per process): run the "
                "pipeline in a new process."
            )
    import ray

    with _LOCK:
        if _ADDRESS and _ADDRESS[0] == address and ray.is_initialized():
            return
        if ray.is_initialized():
            ray.shutdown()
        host = address.rsplit(":", 1)[0]
        kwargs: dict[str, Any] = {}
        if host in ("127.0.0.1", "localhost"):
            kwargs["_node_ip_address"] = "127.0.0.1"
        ray.init(address=address, namespace=namespace, log_to_driver=False,
                 logging_level=logging.WARNING, configure_logging=False,
                 **kwargs)  # fmt: skip
        _ADDRESS[:] = [address]


def disconnect() -> None:
    """Drop this process's connection (if any)."""
    import ray

    with _LOCK:
        if ray.is_initialized():
            ray.shutdown()
        _ADDRESS.clear()


def _run_of(payload: list[Any], run_id: str) -> tuple[PipelineDeployment, Stack, StepRunner]:
    """The deployment, stack and step runner of a run in this worker (made once per run:
    the runner remembers the outputs of the run's steps this worker ran)."""
    from cairn.entrypoints.step import prepare_worker
    from cairn.execution.step_runner import StepRunner
    from cairn.models.pipeline_spec import PipelineDeployment

    with _LOCK:
        known = _RUNS.get(run_id)
        if known is not None:
            _RUNS.move_to_end(run_id)
            return known
    import ray

    deployment, stack = prepare_worker(PipelineDeployment.model_validate_json(ray.get(payload[0])))
    entry = (deployment, stack, StepRunner(deployment, stack))
    with _LOCK:
        _RUNS[run_id] = entry
        while len(_RUNS) > _RUNS_KEPT:
            _RUNS.popitem(last=False)
    return entry


def run_step_task(payload: list[Any], run_id: str, step_name: str) -> str:
    """Run one step in this Ray worker; returns the node id it ran on.

    ``payload`` is ``[ref]`` of the deployment's JSON: wrapped in a list, Ray does not
    fetch it for every task; a worker fetches it once per run. The run is owned by
    the orchestrator's process, which waits for every task and finishes the run.

    Raises:
        StepFailedError: the step failed (its record holds the user's traceback).
    """
    import ray

    _, _, runner = _run_of(payload, run_id)
    runner.run(step_name)
    return str(ray.get_runtime_context().get_node_id())


def run_command_task(argv: list[str]) -> int:
    """Run ``python -m cairn.entrypoints.step ARGS`` in this worker (the step operator)."""
    from cairn.entrypoints.step import main

    return main(argv)


def in_ray_task() -> str | None:
    """The Ray node id when this code runs inside a Ray task, else ``None``."""
    import sys

    if "ray" not in sys.modules:
        return None
    import ray

    if not ray.is_initialized():
        return None
    context = ray.get_runtime_context()
    if context.get_task_id() is None:
        return None
    return str(context.get_node_id())


def task_options(resources: dict[str, float]) -> dict[str, Any]:
    """Ray ``.options(...)`` for a step's ``resources`` setting."""
    options: dict[str, Any] = {}
    custom: dict[str, float] = {}
    for key, value in resources.items():
        if key in ("num_cpus", "num_gpus", "memory"):
            options[key] = int(value) if key == "memory" else value
        else:
            custom[key] = value
    if custom:
        options["resources"] = custom
    return options
