"""``cairn artifact``: artifacts by name and version (list, versions, describe).

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


@click.group("artifact")
def artifact() -> None:
    """Artifacts by name and version."""


@artifact.command("list")
@click.argument("name", required=False)
@click.option("--tag", default=None, help="Only versions with this tag.")
@output_option
def list_artifacts(name: str | None, tag: str | None, output: str) -> None:
    """List artifact names (or, with NAME or --tag, their versions)."""
    from cairn.client.catalog import artifact_rows

    client = _read_client()
    if name is not None or tag is not None:
        rows = artifact_rows(client.list_artifact_versions(name, tag=tag))
        _print_versions(rows, output, f"No versions of artifact '{name or tag}'.")
        return
    names = client.list_artifacts()
    if output == "json":
        echo_json(names)
        return
    if not names:
        click.echo("No artifact has been saved yet.")
        return
    echo_table(
        ["name", "versions", "latest", "created"],
        [(r["name"], r["versions"], r["latest_version"], when(r["latest_created"])) for r in names],
    )


def _print_versions(rows: list[dict[str, Any]], output: str, empty: str) -> None:
    if output == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(empty)
        return
    echo_table(
        ["name", "version", "tags", "type", "id", "created"],
        [
            (
                r["name"],
                r["version"],
                ", ".join(r["tags"]) or "-",
                r["data_type"],
                r["id"],
                when(r["created"]),
            )
            for r in rows
        ],
    )


@artifact.command("versions")
@click.argument("name")
@click.option("--tag", default=None, help="Only versions with this tag.")
@output_option
def versions(name: str, tag: str | None, output: str) -> None:
    """List the versions of artifact NAME, newest first."""
    from cairn.client.catalog import artifact_rows
    from cairn.exceptions import DoesNotExistError

    client = _read_client()
    rows = artifact_rows(client.list_artifact_versions(name, tag=tag))
    if not rows and tag is None:
        raise DoesNotExistError(
            f"No artifact called '{name}': list them with 'cairn artifact list'."
        )
    _print_versions(rows, output, f"No version of artifact '{name}' has tag '{tag}'.")


@artifact.command("describe")
@click.argument("reference", metavar="NAME[:VERSION]")
@output_option
def describe(reference: str, output: str) -> None:
    """Show an artifact version (the newest without :VERSION)."""
    from cairn.client.catalog import describe_artifact

    data = describe_artifact(_read_client(), reference)
    if output == "json":
        echo_json(data)
        return
    shown = {k: v for k, v in data.items() if k not in ("run_metadata", "used_by")}
    shown["created"] = when(data["created"])
    shown["tags"] = ", ".join(data["tags"]) or "-"
    if "produced_by" in data:
        shown["produced_by"] = f"{data['produced_by']['run']} / {data['produced_by']['step']}"
    echo_mapping(f"Artifact {data['name']}:{data['version']}", shown)
    if data["run_metadata"]:
        echo_mapping("Metadata", data["run_metadata"])
    if data["used_by"]:
        click.echo("Used by")
        for use in data["used_by"]:
            click.echo(f"  {use['run']} / {use['step']}")
