"""The post-execution client: pipelines -> runs -> steps -> artifacts.

Example:
    >>> from cairn.client import Client
    >>> client = Client()                       # the active stack's stores
    >>> run = client.get_pipeline("training").runs[-1]
    >>> model = run.steps["train"].outputs["model"].load()
    >>> [r.name for r in client.list_runs(status="failed", limit=10)]

The CLI's ``cairn pipeline`` commands are thin wrappers over it:
``pipeline list`` -> :meth:`Client.list_pipelines`; ``pipeline runs list`` ->
:meth:`Client.list_runs` (``--pipeline``, ``--status``, ``--limit``/``--offset``;
``RunView.to_dict(with_steps=False)`` for ``--output json``); ``pipeline runs
describe RUN`` -> ``Client.get_run(RUN).to_dict()``; ``pipeline runs delete RUN``
-> :meth:`Client.delete_run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cairn.client.views import ArtifactView, PipelineView, RunView
from cairn.enums import ExecutionStatus

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.stack.stack import Stack


class Client:
    """Reads what pipeline runs recorded.

    Args:
        stack: the stack whose stores to read; by default the active stack (read on
            first use, so creating a client is free).
        metadata_store: use this metadata store instead of the stack's.
        artifact_store: use this artifact store instead of the stack's.
    """

    def __init__(
        self,
        stack: Stack | None = None,
        *,
        metadata_store: BaseMetadataStore | None = None,
        artifact_store: BaseArtifactStore | None = None,
    ) -> None:
        self._stack = stack
        self._metadata_store = metadata_store
        self._artifact_store = artifact_store

    @property
    def stack(self) -> Stack:
        """The stack this client reads from."""
        if self._stack is None:
            from cairn.stack.registry import StackRegistry

            self._stack = StackRegistry().get_stack()
        return self._stack

    @property
    def metadata_store(self) -> BaseMetadataStore:
        """The metadata store runs are read from."""
        if self._metadata_store is None:
            self._metadata_store = self.stack.metadata_store
        return self._metadata_store

    @property
    def artifact_store(self) -> BaseArtifactStore:
        """The artifact store artifacts are loaded from."""
        if self._artifact_store is None:
            self._artifact_store = self.stack.artifact_store
        return self._artifact_store

    # ------------------------------------------------------------ pipelines
    def list_pipelines(self) -> list[PipelineView]:
        """All pipelines, by name."""
        return [PipelineView(r, self) for r in self.metadata_store.list_pipelines()]

    def get_pipeline(self, name_or_id: str) -> PipelineView:
        """A pipeline by name or id (``DoesNotExistError`` if none)."""
        return PipelineView(self.metadata_store.get_pipeline(name_or_id), self)

    # ------------------------------------------------------------ runs
    def list_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[RunView]:
        """A page of runs, newest first by default.

        Args:
            pipeline: only runs of this pipeline (name or id).
            status: only runs with this status.
            limit: page size.
            offset: runs to skip.
            newest_first: order by creation time, newest first (or oldest first).
        """
        records = self.metadata_store.list_runs(
            pipeline, status=status, limit=limit, offset=offset, newest_first=newest_first
        )
        return [RunView(r, self) for r in records]

    def count_runs(
        self, pipeline: str | None = None, status: ExecutionStatus | str | None = None
    ) -> int:
        """How many runs match (to page through :meth:`list_runs`)."""
        return self.metadata_store.count_runs(pipeline, status=status)

    def get_run(self, name_or_id: str) -> RunView:
        """A run by name or id (``DoesNotExistError`` if none)."""
        return RunView(self.metadata_store.get_run(name_or_id), self)

    def delete_run(self, name_or_id: str, delete_artifacts: bool = True) -> list[str]:
        """Delete a run's records and, by default, the artifacts no other run uses.

        Returns:
            The URIs of the artifacts that no run refers to any more.
        """
        uris = self.metadata_store.delete_run(name_or_id)
        if delete_artifacts:
            store = self.artifact_store
            for uri in uris:
                if store.exists(uri):
                    store.rmtree(uri)
        return uris

    # ------------------------------------------------------------ artifacts
    def get_artifact(self, artifact_id: str) -> ArtifactView:
        """An artifact by id."""
        return ArtifactView(self.metadata_store.get_artifact(artifact_id), self)
