"""The ``local_process`` step operator: one step in a fresh Python process on this machine.

For a step whose dependencies conflict with the rest of the pipeline: with
``python`` set to another virtualenv's interpreter, the step runs there (that
virtualenv needs the same Cairn version and the step's own packages; the step
entrypoint says so before running anything if the versions differ). The step
runs through the shared step runner, reading the run's deployment like any
worker; the process ends with the orchestrator's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

from cairn.exceptions import ConfigurationError, StepFailedError
from cairn.step_operators.base_step_operator import BaseStepOperator

_STDERR_TAIL = 4000


class LocalProcessStepOperator(BaseStepOperator):
    """Runs a step in a fresh Python process, optionally of another virtualenv.

    Attributes:
        python: the Python interpreter to run the step with (for example
            ``/opt/envs/legacy/bin/python``); default: the one running the pipeline.
    """

    FLAVOR: ClassVar[str] = "local_process"

    python: str | None = None

    def check_local_paths(self) -> None:
        """The interpreter must exist and be executable.

        Raises:
            ConfigurationError: naming the path.
        """
        super().check_local_paths()
        if self.python is None:
            return
        path = Path(self.python).expanduser()
        if not path.is_file() or not os.access(path, os.X_OK):
            raise ConfigurationError(
                f"The python of step operator '{self.name}' ({self.python}) is not an "
                "executable file: give the interpreter of a virtualenv, e.g. ENV/bin/python."
            )

    def launch(self, step_name: str, command: list[str], environment: dict[str, str]) -> None:
        """Run the step's command in a new process and wait for it.

        Raises:
            StepFailedError: the process failed (with the end of its stderr).
        """
        argv = list(command)
        if self.python is not None:
            argv[0] = str(Path(self.python).expanduser())
        argv += ["--parent-pid", str(os.getpid())]
        with subprocess.Popen(argv, env=environment, stderr=subprocess.PIPE, text=True) as child:
            _, stderr = child.communicate()
        if stderr:
            sys.stderr.write(stderr)
        if child.returncode != 0:
            raise StepFailedError(
                step_name,
                f"Step '{step_name}' failed in its process (exit code {child.returncode}):\n"
                f"{(stderr or '')[-_STDERR_TAIL:]}",
            )
