"""SQL implementation of the catalog (:class:`~cairn.metadata_stores.base_catalog.CatalogStore`).

Portable SQLAlchemy Core over :mod:`cairn.store.metadata.catalog_schema`, mixed
into :class:`~cairn.metadata_stores.sql_metadata_store.SQLMetadataStore` so
every SQL flavor has it. Version numbers are taken as ``max + 1`` inside the
write transaction; the unique constraints settle races between processes
(the insert is retried in a savepoint with the next number).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from cairn.exceptions import (
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
)
from cairn.models.catalog_names import check_name
from cairn.models.catalog_records import (
    EXCLUSIVE_STAGES,
    SETTABLE_STAGES,
    ArtifactVersionRecord,
    ModelArtifactLink,
    ModelRecord,
    ModelVersionRecord,
)
from cairn.models.run_records import ArtifactRecord, MetadataEntry
from cairn.store.metadata import catalog_reads as cr
from cairn.store.metadata import named as q
from cairn.store.metadata.convert import (
    artifact_version_record,
    model_record,
    model_version_record,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

_RETRIES = 20
_STAGE_SELECTORS = cr.STAGE_SELECTORS


def _mapping(row: Any) -> Mapping[str, Any]:
    return row if isinstance(row, Mapping) else row._mapping


def _tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    return sorted({check_name("tag", t) for t in tags})


class SQLCatalogMixin:
    """Catalog queries shared by the SQL flavors (see :class:`SQLMetadataStore`)."""

    if TYPE_CHECKING:

        def _read(self) -> AbstractContextManager[sa.Connection]: ...
        def _write(self) -> AbstractContextManager[sa.Connection]: ...

    # ------------------------------------------------------------ artifact versions
    def register_standalone_artifact(
        self,
        uri: str,
        data_type: str,
        materializer: str,
        size: int = 0,
        content_hash: str = "",
        properties: dict[str, Any] | None = None,
    ) -> ArtifactRecord:
        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.schema import artifacts as a

        record = ArtifactRecord(
            id=str(uuid.uuid4()),
            producer_step_run_id=None,
            output_name="",
            uri=uri,
            data_type=data_type,
            materializer=materializer,
            size=int(size),
            content_hash=content_hash,
            properties=dict(properties or {}),
            created=time.time(),
        )
        values = {k: getattr(record, k) for k in record.__dataclass_fields__}
        values["properties"] = dumps(record.properties)
        with self._write() as conn:
            conn.execute(a.insert().values(**values))
        return record

    def register_artifact_version(
        self,
        artifact_id: str,
        name: str,
        version: str | int | None = None,
        tags: Sequence[str] = (),
        is_model_artifact: bool = False,
        *,
        artifact: ArtifactRecord | None = None,
    ) -> ArtifactVersionRecord:
        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.named import integrity_errors

        check_name("artifact name", name)
        given = None if version is None else check_name("artifact version", str(version))
        tag_list = _tags(tags)
        values: dict[str, Any] = {
            "artifact_id": artifact_id,
            "name": name,
            "tags": dumps(tag_list),
            "is_model_artifact": bool(is_model_artifact),
            "created": time.time(),
        }
        with self._write() as conn:
            # SQLite writers hold the database lock, so a free version stays free; other
            # databases may race with another writer: insert in a savepoint and retry.
            serialised = conn.dialect.name == "sqlite"
            number = None if given is not None else self._next_number(conn, name)
            for _attempt in range(_RETRIES):
                chosen = str(number) if number is not None else str(given)
                # On SQLite the insert's unique constraint tells whether the version is
                # taken (a failed statement leaves the transaction as it was).
                taken = not serialised and _rows(
                    conn, "version_taken", {"name": name, "version": chosen}
                )
                if not taken:
                    row = {**values, "version": chosen, "number": number}
                    try:
                        if serialised:
                            _run(conn, "insert_version", row)
                        else:
                            with conn.begin_nested():
                                _run(conn, "insert_version", row)
                    except integrity_errors():
                        if _rows(conn, "version_of", {"aid": artifact_id}):
                            raise EntityExistsError(
                                f"Artifact {artifact_id} has a name and version already."
                            ) from None
                    else:
                        if artifact is None:
                            return self._artifact_version(conn, artifact_id)
                        return ArtifactVersionRecord(
                            artifact, name, chosen, number, tuple(tag_list),
                            bool(is_model_artifact), values["created"],
                        )  # fmt: skip
                if number is None:
                    raise EntityExistsError(
                        f"Version '{given}' of artifact '{name}' exists already: give another "
                        "version, or none to get the next number."
                    )
                number = max(number + 1, self._next_number(conn, name))
        raise EntityExistsError(f"Cannot number a new version of artifact '{name}': retry.")

    @staticmethod
    def _next_number(conn: Any, name: str) -> int:
        rows = _rows(conn, "max_number", {"name": name})
        top = next(iter(rows[0].values())) if rows else None
        return int(top or 0) + 1

    def _artifact_version(self, conn: Any, artifact_id: str) -> ArtifactVersionRecord:
        rows = _rows(conn, "version_by_artifact", {"aid": artifact_id})
        row = rows[0] if rows else None
        if row is None:
            raise DoesNotExistError(f"Artifact {artifact_id} has no name and version.")
        return artifact_version_record(row)

    def get_artifact_version(
        self, name: str, version: str | int | None = None
    ) -> ArtifactVersionRecord:
        with self._read() as conn:
            return cr.artifact_version(q.rows_of(conn), name, version)

    def find_artifact_version(self, artifact_id: str) -> ArtifactVersionRecord | None:
        with self._read() as conn:
            return cr.artifact_version_of(q.rows_of(conn), artifact_id)

    def list_artifact_versions(
        self,
        name: str | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArtifactVersionRecord]:
        with self._read() as conn:
            return cr.artifact_versions(q.rows_of(conn), name, tag, limit, offset)

    def list_artifact_names(self) -> list[tuple[str, int, ArtifactVersionRecord]]:
        with self._read() as conn:
            return cr.artifact_names(q.rows_of(conn))

    def add_artifact_tags(self, artifact_id: str, tags: Sequence[str]) -> ArtifactVersionRecord:
        from cairn.store.metadata.convert import dumps

        v = _v()
        with self._write() as conn:
            record = self._artifact_version(conn, artifact_id)
            merged = sorted(set(record.tags) | set(_tags(tags)))
            conn.execute(
                v.update().where(v.c.artifact_id == artifact_id).values(tags=dumps(merged))
            )
            return self._artifact_version(conn, artifact_id)

    # ------------------------------------------------------------ metadata
    def log_entity_metadata(self, kind: str, entity_id: str, key: str, value: Any) -> None:
        from cairn.store.metadata.convert import metadata_columns
        from cairn.store.metadata.named import integrity_errors
        from cairn.store.metadata.sqlite_sql import METADATA_OWNERS

        cr.check_metadata_kind(kind)
        table, owner = METADATA_OWNERS[kind]
        row = {owner: entity_id, "key": key, **metadata_columns(value), "created": time.time()}
        try:
            with self._write() as conn:
                _run(conn, f"delete_metadata:{kind}", {"owner": entity_id, "mkey": key})
                q.execute(conn, f"insert:{table}", row)
        except integrity_errors() as exc:
            raise DoesNotExistError(f"No {kind.replace('_', ' ')} with id '{entity_id}'.") from exc

    def get_entity_metadata(self, kind: str, entity_id: str) -> dict[str, MetadataEntry]:
        with self._read() as conn:
            return cr.entity_metadata(q.rows_of(conn), kind, entity_id)

    # ------------------------------------------------------------ models
    def get_or_create_model(
        self, name: str, description: str | None = None, tags: Sequence[str] = ()
    ) -> ModelRecord:
        import sqlalchemy as sa

        from cairn.store.metadata.catalog_schema import models as t
        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.named import integrity_errors

        check_name("model name", name)
        now = time.time()
        for _attempt in range(3):
            try:
                with self._write() as conn:
                    row = conn.execute(sa.select(t).where(t.c.name == name)).first()
                    if row is None:
                        conn.execute(
                            t.insert().values(
                                id=str(uuid.uuid4()),
                                name=name,
                                description=description,
                                tags=dumps(_tags(tags)),
                                created=now,
                                updated=now,
                            )
                        )
                    elif description is not None or tags:
                        merged = sorted(set(model_record(row).tags) | set(_tags(tags)))
                        changes: dict[str, Any] = {"tags": dumps(merged), "updated": now}
                        if description is not None:
                            changes["description"] = description
                        conn.execute(
                            t.update().where(t.c.id == _mapping(row)["id"]).values(**changes)
                        )
                    return model_record(conn.execute(sa.select(t).where(t.c.name == name)).one())
            except integrity_errors():  # created concurrently: read it
                continue
        raise EntityExistsError(f"Cannot record model '{name}': it keeps changing concurrently.")

    def get_model(self, name_or_id: str) -> ModelRecord:
        with self._read() as conn:
            return cr.model(q.rows_of(conn), name_or_id)

    def list_models(self) -> list[ModelRecord]:
        with self._read() as conn:
            return cr.models(q.rows_of(conn))

    def create_model_version(
        self, model_id: str, name: str | None = None, description: str | None = None
    ) -> ModelVersionRecord:
        import sqlalchemy as sa

        from cairn.store.metadata.catalog_schema import model_versions as mv
        from cairn.store.metadata.named import integrity_errors

        if name is not None:
            check_name("model version", name)
            if name.lower() in (*_STAGE_SELECTORS, "latest") or name.isdigit():
                raise ConfigurationError(
                    f"A model version cannot be called {name!r}: that selects a stage or a "
                    "version number; choose another name."
                )
        model = self.get_model(model_id)
        top = sa.select(sa.func.max(mv.c.number)).where(mv.c.model_id == model.id)
        with self._write() as conn:
            number = int(conn.execute(top).scalar() or 0) + 1
            for _attempt in range(_RETRIES):
                now, new_id = time.time(), str(uuid.uuid4())
                try:
                    with conn.begin_nested():
                        conn.execute(
                            mv.insert().values(
                                id=new_id,
                                model_id=model.id,
                                name=name or str(number),
                                number=number,
                                description=description,
                                created=now,
                                updated=now,
                            )
                        )
                    return self._model_version(conn, new_id)
                except integrity_errors() as exc:
                    taken = sa.select(mv.c.id).where(mv.c.model_id == model.id, mv.c.name == name)
                    if name is not None and conn.execute(taken).first():
                        raise EntityExistsError(
                            f"Model '{model.name}' has a version '{name}' already: use "
                            f"Model(name='{model.name}', version='{name}') to reuse it."
                        ) from exc
                    number = max(number + 1, int(conn.execute(top).scalar() or 0) + 1)
        raise EntityExistsError(f"Cannot number a new version of model '{model.name}': retry.")

    def _model_version(self, conn: Any, model_version_id: str) -> ModelVersionRecord:
        return cr.model_version_by_id(q.rows_of(conn), model_version_id)

    def get_model_version(self, model: str, version: str | int | None = None) -> ModelVersionRecord:
        with self._read() as conn:
            return cr.model_version(q.rows_of(conn), model, version)

    def get_model_version_by_id(self, model_version_id: str) -> ModelVersionRecord:
        with self._read() as conn:
            return self._model_version(conn, model_version_id)

    def list_model_versions(self, model: str, stage: str | None = None) -> list[ModelVersionRecord]:
        with self._read() as conn:
            return cr.model_versions(q.rows_of(conn), model, stage)

    def set_model_version_stage(
        self, model_version_id: str, stage: str, force: bool = False
    ) -> ModelVersionRecord:
        from cairn.store.metadata.named import integrity_errors

        wanted = str(stage).lower()
        if wanted not in SETTABLE_STAGES:
            raise ConfigurationError(
                f"Unknown model stage {stage!r}: use one of {', '.join(SETTABLE_STAGES)}."
            )
        mv = _mv()
        try:
            with self._write() as conn:
                current = self._model_version(conn, model_version_id)
                exclusive = wanted if wanted in EXCLUSIVE_STAGES else None
                if exclusive is not None:
                    self._free_stage(conn, current, exclusive, force)
                conn.execute(
                    mv.update()
                    .where(mv.c.id == model_version_id)
                    .values(
                        stage=None if wanted == "none" else wanted,
                        exclusive_stage=exclusive,
                        updated=time.time(),
                    )
                )
                return self._model_version(conn, model_version_id)
        except integrity_errors() as exc:
            raise IllegalOperationError(
                f"Another version of the model was put in stage '{wanted}' at the same time: "
                "look at 'cairn model versions' and try again."
            ) from exc

    def _free_stage(self, conn: Any, current: ModelVersionRecord, stage: str, force: bool) -> None:
        mv = _mv()
        holder = conn.execute(
            _model_versions_query().where(
                mv.c.model_id == current.model_id,
                mv.c.exclusive_stage == stage,
                mv.c.id != current.id,
            )
        ).first()
        if holder is None:
            return
        other = model_version_record(holder)
        if not force:
            raise IllegalOperationError(
                f"Version '{other.name}' of model '{current.model_name}' is in stage '{stage}': "
                "pass force=True (CLI: --force) to archive it and promote this one."
            )
        conn.execute(
            mv.update()
            .where(mv.c.id == other.id)
            .values(stage="archived", exclusive_stage=None, updated=time.time())
        )

    def link_artifact_to_model_version(
        self, model_version_id: str, artifact_id: str, kind: str = "data"
    ) -> None:
        if kind not in ("model", "data", "metric"):
            raise ConfigurationError(f"Unknown artifact link kind {kind!r}: model, data or metric.")
        with self._write() as conn:
            key = {"mv": model_version_id, "aid": artifact_id}
            if not _rows(conn, "model_link", key):
                row = {"model_version_id": model_version_id, "artifact_id": artifact_id}
                _run(conn, "insert_model_link", {**row, "kind": kind, "created": time.time()})

    def get_model_version_artifacts(self, model_version_id: str) -> list[ModelArtifactLink]:
        with self._read() as conn:
            return cr.model_version_artifacts(q.rows_of(conn), model_version_id)

    def link_run_to_model_version(self, model_version_id: str, run_id: str) -> None:
        import sqlalchemy as sa

        from cairn.store.metadata.catalog_schema import model_version_runs as t

        with self._write() as conn:
            where = sa.and_(t.c.model_version_id == model_version_id, t.c.run_id == run_id)
            if conn.execute(sa.select(t.c.run_id).where(where)).first() is None:
                conn.execute(t.insert().values(model_version_id=model_version_id, run_id=run_id))

    def get_model_version_runs(self, model_version_id: str) -> list[str]:
        with self._read() as conn:
            return cr.model_version_runs(q.rows_of(conn), model_version_id)


def models_keep() -> Any:
    """``SELECT artifact_id`` of the model artifacts of model versions: deleting a run keeps them.

    (A model version's model must outlive the run that trained it; its data artifacts
    go with the run like any other output.)
    """
    import sqlalchemy as sa

    from cairn.store.metadata.catalog_schema import model_version_artifacts as t

    return sa.select(t.c.artifact_id).where(t.c.kind == "model")


# ---------------------------------------------------------------- named statements
#: The catalog's statement names (see :func:`cairn.store.metadata.statements.named`).
_NAMES = {
    "insert_version": "insert:artifact_versions",
    "insert_model_link": "insert:model_version_artifacts",
}


def _run(conn: Any, name: str, values: Mapping[str, Any]) -> int:
    """Execute a named write statement of the catalog; the row count."""
    return q.execute(conn, _NAMES.get(name, f"catalog:{name}"), values)


def _rows(conn: Any, name: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a named SELECT of the catalog, as dicts."""
    return q.fetch(conn, f"catalog:{name}", values)


# ---------------------------------------------------------------- rows -> records
# (artifact_version_record, model_record, model_version_record: cairn.store.metadata.convert,
# which the sqlite3-only reader of the read commands uses too)
def _v() -> Any:
    from cairn.store.metadata.catalog_schema import artifact_versions

    return artifact_versions


def _mv() -> Any:
    from cairn.store.metadata.catalog_schema import model_versions

    return model_versions


def _model_versions_query() -> Any:
    from cairn.store.metadata.statements import model_versions_query

    return model_versions_query()
