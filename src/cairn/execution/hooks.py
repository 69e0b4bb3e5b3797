"""Run hooks: user functions called when a step or a run starts, fails, succeeds or ends.

A hook is given to ``@step(...)`` or ``@pipeline(...)`` as a function or as an
import path (``"my_package.alerts:on_failure"``) and stored in the
:class:`~cairn.models.pipeline_spec.PipelineSpec` by import path, so a step
running in another process finds it. A hook takes no argument, or one: the
exception (``None`` for ``on_start`` and ``on_success``). Inside a hook,
:func:`get_hook_context` tells which run, step and exception it is about.

A hook that raises is logged and ignored: it never changes the status of the
step or the run. Step hooks run in the step's process, around the step's
execution (not for cached steps); pipeline hooks run once per run, in the
process that orchestrates it. ``on_failure`` / ``on_success`` run before ``on_end``.

Example:
    >>> from cairn import get_hook_context, pipeline, step
    >>> def alert(exception: BaseException) -> None:
    ...     context = get_hook_context()
    ...     print(f"{context.run.name}: {context.step_name} failed: {exception}")
    >>> @step(on_failure=alert)
    ... def train() -> float:
    ...     raise ValueError("no data")
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import sys
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from cairn.enums import ExecutionStatus
from cairn.exceptions import (
    CairnUserError,
    PipelineDefinitionError,
    PipelineRunFailedError,
    StepFailedError,
)
from cairn.execution.sources import MAIN_ALIAS, module_from_file
from cairn.models.pipeline_spec import HOOK_EVENTS, HookSpec
from cairn.stack.source_utils import ensure_source_root, split_source

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.models.run_records import RunRecord, StepRunRecord
    from cairn.stack.stack import Stack

logger = logging.getLogger("cairn.hooks")

#: The error recorded on steps a failed run left unfinished (they did not fail themselves).
UNFINISHED_STEP_ERROR = "the run failed before this step ended"

#: What ``@step(on_failure=...)`` and the others accept.
HookOption = Callable[..., Any] | str | None

_CONTEXT: ContextVar[HookContext | None] = ContextVar("cairn_hook_context", default=None)


class HookContext:
    """What a running hook is about.

    The run's and the step run's records are read from the metadata store when a
    hook first asks for them, so a hook that does not look costs no query.

    Attributes:
        event: ``on_start``, ``on_failure``, ``on_success`` or ``on_end``.
        pipeline_name: the pipeline's name.
        step_name: the step's name for a step hook, ``None`` for a pipeline hook.
        exception: what made the step or run fail, ``None`` if it did not.
        stack: the stack the run uses.
    """

    def __init__(
        self,
        event: str,
        pipeline_name: str,
        run: RunRecord | Callable[[], RunRecord],
        step: StepRunRecord | Callable[[], StepRunRecord] | None,
        exception: BaseException | None,
        stack: Stack,
        step_name: str | None = None,
    ) -> None:
        self.event = event
        self.pipeline_name = pipeline_name
        self.exception = exception
        self.stack = stack
        self._run = run
        self._step = step
        if step_name is None and step is not None and not callable(step):
            step_name = step.name
        self.step_name = step_name

    @property
    def run(self) -> RunRecord:
        """The run's record, as the metadata store has it when first asked."""
        if callable(self._run):
            self._run = self._run()
        return self._run

    @property
    def step(self) -> StepRunRecord | None:
        """The step run's record (read when first asked); ``None`` for a pipeline hook."""
        if callable(self._step):
            self._step = self._step()
        return self._step

    def with_event(self, event: str) -> HookContext:
        """The same context for another event (records already read are shared)."""
        return HookContext(event, self.pipeline_name, self._run, self._step, self.exception,
                           self.stack, self.step_name)  # fmt: skip


def get_hook_context() -> HookContext:
    """The context of the hook running in this thread.

    Raises:
        CairnUserError: when called outside a hook.
    """
    context = _CONTEXT.get()
    if context is None:
        raise CairnUserError("get_hook_context() works only inside a run hook.")
    return context


# ---------------------------------------------------------------- definition
def hook_specs(owner: str, location: str, **hooks: HookOption) -> dict[str, HookSpec]:
    """The hooks given to ``@step``/``@pipeline`` as specs, by event (unset ones left out).

    Raises:
        PipelineDefinitionError: a hook that another process could not import, or
            that takes more than one argument, naming ``owner`` and ``location``.
    """
    specs: dict[str, HookSpec] = {}
    for event, value in hooks.items():
        if event not in HOOK_EVENTS:
            raise PipelineDefinitionError(f"{location}: unknown hook '{event}' of {owner}.")
        if value is not None:
            specs[event] = _hook_spec(value, f"{location}: {event} hook of {owner}")
    return specs


def _hook_spec(value: Callable[..., Any] | str, where: str) -> HookSpec:
    if isinstance(value, str):
        try:
            func = _load(HookSpec(source=value))
        except Exception as exc:
            raise PipelineDefinitionError(
                f"{where}: cannot import '{value}': {type(exc).__name__}: {exc}."
            ) from exc
        source, source_file = value, None
    elif callable(value):
        func = value
        module = getattr(func, "__module__", None)
        qualname = getattr(func, "__qualname__", None)
        if not module or not qualname or "<" in qualname:
            raise PipelineDefinitionError(
                f"{where}: {value!r} cannot be imported by another process; define the hook "
                "as a function at module level (or give its import path)."
            )
        source, source_file = f"{module}:{qualname}", _file_of(func)
    else:
        raise PipelineDefinitionError(
            f"{where}: expected a function or an import path, got {type(value).__name__}."
        )
    _check_arity(func, where)
    return HookSpec(source=source, source_file=source_file)


