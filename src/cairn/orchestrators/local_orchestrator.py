"""The ``local`` orchestrator: runs steps on this machine, independent steps in parallel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.stack.stack import Stack


class LocalOrchestrator(BaseOrchestrator):
    """Runs the steps of a pipeline on this machine.

    Attributes:
        max_parallelism: how many steps may run at once (default: 8).
        mode: ``threads`` runs steps in threads of this process; ``processes`` runs
            each step in its own Python process (isolation, true CPU parallelism).
    """

    FLAVOR: ClassVar[str] = "local"

    max_parallelism: int = Field(default=8, ge=1, le=256)
    mode: Literal["threads", "processes"] = "threads"

    def prepare_or_run_pipeline(
        self,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
    ) -> Any:
        raise NotImplementedError("the local orchestrator's scheduler lands with issue 3")
