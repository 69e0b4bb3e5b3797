"""``cairn artifact-store clean``: remove what crashed or refused writes left behind."""

from __future__ import annotations

import click


@click.command("clean")
@click.argument("name", required=False)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def clean(name: str | None, dry_run: bool) -> None:
    """Remove partly written data from the artifact store NAME (default: the active stack's).

    Only folders inside the folders of finished runs that no completed artifact
    record points to are removed (left by a crash, a killed step or a result the
    metadata store refused); runs still running, runs newer than the oldest
    running one and runs the active stack's metadata store does not know are
    left alone.
    """
    from cairn.cli.common import name_or_active, registry
    from cairn.enums import StackComponentType
    from cairn.execution.cleanup import find_leftovers, remove_leftovers

    reg = registry()
    ctype = StackComponentType.ARTIFACT_STORE
    store_name = name_or_active(reg, ctype, name)
    artifact_store = reg.build_component(reg.store.get_component(ctype, store_name))
    stack = reg.get_stack()
    found = find_leftovers(artifact_store, stack.metadata_store)  # type: ignore[arg-type]
    for path in found.paths:
        click.echo(("would remove " if dry_run else "removing ") + path)
    if found.unknown_runs:
        click.echo(
            f"left alone: {len(found.unknown_runs)} run folder(s) that metadata store "
            f"'{stack.metadata_store.name}' does not know (another store may use them)"
        )
    if found.skipped_running:
        click.echo(f"left alone: {found.skipped_running} run(s) still running or newer")
    if not dry_run:
        remove_leftovers(artifact_store, found.paths)  # type: ignore[arg-type]
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(found.paths)} unreferenced folder(s) from '{store_name}'.")
