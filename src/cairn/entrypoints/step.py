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
    return parser


def run_step(run_id: str, step_name: str, stack_name: str | None = None) -> None:
    """Run step ``step_name`` of the recorded run ``run_id``.

    Raises:
        StepFailedError: the step failed.
        DoesNotExistError: unknown stack or run.
    """
    from cairn.execution.pipeline_runner import load_deployment
    from cairn.execution.step_runner import StepRunner
    from cairn.stack.registry import StackRegistry

    stack = StackRegistry().get_stack(stack_name)
    deployment = load_deployment(stack.artifact_store, run_id)
    StepRunner(deployment, stack).run(step_name)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
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
