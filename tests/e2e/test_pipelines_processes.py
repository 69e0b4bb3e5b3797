"""A pipeline script (steps and types in ``__main__``) run in processes mode."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cairn.client import Client
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.stack import StackRegistry

SCRIPT = textwrap.dedent(
    """
    from pydantic import BaseModel
    from cairn import get_step_context, pipeline, step

    class Point(BaseModel):
        x: int
        y: int

    @step
    def make(x: int = 1) -> Point:
        return Point(x=x, y=2 * x)

    @step
    def norm(point: Point, scale: Point = Point(x=1, y=1)) -> int:
        assert isinstance(point, Point) and isinstance(scale, Point)
        assert get_step_context().step_name == "norm"
        return point.x * scale.x + point.y * scale.y

    @pipeline
    def points(x: int = 1) -> None:
        norm(make(x=x), scale=Point(x=10, y=100))

    if __name__ == "__main__":
        print(points(x=3).run(run_name="points").status)
    """
)


@pytest.mark.slow
def test_script_steps_and_types_run_in_child_processes(tmp_path: Path) -> None:
    StackRegistry().update_component(
        StackComponentType.ORCHESTRATOR, "default", {"mode": "processes"}
    )
    script = tmp_path / "points_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "completed"
    run = Client().get_run("points")
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["norm"].outputs["output"].load() == 3 * 10 + 6 * 100
    assert run.steps["norm"].record.parameters == {"scale": {"x": 10, "y": 100}}
