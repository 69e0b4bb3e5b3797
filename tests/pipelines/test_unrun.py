"""A configured pipeline that is never run is reported when the process ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from cairn.pipelines import unrun

SCRIPT = """
from cairn import pipeline, step

@step
def hello() -> int:
    return 1

@pipeline
def greet(n: int = 1):
    hello()

greet(n=2)            # ZenML style: this ran the pipeline; in Cairn it only configures
done = greet()
done.compile()        # compiled (or run): not reported
"""


def test_the_process_prints_one_line_naming_the_pipeline_file_line_and_fix(
    tmp_path: Path,
) -> None:
    script = tmp_path / "zenml_style.py"
    script.write_text(textwrap.dedent(SCRIPT))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("cairn:")]
    assert lines == [
        f"cairn: pipeline 'greet' was configured at {script}:12 but never run; call .run() on "
        "it: greet(...).run() (see docs/porting-from-zenml.md)."
    ]


def test_run_and_compile_forget_the_pipeline() -> None:
    token = unrun.configured("p", "f.py:1")
    assert ("p", "f.py:1") in unrun.pending()
    unrun.used(token)
    assert ("p", "f.py:1") not in unrun.pending()


def test_a_step_process_reports_nothing(tmp_path: Path) -> None:
    script = tmp_path / "step_process.py"
    script.write_text(
        textwrap.dedent(SCRIPT) + "\nfrom cairn.pipelines import unrun\nunrun.disable()\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert "never run" not in result.stderr
