"""Execution: the one step runner, caching and the run sequence shared by every orchestrator."""

from cairn.execution.cache import cache_key, cache_setting
from cairn.execution.step_context import StepContext, get_step_context, log_metadata

__all__ = ["StepContext", "cache_key", "cache_setting", "get_step_context", "log_metadata"]
