"""``cairn model-deployer models list|describe|start|stop|delete|logs|url``.

Every command works on the model deployer of the active stack unless
``--deployer NAME`` names another one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.common import name_or_active, registry
from cairn.cli.output import echo_json, echo_mapping, echo_table, output_option
from cairn.enums import StackComponentType

if TYPE_CHECKING:
    from cairn.model_deployers import BaseModelDeployer

__all__ = ["models"]

_T = StackComponentType.MODEL_DEPLOYER
deployer_option = click.option(
    "--deployer", "-d", "deployer_name", default=None,
    help="Model deployer to use (default: the active stack's).",
)  # fmt: skip


def _deployer(name: str | None) -> BaseModelDeployer:
    from cairn.model_deployers import BaseModelDeployer

    reg = registry()
    component = reg.get_component(_T, name_or_active(reg, _T, name))
    assert isinstance(component, BaseModelDeployer)
    return component


@click.group("models")
def models() -> None:
    """Manage the deployments (served models) of a model deployer."""


@models.command("list")
@deployer_option
@click.option("--pipeline", default=None, help="Only deployments made by this pipeline.")
@click.option("--step", default=None, help="Only deployments made by this step.")
@click.option("--model", "model_name", default=None, help="Only deployments of this model.")
@click.option("--running/--stopped", default=None, help="Only running (or stopped) ones.")
@output_option
def list_models(deployer_name: str | None, pipeline: str | None, step: str | None,
                model_name: str | None, running: bool | None, output: str) -> None:  # fmt: skip
    """List deployments."""
    found = _deployer(deployer_name).find_deployments(
        pipeline_name=pipeline, step_name=step, model_name=model_name, running=running
    )
    if output == "json":
        echo_json([d.model_dump(mode="json") for d in found])
        return
    if not found:
        click.echo("No deployments.")
        return
    rows = [(d.name, d.status, d.model_name, d.pipeline_name, d.step_name,
             d.prediction_url or "-") for d in found]  # fmt: skip
    echo_table(["name", "status", "model", "pipeline", "step", "prediction url"], rows)


@models.command("describe")
@click.argument("name")
@deployer_option
@output_option
def describe(name: str, deployer_name: str | None, output: str) -> None:
    """Show everything about deployment NAME."""
    info = _deployer(deployer_name).get_deployment(name)
    data: dict[str, Any] = info.model_dump(mode="json")
    if output == "json":
        echo_json(data)
    else:
        echo_mapping(f"Deployment '{name}'", data)


@models.command("start")
@click.argument("name")
@deployer_option
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for it.")
def start(name: str, deployer_name: str | None, timeout: float) -> None:
    """Start the stopped deployment NAME and wait until it answers."""
    info = _deployer(deployer_name).start_deployment(name, timeout=timeout)
    click.echo(f"Deployment '{name}' is {info.status}: {info.prediction_url}")


@models.command("stop")
@click.argument("name")
@deployer_option
def stop(name: str, deployer_name: str | None) -> None:
    """Stop deployment NAME (it can be started again)."""
    info = _deployer(deployer_name).stop_deployment(name)
    click.echo(f"Deployment '{name}' is {info.status}.")


@models.command("delete")
@click.argument("name")
@deployer_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, deployer_name: str | None, yes: bool) -> None:
    """Stop deployment NAME and forget it."""
    deployer = _deployer(deployer_name)
    deployer.get_deployment(name)
    if not yes:
        click.confirm(f"Delete deployment '{name}'?", abort=True)
    deployer.delete_deployment(name)
    click.echo(f"Deleted deployment '{name}'.")


@models.command("logs")
@click.argument("name")
@deployer_option
@click.option("--follow", "-f", is_flag=True, help="Keep printing what is appended.")
def logs(name: str, deployer_name: str | None, follow: bool) -> None:
    """Show the log of deployment NAME's serving process."""
    from cairn.stack.lifecycle import follow_file

    path = Path(_deployer(deployer_name).get_logs(name))
    if not follow:
        if path.is_file():
            click.echo(path.read_text(encoding="utf-8", errors="replace"), nl=False)
        return
    with contextlib.suppress(KeyboardInterrupt):
        follow_file(path, lambda text: click.echo(text, nl=False))


@models.command("url")
@click.argument("name")
@deployer_option
def url(name: str, deployer_name: str | None) -> None:
    """Print the prediction URL of deployment NAME (fails if it is not running)."""
    from cairn.exceptions import IllegalOperationError

    found = _deployer(deployer_name).get_prediction_url(name)
    if found is None:
        raise IllegalOperationError(
            f"Deployment '{name}' is not running: cairn model-deployer models start {name}"
        )
    click.echo(found)
