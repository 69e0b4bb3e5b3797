"""``@pipeline``: trace a function calling steps into a DAG, then run it on the active stack.

Example:
    >>> from cairn import pipeline, step
    >>> @step
    ... def load() -> int:
    ...     return 3
    >>> @step
    ... def double(x: int, factor: int = 2) -> int:
    ...     return x * factor
    >>> @pipeline
    ... def numbers(factor: int = 2):
    ...     double(load(), factor=factor)
    >>> run = numbers(factor=3).run(run_name="numbers-1")  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

from cairn.exceptions import PipelineDefinitionError, RunCancelledError
from cairn.execution.import_guard import check_run_allowed
from cairn.models.names import MAX_RUN_NAME_LENGTH, check_name, name_of
from cairn.steps.base_step import BaseStep, check_parameter
from cairn.steps.step_signature import definition_location
from cairn.steps.tracing import PipelineTracer, caller_location, tracing

if TYPE_CHECKING:
    from cairn.client import RunView
    from cairn.execution.hooks import HookOption
    from cairn.models.pipeline_spec import HookSpec, PipelineSpec

#: Keyword arguments of ``run()`` that Cairn handles itself (the rest go to components).
CAIRN_RUN_OPTIONS = ("run_name", "enable_cache", "schedule")


class Pipeline:
    """A pipeline: a function that calls steps. Call it with parameters to configure it.

    Args:
        func: the pipeline function.
        name: the pipeline's name (default: the function's name).
        enable_cache: the default for its steps (see ``docs/pipelines.md``).
        on_start, on_failure, on_success, on_end: run hooks, called once per run (a
            function or an import path; see :mod:`cairn.execution.hooks`).
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool | None = None,
        on_start: HookOption = None,
        on_failure: HookOption = None,
        on_success: HookOption = None,
        on_end: HookOption = None,
    ) -> None:
        self.entrypoint = func
        self.name = check_name(
            "pipeline",
            name if name is not None else name_of(func, "pipeline"),
            definition_location(func),
        )
        self.enable_cache = enable_cache
        self.hooks: dict[str, HookSpec] = {}
        hooks = {"on_start": on_start, "on_failure": on_failure, "on_success": on_success,
                 "on_end": on_end}  # fmt: skip
        given = {event: value for event, value in hooks.items() if value is not None}
        if given:
            from cairn.execution.hooks import hook_specs

            where = definition_location(func)
            self.hooks = hook_specs(f"pipeline '{self.name}'", where, **given)

    @property
    def source(self) -> str:
        """Import path of the pipeline function."""
        return f"{self.entrypoint.__module__}:{self.entrypoint.__qualname__}"

    def __call__(self, *args: Any, **kwargs: Any) -> ConfiguredPipeline:
        """Bind pipeline parameters: ``training(lr=0.05)``.

        Raises:
            PipelineDefinitionError: unknown or invalid parameters, at the caller's line.
        """
        location = caller_location()
        signature = inspect.signature(self.entrypoint)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            accepted = ", ".join(signature.parameters) or "none"
            raise PipelineDefinitionError(
                f"{location}: cannot configure pipeline '{self.name}': {exc} "
                f"(its parameters: {accepted})."
            ) from exc
        bound.apply_defaults()
        parameters = {
            key: check_parameter(self.name, key, value, Any, location)
            for key, value in bound.arguments.items()
        }
        return ConfiguredPipeline(self, dict(bound.arguments), parameters)

    def run(self, **options: Any) -> RunView:
        """Run with default parameters (shortcut for ``pipeline().run(**options)``)."""
        return self().run(**options)

    def __repr__(self) -> str:
        return f"<pipeline '{self.name}' ({self.source})>"


