"""Orchestrators: run the steps of a pipeline in dependency order."""

from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher
from cairn.orchestrators.local_orchestrator import LocalOrchestrator

__all__ = ["BaseOrchestrator", "LocalOrchestrator", "StepLauncher"]
