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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cairn.client.views import ArtifactView, PipelineView, RunView, StepView
from cairn.enums import ExecutionStatus
from cairn.exceptions import ConfigurationError, DoesNotExistError

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.client.stacks import StackSummary
    from cairn.execution.artifact_versions import ArtifactVersion
    from cairn.execution.model import Model
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.catalog_records import ModelRecord
    from cairn.stack.registry import StackRegistry
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
        *,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> list[RunView]:
        """A page of runs, newest first by default.

        Args:
            pipeline: only runs of this pipeline (name or id).
            status: only runs with this status.
            limit: page size.
            offset: runs to skip.
            newest_first: order by creation time, newest first (or oldest first).
            stack: only runs on the stack of this name.
            created_after: only runs created at or after this time (POSIX seconds).
            created_before: only runs created before this time.
        """
        records = self.metadata_store.list_runs(
            pipeline,
            status=status,
            limit=limit,
            offset=offset,
            newest_first=newest_first,
            stack=stack,
            created_after=created_after,
            created_before=created_before,
        )
        return [RunView(r, self) for r in records]

    def count_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        *,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> int:
        """How many runs match (to page through :meth:`list_runs`)."""
        return self.metadata_store.count_runs(
            pipeline,
            status=status,
            stack=stack,
            created_after=created_after,
            created_before=created_before,
        )

    def step_status_counts(self, run_ids: list[str]) -> dict[str, dict[str, int]]:
        """For each run id, how many of its steps have each status (one query)."""
        return self.metadata_store.step_status_counts(list(run_ids))

    def get_run(self, name_or_id: str) -> RunView:
        """A run by name or id (``DoesNotExistError`` if none)."""
        return RunView(self.metadata_store.get_run(name_or_id), self)

    def delete_run(self, name_or_id: str, delete_artifacts: bool = True) -> list[str]:
        """Delete a run's records and, by default, its folder in the artifact store.

        The folder goes with everything in it (artifacts, logs, the deployment),
        except the artifacts that other runs still refer to (cache hits point into
        the run that produced them); nothing outside the run's folder is touched.

        Returns:
            The URIs of the artifacts that no run refers to any more.
        """
        from cairn.execution.cleanup import remove_artifacts, remove_run_folder

        store = self.metadata_store
        run = store.get_run(name_or_id)
        produced = {
            artifact.uri
            for step in store.get_step_runs(run.id)
            for artifact in store.get_step_outputs(step.id).values()
            if artifact.producer_step_run_id == step.id
        }
        uris = store.delete_run(run.id)
        if delete_artifacts:
            remove_run_folder(self.artifact_store, run.id, keep=produced - set(uris))
            remove_artifacts(self.artifact_store, uris)
        return uris

    # ------------------------------------------------------------ stacks
    def list_stacks(self, with_state: bool = False) -> list[StackSummary]:
        """The registered stacks, by name, with their components (secrets masked).

        Args:
            with_state: also check each component's state (builds the components).
        """
        from cairn.client.stacks import summarize_stack

        with _registry() as registry:
            active = registry.active_stack_name()
            records = sorted(registry.store.list_stacks(), key=lambda r: r.name)
            return [summarize_stack(registry, r, active, with_state=with_state) for r in records]

    def get_stack_summary(self, name: str | None = None, with_state: bool = True) -> StackSummary:
        """One stack (by default the one this client reads) with its components' states."""
        from cairn.client.stacks import summarize_stack

        name = name or self.stack.name
        with _registry() as registry:
            record = registry.store.get_stack(name)
            active = registry.active_stack_name()
            return summarize_stack(registry, record, active, with_state=with_state)

    # ------------------------------------------------------------ steps, artifacts
    def get_step_run(self, step_run_id: str) -> StepView:
        """A step run by id (``DoesNotExistError`` if none)."""
        return StepView(self.metadata_store.get_step_run(step_run_id), self)

    def get_artifact(self, artifact_id: str) -> ArtifactView:
        """An artifact by id."""
        return ArtifactView(self.metadata_store.get_artifact(artifact_id), self)

    # ------------------------------------------------------------ ZenML's names for runs
    def get_pipeline_run(self, name_or_id: str) -> RunView:
        """A run by name or id (ZenML's name for :meth:`get_run`)."""
        return self.get_run(name_or_id)

    def list_pipeline_runs(
        self,
        pipeline_name: str | None = None,
        status: ExecutionStatus | str | None = None,
        size: int = 50,
        page: int = 1,
        sort_by: str = "desc:created",
        **filters: Any,
    ) -> list[RunView]:
        """Runs, newest first (ZenML's name for :meth:`list_runs`; ``pipeline_id=`` works too).

        Args:
            pipeline_name: only runs of this pipeline.
            status: only runs with this status.
            size: page size.
            page: page number, from 1.
            sort_by: ``desc:created`` (default) or ``asc:created``.
        """
        pipeline = (
            pipeline_name or filters.pop("pipeline_id", None) or filters.pop("pipeline", None)
        )
        if filters:
            raise ConfigurationError(
                f"list_pipeline_runs: unknown filter(s) {', '.join(sorted(filters))}; use "
                "pipeline_name, status, size, page, sort_by."
            )
        if sort_by not in ("desc:created", "asc:created"):
            raise ConfigurationError("list_pipeline_runs: sort_by is desc:created or asc:created.")
        return self.list_runs(
            pipeline,
            status=status,
            limit=size,
            offset=max(0, page - 1) * size,
            newest_first=sort_by == "desc:created",
        )

    # ------------------------------------------------------------ artifact versions
    def _stores(self) -> tuple[BaseMetadataStore, BaseArtifactStore]:
        return self.metadata_store, self.artifact_store

    def get_artifact_version(self, name_id_or_prefix: str, version: str | int | None = None) -> Any:
        """Version ``version`` of artifact ``name`` (the newest when None), or one by id.

        Inside a pipeline definition this returns a :class:`~cairn.LazyArtifact`:
        given to a step, it is looked up when the run starts.
        """
        from cairn.execution.artifact_versions import ArtifactVersion
        from cairn.execution.step_context import defining_pipeline
        from cairn.models.artifact_config import LazyArtifact

        if defining_pipeline():
            return LazyArtifact(name_id_or_prefix, None if version is None else str(version))
        store = self.metadata_store
        try:
            record = store.get_artifact_version(name_id_or_prefix, version)
        except DoesNotExistError:
            found = None if version is not None else store.find_artifact_version(name_id_or_prefix)
            if found is None:
                raise
            record = found
        return ArtifactVersion(record, store, self.artifact_store)

    def list_artifact_versions(
        self,
        name: str | None = None,
        tag: str | None = None,
        size: int = 100,
        page: int = 1,
    ) -> list[ArtifactVersion]:
        """Artifact versions, newest first, optionally of one name and with one tag."""
        from cairn.execution.artifact_versions import ArtifactVersion

        store = self.metadata_store
        records = store.list_artifact_versions(
            name, tag=tag, limit=size, offset=max(0, page - 1) * size
        )
        return [ArtifactVersion(r, store, self.artifact_store) for r in records]

    def list_artifacts(self) -> list[dict[str, Any]]:
        """Every artifact name with its number of versions and newest version."""
        return [
            {
                "name": name,
                "versions": count,
                "latest_version": latest.version,
                "latest_created": latest.created,
                "tags": list(latest.tags),
            }
            for name, count, latest in self.metadata_store.list_artifact_names()
        ]

    # ------------------------------------------------------------ models
    def get_model(self, name_or_id: str) -> ModelRecord:
        """A model by name or id."""
        return self.metadata_store.get_model(name_or_id)

    def list_models(self) -> list[ModelRecord]:
        """All models, by name."""
        return self.metadata_store.list_models()

    def get_model_version(
        self, model_name_or_id: str, model_version_name_or_number_or_id: Any = None
    ) -> Model:
        """A model version by number, name, stage (``ModelStages.PRODUCTION``) or id.

        None and ``latest`` give the newest version.
        """
        from cairn.execution.model import Model

        store = self.metadata_store
        selector = model_version_name_or_number_or_id
        try:
            record = store.get_model_version(model_name_or_id, selector)
        except DoesNotExistError:
            if selector is None:
                raise
            try:
                record = store.get_model_version_by_id(str(selector))
            except DoesNotExistError:
                raise DoesNotExistError(
                    f"Model '{model_name_or_id}' has no version {str(selector)!r}: see "
                    f"'cairn model versions {model_name_or_id}'."
                ) from None
        return Model.bound(record, store, self.artifact_store)

    def list_model_versions(self, model_name_or_id: str, stage: str | None = None) -> list[Model]:
        """The versions of a model, newest first (optionally those in one stage)."""
        from cairn.execution.model import Model

        store = self.metadata_store
        records = store.list_model_versions(model_name_or_id, stage=stage)
        return [Model.bound(r, store, self.artifact_store) for r in records]


@contextmanager
def _registry() -> Iterator[StackRegistry]:
    """A stack registry whose store is closed afterwards (in the thread that opened it)."""
    from cairn.stack.registry import StackRegistry, open_registry_store

    store = open_registry_store()
    try:
        yield StackRegistry(store)
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
