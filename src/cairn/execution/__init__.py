"""Execution: the one step runner, caching and the run sequence shared by every orchestrator.

Modules: :mod:`~cairn.execution.step_runner` (runs one step),
:mod:`~cairn.execution.cache` (cache key and ``enable_cache`` precedence),
:mod:`~cairn.execution.pipeline_runner` (the run sequence),
:mod:`~cairn.execution.launcher` (the ``StepLauncher`` given to orchestrators) and
:mod:`~cairn.execution.step_context` (``get_step_context`` / ``log_metadata``).
"""

from cairn.execution.step_context import StepContext, get_step_context, log_metadata

__all__ = ["StepContext", "get_step_context", "log_metadata"]