def _file_of(func: Callable[..., Any]) -> str | None:
    code = getattr(func, "__code__", None)
    if code is not None and not code.co_filename.startswith("<"):
        return str(code.co_filename)
    return None


def _check_arity(func: Callable[..., Any], where: str) -> None:
    if not callable(func):
        raise PipelineDefinitionError(f"{where}: {func!r} is not callable.")
    if _takes_exception(func) is None:
        raise PipelineDefinitionError(
            f"{where}: a hook takes no argument or one (the exception); "
            f"{getattr(func, '__qualname__', func)!r} needs more."
        )


def _takes_exception(func: Callable[..., Any]) -> bool | None:
    """Whether to pass the exception (``None``: the function cannot be called so)."""
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    required = [p for p in positional if p.default is p.empty and p.kind != p.VAR_POSITIONAL]
    others = [p for p in parameters if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
    if len(required) > 1 or others:
        return None
    return bool(positional)


# ---------------------------------------------------------------- calling
def _load(hook: HookSpec) -> Callable[..., Any]:
    """The hook's function: from the loaded module if it has it, else imported (or by file)."""
    module_name, qualname = split_source(hook.source)
    module = sys.modules.get(module_name)
    if module is None or not _has(module, qualname):
        if module_name == "__main__":
            if not hook.source_file:
                raise PipelineDefinitionError(f"Hook {hook.source} has no file to import it from.")
            module = module_from_file(MAIN_ALIAS, hook.source_file)
        else:
            ensure_source_root()
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                if hook.source_file is None:
                    raise
                module = module_from_file(module_name, hook.source_file)
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return getattr(obj, "entrypoint", obj)  # type: ignore[no-any-return]


def _has(module: Any, qualname: str) -> bool:
    obj = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def call_hook(hook: HookSpec, context: HookContext) -> None:
    """Call one hook with ``context`` current; log (never raise) what goes wrong."""
    token = _CONTEXT.set(context)
    try:
        func = _load(hook)
        if _takes_exception(func):
            func(context.exception)
        else:
            func()
    except Exception:
        is_step = context.step_name is not None
        where = f"step '{context.step_name}'" if is_step else f"run '{_run_name(context)}'"
        logger.warning(
            "%s hook %s of %s raised; the %s's status is unchanged.",
            context.event,
            hook.source,
            where,
            "step" if is_step else "run",
            exc_info=True,
        )
    finally:
        _CONTEXT.reset(token)


def _run_name(context: HookContext) -> str:
    try:
        return context.run.name
    except Exception:  # the store cannot be read: name the pipeline instead
        return f"of pipeline {context.pipeline_name}"


def call_end_hooks(hooks: Mapping[str, HookSpec], context: HookContext) -> None:
    """``on_failure`` or ``on_success`` (whichever applies), then ``on_end``."""
    outcome = "on_failure" if context.exception is not None else "on_success"
    for event in (outcome, "on_end"):
        hook = hooks.get(event)
        if hook is not None:
            call_hook(hook, context.with_event(event))


def user_exception(error: BaseException) -> BaseException:
    """The exception the user's code raised, behind Cairn's wrappers (if it is there)."""
    seen = 0
    while seen < 10:
        cause = error.__cause__
        wrapper = isinstance(error, StepFailedError | PipelineRunFailedError)
        if cause is None or not wrapper:
            return error
        error, seen = cause, seen + 1
    return error


# ---------------------------------------------------------------- pipeline runs
def run_start_hooks(deployment: PipelineDeployment, stack: Stack) -> None:
    """The pipeline's ``on_start`` hook, if it has one (the run is recorded, no step ran)."""
    hook = deployment.pipeline.hooks.get("on_start")
    if hook is not None:
        run = functools.partial(stack.metadata_store.get_run, deployment.run_id)
        call_hook(hook, HookContext("on_start", deployment.pipeline.name, run, None, None, stack))


def end_of_run(deployment: PipelineDeployment, stack: Stack, error: BaseException | None) -> None:
    """After the run's final status is stored: pipeline end hooks, then the stack's alerter.

    Nothing here raises: hooks and alerts never change the run's status.
    """
    alerter = stack.alerter
    wanted = alerter is not None and (
        alerter.notify_on_failure if error is not None else alerter.notify_on_success
    )
    if not deployment.pipeline.hooks and not wanted:
        return
    try:
        run = stack.metadata_store.get_run(deployment.run_id)
    except Exception:
        logger.warning("cannot read run '%s' for its end hooks", deployment.run_name, exc_info=True)
        return
    if deployment.pipeline.hooks:
        cause = None if error is None else user_exception(error)
        context = HookContext("on_end", deployment.pipeline.name, run, None, cause, stack)
        call_end_hooks(deployment.pipeline.hooks, context)
    if wanted and alerter is not None:
        try:
            alerter.post(run_alert(stack, run, error))
        except Exception:
            logger.warning("alerter '%s' could not post the run alert", alerter.name, exc_info=True)


def run_alert(stack: Stack, run: RunRecord, error: BaseException | None) -> str:
    """The message posted by ``notify_on_failure`` / ``notify_on_success``."""
    where = f"Pipeline '{run.pipeline_name}' run '{run.name}'"
    if error is None:
        took = f" in {run.duration:.1f}s" if run.duration is not None else ""
        return f"{where} completed{took}."
    failed = [
        s
        for s in stack.metadata_store.get_step_runs(run.id)
        if s.status == ExecutionStatus.FAILED and s.error != UNFINISHED_STEP_ERROR
    ]
    step = f" in step '{failed[0].name}'" if failed else ""
    text = (failed[0].error if failed else None) or run.error or str(error)
    return (
        f"{where} failed{step}: {_last_line(text)}\n"
        f"See more: cairn pipeline runs describe {run.name}"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"
