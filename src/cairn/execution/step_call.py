"""Helpers of the step runner around the call of the user's function.

Parameters as the function expects them (pydantic models rebuilt from JSON),
splitting its return value into named outputs, and calling it with a timeout.
"""

from __future__ import annotations

import functools
import threading
import types
import typing
from collections.abc import Callable
from contextvars import copy_context
from typing import TYPE_CHECKING, Any

from cairn.exceptions import StepFailedError, StepTimeoutError
from cairn.execution.step_context import StepContext, set_step_context

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import StepSpec

_UNIONS = (typing.Union, types.UnionType)


@functools.lru_cache(maxsize=1024)
def model_parameters(func: Callable[..., Any]) -> dict[str, Any]:
    """Arguments of ``func`` annotated with a pydantic model class."""
    if not getattr(func, "__annotations__", None):
        return {}
    from pydantic import BaseModel

    try:
        hints = typing.get_type_hints(func)
    except Exception:
        return {}
    models: dict[str, Any] = {}
    for name, hint in hints.items():
        members = typing.get_args(hint) if typing.get_origin(hint) in _UNIONS else (hint,)
        for member in members:
            if isinstance(member, type) and issubclass(member, BaseModel):
                models[name] = member
                break
    return models


def describe_exception(exc: BaseException) -> str:
    """``Type: message``, with a sentence where the message is empty or unclear."""
    if isinstance(exc, SystemExit):
        return f"the step called sys.exit({exc.code!r}), which a step must not do"
    if isinstance(exc, KeyboardInterrupt) and not str(exc):
        return "KeyboardInterrupt raised inside the step's code"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else f"{type(exc).__name__} (no message)"


def failed(step_name: str, exc: BaseException) -> StepFailedError:
    return StepFailedError(step_name, f"Step '{step_name}' failed: {describe_exception(exc)}")


def split_outputs(step: StepSpec, result: Any) -> dict[str, Any]:
    names = list(step.outputs)
    if not names:
        return {}
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, tuple | list) or len(result) != len(names):
        got = f"{len(result)} values" if isinstance(result, tuple | list) else "one value"
        raise StepFailedError(
            step.name,
            f"Step '{step.name}' declares {len(names)} outputs ({', '.join(names)}) but "
            f"returned {got}.",
        )
    return dict(zip(names, result, strict=True))


def call_with_timeout(
    step: StepSpec, func: Callable[..., Any], kwargs: dict[str, Any], context: StepContext
) -> Any:
    """Call ``func`` in a daemon thread and wait at most ``step.timeout`` seconds."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        set_step_context(context)
        try:
            outcome["value"] = func(**kwargs)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(
        target=copy_context().run, args=(target,), name=f"cairn-step-{step.name}", daemon=True
    )
    thread.start()
    thread.join(step.timeout)
    if thread.is_alive():
        raise StepTimeoutError(
            step.name,
            f"Step '{step.name}' ran longer than its timeout of {step.timeout:g} s; it was "
            "marked failed (the thread running it cannot be stopped and is left to finish).",
        )
    if "error" in outcome:
        raise failed(step.name, outcome["error"]) from outcome["error"]
    return outcome.get("value")
