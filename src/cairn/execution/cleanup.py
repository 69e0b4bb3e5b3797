"""Removing what runs leave in the artifact store, and nothing else.

Everything a run writes lies in its own folder ``runs/<run id>/`` of the artifact
store (artifacts, logs, its deployment). Two operations remove files, and both
only ever remove paths inside such a folder:

* :func:`remove_run_folder` (``cairn pipeline runs delete``): the deleted run's
  whole folder, except the artifacts that other runs still refer to (a cached
  step of a later run points into the run that produced the artifact).
* :func:`find_leftovers` / :func:`remove_leftovers` (``cairn artifact-store
  clean``): in the folders of *finished* runs this metadata store knows, every
  artifact folder that no artifact record points to (left by a crash, a kill,
  or a write that was refused its commit), and ``*.tmp-*`` folders of older
  versions. Folders of running runs, of runs newer than the oldest running one,
  and of runs this metadata store does not know (another store may share the
  artifact store) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cairn.enums import ExecutionStatus

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore

#: Files a run keeps in its folder next to its steps' folders.
_RUN_FILES = ("deployment.json", ".logs")


def run_folder(store: BaseArtifactStore, run_id: str) -> str:
    """``runs/<run id>`` of the artifact store."""
    return store.join("runs", run_id)


def _remove(store: BaseArtifactStore, path: str) -> None:
    """Remove a folder with its contents, or a file."""
    if store.isdir(path):
        store.rmtree(path)
    else:
        store.remove(path)


def remove_run_folder(store: BaseArtifactStore, run_id: str, keep: set[str]) -> None:
    """Remove a run's folder, except the paths in ``keep`` (and the folders above them)."""
    root = run_folder(store, run_id)
    if not store.exists(root):
        return
    kept = {k.rstrip("/") for k in keep if k.startswith(root + "/")}
    _remove_except(store, root, kept)


def _remove_except(store: BaseArtifactStore, path: str, kept: set[str]) -> None:
    if path in kept:
        return
    if not any(k.startswith(path + "/") for k in kept):
        _remove(store, path)
        return
    for name in store.listdir(path):
        _remove_except(store, f"{path}/{name}", kept)


def remove_artifacts(store: BaseArtifactStore, uris: list[str]) -> None:
    """Remove the folders of deleted artifact records (only inside the store's root)."""
    from cairn.exceptions import UnsafePathError
    from cairn.materializers.artifact_io import check_inside

    for uri in uris:
        try:
            path = check_inside(uri, store.path)
        except UnsafePathError:
            continue  # recorded elsewhere (another store): not ours to remove
        if store.exists(path):
            _remove(store, path)
        _prune_empty_parents(store, path)


def _prune_empty_parents(store: BaseArtifactStore, path: str) -> None:
    """Remove the folders above ``path`` inside ``runs/`` that are now empty."""
    runs_root = store.join("runs")
    parent = path.rsplit("/", 1)[0]
    while parent.startswith(runs_root + "/") and store.isdir(parent) and not store.listdir(parent):
        store.rmtree(parent)
        parent = parent.rsplit("/", 1)[0]


@dataclass
class Leftovers:
    """What :func:`find_leftovers` found."""

    paths: list[str] = field(default_factory=list)
    unknown_runs: list[str] = field(default_factory=list)
    skipped_running: int = 0


def find_leftovers(store: BaseArtifactStore, metadata: BaseMetadataStore) -> Leftovers:
    """Folders of finished runs that no completed artifact record points to."""
    found = Leftovers()
    runs_root = store.join("runs")
    if not store.exists(runs_root):
        return found
    running = metadata.list_runs(status=ExecutionStatus.RUNNING, limit=1_000_000)
    oldest_running = min((r.created for r in running), default=None)
    for run_id in store.listdir(runs_root):
        try:
            run = metadata.get_run(run_id)
        except KeyError:
            found.unknown_runs.append(run_id)
            continue
        if run.id != run_id:  # a run *named* like this folder: not its folder
            found.unknown_runs.append(run_id)
            continue
        if not run.status.is_finished or (
            oldest_running is not None and run.created >= oldest_running
        ):
            found.skipped_running += 1
            continue
        found.paths.extend(_unreferenced(store, metadata, run_id))
    return found


def _unreferenced(store: BaseArtifactStore, metadata: BaseMetadataStore, run_id: str) -> list[str]:
    referenced: set[str] = set()
    for step in metadata.get_step_runs(run_id):
        referenced.update(a.uri.rstrip("/") for a in metadata.get_step_outputs(step.id).values())
    root = run_folder(store, run_id)
    out: list[str] = []
    for step_name in store.listdir(root):
        step_path = f"{root}/{step_name}"
        if step_name in _RUN_FILES or not store.isdir(step_path):
            continue
        for output in store.listdir(step_path):
            path = f"{step_path}/{output}"
            if path not in referenced:
                out.append(path)
    return out


def remove_leftovers(store: BaseArtifactStore, paths: list[str]) -> None:
    """Remove what :func:`find_leftovers` found (each path lies inside a run's folder)."""
    from cairn.materializers.artifact_io import check_inside

    runs_root = store.join("runs")
    for path in paths:
        check_inside(path, runs_root)
        if store.exists(path):
            _remove(store, path)
