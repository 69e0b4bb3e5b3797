# ruff: noqa: E501
"""SQLite text of the named read statements: GENERATED, do not edit.

Made from the SQLAlchemy tables and statements by
``python -m cairn.store.metadata.statements`` (tests/store/metadata/test_sqlite_sql.py
checks that it matches them), so that the SQLite metadata store and the read
commands run them with the standard library's ``sqlite3``, without SQLAlchemy.
"""

from typing import Any

#: The schema revision the statements were generated for.
HEAD_REVISION = "0006"

#: name -> (sql, parameter names in order, literal parameter values)
STATEMENTS: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {
    "pipelines": (
        "SELECT pipelines.id, pipelines.name, pipelines.spec, pipelines.created, pipelines.updated \nFROM pipelines ORDER BY pipelines.name",
        (),
        {},
    ),
    "pipeline": (
        "SELECT pipelines.id, pipelines.name, pipelines.spec, pipelines.created, pipelines.updated \nFROM pipelines \nWHERE pipelines.name = ? OR pipelines.id = ?",
        ("value", "value"),
        {},
    ),
    "pipeline_by_name": (
        "SELECT pipelines.id, pipelines.name, pipelines.spec, pipelines.created, pipelines.updated \nFROM pipelines \nWHERE pipelines.name = ?",
        ("value",),
        {},
    ),
    "run_by:name": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.name = ?",
        ("value",),
        {},
    ),
    "run_by:id": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.id = ?",
        ("value",),
        {},
    ),
    "running_runs": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat \nFROM pipeline_runs \nWHERE pipeline_runs.status = ?",
        ("status_1",),
        {"status_1": "running"},
    ),
    "steps_of_run": (
        "SELECT step_runs.id, step_runs.run_id, step_runs.name, step_runs.status, step_runs.cache_key, step_runs.parameters, step_runs.code_hash, step_runs.cached, step_runs.cache_reason, step_runs.cached_from, step_runs.started, step_runs.finished, step_runs.error, step_runs.logs_uri, step_runs.attempts \nFROM step_runs \nWHERE step_runs.run_id = ? ORDER BY step_runs.started, step_runs.name",
        ("value",),
        {},
    ),
    "cached_step": (
        "SELECT step_runs.id, step_runs.run_id, step_runs.name, step_runs.status, step_runs.cache_key, step_runs.parameters, step_runs.code_hash, step_runs.cached, step_runs.cache_reason, step_runs.cached_from, step_runs.started, step_runs.finished, step_runs.error, step_runs.logs_uri, step_runs.attempts \nFROM step_runs \nWHERE step_runs.cache_key = ? AND (step_runs.status = ? OR step_runs.status = ?) ORDER BY step_runs.finished DESC\n LIMIT ? OFFSET ?",
        ("value", "status_1", "status_2", "param_1", "param_2"),
        {"status_1": "completed", "status_2": "cached", "param_1": 1, "param_2": 0},
    ),
    "select_by:step_runs:id": (
        "SELECT step_runs.id, step_runs.run_id, step_runs.name, step_runs.status, step_runs.cache_key, step_runs.parameters, step_runs.code_hash, step_runs.cached, step_runs.cache_reason, step_runs.cached_from, step_runs.started, step_runs.finished, step_runs.error, step_runs.logs_uri, step_runs.attempts \nFROM step_runs \nWHERE step_runs.id = ?",
        ("value",),
        {},
    ),
    "select_by:artifacts:id": (
        "SELECT artifacts.id, artifacts.producer_step_run_id, artifacts.output_name, artifacts.uri, artifacts.data_type, artifacts.materializer, artifacts.size, artifacts.content_hash, artifacts.properties, artifacts.created \nFROM artifacts \nWHERE artifacts.id = ?",
        ("value",),
        {},
    ),
    "select_by:step_metadata:step_run_id": (
        'SELECT step_metadata.step_run_id, step_metadata."key", step_metadata.kind, step_metadata.number_value, step_metadata.text_value, step_metadata.created \nFROM step_metadata \nWHERE step_metadata.step_run_id = ?',
        ("value",),
        {},
    ),
    "edges:step_outputs": (
        "SELECT artifacts.id, artifacts.producer_step_run_id, artifacts.output_name, artifacts.uri, artifacts.data_type, artifacts.materializer, artifacts.size, artifacts.content_hash, artifacts.properties, artifacts.created, step_outputs.name AS edge_name \nFROM artifacts JOIN step_outputs ON step_outputs.artifact_id = artifacts.id \nWHERE step_outputs.step_run_id = ? ORDER BY step_outputs.name",
        ("value",),
        {},
    ),
    "edges:step_inputs": (
        "SELECT artifacts.id, artifacts.producer_step_run_id, artifacts.output_name, artifacts.uri, artifacts.data_type, artifacts.materializer, artifacts.size, artifacts.content_hash, artifacts.properties, artifacts.created, step_inputs.name AS edge_name \nFROM artifacts JOIN step_inputs ON step_inputs.artifact_id = artifacts.id \nWHERE step_inputs.step_run_id = ? ORDER BY step_inputs.name",
        ("value",),
        {},
    ),
    "delete_metadata_key": (
        'DELETE FROM step_metadata WHERE step_metadata.step_run_id = ? AND step_metadata."key" = ?',
        ("sr_id", "meta_key"),
        {},
    ),
    "runs_page:0": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id ORDER BY pipeline_runs.created, pipeline_runs.id\n LIMIT ? OFFSET ?",
        ("limit", "offset"),
        {},
    ),
    "runs_page:1": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id ORDER BY pipeline_runs.created DESC, pipeline_runs.id DESC\n LIMIT ? OFFSET ?",
        ("limit", "offset"),
        {},
    ),
    "runs_page:2": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.status = ? ORDER BY pipeline_runs.created, pipeline_runs.id\n LIMIT ? OFFSET ?",
        ("status", "limit", "offset"),
        {},
    ),
    "runs_page:3": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.status = ? ORDER BY pipeline_runs.created DESC, pipeline_runs.id DESC\n LIMIT ? OFFSET ?",
        ("status", "limit", "offset"),
        {},
    ),
    "runs_page:4": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.pipeline_id = ? ORDER BY pipeline_runs.created, pipeline_runs.id\n LIMIT ? OFFSET ?",
        ("pipeline_id", "limit", "offset"),
        {},
    ),
    "runs_page:5": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.pipeline_id = ? ORDER BY pipeline_runs.created DESC, pipeline_runs.id DESC\n LIMIT ? OFFSET ?",
        ("pipeline_id", "limit", "offset"),
        {},
    ),
    "runs_page:6": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.pipeline_id = ? AND pipeline_runs.status = ? ORDER BY pipeline_runs.created, pipeline_runs.id\n LIMIT ? OFFSET ?",
        ("pipeline_id", "status", "limit", "offset"),
        {},
    ),
    "runs_page:7": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.pipeline_id = ? AND pipeline_runs.status = ? ORDER BY pipeline_runs.created DESC, pipeline_runs.id DESC\n LIMIT ? OFFSET ?",
        ("pipeline_id", "status", "limit", "offset"),
        {},
    ),
    "catalog:artifact_names": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created, anon_1.n \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id JOIN (SELECT artifact_versions.name AS name, count(*) AS n, max(artifact_versions.created) AS last \nFROM artifact_versions GROUP BY artifact_versions.name) AS anon_1 ON anon_1.name = artifact_versions.name AND artifact_versions.created = anon_1.last ORDER BY artifact_versions.name, artifact_versions.number DESC",
        (),
        {},
    ),
    "catalog:versions": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id ORDER BY artifact_versions.created DESC, artifact_versions.number DESC",
        (),
        {},
    ),
    "catalog:versions_of_name": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.name = ? ORDER BY artifact_versions.created DESC, artifact_versions.number DESC",
        ("name",),
        {},
    ),
    "catalog:models": (
        "SELECT models.id, models.name, models.description, models.tags, models.created, models.updated \nFROM models ORDER BY models.name",
        (),
        {},
    ),
    "catalog:model": (
        "SELECT models.id, models.name, models.description, models.tags, models.created, models.updated \nFROM models \nWHERE models.name = ? OR models.id = ?",
        ("value", "value"),
        {},
    ),
    "catalog:model_versions_of": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.model_id = ? ORDER BY model_versions.number DESC",
        ("mid",),
        {},
    ),
    "catalog:model_versions_of_stage": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.model_id = ? AND model_versions.stage = ? ORDER BY model_versions.number DESC",
        ("mid", "stage"),
        {},
    ),
    "catalog:schedules": (
        "SELECT schedules.id, schedules.name, schedules.pipeline_id, schedules.stack_name, schedules.orchestrator, schedules.cron_expression, schedules.interval_seconds, schedules.start_time, schedules.end_time, schedules.catchup, schedules.paused, schedules.resumed, schedules.source_root, schedules.run_options, schedules.spec, schedules.created, schedules.updated, pipelines.name AS pipeline_name, (SELECT max(schedule_slots.slot) AS max_1 \nFROM schedule_slots \nWHERE schedule_slots.schedule_id = schedules.id) AS last_slot \nFROM schedules JOIN pipelines ON schedules.pipeline_id = pipelines.id ORDER BY schedules.name",
        (),
        {},
    ),
    "catalog:version_latest_of_name": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.name = ? ORDER BY artifact_versions.created DESC, artifact_versions.number DESC\n LIMIT ? OFFSET ?",
        ("name", "param_1", "param_2"),
        {"param_1": 1, "param_2": 0},
    ),
    "catalog:version_of_name": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.name = ? AND artifact_versions.version = ?",
        ("name", "version"),
        {},
    ),
    "catalog:versions_tagged": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.tags LIKE ? ESCAPE '/' ORDER BY artifact_versions.created DESC, artifact_versions.number DESC",
        ("pattern",),
        {},
    ),
    "catalog:versions_of_name_tagged": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.name = ? AND artifact_versions.tags LIKE ? ESCAPE '/' ORDER BY artifact_versions.created DESC, artifact_versions.number DESC",
        ("name", "pattern"),
        {},
    ),
    "catalog:model_version_latest": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.model_id = ? ORDER BY model_versions.number DESC\n LIMIT ? OFFSET ?",
        ("mid", "param_1", "param_2"),
        {"param_1": 1, "param_2": 0},
    ),
    "catalog:model_version_number": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.model_id = ? AND model_versions.number = ?",
        ("mid", "number"),
        {},
    ),
    "catalog:model_version_name": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.model_id = ? AND model_versions.name = ?",
        ("mid", "name"),
        {},
    ),
    "catalog:model_version_by_id": (
        "SELECT model_versions.id, model_versions.model_id, model_versions.name, model_versions.number, model_versions.stage, model_versions.exclusive_stage, model_versions.description, model_versions.created, model_versions.updated, models.name AS model_name \nFROM model_versions JOIN models ON models.id = model_versions.model_id \nWHERE model_versions.id = ?",
        ("value",),
        {},
    ),
    "catalog:model_version_artifacts": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created, model_version_artifacts.kind AS link_kind \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id JOIN model_version_artifacts ON model_version_artifacts.artifact_id = artifact_versions.artifact_id \nWHERE model_version_artifacts.model_version_id = ? ORDER BY model_version_artifacts.created, artifact_versions.name",
        ("mv",),
        {},
    ),
    "catalog:model_version_runs": (
        "SELECT model_version_runs.run_id \nFROM model_version_runs JOIN pipeline_runs ON pipeline_runs.id = model_version_runs.run_id \nWHERE model_version_runs.model_version_id = ? ORDER BY pipeline_runs.created",
        ("mv",),
        {},
    ),
    "catalog:artifact_consumers": (
        "SELECT step_runs.id, step_runs.run_id, step_runs.name, step_runs.status, step_runs.cache_key, step_runs.parameters, step_runs.code_hash, step_runs.cached, step_runs.cache_reason, step_runs.cached_from, step_runs.started, step_runs.finished, step_runs.error, step_runs.logs_uri, step_runs.attempts \nFROM step_runs \nWHERE step_runs.id IN (SELECT step_inputs.step_run_id \nFROM step_inputs \nWHERE step_inputs.artifact_id = ?) ORDER BY step_runs.started, step_runs.id",
        ("aid",),
        {},
    ),
    "catalog:schedule_by_name": (
        "SELECT schedules.id, schedules.name, schedules.pipeline_id, schedules.stack_name, schedules.orchestrator, schedules.cron_expression, schedules.interval_seconds, schedules.start_time, schedules.end_time, schedules.catchup, schedules.paused, schedules.resumed, schedules.source_root, schedules.run_options, schedules.spec, schedules.created, schedules.updated, pipelines.name AS pipeline_name, (SELECT max(schedule_slots.slot) AS max_1 \nFROM schedule_slots \nWHERE schedule_slots.schedule_id = schedules.id) AS last_slot \nFROM schedules JOIN pipelines ON schedules.pipeline_id = pipelines.id \nWHERE schedules.name = ?",
        ("value",),
        {},
    ),
    "catalog:schedule_by_id": (
        "SELECT schedules.id, schedules.name, schedules.pipeline_id, schedules.stack_name, schedules.orchestrator, schedules.cron_expression, schedules.interval_seconds, schedules.start_time, schedules.end_time, schedules.catchup, schedules.paused, schedules.resumed, schedules.source_root, schedules.run_options, schedules.spec, schedules.created, schedules.updated, pipelines.name AS pipeline_name, (SELECT max(schedule_slots.slot) AS max_1 \nFROM schedule_slots \nWHERE schedule_slots.schedule_id = schedules.id) AS last_slot \nFROM schedules JOIN pipelines ON schedules.pipeline_id = pipelines.id \nWHERE schedules.id = ?",
        ("value",),
        {},
    ),
    "catalog:schedule_slots": (
        "SELECT schedule_slots.slot, schedule_slots.run_name \nFROM schedule_slots \nWHERE schedule_slots.schedule_id = ? ORDER BY schedule_slots.slot DESC\n LIMIT ? OFFSET ?",
        ("sid", "limit", "param_1"),
        {"param_1": 0},
    ),
    "catalog:metadata:run": (
        'SELECT run_metadata.run_id, run_metadata."key", run_metadata.kind, run_metadata.number_value, run_metadata.text_value, run_metadata.created, run_metadata.run_id AS step_run_id \nFROM run_metadata \nWHERE run_metadata.run_id = ?',
        ("owner",),
        {},
    ),
    "catalog:metadata:artifact": (
        'SELECT artifact_metadata.artifact_id, artifact_metadata."key", artifact_metadata.kind, artifact_metadata.number_value, artifact_metadata.text_value, artifact_metadata.created, artifact_metadata.artifact_id AS step_run_id \nFROM artifact_metadata \nWHERE artifact_metadata.artifact_id = ?',
        ("owner",),
        {},
    ),
    "catalog:metadata:model_version": (
        'SELECT model_version_metadata.model_version_id, model_version_metadata."key", model_version_metadata.kind, model_version_metadata.number_value, model_version_metadata.text_value, model_version_metadata.created, model_version_metadata.model_version_id AS step_run_id \nFROM model_version_metadata \nWHERE model_version_metadata.model_version_id = ?',
        ("owner",),
        {},
    ),
    "catalog:max_number": (
        "SELECT max(artifact_versions.number) AS max_1 \nFROM artifact_versions \nWHERE artifact_versions.name = ?",
        ("name",),
        {},
    ),
    "catalog:version_taken": (
        "SELECT artifact_versions.artifact_id \nFROM artifact_versions \nWHERE artifact_versions.name = ? AND artifact_versions.version = ?",
        ("name", "version"),
        {},
    ),
    "catalog:version_of": (
        "SELECT artifact_versions.name \nFROM artifact_versions \nWHERE artifact_versions.artifact_id = ?",
        ("aid",),
        {},
    ),
    "catalog:version_by_artifact": (
        "SELECT artifact_versions.artifact_id, artifact_versions.name, artifact_versions.version, artifact_versions.number, artifact_versions.tags, artifact_versions.is_model_artifact, artifact_versions.created, artifacts.id AS a_id, artifacts.producer_step_run_id AS a_producer_step_run_id, artifacts.output_name AS a_output_name, artifacts.uri AS a_uri, artifacts.data_type AS a_data_type, artifacts.materializer AS a_materializer, artifacts.size AS a_size, artifacts.content_hash AS a_content_hash, artifacts.properties AS a_properties, artifacts.created AS a_created \nFROM artifact_versions JOIN artifacts ON artifacts.id = artifact_versions.artifact_id \nWHERE artifact_versions.artifact_id = ?",
        ("aid",),
        {},
    ),
    "catalog:model_link": (
        "SELECT model_version_artifacts.kind \nFROM model_version_artifacts \nWHERE model_version_artifacts.model_version_id = ? AND model_version_artifacts.artifact_id = ?",
        ("mv", "aid"),
        {},
    ),
    "catalog:delete_metadata:run": (
        'DELETE FROM run_metadata WHERE run_metadata.run_id = ? AND run_metadata."key" = ?',
        ("owner", "mkey"),
        {},
    ),
    "catalog:delete_metadata:artifact": (
        'DELETE FROM artifact_metadata WHERE artifact_metadata.artifact_id = ? AND artifact_metadata."key" = ?',
        ("owner", "mkey"),
        {},
    ),
    "catalog:delete_metadata:model_version": (
        'DELETE FROM model_version_metadata WHERE model_version_metadata.model_version_id = ? AND model_version_metadata."key" = ?',
        ("owner", "mkey"),
        {},
    ),
}

