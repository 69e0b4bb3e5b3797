"""Run one step of a recorded run, anywhere: ``python -m cairn.entrypoints.step``.

    python -m cairn.entrypoints.step --deployment URI --step NAME [--bootstrap DATA]
    python -m cairn.entrypoints.step --run ID --step NAME [--stack NAME]

The deployment (``runs/<run id>/deployment.json`` in the run's artifact store) is
everything the step needs: the stack's configuration (rebuilt here, with no
registry, no ``.cairn/`` folder and no active stack), where the code comes from,
and the Cairn and Python versions that made it. ``--bootstrap`` (written by the
orchestrator) describes the artifact store and secrets manager that can read
``URI`` when it is not a local file; it holds no secret value. The step runs
through the shared step runner, which records it in the metadata store. The
``--run`` form finds the deployment through a stack of the local registry instead
(on the machine that holds it: scheduled runs use it).

Exit code 0 when the step completed or was cached, 1 when it failed (the
traceback is recorded and printed to stderr), 2 for bad arguments.

Pipeline files run as scripts (steps in ``__main__``) are imported again from
their file under another module name, so their ``if __name__ == "__main__":``
block does not run a second time, and a bare module-level ``.run()`` in them is
skipped (said once in the step's log).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import sys
import traceback
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.models.run_records import StepRunRecord
    from cairn.stack.stack import Stack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cairn.entrypoints.step", description="Run one step of a recorded run."
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--deployment", help="URI of the run's deployment.json")
    where.add_argument(
        "--run",
        help="id of a recorded run, found through the local registry's stack (--stack; "
        "on the machine that holds the registry)",
    )
    parser.add_argument(
        "--stack", default=None, help="with --run: the run's stack (default: active)"
    )
    parser.add_argument("--step", required=True, help="name of the step in the pipeline")
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="the artifact store (and secrets manager) that can read the deployment's URI",
    )
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="end this process as soon as the process with this pid (its parent) ends",
    )
    return parser


def _bootstrap_store(data: str) -> BaseArtifactStore:
    """The artifact store ``--bootstrap`` describes (its references resolve through the
    secrets manager described with it)."""
    from cairn.exceptions import ConfigurationError
    from cairn.models.pipeline_spec import ComponentConfig
    from cairn.stack.stack_config import build_component

    try:
        items = json.loads(base64.urlsafe_b64decode(data.encode()))
        configs = {c.type: c for c in (ComponentConfig.model_validate(i) for i in items)}
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"--bootstrap is not valid: {exc}.") from exc
    if "artifact_store" not in configs:
        raise ConfigurationError("--bootstrap names no artifact store.")
    store = build_component(configs["artifact_store"])
    manager = configs.get("secrets_manager")
    store.attach_secrets_manager("bootstrap", build_component(manager) if manager else None)
    return store  # type: ignore[return-value]


def load_deployment_from(uri: str, bootstrap: str | None = None) -> PipelineDeployment:
    """Read a deployment from a local file, or through the ``--bootstrap`` artifact store.

    Raises:
        DoesNotExistError: there is no deployment at ``uri``.
    """
    from cairn.exceptions import DoesNotExistError
    from cairn.models.pipeline_spec import PipelineDeployment

    try:
        if bootstrap is None:
            with open(uri, encoding="utf-8") as f:
                text = f.read()
        else:
            with _bootstrap_store(bootstrap).open(uri, "r") as f:
                text = f.read()
    except FileNotFoundError as exc:
        raise DoesNotExistError(f"No deployment at {uri}: is the run still recorded?") from exc
    return PipelineDeployment.model_validate_json(text)


def check_versions(deployment: PipelineDeployment) -> None:
    """Refuse to run a step with another Cairn or Python than the deployment's.

    Raises:
        ConfigurationError: naming both versions and what to install.
    """
    from cairn import __version__
    from cairn.exceptions import ConfigurationError

    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    wanted = ".".join(deployment.python_version.split(".")[:2])
    problems = []
    if deployment.cairn_version and deployment.cairn_version != __version__:
        problems.append(f"Cairn {__version__} (the run needs {deployment.cairn_version})")
    if wanted and wanted != here:
        problems.append(f"Python {here} (the run needs {wanted})")
    if problems:
        raise ConfigurationError(
            f"This worker runs {' and '.join(problems)}: install the run's versions where its "
            f"steps run (pip install cairn=={deployment.cairn_version or __version__}, "
            f"Python {wanted or here}), then start the run again."
        )


def _die_with_parent(parent_pid: int) -> None:
    """End this process when its parent (the orchestrator) ends, however it ends.

    Linux: the kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``).
    Everywhere: a daemon thread checks every 0.2 s that the parent is still ours
    (it also covers a parent that died before the signal was armed).
    """
    import signal
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        import time

        while os.getppid() == parent_pid:
            time.sleep(0.2)
        os._exit(137)

    if os.getppid() != parent_pid:
        os._exit(137)
    threading.Thread(target=watch, name="cairn-parent-watch", daemon=True).start()


def prepare_worker(
    deployment: PipelineDeployment, stack: Stack | None = None
) -> tuple[PipelineDeployment, Stack]:
    """Make this process ready to run steps of ``deployment`` (no registry involved).

    Checks the versions, rebuilds the stack from the deployment (unless given) and
    makes the code importable (unpacking it if it was packed); returns the
    deployment with its file paths relocated, and the stack. Every worker calls
    this: the step entrypoint, the warm step processes and the Ray tasks.

    Raises:
        ConfigurationError: another Cairn or Python version, or the stack cannot be
            rebuilt here.
    """
    from cairn.exceptions import ConfigurationError
    from cairn.execution.code_package import activate_code
    from cairn.pipelines import unrun
    from cairn.stack.stack_config import build_stack

    check_versions(deployment)
    if stack is None:
        if deployment.stack is None:
            raise ConfigurationError(
                f"The deployment of run '{deployment.run_name}' carries no stack (it was made "
                "by an older Cairn): start the run again."
            )
        stack = build_stack(deployment.stack)
    unrun.disable()  # pipelines the user's module configures are run by its own process
    return activate_code(deployment, stack.artifact_store), stack


def run_deployed_step(
    deployment: PipelineDeployment, step_name: str, stack: Stack | None = None
) -> StepRunRecord:
    """Run step ``step_name`` of a deployment on this worker (see :func:`prepare_worker`).

    The process that records a submitted run's last step also finishes the run.

    Raises:
        ConfigurationError: another Cairn or Python version, or the stack cannot be
            rebuilt here.
        StepFailedError: the step failed.
    """
    from cairn.execution.step_runner import StepRunner

    deployment, stack = prepare_worker(deployment, stack)
    try:
        return StepRunner(deployment, stack).run(step_name)
    finally:
        finish_if_released(deployment, stack)


def finish_if_released(deployment: PipelineDeployment, stack: Stack) -> None:
    """Finish a run released by its orchestrator once its last step is recorded."""
    from cairn.exceptions import CairnError
    from cairn.execution.pipeline_runner import finish_released_run

    with contextlib.suppress(CairnError):
        finish_released_run(deployment, stack)


def run_step(uri: str, step_name: str, bootstrap: str | None = None) -> StepRunRecord:
    """Run step ``step_name`` of the deployment at ``uri`` (see :func:`run_deployed_step`)."""
    return run_deployed_step(load_deployment_from(uri, bootstrap), step_name)


def run_recorded_step(run_id: str, step_name: str, stack_name: str | None = None) -> StepRunRecord:
    """Run a step of a recorded run whose deployment is found through a stack of the local
    registry (used by scheduled runs, which are created on the registry's machine)."""
    from cairn.execution.pipeline_runner import load_deployment
    from cairn.stack.registry import StackRegistry

    stack = StackRegistry().get_stack(stack_name)
    return run_deployed_step(load_deployment(stack.artifact_store, run_id), step_name, stack)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.parent_pid is not None:
        _die_with_parent(args.parent_pid)
    try:
        if args.run is not None:
            run_recorded_step(args.run, args.step, args.stack)
        else:
            run_step(args.deployment, args.step, args.bootstrap)
    except Exception as exc:
        cause = exc.__cause__ or exc
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
        print(f"cairn: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # do not wait for a timed-out step's thread
