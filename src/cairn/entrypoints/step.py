"""Run one step of a recorded run: ``python -m cairn.entrypoints.step --run ID --step NAME``.

The run's deployment is read from the artifact store of the stack (``--stack``,
default: the active stack); the step runs through the shared step runner, which
records it in the metadata store. Exit code 0 when the step completed or was
cached, 1 when it failed (the traceback is recorded and printed to stderr), 2
for bad arguments.

Pipeline files run as scripts (steps in ``__main__``) are imported again from
their file under another module name, so their ``if __name__ == "__main__":``
block does not run a second time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cairn.entrypoints.step", description="Run one step of a recorded run."
    )
    parser.add_argument("--run", required=True, help="id of the run")
    parser.add_argument("--step", required=True, help="name of the step in the pipeline")
    parser.add_argument("--stack", default=None, help="stack of the run (default: active)")
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="end this process as soon as the process with this pid (its parent) ends",
    )
    return parser


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


def run_step(run_id: str, step_name: str, stack_name: str | None = None) -> None:
    """Run step ``step_name`` of the recorded run ``run_id``.

    Raises:
        StepFailedError: the step failed.
        DoesNotExistError: unknown stack or run.
    """
    from cairn.exceptions import CairnError
    from cairn.execution.pipeline_runner import finish_run_if_done, load_deployment
    from cairn.execution.step_runner import StepRunner
    from cairn.pipelines import unrun
    from cairn.stack.registry import StackRegistry

    unrun.disable()  # pipelines the user's module configures are run by its own process
    stack = StackRegistry().get_stack(stack_name)
    deployment = load_deployment(stack.artifact_store, run_id)
    store = stack.metadata_store
    try:
        StepRunner(deployment, stack).run(step_name)
    finally:
        with contextlib.suppress(CairnError):
            if store.get_run(run_id).owner_pid is None:  # submitted, then released
                finish_run_if_done(store, deployment)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.parent_pid is not None:
        _die_with_parent(args.parent_pid)
    try:
        run_step(args.run, args.step, args.stack)
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
