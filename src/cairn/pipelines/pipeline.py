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

import copy
import inspect
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

from cairn.exceptions import ConfigurationError, PipelineDefinitionError, RunCancelledError
from cairn.execution.import_guard import check_run_allowed
from cairn.models.names import MAX_RUN_NAME_LENGTH, check_name, name_of
from cairn.models.pipeline_spec import HOOK_EVENTS
from cairn.pipelines import unrun
from cairn.steps.base_step import BaseStep, check_parameter
from cairn.steps.step_signature import definition_location
from cairn.steps.tracing import PipelineTracer, caller_location, current_tracer, tracing

if TYPE_CHECKING:
    from cairn.client import RunView
    from cairn.execution.hooks import HookOption
    from cairn.models.pipeline_spec import HookSpec, PipelineSpec
    from cairn.models.schedule import Schedule, ScheduleRecord
    from cairn.stack.stack import Stack

#: Keyword arguments of ``run()`` that Cairn handles itself (the rest go to components).
CAIRN_RUN_OPTIONS = ("run_name", "enable_cache", "schedule")
#: ``settings`` keys of ZenML configurations that Cairn accepts and does not use.
IGNORED_SETTINGS = ("docker", "resources")


class Pipeline:
    """A pipeline: a function that calls steps. Call it with parameters to configure it.

    Args:
        func: the pipeline function.
        name: the pipeline's name (default: the function's name).
        enable_cache: the default for its steps (see ``docs/pipelines.md``).
        on_start, on_failure, on_success, on_end: run hooks, called once per run (a
            function or an import path; see :mod:`cairn.execution.hooks`).
        model: a :class:`cairn.Model`: each run creates (or uses) a version of it.
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
        model: Any = None,
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
        self.model = model
        #: run options set by :meth:`with_options` (used by ``run()`` unless it overrides them).
        self.run_options: dict[str, Any] = {}
        #: default parameters (from a configuration file's ``parameters``).
        self.default_parameters: dict[str, Any] = {}
        #: parameter overrides per step (from a configuration file's ``steps``).
        self.step_parameters: dict[str, dict[str, Any]] = {}

    @property
    def source(self) -> str:
        """Import path of the pipeline function."""
        return f"{self.entrypoint.__module__}:{self.entrypoint.__qualname__}"

    def __call__(self, *args: Any, **kwargs: Any) -> ConfiguredPipeline:
        """Bind pipeline parameters: ``training(lr=0.05)``.

        Called inside another pipeline's function, it adds its steps to that
        pipeline instead (composition) and returns what its function returns.

        Raises:
            PipelineDefinitionError: unknown or invalid parameters, at the caller's line.
        """
        location = caller_location()
        if current_tracer() is not None:
            return self.entrypoint(*args, **kwargs)  # type: ignore[no-any-return]
        signature = inspect.signature(self.entrypoint)
        defaults = {k: v for k, v in self.default_parameters.items() if k in signature.parameters}
        if args:
            names = list(signature.parameters)[: len(args)]
            defaults = {k: v for k, v in defaults.items() if k not in names}
        kwargs = {**defaults, **kwargs}
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
        return ConfiguredPipeline(self, dict(bound.arguments), parameters, location)

    def run(self, **options: Any) -> RunView:
        """Run with default parameters (shortcut for ``pipeline().run(**options)``).

        With ``schedule=...`` it returns the schedule's record instead (see
        :meth:`ConfiguredPipeline.run`).
        """
        result: RunView = self().run(**options)
        return result

    def with_options(
        self,
        *,
        config_path: str | None = None,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        settings: Mapping[str, Any] | None = None,
        model: Any = None,
        schedule: Any = None,
        **runtime_options: Any,
    ) -> Pipeline:
        """A copy of this pipeline with run options set (ZenML's ``with_options``).

        Args:
            config_path: a run configuration file (the format ``cairn pipeline run -c``
                reads): its parameters become defaults, its other keys run options.
            run_name: the run name (placeholders ``{{date}}``, ``{{time}}`` allowed).
            enable_cache: overrides the steps' settings.
            settings: ZenML settings; ``docker`` and ``resources`` are accepted and not
                used (Cairn's orchestrators run steps in this Python environment).
            model: a :class:`cairn.Model` replacing the pipeline's.
            schedule: passed to orchestrators that schedule runs.
            **runtime_options: ``on_start``, ``on_failure``, ``on_success``, ``on_end``
                replace those hooks of the pipeline; any other key is passed to the stack
                components (each must declare it).

        Explicit arguments win over the file; ``run(...)`` arguments win over both.
        """
        from cairn.execution.model import Model

        clone = copy.copy(self)
        clone.run_options = dict(self.run_options)
        clone.default_parameters = dict(self.default_parameters)
        clone.step_parameters = {k: dict(v) for k, v in self.step_parameters.items()}
        if config_path is not None:
            from cairn.pipelines.run_file import load_config

            config = load_config(config_path)
            clone.default_parameters.update(config.get("parameters") or {})
            for step, values in (config.get("steps") or {}).items():
                clone.step_parameters.setdefault(step, {}).update(values.get("parameters") or {})
            for key in ("run_name", "enable_cache", "schedule"):
                if config.get(key) is not None:
                    clone.run_options[key] = config[key]
            clone.run_options.update(config.get("runtime_options") or {})
            if config.get("model") is not None:
                clone.model = Model.from_config(config["model"])
            check_settings(config.get("settings"), str(config_path))
        check_settings(settings, "with_options(settings=...)")
        given = {"run_name": run_name, "enable_cache": enable_cache, "schedule": schedule}
        clone.run_options.update({k: v for k, v in given.items() if v is not None})
        hooks = {e: runtime_options.pop(e) for e in list(runtime_options) if e in HOOK_EVENTS}
        clone.run_options.update(runtime_options)
        if model is not None:
            clone.model = model
        given_hooks = {e: h for e, h in hooks.items() if h is not None}
        if given_hooks:
            from cairn.execution.hooks import hook_specs

            where = definition_location(self.entrypoint)
            specs = hook_specs(f"pipeline '{self.name}'", where, **given_hooks)
            clone.hooks = {**self.hooks, **specs}
        return clone

    @property
    def last_run(self) -> RunView:
        """The newest run of this pipeline (``DoesNotExistError`` if none)."""
        return self._last(None)

    @property
    def last_successful_run(self) -> RunView:
        """The newest completed run of this pipeline (``DoesNotExistError`` if none)."""
        return self._last("completed")

    def _last(self, status: str | None) -> RunView:
        from cairn.client import Client
        from cairn.exceptions import DoesNotExistError

        try:
            runs = Client().list_runs(pipeline=self.name, status=status, limit=1)
        except DoesNotExistError:  # the pipeline was never recorded
            runs = []
        if not runs:
            which = "successful run" if status else "run"
            raise DoesNotExistError(
                f"Pipeline '{self.name}' has no {which} yet: run it with {self.name}().run()."
            )
        return runs[0]

    def __repr__(self) -> str:
        return f"<pipeline '{self.name}' ({self.source})>"


class ConfiguredPipeline:
    """A pipeline with its parameters bound, ready to compile and run."""

    def __init__(
        self,
        pipeline: Pipeline,
        arguments: dict[str, Any],
        parameters: dict[str, Any],
        location: str = "<unknown>",
    ) -> None:
        self.pipeline = pipeline
        self.arguments = arguments
        self.parameters = parameters
        self.location = location
        self._steps: dict[str, BaseStep] = {}
        self._external: dict[str, dict[str, Any]] = {}
        self._step_settings: dict[str, dict[str, Any]] = {}
        self._unrun_token = unrun.configured(pipeline.name, location)

    def with_step_settings(
        self, settings: Mapping[str, Mapping[str, Any]], where: str = "the run configuration"
    ) -> ConfiguredPipeline:
        """This configured pipeline with ``settings`` of some steps (by step name) replaced
        (the run YAML's ``steps.<name>.settings``; checked like ``@step(settings=...)``)."""
        from cairn.steps.base_step import check_step_settings

        for name, values in settings.items():
            self._step_settings[name] = check_step_settings(values, f"{where}, step '{name}'")
        return self

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
        from cairn.models.artifact_config import ExternalArtifact
        from cairn.pipelines.compiler import apply_step_parameters, compile_spec, model_spec
        from cairn.pipelines.pipeline_context import PipelineContext, pipeline_context

        unrun.used(self._unrun_token)
        tracer = PipelineTracer(self.pipeline.name)
        context = PipelineContext(self.name, self.pipeline.model, dict(self.parameters))
        with tracing(tracer), pipeline_context(context):
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
        overrides = {k: dict(v) for k, v in self.pipeline.step_parameters.items()}
        for name, values in (step_parameters or {}).items():
            overrides.setdefault(name, {}).update(values)
        if overrides:
            apply_step_parameters(tracer, overrides)
        spec = compile_spec(
            tracer,
            source=self.pipeline.source,
            parameters=self.parameters,
            enable_cache=self.pipeline.enable_cache,
            hooks=self.pipeline.hooks,
            model=model_spec(self.pipeline.model, definition_location(self.pipeline.entrypoint)),
        )
        if self._step_settings:
            spec = _with_step_settings(spec, self._step_settings)
        self._steps = {name: call.step for name, call in tracer.calls.items()}
        self._external = {
            name: {a: v for a, v in call.external.items() if isinstance(v, ExternalArtifact)}
            for name, call in tracer.calls.items()
            if call.external
        }
        return spec, dict(self._steps)

    @overload
    def run(
        self,
        *,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        schedule: None = None,
        step_parameters: Mapping[str, Mapping[str, Any]] | None = None,
        stack: Stack | None = None,
        **runtime_options: Any,
    ) -> RunView: ...

    @overload
    def run(
        self,
        *,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        schedule: Schedule | Mapping[str, Any],
        step_parameters: Mapping[str, Mapping[str, Any]] | None = None,
        stack: Stack | None = None,
        **runtime_options: Any,
    ) -> ScheduleRecord: ...

    def run(
        self,
        *,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        schedule: Schedule | Mapping[str, Any] | None = None,
        step_parameters: Mapping[str, Mapping[str, Any]] | None = None,
        stack: Stack | None = None,
        **runtime_options: Any,
    ) -> RunView | ScheduleRecord:
        """Run the pipeline on the active stack and return the run's post-execution view.

        With ``schedule`` (a :class:`cairn.Schedule`, or a mapping such as
        ``{"interval": 3600}``, also from ``with_options`` or the run YAML) nothing
        runs now: the schedule is registered and its record returned at once; the
        orchestrator's scheduler starts the runs.

        Args:
            run_name: the run's name (default: ``<pipeline>-<timestamp>-<random>``); for a
                schedule, the prefix of its runs' names.
            stack: run on this stack (for example one built in code with
                ``Stack.from_components``) instead of the active one.
            enable_cache: overrides the step and pipeline settings for this run.
            schedule: when to run (see :class:`cairn.Schedule`).
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
        unrun.used(self._unrun_token)
        options = {**self.pipeline.run_options, **runtime_options}
        given = {"run_name": run_name, "enable_cache": enable_cache, "schedule": schedule}
        options.update({k: v for k, v in given.items() if v is not None})
        run_name = options.pop("run_name", None)
        enable_cache = options.pop("enable_cache", None)
        schedule = options.pop("schedule", None)
        if run_name is not None:
            from cairn.execution.run_names import expand_run_name

            run_name = expand_run_name(str(run_name), self.name)
            check_name("run", run_name, location, MAX_RUN_NAME_LENGTH)
        spec, steps = self._compile(step_parameters)
        if stack is None:
            stack = StackRegistry().get_stack()
        if schedule is not None:  # registered for the orchestrator's scheduler, not run now
            return _register_schedule(spec, stack, schedule, run_name, enable_cache, options,
                                      bool(self._external))  # fmt: skip
        try:
            record = run_pipeline(
                spec,
                live_steps=steps,
                run_name=run_name,
                enable_cache=enable_cache,
                schedule=schedule,
                runtime_options=options,
                stack=stack,
                external_values=self._external,
            )
        except RunCancelledError:
            _one_line_for_cancelled_runs()
            raise
        return RunView(record, Client(stack))

    def __repr__(self) -> str:
        return f"<configured pipeline '{self.name}' {self.parameters}>"


def _register_schedule(
    spec: PipelineSpec,
    stack: Any,
    schedule: Any,
    run_name: str | None,
    enable_cache: bool | None,
    options: dict[str, Any],
    has_external_values: bool,
) -> ScheduleRecord:
    """``run(schedule=...)``: the schedule's record (see :mod:`cairn.execution.schedules`)."""
    from cairn.execution.schedules import schedule_pipeline

    return schedule_pipeline(spec, stack, schedule, run_name=run_name, enable_cache=enable_cache,
                             runtime_options=options,
                             has_external_values=has_external_values)  # fmt: skip


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
    model: Any = None,
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
    model: Any = None,
    on_start: HookOption = None,
    on_failure: HookOption = None,
    on_success: HookOption = None,
    on_end: HookOption = None,
) -> Pipeline | Callable[[Callable[..., Any]], Pipeline]:
    """Make a function a pipeline: ``@pipeline`` or ``@pipeline(name=..., model=...)``."""
    hooks = {"on_start": on_start, "on_failure": on_failure, "on_success": on_success,
             "on_end": on_end}  # fmt: skip
    if func is not None:
        return Pipeline(func, name=name, enable_cache=enable_cache, model=model, **hooks)

    def decorator(f: Callable[..., Any]) -> Pipeline:
        return Pipeline(f, name=name, enable_cache=enable_cache, model=model, **hooks)

    return decorator


def _with_step_settings(
    spec: PipelineSpec, settings: Mapping[str, Mapping[str, Any]]
) -> PipelineSpec:
    unknown = sorted(set(settings) - set(spec.steps))
    if unknown:
        raise PipelineDefinitionError(
            f"Settings for unknown step(s) {', '.join(unknown)} of pipeline '{spec.name}'; "
            f"its steps are: {', '.join(spec.steps)}."
        )
    steps = {
        name: step.model_copy(update={"resources": dict(settings[name].get("resources", {}))})
        if name in settings and "resources" in settings[name]
        else step
        for name, step in spec.steps.items()
    }
    return spec.model_copy(update={"steps": steps})


def check_settings(settings: Any, where: str) -> None:
    """ZenML ``settings``: ``docker`` and ``resources`` are accepted (and unused).

    Raises:
        ConfigurationError: any other key (Cairn has no such setting).
    """
    if not settings:
        return
    if not isinstance(settings, Mapping):
        raise ConfigurationError(f"settings in {where} must be a mapping.")
    unknown = sorted(set(settings) - set(IGNORED_SETTINGS))
    if unknown:
        raise ConfigurationError(
            f"Unknown settings {', '.join(unknown)} in {where}: Cairn accepts "
            f"{', '.join(IGNORED_SETTINGS)} (unused: steps run in this Python environment); "
            "component options go in runtime_options."
        )
