"""Post-execution views of steps and artifacts (see :mod:`cairn.client.views`).

A view holds one record (a snapshot read when the view was made) and the
client; related objects (a run's steps, a step's outputs, an artifact's
consumers) are read from the metadata store on first access and then kept.
Call ``refresh()`` on a run to read it again.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from cairn.enums import ExecutionStatus
from cairn.exceptions import DoesNotExistError
from cairn.models.run_records import (
    ArtifactRecord,
    StepRunRecord,
)

if TYPE_CHECKING:
    from cairn.client.client import Client
    from cairn.client.views import RunView


V = TypeVar("V")


class UnknownNameError(DoesNotExistError):
    """A step, output or input name that does not exist (a ``KeyError``)."""


class NamedItems(dict[str, V]):
    """A dict of steps, outputs or inputs by name whose missing keys say what exists."""

    def __init__(self, kind: str, items: dict[str, V]) -> None:
        super().__init__(items)
        self._kind = kind

    def __missing__(self, key: str) -> V:
        known = ", ".join(sorted(self)) or "none"
        raise UnknownNameError(f"No {self._kind} called {key!r}; there are: {known}.")


class ArtifactView:
    """An artifact: where it is, what it holds, who made and used it; ``load()`` reads it."""

    def __init__(self, record: ArtifactRecord, client: Client) -> None:
        self.record = record
        self._client = client

    @property
    def id(self) -> str:
        """UUID of the artifact."""
        return self.record.id

    @property
    def name(self) -> str:
        """The output name it was made as."""
        return self.record.output_name

    @property
    def uri(self) -> str:
        """Its folder in the artifact store."""
        return self.record.uri

    @property
    def data_type(self) -> str:
        """Import path of its type."""
        return self.record.data_type

    @property
    def materializer(self) -> str:
        """Its materializer."""
        return self.record.materializer

    @property
    def size(self) -> int:
        """Total bytes of its files."""
        return self.record.size

    @property
    def content_hash(self) -> str:
        """Hash of its content."""
        return self.record.content_hash

    @property
    def properties(self) -> dict[str, Any]:
        """Facts about the data."""
        return self.record.properties

    @property
    def is_pickle(self) -> bool:
        """Saved by the pickle fallback."""
        return self.record.is_pickle

    def load(self, data_type: type | None = None) -> Any:
        """Read the artifact with the materializer recorded for it.

        Args:
            data_type: the type to load as; by default the recorded type.
        """
        from cairn.materializers.artifact_io import load_artifact

        target: type | str = data_type if data_type is not None else self.record.data_type
        return load_artifact(
            self._client.artifact_store, self.record.uri, self.record.materializer, target
        )

    @cached_property
    def producer(self) -> StepView | None:
        """The step run that wrote it (None if that run was deleted)."""
        step_id = self.record.producer_step_run_id
        if step_id is None:
            return None
        return StepView(self._client.metadata_store.get_step_run(step_id), self._client)

    @cached_property
    def consumers(self) -> list[StepView]:
        """The step runs that used it as an input, oldest first."""
        records = self._client.metadata_store.get_artifact_consumers(self.record.id)
        return [StepView(r, self._client) for r in records]

    def to_dict(self) -> dict[str, Any]:
        """JSON data describing the artifact."""
        r = self.record
        return {
            "id": r.id,
            "name": r.output_name,
            "uri": r.uri,
            "data_type": r.data_type,
            "materializer": r.materializer,
            "size": r.size,
            "content_hash": r.content_hash,
            "pickle": r.is_pickle,
            "properties": r.properties,
        }

    def __repr__(self) -> str:
        return f"ArtifactView({self.record.output_name!r}, uri={self.record.uri!r})"


class StepView:
    """One step of a run: status, cache decision, timings, logs, inputs, outputs, metadata."""

    def __init__(self, record: StepRunRecord, client: Client) -> None:
        self.record = record
        self._client = client

    @property
    def id(self) -> str:
        """UUID of the step run."""
        return self.record.id

    @property
    def name(self) -> str:
        """The step's name in the pipeline."""
        return self.record.name

    @property
    def status(self) -> ExecutionStatus:
        """Its ExecutionStatus."""
        return self.record.status

    @property
    def cached(self) -> bool:
        """Whether outputs were reused."""
        return self.record.cached

    @property
    def cache_reason(self) -> str:
        """Why (not) reused."""
        return self.record.cache_reason

    @property
    def cache_key(self) -> str:
        """Its cache key."""
        return self.record.cache_key

    @property
    def parameters(self) -> dict[str, Any]:
        """Its parameters."""
        return self.record.parameters

    @property
    def started(self) -> float | None:
        """Start time (POSIX seconds)."""
        return self.record.started

    @property
    def finished(self) -> float | None:
        """End time (POSIX seconds)."""
        return self.record.finished

    @property
    def duration(self) -> float | None:
        """Seconds it took."""
        return self.record.duration

    @property
    def error(self) -> str | None:
        """Its error if it failed."""
        return self.record.error

    @property
    def logs_uri(self) -> str | None:
        """Where its logs are."""
        return self.record.logs_uri

    @property
    def attempts(self) -> int:
        """How many attempts it took."""
        return self.record.attempts

    @cached_property
    def outputs(self) -> dict[str, ArtifactView]:
        """Output artifacts by name."""
        records = self._client.metadata_store.get_step_outputs(self.record.id)
        views = {name: ArtifactView(r, self._client) for name, r in records.items()}
        return NamedItems(f"output of step '{self.name}'", views)

    @cached_property
    def inputs(self) -> dict[str, ArtifactView]:
        """Input artifacts by name."""
        records = self._client.metadata_store.get_step_inputs(self.record.id)
        views = {name: ArtifactView(r, self._client) for name, r in records.items()}
        return NamedItems(f"input of step '{self.name}'", views)

    @property
    def output(self) -> ArtifactView:
        """The only output of a step with one output."""
        outputs = self.outputs
        if len(outputs) != 1:
            from cairn.exceptions import IllegalOperationError

            raise IllegalOperationError(
                f"Step '{self.name}' has {len(outputs)} outputs ({', '.join(outputs) or 'none'})"
                ": use .outputs[NAME]."
            )
        return next(iter(outputs.values()))

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """Values the step logged with ``log_metadata``, by key."""
        entries = self._client.metadata_store.get_metadata(self.record.id)
        return {key: entry.value for key, entry in entries.items()}

    def logs(self) -> str:
        """The step's captured logs ("" if none were captured)."""
        uri = self.record.logs_uri
        store = self._client.artifact_store
        if not uri or not store.exists(uri):
            return ""
        with store.open(uri, "rb") as f:
            return bytes(f.read()).decode("utf-8", errors="replace")

    def read_logs(self, offset: int = 0, max_bytes: int = 1 << 20) -> tuple[str, int]:
        """Logs from byte ``offset`` on (at most ``max_bytes``), to follow a step's logs.

        Returns:
            The text read and the byte offset to read from next time (a UTF-8
            character cut at the end of the chunk is left for the next read).
        """
        uri = self.record.logs_uri
        store = self._client.artifact_store
        if not uri or not store.exists(uri):
            return "", max(0, offset)
        with store.open(uri, "rb") as f:
            f.seek(max(0, offset))
            data = bytes(f.read(max(1, max_bytes)))
        end = len(data)
        for back in range(1, min(4, len(data)) + 1):  # an incomplete multi-byte character?
            byte = data[-back]
            if byte & 0xC0 != 0x80:  # the start byte of the last character
                width = 4 if byte >= 0xF0 else 3 if byte >= 0xE0 else 2 if byte >= 0xC0 else 1
                if width > back:
                    end = len(data) - back
                break
        return data[:end].decode("utf-8", errors="replace"), max(0, offset) + end

    @cached_property
    def run(self) -> RunView:
        """The run this step belongs to."""
        return self._client.get_run(self.record.run_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON data describing the step (with its outputs)."""
        r = self.record
        return {
            "id": r.id,
            "name": r.name,
            "status": str(r.status),
            "cached": r.cached,
            "cache_reason": r.cache_reason,
            "started": r.started,
            "finished": r.finished,
            "duration": r.duration,
            "attempts": r.attempts,
            "error": r.error,
            "outputs": {name: a.to_dict() for name, a in self.outputs.items()},
        }

    def __repr__(self) -> str:
        return f"StepView({self.record.name!r}, status={self.record.status.value!r})"
