"""``cairn pipeline``: list pipelines, run one from a file, list, describe and delete runs.

Thin commands over :class:`cairn.client.Client` and
:func:`cairn.pipelines.run_file.run_pipeline_file`.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from cairn.exceptions import CairnUserError, PipelineRunFailedError

F = TypeVar("F", bound=Callable[..., Any])

STATUSES = ("pending", "running", "completed", "failed", "cached")


def _friendly_errors(func: F) -> F:
    """Show Cairn's user errors as one line (exit code 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (CairnUserError, PipelineRunFailedError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _client() -> Any:
    from cairn.client import Client

    return Client()


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as aligned columns."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


output_option = click.option(
    "--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.group("pipeline")
def pipeline() -> None:
    """Pipelines and their runs."""


@pipeline.command("list")
@output_option
@_friendly_errors
def list_pipelines(output: str) -> None:
    """List the pipelines that have run."""
    records = [p.record for p in _client().list_pipelines()]
    if output == "json":
        _json([{"id": r.id, "name": r.name, "updated": r.updated} for r in records])
        return
    if not records:
        click.echo("No pipeline has run yet.")
        return
    _table(["name", "id", "last run"], [(r.name, r.id, _when(r.updated)) for r in records])


@pipeline.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", "-c", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--pipeline", "pipeline_name", default=None, help="Pipeline to run from FILE.")
@_friendly_errors
def run_pipeline(file: str, config: str | None, pipeline_name: str | None) -> None:
    """Run the pipeline defined in FILE on the active stack (configured by -c YAML)."""
    from cairn.pipelines.run_file import run_pipeline_file

    run = run_pipeline_file(file, config, pipeline_name)
    _describe(run)


@pipeline.group("runs")
def runs() -> None:
    """Runs of pipelines."""


@runs.command("list")
@click.option("--pipeline", "-p", "pipeline_name", default=None, help="Only runs of PIPELINE.")
@click.option("--status", "-s", type=click.Choice(STATUSES), default=None)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@output_option
@_friendly_errors
def list_runs(
    pipeline_name: str | None, status: str | None, limit: int, offset: int, output: str
) -> None:
    """List runs, newest first."""
    found = _client().list_runs(pipeline=pipeline_name, status=status, limit=limit, offset=offset)
    if output == "json":
        _json([run.to_dict(with_steps=False) for run in found])
        return
    if not found:
        click.echo("No runs.")
        return
    rows = [
        (r.name, r.pipeline_name, str(r.status), _when(r.created), _seconds(r.duration))
        for r in found
    ]
    _table(["run", "pipeline", "status", "created", "duration"], rows)


def _describe(run: Any) -> None:
    click.echo(f"Run {run.name} of pipeline {run.pipeline_name}: {run.status}")
    click.echo(f"  started {_when(run.started)}, took {_seconds(run.duration)}")
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
        _table(["step", "status", "cached", "duration", "outputs"], rows)


@runs.command("describe")
@click.argument("run")
@output_option
@_friendly_errors
def describe_run(run: str, output: str) -> None:
    """Show a run's steps, statuses, caching, durations and outputs."""
    view = _client().get_run(run)
    if output == "json":
        _json(view.to_dict())
        return
    _describe(view)


@runs.command("delete")
@click.argument("run")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@_friendly_errors
def delete_run(run: str, yes: bool) -> None:
    """Delete a run, its records and the artifacts no other run uses."""
    client = _client()
    view = client.get_run(run)
    if not yes:
        click.confirm(f"Delete run '{view.name}' and its artifacts?", abort=True)
    removed = client.delete_run(view.id)
    from cairn.execution.pipeline_runner import delete_deployment

    delete_deployment(client.artifact_store, view.id)
    click.echo(f"Deleted run '{view.name}' ({len(removed)} artifact(s) removed).")
