"""The first and last tasks of a scheduled Cairn DAG: create the Cairn run, finish it.

``python -m cairn.integrations.airflow.runs start --stack S --schedule ID --slot T``
claims the slot of the schedule (a slot runs once, as with the local scheduler),
records the run, stores its deployment and releases it (its steps run in other
processes), then prints the run id (the task's XCom, read by the step tasks).
``... end --stack S --run ID`` (trigger rule ``all_done``) finishes the run from
its steps: completed if every step completed or was cached, else failed, steps
that never ran or never ended recorded as failed.
"""

from __future__ import annotations

import argparse
import os
import sys

from cairn.enums import ExecutionStatus

#: Exit code that makes Airflow's BashOperator skip its task (and so the DAG run's steps).
SKIP_EXIT_CODE = 99


class SchedulePausedError(Exception):
    """The schedule of a DAG run is paused in Cairn: the DAG run records nothing."""


def start(stack_name: str, schedule_id: str, slot: float) -> str:
    """Record the run of ``slot`` and store its deployment; its run id.

    Raises:
        CairnError: the slot was claimed before, or the run cannot be recorded.
    """
    from cairn.exceptions import EntityExistsError
    from cairn.execution.catalog_runtime import link_run, resolve_run_catalog
    from cairn.execution.code_version import code_version
    from cairn.execution.pipeline_runner import portable_fields, save_deployment, stack_snapshot
    from cairn.execution.scheduler import slot_run_name
    from cairn.execution.schedules import ScheduleStore
    from cairn.models.pipeline_spec import PipelineDeployment, PipelineSpec
    from cairn.stack.registry import StackRegistry

    stack = StackRegistry().get_stack(stack_name)
    schedules = ScheduleStore(stack.metadata_store)
    record = schedules.get(schedule_id)
    if record.paused:
        raise SchedulePausedError(f"Schedule '{record.name}' is paused: slot {slot} is skipped.")
    run_name = slot_run_name(record, slot)
    if not schedules.claim(record.id, slot, run_name):
        raise EntityExistsError(f"Slot {slot} of schedule '{record.name}' ran already.")
    spec = PipelineSpec.model_validate(record.spec)
    options = record.run_options
    stack.validate()
    for component in stack:
        component.prepare_pipeline_deployment(spec, stack, options.get("runtime_options") or {})
    external, model_versions = resolve_run_catalog(spec, stack, {})
    store = stack.metadata_store
    pipeline = store.get_or_create_pipeline(spec.name, spec.model_dump(mode="json"))
    run = store.create_run(
        pipeline.id,
        run_name,
        parameters=spec.parameters,
        runtime_options=options.get("runtime_options") or {},
        stack_snapshot=stack_snapshot(stack),
        code_version=code_version(record.source_root or os.getcwd()),
        enable_cache=options.get("enable_cache"),
    )
    deployment = PipelineDeployment(
        run_id=run.id, run_name=run.name, pipeline=spec, stack_name=stack.name,
        enable_cache=options.get("enable_cache"),
        runtime_options=options.get("runtime_options") or {},
        external_artifacts=external, model_versions=model_versions,
        **portable_fields(spec, stack),
    )  # fmt: skip
    link_run(store, model_versions, run.id)
    save_deployment(stack.artifact_store, deployment)
    store.detach_run(run.id)  # its steps run in the step tasks' processes
    return run.id


def end(stack_name: str, run_id: str) -> ExecutionStatus:
    """Finish the run from its steps' records; its final status."""
    from cairn.execution.pipeline_runner import load_deployment
    from cairn.stack.registry import StackRegistry

    stack = StackRegistry().get_stack(stack_name)
    store = stack.metadata_store
    run = store.get_run(run_id)
    if run.status.is_finished:
        return run.status
    deployment = load_deployment(stack.artifact_store, run_id)
    records = {r.name: r for r in store.get_step_runs(run_id)}
    failed = []
    for name in deployment.pipeline.steps:
        record = records.get(name)
        if record is None:
            failed.append(name)
        elif not record.status.is_finished:
            store.finish_step_run(record.id, ExecutionStatus.FAILED,
                                  error="its Airflow task ended before the step did")  # fmt: skip
            failed.append(name)
        elif record.status not in (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED):
            failed.append(name)
    if failed:
        error = f"step(s) {', '.join(failed)} failed or did not run"
        return store.update_run_status(run_id, ExecutionStatus.FAILED, error=error).status
    return store.update_run_status(run_id, ExecutionStatus.COMPLETED).status


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; the exit code."""
    parser = argparse.ArgumentParser(prog="python -m cairn.integrations.airflow.runs")
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start")
    start_cmd.add_argument("--stack", required=True)
    start_cmd.add_argument("--schedule", required=True)
    start_cmd.add_argument("--slot", type=float, required=True)
    end_cmd = commands.add_parser("end")
    end_cmd.add_argument("--stack", required=True)
    end_cmd.add_argument("--run", required=True)
    args = parser.parse_args(argv)
    from cairn.exceptions import CairnError

    try:
        if args.command == "start":
            print(start(args.stack, args.schedule, args.slot))
            return 0
        if args.run in ("", "None"):  # the start task was skipped: no run was recorded
            print("no Cairn run for this DAG run (its schedule is paused)")
            return 0
        status = end(args.stack, args.run)
    except SchedulePausedError as exc:
        print(f"cairn: {exc}", file=sys.stderr)
        return SKIP_EXIT_CODE
    except CairnError as exc:
        print(f"cairn: {exc}", file=sys.stderr)
        return 1
    print(f"run {args.run}: {status}")
    return 0 if status == ExecutionStatus.COMPLETED else 1


if __name__ == "__main__":
    sys.exit(main())