class ConfiguredPipeline:
    """A pipeline with its parameters bound, ready to compile and run."""

    def __init__(
        self, pipeline: Pipeline, arguments: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        self.pipeline = pipeline
        self.arguments = arguments
        self.parameters = parameters
        self._steps: dict[str, BaseStep] = {}

    @property
    def name(self) -> str:
        return self.pipeline.name

    @property
    def steps(self) -> dict[str, BaseStep]:
        """The live step objects of the last compilation, by step name."""
        return dict(self._steps)

    def compile(
        self, step_parameters: Mapping[str, Mapping[str, Any]] | None = None
    ) -> PipelineSpec:
        """Trace the pipeline function and compile it into a validated spec.

        Args:
            step_parameters: parameter overrides per step name (from a config file).

        Raises:
            PipelineDefinitionError: any mistake in the pipeline or its steps.
        """
        return self._compile(step_parameters)[0]

    def _compile(
        self, step_parameters: Mapping[str, Mapping[str, Any]] | None
    ) -> tuple[PipelineSpec, dict[str, BaseStep]]:
        """The spec and the step objects of its step calls, by step name."""
        from cairn.pipelines.compiler import apply_step_parameters, compile_spec

        tracer = PipelineTracer(self.pipeline.name)
        with tracing(tracer):
            try:
                self.pipeline.entrypoint(**self.arguments)
            except PipelineDefinitionError:
                raise
            except Exception as exc:
                where = definition_location(self.pipeline.entrypoint)
                raise PipelineDefinitionError(
                    f"{where}: pipeline '{self.name}' raised while it was traced: "
                    f"{type(exc).__name__}: {exc}. A pipeline function only calls steps; "
                    "work on data belongs inside steps."
                ) from exc
        if step_parameters:
            apply_step_parameters(tracer, step_parameters)
        spec = compile_spec(
            tracer,
            source=self.pipeline.source,
            parameters=self.parameters,
            enable_cache=self.pipeline.enable_cache,
            hooks=self.pipeline.hooks,
        )
        self._steps = {name: call.step for name, call in tracer.calls.items()}
        return spec, dict(self._steps)

    def run(
        self,
        *,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        schedule: Any = None,
        step_parameters: Mapping[str, Mapping[str, Any]] | None = None,
        **runtime_options: Any,
    ) -> RunView:
        """Run the pipeline on the active stack and return the run's post-execution view.

        Args:
            run_name: the run's name (default: ``<pipeline>-<timestamp>-<random>``).
            enable_cache: overrides the step and pipeline settings for this run.
            schedule: passed to orchestrators that schedule runs.
            step_parameters: parameter overrides per step name.
            **runtime_options: passed to ``prepare_pipeline_deployment`` of every stack
                component; each key must be declared by one of them.

        Raises:
            PipelineDefinitionError: the pipeline is defined incorrectly.
            ConfigurationError: an unknown runtime option.
            PipelineRunFailedError: a step failed (the run is recorded as failed).
        """
        from cairn.client import Client, RunView
        from cairn.execution.pipeline_runner import run_pipeline
        from cairn.stack.registry import StackRegistry

        location = caller_location()
        check_run_allowed(self.name, location)
        if run_name is not None:
            check_name("run", run_name, location, MAX_RUN_NAME_LENGTH)
        spec, steps = self._compile(step_parameters)
        stack = StackRegistry().get_stack()
        try:
            record = run_pipeline(
                spec,
                live_steps=steps,
                run_name=run_name,
                enable_cache=enable_cache,
                schedule=schedule,
                runtime_options=runtime_options,
                stack=stack,
            )
        except RunCancelledError:
            _one_line_for_cancelled_runs()
            raise
        return RunView(record, Client(stack))

    def __repr__(self) -> str:
        return f"<configured pipeline '{self.name}' {self.parameters}>"


def _one_line_for_cancelled_runs() -> None:
    """If the cancellation reaches the top of the script, print one line, no traceback."""
    previous = sys.excepthook
    if getattr(previous, "_cairn_cancel_hook", False):
        return

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        if isinstance(value, RunCancelledError):
            print(f"cairn: {value}", file=sys.stderr)
            return
        previous(kind, value, tb)

    hook._cairn_cancel_hook = True  # type: ignore[attr-defined]
    sys.excepthook = hook


@overload
def pipeline(func: Callable[..., Any], /) -> Pipeline: ...


@overload
def pipeline(
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    on_start: HookOption = None,
    on_failure: HookOption = None,
    on_success: HookOption = None,
    on_end: HookOption = None,
) -> Callable[[Callable[..., Any]], Pipeline]: ...


def pipeline(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    on_start: HookOption = None,
    on_failure: HookOption = None,
    on_success: HookOption = None,
    on_end: HookOption = None,
) -> Pipeline | Callable[[Callable[..., Any]], Pipeline]:
    """Make a function a pipeline: ``@pipeline`` or ``@pipeline(name=..., on_failure=...)``."""
    hooks = {"on_start": on_start, "on_failure": on_failure, "on_success": on_success,
             "on_end": on_end}  # fmt: skip
    if func is not None:
        return Pipeline(func, name=name, enable_cache=enable_cache, **hooks)

    def decorator(f: Callable[..., Any]) -> Pipeline:
        return Pipeline(f, name=name, enable_cache=enable_cache, **hooks)

    return decorator
