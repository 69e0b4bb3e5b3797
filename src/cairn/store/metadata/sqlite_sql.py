# ruff: noqa: E501
"""SQLite text of the named read statements: GENERATED, do not edit.

Made from the SQLAlchemy tables and statements by
``python -m cairn.store.metadata.statements`` (tests/store/test_sqlite_sql.py
checks that it matches them), so that read commands and the SQLite reader
run them with the standard library's ``sqlite3`` without importing SQLAlchemy.
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
    "run_by_name": (
        "SELECT pipeline_runs.id, pipeline_runs.name, pipeline_runs.pipeline_id, pipeline_runs.status, pipeline_runs.parameters, pipeline_runs.runtime_options, pipeline_runs.stack_snapshot, pipeline_runs.code_version, pipeline_runs.enable_cache, pipeline_runs.created, pipeline_runs.started, pipeline_runs.finished, pipeline_runs.error, pipeline_runs.owner_pid, pipeline_runs.owner_host, pipeline_runs.owner_token, pipeline_runs.heartbeat, pipeline_runs.stack_name, pipelines.name AS pipeline_name \nFROM pipeline_runs JOIN pipelines ON pipelines.id = pipeline_runs.pipeline_id \nWHERE pipeline_runs.name = ?",
        ("value",),
        {},
    ),
    "run_by_id": (
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
    "step_run": (
        "SELECT step_runs.id, step_runs.run_id, step_runs.name, step_runs.status, step_runs.cache_key, step_runs.parameters, step_runs.code_hash, step_runs.cached, step_runs.cache_reason, step_runs.cached_from, step_runs.started, step_runs.finished, step_runs.error, step_runs.logs_uri, step_runs.attempts \nFROM step_runs \nWHERE step_runs.id = ?",
        ("value",),
        {},
    ),
    "step_outputs": (
        "SELECT artifacts.id, artifacts.producer_step_run_id, artifacts.output_name, artifacts.uri, artifacts.data_type, artifacts.materializer, artifacts.size, artifacts.content_hash, artifacts.properties, artifacts.created, step_outputs.name AS edge_name \nFROM artifacts JOIN step_outputs ON step_outputs.artifact_id = artifacts.id \nWHERE step_outputs.step_run_id = ? ORDER BY step_outputs.name",
        ("value",),
        {},
    ),
    "step_inputs": (
        "SELECT artifacts.id, artifacts.producer_step_run_id, artifacts.output_name, artifacts.uri, artifacts.data_type, artifacts.materializer, artifacts.size, artifacts.content_hash, artifacts.properties, artifacts.created, step_inputs.name AS edge_name \nFROM artifacts JOIN step_inputs ON step_inputs.artifact_id = artifacts.id \nWHERE step_inputs.step_run_id = ? ORDER BY step_inputs.name",
        ("value",),
        {},
    ),
    "step_metadata": (
        'SELECT step_metadata.step_run_id, step_metadata."key", step_metadata.kind, step_metadata.number_value, step_metadata.text_value, step_metadata.created \nFROM step_metadata \nWHERE step_metadata.step_run_id = ?',
        ("value",),
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
}
