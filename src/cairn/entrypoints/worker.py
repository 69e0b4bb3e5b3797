"""A warm step worker: one Python process that runs steps it is sent, one at a time.

    python -m cairn.entrypoints.worker --in-fd R --out-fd W [--parent-pid P]

The local orchestrator's ``processes`` mode keeps a pool of these
(:mod:`cairn.orchestrators.process_pool`): the interpreter and Cairn are imported
once, then each request (one JSON line on fd ``R``: ``{"deployment": URI,
"bootstrap": B, "step": NAME}``) runs one step through the shared step runner,
exactly as ``python -m cairn.entrypoints.step`` would, and gets one JSON line
back on fd ``W`` (``{"ok": true}`` or ``{"ok": false, "error": TEXT}``). The
step's own output goes to the inherited stdout and stderr.

Between runs, the modules of the previous run's code (those whose files are
under its source root, or in ``__main__`` scripts) are dropped from
``sys.modules``, so a run always imports the code as it is now; libraries stay
imported. The process ends when its request pipe closes or its parent dies.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.execution.step_runner import StepRunner
    from cairn.models.pipeline_spec import PipelineDeployment


class _Runs:
    """The deployment, stack and step runner of the run this worker serves now."""

    def __init__(self) -> None:
        self.baseline = frozenset(sys.modules)  # imported before any run: never dropped
        self.uri: str | None = None
        self.runner: StepRunner | None = None
        self.user_roots: list[str] = []

    def runner_for(self, uri: str, bootstrap: str | None) -> StepRunner:
        from cairn.entrypoints.step import load_deployment_from, prepare_worker
        from cairn.execution.step_runner import StepRunner

        if self.uri == uri and self.runner is not None:
            return self.runner
        self.forget_user_code()
        deployment, stack = prepare_worker(load_deployment_from(uri, bootstrap))
        self.user_roots = _user_roots(deployment)
        self.uri, self.runner = uri, StepRunner(deployment, stack)
        return self.runner

    def forget_user_code(self) -> None:
        """Drop the previous run's user modules, so the next run imports them afresh."""
        if not self.user_roots:
            return
        from cairn.execution.sources import MAIN_ALIAS

        for name, module in list(sys.modules.items()):
            if name in self.baseline or name == "cairn" or name.startswith("cairn."):
                continue
            path = getattr(module, "__file__", None) or ""
            if name == MAIN_ALIAS or (
                any(path.startswith(root) for root in self.user_roots)
                and not any(path.startswith(site) for site in _site_dirs())
            ):
                del sys.modules[name]
        self.user_roots = []


def _user_roots(deployment: PipelineDeployment) -> list[str]:
    """Folders holding the run's own code (its source root and its scripts' folders)."""
    roots = {deployment.code.root} if deployment.code.root else set()
    for step in deployment.pipeline.steps.values():
        if step.source_file:
            roots.add(str(Path(step.source_file).parent))
    return sorted(r.rstrip(os.sep) + os.sep for r in roots if r)


def _site_dirs() -> list[str]:
    """Where installed packages live (never dropped, even inside a source root)."""
    return [p for p in sys.path if "site-packages" in p or "dist-packages" in p]


def serve(requests: Any, replies: Any) -> None:
    """Answer requests until the request pipe closes."""
    runs = _Runs()
    for line in requests:
        try:
            request = json.loads(line)
            runner = runs.runner_for(request["deployment"], request.get("bootstrap"))
            runner.run(request["step"])
            reply: dict[str, Any] = {"ok": True}
        except Exception as exc:
            cause = exc.__cause__ or exc
            text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
            reply = {"ok": False, "error": f"{exc}\n\n{text}"}
        sys.stdout.flush()
        sys.stderr.flush()
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    from cairn.entrypoints.step import _die_with_parent

    parser = argparse.ArgumentParser(prog="python -m cairn.entrypoints.worker")
    parser.add_argument("--in-fd", type=int, required=True)
    parser.add_argument("--out-fd", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, default=None)
    args = parser.parse_args(argv)
    if args.parent_pid is not None:
        _die_with_parent(args.parent_pid)
    with (
        os.fdopen(args.in_fd, "r", encoding="utf-8") as requests,
        os.fdopen(args.out_fd, "w", encoding="utf-8") as replies,
    ):
        serve(requests, replies)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
