"""``cairn pipeline``: list pipelines, run one from a file, list, describe and delete runs.

Thin commands over :class:`cairn.client.Client` and
:func:`cairn.pipelines.run_file.run_pipeline_file`; errors are shown by the root
group's error boundary (``cairn.cli.main``).
"""

from __future__ import annotations

import json
from typing import Any

import click

from cairn.cli.output import echo_json, echo_table, output_option, when
from cairn.exceptions import PipelineRunFailedError

STATUSES = ("pending", "running", "completed", "failed", "cached", "cancelled")


def _client() -> Any:
    from cairn.client import Client

    return Client()


def _read_client() -> Any:
    """For commands that only read: on SQLite, without SQLAlchemy or pydantic."""
    from cairn.client.read_client import read_client

    return read_client()


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


@click.group("pipeline")
def pipeline() -> None:
    """Pipelines and their runs."""


@pipeline.command("list")
@output_option
def list_pipelines(output: str) -> None:
    """List the pipelines that have run."""
    records = [p.record for p in _read_client().list_pipelines()]
    if output == "json":
        echo_json([{"id": r.id, "name": r.name, "updated": r.updated} for r in records])
        return
    if not records:
        click.echo("No pipeline has run yet.")
        return
    echo_table(["name", "id", "last run"], [(r.name, r.id, when(r.updated)) for r in records])


@pipeline.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", "-c", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--pipeline", "pipeline_name", default=None, help="Pipeline to run from FILE.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display (also CAIRN_QUIET=1).")
def run_pipeline(file: str, config: str | None, pipeline_name: str | None, quiet: bool) -> None:
    """Run the pipeline defined in FILE on the active stack (configured by -c YAML).

    The terminal shows each step as it starts, is reused from cache, completes or
    fails. Ctrl-C cancels the run (recorded as cancelled).
    """
    import os

    from cairn.pipelines.run_file import run_pipeline_file

    previous = os.environ.get("CAIRN_QUIET")
    if quiet:  # for this command only (the CLI may run in-process, e.g. in tests)
        os.environ["CAIRN_QUIET"] = "1"
    try:
        run = run_pipeline_file(file, config, pipeline_name)
    except PipelineRunFailedError as exc:  # show the failing step's traceback, then fail
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(1) from exc
    finally:
        if previous is None:
            os.environ.pop("CAIRN_QUIET", None)
        else:
            os.environ["CAIRN_QUIET"] = previous
    _describe(run)


@pipeline.group("runs")
def runs() -> None:
    """Runs of pipelines."""


@runs.command("list")
@click.option("--pipeline", "-p", "pipeline_name", default=None, help="Only runs of PIPELINE.")
@click.option("--status", "-s", type=click.Choice(STATUSES), default=None)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0, 2**62), default=0)
@output_option
def list_runs(
    pipeline_name: str | None, status: str | None, limit: int, offset: int, output: str
) -> None:
    """List runs, newest first."""
    found = _read_client().list_runs(
        pipeline=pipeline_name, status=status, limit=limit, offset=offset
    )
    if output == "json":
        echo_json([run.to_dict(with_steps=False) for run in found])
        return
    if not found:
        click.echo("No runs.")
        return
    rows = [
        (r.name, r.pipeline_name, str(r.status), when(r.created), _seconds(r.duration))
        for r in found
    ]
    echo_table(["run", "pipeline", "status", "created", "duration"], rows)


def _describe(run: Any) -> None:
    click.echo(f"Run {run.name} of pipeline {run.pipeline_name}: {run.status}")
    click.echo(f"  started {when(run.started)}, took {_seconds(run.duration)}")
    if run.parameters:
        click.echo(f"  parameters: {json.dumps(run.parameters, default=str)}")
    if run.error:
        click.echo(f"  error: {run.error.splitlines()[0] if run.error else ''}")
    rows = []
    for name, step in run.steps.items():
        outputs = ", ".join(f"{o}={a.uri}" for o, a in step.outputs.items()) or "-"
        cached = "yes" if step.record.cached else "no"
        rows.append((name, str(step.status), cached, _seconds(step.record.duration), outputs))
    if rows:
        echo_table(["step", "status", "cached", "duration", "outputs"], rows)


def _describe_steps(run: Any) -> None:
    """Per step: why it was (not) reused, its metadata, outputs and the full failure cause."""
    for name, step in run.steps.items():
        click.echo("")
        click.echo(f"Step {name}: {step.status} (attempts: {step.attempts})")
        click.echo(f"  cache: {step.cache_reason or '-'}")
        for key, value in sorted(step.metadata.items()):
            click.echo(f"  metadata {key}: {json.dumps(value, default=str)}")
        for output, artifact in step.outputs.items():
            click.echo(f"  output {output}: {artifact.uri}")
        if step.error:
            click.echo("  failure:")
            for line in step.error.rstrip().splitlines():
                click.echo(f"    {line}")
        if step.logs_uri:
            click.echo(f"  logs: cairn pipeline runs logs {run.name} {name}")


@runs.command("describe")
@click.argument("run")
@output_option
def describe_run(run: str, output: str) -> None:
    """Show a run's steps, statuses, caching, durations and outputs."""
    view = _read_client().get_run(run)
    if output == "json":
        echo_json(view.to_dict())
        return
    _describe(view)
    _describe_steps(view)


@runs.command("logs")
@click.argument("run")
@click.argument("step", required=False)
@click.option("--follow", "-f", is_flag=True, help="Keep printing steps' logs until the run ends.")
def run_logs(run: str, step: str | None, follow: bool) -> None:
    """Print what the steps of RUN (or only STEP) printed.

    A step's output is stored when the step ends; with --follow, the logs of each
    step are printed as it ends, until the run is finished.
    """
    import time

    client = _read_client()
    shown: set[str] = set()
    while True:
        view = client.get_run(run)
        steps = view.steps
        if step is not None:
            steps = {step: steps[step]}  # a missing step lists the steps there are
        for name, item in steps.items():
            if name in shown or not item.status.is_finished:
                continue
            shown.add(name)
            text = item.logs()
            click.echo(f"==> {name} ({item.status}) <==")
            if text:
                click.echo(text, nl=not text.endswith("\n"))
        if not follow or view.status.is_finished:
            return
        time.sleep(0.5)


@runs.command("delete")
@click.argument("run")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete_run(run: str, yes: bool) -> None:
    """Delete a run, its records and the artifacts no other run uses."""
    client = _client()
    view = client.get_run(run)
    if not yes:
        click.confirm(f"Delete run '{view.name}' and its artifacts?", abort=True)
    removed = client.delete_run(view.id)
    click.echo(
        f"Deleted run '{view.name}' and its folder ({len(removed)} artifact(s) removed; "
        "artifacts other runs still use are kept)."
    )


def _add_schedules() -> None:
    from cairn.cli.schedule_commands import schedules

    pipeline.add_command(schedules)


_add_schedules()
