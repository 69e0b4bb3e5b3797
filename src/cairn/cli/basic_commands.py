"""``cairn init`` and ``cairn version``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--stack", "stack_name", default=None, help="Pin this stack for the repository.")
def init(path: Path | None, stack_name: str | None) -> None:
    """Make PATH (default: this folder) a Cairn repository.

    Creates PATH/.cairn/, which marks the source root (custom flavors and
    pipeline code are imported relative to it) and may pin an active stack for
    the project ('cairn stack set NAME' inside it).
    """
    from cairn.config import Repository
    from cairn.stack.registry import open_registry_store

    root = (path or Path.cwd()).expanduser()
    store = open_registry_store()  # creates the registry and its default stack
    if stack_name is not None:
        store.get_stack(stack_name)
    repo = Repository.initialize(root)
    if stack_name is not None:
        repo.set_active_stack(stack_name)
    click.echo(f"Initialised a Cairn repository in {repo.root}.")
    pinned = repo.active_stack
    if pinned:
        click.echo(f"Active stack for this repository: '{pinned}'.")


@click.command("version")
def version() -> None:
    """Show Cairn's version."""
    from cairn import __version__

    click.echo(f"cairn {__version__}")