#: name -> (table, WHERE text, its parameter names, literal parameter values)
UPDATES: dict[str, tuple[str, str, tuple[str, ...], dict[str, Any]]] = {
    "update_running_step": (
        "step_runs",
        "step_runs.id = ? AND step_runs.status = ? AND (EXISTS (SELECT * \nFROM pipeline_runs \nWHERE pipeline_runs.id = step_runs.run_id AND pipeline_runs.status = ?))",
        ("row_id", "status_1", "status_2"),
        {"status_1": "running", "status_2": "running"},
    ),
    "update_running_run": (
        "pipeline_runs",
        "pipeline_runs.id = ? AND pipeline_runs.status = ?",
        ("row_id", "status_1"),
        {"status_1": "running"},
    ),
}

#: metadata owner kind -> (its metadata table, the owner column)
METADATA_OWNERS: dict[str, tuple[str, str]] = {
    "run": ("run_metadata", "run_id"),
    "artifact": ("artifact_metadata", "artifact_id"),
    "model_version": ("model_version_metadata", "model_version_id"),
}

#: table -> its columns, in table order
COLUMNS: dict[str, tuple[str, ...]] = {
    "artifact_metadata": ("artifact_id", "key", "kind", "number_value", "text_value", "created"),
    "artifact_versions": (
        "artifact_id",
        "name",
        "version",
        "number",
        "tags",
        "is_model_artifact",
        "created",
    ),
    "artifacts": (
        "id",
        "producer_step_run_id",
        "output_name",
        "uri",
        "data_type",
        "materializer",
        "size",
        "content_hash",
        "properties",
        "created",
    ),
    "model_version_artifacts": ("model_version_id", "artifact_id", "kind", "created"),
    "model_version_metadata": (
        "model_version_id",
        "key",
        "kind",
        "number_value",
        "text_value",
        "created",
    ),
    "model_version_runs": ("model_version_id", "run_id"),
    "model_versions": (
        "id",
        "model_id",
        "name",
        "number",
        "stage",
        "exclusive_stage",
        "description",
        "created",
        "updated",
    ),
    "models": ("id", "name", "description", "tags", "created", "updated"),
    "pipeline_runs": (
        "id",
        "name",
        "pipeline_id",
        "status",
        "parameters",
        "runtime_options",
        "stack_snapshot",
        "code_version",
        "enable_cache",
        "created",
        "started",
        "finished",
        "error",
        "owner_pid",
        "owner_host",
        "owner_token",
        "heartbeat",
        "stack_name",
    ),
    "pipelines": ("id", "name", "spec", "created", "updated"),
    "run_metadata": ("run_id", "key", "kind", "number_value", "text_value", "created"),
    "schedule_slots": ("schedule_id", "slot", "run_name", "claimed"),
    "schedules": (
        "id",
        "name",
        "pipeline_id",
        "stack_name",
        "orchestrator",
        "cron_expression",
        "interval_seconds",
        "start_time",
        "end_time",
        "catchup",
        "paused",
        "resumed",
        "source_root",
        "run_options",
        "spec",
        "created",
        "updated",
    ),
    "step_inputs": ("step_run_id", "name", "artifact_id"),
    "step_metadata": ("step_run_id", "key", "kind", "number_value", "text_value", "created"),
    "step_outputs": ("step_run_id", "name", "artifact_id"),
    "step_runs": (
        "id",
        "run_id",
        "name",
        "status",
        "cache_key",
        "parameters",
        "code_hash",
        "cached",
        "cache_reason",
        "cached_from",
        "started",
        "finished",
        "error",
        "logs_uri",
        "attempts",
    ),
}
