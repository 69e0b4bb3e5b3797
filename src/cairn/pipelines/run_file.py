"""Run a pipeline defined in a Python file, configured by a YAML file (``cairn pipeline run``).

The configuration file may hold::

    parameters: {lr: 0.05}          # pipeline parameters
    steps:
      train:
        parameters: {epochs: 3}     # parameters of one step (by its name in the pipeline)
        settings:                   # settings of one step (see @step(settings=...))
          resources: {num_cpus: 2, num_gpus: 0.5}
    enable_cache: false
    run_name: nightly-1
    schedule: null
    runtime_options:                # passed to the stack components
      runtime_param_1: 3
    model:                          # ZenML's model section: a Model(...) for the run
      name: churn
      version: production
    settings: {docker: {...}}       # accepted for ZenML files; not used by Cairn
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cairn.exceptions import ConfigurationError, PipelineDefinitionError
from cairn.execution.import_guard import exec_module, importing_user_code
from cairn.pipelines.pipeline import Pipeline

if TYPE_CHECKING:
    from cairn.client import RunView

CONFIG_KEYS = (
    "parameters",
    "steps",
    "enable_cache",
    "run_name",
    "schedule",
    "runtime_options",
    "model",
    "settings",
)


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read and check a run configuration file (``{}`` without one).

    Raises:
        ConfigurationError: unreadable YAML, not a mapping, or unknown keys.
    """
    if path is None:
        return {}
    from cairn.config.user_input import load_yaml, read_text_file

    data = load_yaml(read_text_file(path, "run configuration"), str(path)) or {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"The run configuration {path} must be a mapping.")
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigurationError(
            f"Unknown key(s) {', '.join(unknown)} in {path}; allowed: {', '.join(CONFIG_KEYS)}."
        )
    steps = data.get("steps") or {}
    if not isinstance(steps, dict) or not all(
        isinstance(v, dict) and set(v) <= {"parameters", "settings"} for v in steps.values()
    ):
        raise ConfigurationError(
            f"'steps' in {path} must map step names to {{parameters: {{...}}, settings: {{...}}}}."
        )
    return data


def import_pipeline_file(path: str | Path) -> dict[str, Pipeline]:
    """Import a Python file and return the pipelines it defines, by pipeline name.

    The file is imported under a module name made from its file name, so its
    ``if __name__ == "__main__":`` block does not run.
    """
    file = Path(path).resolve()
    if not file.is_file():
        raise ConfigurationError(f"No pipeline file {path}.")
    module_name = re.sub(r"\W", "_", file.stem)
    if str(file.parent) not in sys.path:
        sys.path.insert(0, str(file.parent))
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise ConfigurationError(f"Cannot import {path} as Python code.")
    try:
        with importing_user_code("'cairn pipeline run'"):
            module = exec_module(module_name, spec)
    except SyntaxError as exc:
        raise PipelineDefinitionError(
            f"{exc.filename or file}:{exc.lineno}: syntax error: {exc.msg}."
        ) from exc
    except SystemExit as exc:
        raise PipelineDefinitionError(
            f"{file} called sys.exit({exc.code!r}) while it was imported: put that code under "
            "'if __name__ == \"__main__\":'."
        ) from exc
    except Exception as exc:
        where = _user_frame(exc, file)
        raise PipelineDefinitionError(
            f"{where}: importing the pipeline file raised {type(exc).__name__}: {exc}"
        ) from exc
    return {v.name: v for v in vars(module).values() if isinstance(v, Pipeline)}


def _user_frame(exc: BaseException, file: Path) -> str:
    """``file:line`` of the innermost traceback frame in the user's file."""
    import traceback

    where = str(file)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == str(file):
            where = f"{frame.filename}:{frame.lineno}"
    return where


def choose_pipeline(pipelines: dict[str, Pipeline], name: str | None, path: str) -> Pipeline:
    """The pipeline called ``name``, or the only one in the file."""
    if name is not None:
        if name not in pipelines:
            raise PipelineDefinitionError(
                f"{path} defines no pipeline '{name}'; it defines: "
                f"{', '.join(sorted(pipelines)) or 'none'}."
            )
        return pipelines[name]
    if len(pipelines) != 1:
        raise PipelineDefinitionError(
            f"{path} defines {len(pipelines)} pipelines ({', '.join(sorted(pipelines)) or 'none'})"
            "; choose one with --pipeline NAME."
        )
    return next(iter(pipelines.values()))


def run_pipeline_file(
    path: str | Path, config: str | Path | None = None, pipeline_name: str | None = None
) -> RunView:
    """Import ``path``, configure its pipeline from ``config`` and run it on the active stack."""
    settings = load_config(config)
    chosen = choose_pipeline(import_pipeline_file(path), pipeline_name, str(path))
    if settings.get("model") is not None or settings.get("settings"):
        chosen = chosen.with_options(config_path=str(config))
    configured = chosen(**(settings.get("parameters") or {}))
    step_parameters = {
        name: values.get("parameters") or {}
        for name, values in (settings.get("steps") or {}).items()
    }
    step_settings = {
        name: values["settings"]
        for name, values in (settings.get("steps") or {}).items()
        if values.get("settings")
    }
    if step_settings:
        configured = configured.with_step_settings(step_settings, str(config))
    return configured.run(
        run_name=settings.get("run_name"),
        enable_cache=settings.get("enable_cache"),
        schedule=settings.get("schedule"),
        step_parameters=step_parameters,
        **(settings.get("runtime_options") or {}),
    )
