"""The ``local_process`` step operator runs one step in a fresh process, also of another venv."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.exceptions import ConfigurationError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.orchestrators import LocalOrchestrator
from cairn.pipelines.run_file import choose_pipeline, import_pipeline_file
from cairn.stack.stack import Stack
from cairn.step_operators import LocalProcessStepOperator

PIPELINE = textwrap.dedent(
    """
    import sys
    from cairn import pipeline, step

    @step(step_operator="other-venv")
    def where() -> str:
        return sys.prefix

    @step
    def here(prefix: str) -> str:
        return prefix + " | " + sys.prefix

    @pipeline(enable_cache=False)
    def two_envs() -> None:
        here(where())
    """
)


def _second_venv(folder: Path) -> Path:
    """A virtualenv that sees this one's packages (Cairn included) through a .pth file."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    site = folder / "lib" / version / "site-packages"
    ours = sysconfig.get_paths()["purelib"]
    (site / "parent-env.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return folder / "bin" / "python"


@pytest.mark.slow
def test_a_step_runs_in_a_second_virtualenv(tmp_path: Path) -> None:
    python = _second_venv(tmp_path / "other-venv")
    script = tmp_path / "two_envs.py"
    script.write_text(PIPELINE)
    stack = Stack.from_components("two", [
        LocalOrchestrator(name="local"),
        LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
        LocalProcessStepOperator(name="other-venv", python=str(python)),
    ])  # fmt: skip
    configured = choose_pipeline(import_pipeline_file(script), None, str(script))()
    run = configured.run(stack=stack, run_name="two-envs")
    outside, inside = run.steps["here"].outputs["output"].load().split(" | ")
    assert Path(outside) == tmp_path / "other-venv"
    assert Path(inside) == Path(sys.prefix)


def test_an_interpreter_that_is_not_there_is_refused_at_registration(tmp_path: Path) -> None:
    operator = LocalProcessStepOperator(name="x", python=str(tmp_path / "nope" / "python"))
    with pytest.raises(ConfigurationError, match="is not an executable file"):
        operator.check_local_paths()
