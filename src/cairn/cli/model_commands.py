"""``cairn model``: the model control plane (list, versions, describe, stage).

Thin commands over :mod:`cairn.client.catalog`.
"""

from __future__ import annotations

from typing import Any

import click

from cairn.cli.output import echo_json, echo_mapping, echo_table, output_option, when


def _client() -> Any:
    from cairn.client import Client

    return Client()


def _read_client() -> Any:
    """For commands that only read: on SQLite, without SQLAlchemy or pydantic."""
    from cairn.client.read_client import read_client

    return read_client()


@click.group("model")
def model() -> None:
    """Models, their versions and stages."""


@model.command("list")
@output_option
def list_models(output: str) -> None:
    """List the models."""
    from cairn.client.catalog import model_rows

    rows = model_rows(_read_client())
    if output == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("No model has been recorded yet.")
        return
    echo_table(
        ["name", "versions", "latest", "production", "staging"],
        [
            (
                r["name"],
                r["versions"],
                r["latest"] or "-",
                r["production"] or "-",
                r["staging"] or "-",
            )
            for r in rows
        ],
    )


@model.command("versions")
@click.argument("name")
@click.option("--stage", default=None, help="Only versions in this stage.")
@output_option
def versions(name: str, stage: str | None, output: str) -> None:
    """List the versions of model NAME, newest first."""
    from cairn.client.catalog import version_row

    rows = [version_row(v) for v in _read_client().list_model_versions(name, stage=stage)]
    if output == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(f"Model '{name}' has no versions" + (f" in stage '{stage}'." if stage else "."))
        return
    echo_table(
        ["version", "number", "stage", "artifacts", "runs", "created"],
        [
            (
                r["version"],
                r["number"],
                r["stage"] or "-",
                r["artifacts"],
                r["runs"],
                when(r["created"]),
            )
            for r in rows
        ],
    )


@model.command("describe")
@click.argument("reference", metavar="NAME[:VERSION]")
@output_option
def describe(reference: str, output: str) -> None:
    """Show a model and its versions, or one version (NAME:VERSION, VERSION may be a stage)."""
    from cairn.client.catalog import describe_model

    data = describe_model(_read_client(), reference)
    if output == "json":
        echo_json(data)
        return
    if "versions" in data:
        head = {k: data[k] for k in ("id", "description")}
        head["tags"] = ", ".join(data["tags"]) or "-"
        echo_mapping(f"Model {data['name']}", head)
        for row in data["versions"]:
            click.echo(
                f"  version {row['version']}: stage {row['stage'] or '-'}, "
                f"{row['artifacts']} artifact(s), {row['runs']} run(s)"
            )
        return
    head = {k: data[k] for k in ("id", "number", "stage", "description")}
    head["created"] = when(data["created"])
    echo_mapping(f"Model {data['model']} version {data['version']}", head)
    if data["artifacts"]:
        click.echo("Artifacts")
        for link in data["artifacts"]:
            click.echo(f"  {link['kind']}: {link['name']}:{link['version']}")
    if data["run_metadata"]:
        echo_mapping("Metadata", data["run_metadata"])


@model.command("stage")
@click.argument("name")
@click.argument("version")
@click.argument("stage", type=click.Choice(["staging", "production", "archived", "none"]))
@click.option("--force", is_flag=True, help="Archive the version now in STAGE.")
@output_option
def stage(name: str, version: str, stage: str, force: bool, output: str) -> None:
    """Put VERSION of model NAME in STAGE (one version per model in staging/production)."""
    from cairn.client.catalog import set_stage

    row = set_stage(_client(), name, version, stage, force)
    if output == "json":
        echo_json(row)
        return
    click.echo(f"Model '{name}' version {row['version']} is now in stage {row['stage'] or 'none'}.")
