"""Ship a pipeline's code to workers on other machines.

The *source root* is the ``cairn init`` folder of the repository the pipeline
lives in, or else the folder from which the pipeline's module is importable (a
script's own folder). :func:`pack_code` packs the files under it, once per
content digest, into the artifact store (``code/<digest>.tar.gz``, completed by
``code/<digest>.done``): files git ignores are left out (``git ls-files`` when the
root is in a git work tree, else the root's ``.gitignore``), and so is whatever a
``.cairnignore`` (same syntax) lists, as well as virtualenvs, caches and ``.git``.
A worker calls :func:`unpack_code`, which extracts the archive once into a cache
folder keyed by the digest (``$CAIRN_CODE_CACHE``, default
``<temp dir>/cairn-code-<uid>``) and returns it; the deployment's file paths are
then remapped under it (:func:`relocate`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cairn.exceptions import CairnError, ConfigurationError
from cairn.models.pipeline_spec import CodeSource, PipelineDeployment, PipelineSpec

if TYPE_CHECKING:
    import tarfile

    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore

logger = logging.getLogger(__name__)

#: Packed code above this size gets a warning (a data folder under the root, probably).
WARN_BYTES = 50 * 1024 * 1024
#: Environment variable naming the workers' cache of unpacked code.
ENV_CODE_CACHE = "CAIRN_CODE_CACHE"
#: Names never packed, wherever they are.
ALWAYS_EXCLUDED = (".git/", ".cairn/", ".venv/", "venv/", "__pycache__/", "*.pyc",
                   ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", "node_modules/")  # fmt: skip


def source_root(spec: PipelineSpec) -> Path:
    """Where the pipeline's code lives (see the module docs)."""
    from cairn.config import find_repository

    repo = find_repository()
    if repo is not None:
        return repo.root
    for step in spec.steps.values():
        if not step.source_file:
            continue
        path = Path(step.source_file).resolve()
        module = step.source.partition(":")[0]
        if module in ("__main__", ""):
            return path.parent
        levels = module.count(".") + (1 if path.name == "__init__.py" else 0)
        return path.parents[levels] if levels < len(path.parents) else path.parent
    return Path.cwd()


def _patterns(root: Path, name: str) -> list[str]:
    path = root / name
    if not path.is_file():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def _git_files(root: Path) -> list[str] | None:
    """Files git does not ignore (tracked or not), relative to ``root``; None outside git."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard", "--", "."],
            capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _walk(root: Path) -> Iterable[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".git")]
        rel = os.path.relpath(folder, root)
        for name in files:
            yield name if rel == "." else f"{rel}/{name}"


def code_files(root: Path) -> list[str]:
    """The files :func:`pack_code` packs, relative to ``root``, sorted."""
    import pathspec

    listed = _git_files(root)
    patterns = list(ALWAYS_EXCLUDED) + _patterns(root, ".cairnignore")
    if listed is None:
        patterns += _patterns(root, ".gitignore")
        listed = list(_walk(root))
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return sorted(p for p in listed if not spec.match_file(p) and (root / p).is_file())


def _digest(root: Path, files: list[str]) -> str:
    total = hashlib.sha256()
    for rel in files:
        path = root / rel
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        executable = "x" if os.access(path, os.X_OK) else "-"
        total.update(f"{rel}\0{executable}\0{content}\n".encode("utf-8", "surrogateescape"))
    return total.hexdigest()


def _archive(root: Path, files: list[str]) -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for rel in files:
            path = root / rel
            info = tarfile.TarInfo(rel)
            info.size = path.stat().st_size
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.mtime = 0
            with path.open("rb") as f:
                tar.addfile(info, f)
    return buffer.getvalue()


def archive_uri(store: BaseArtifactStore, digest: str) -> str:
    """Where the packed code with ``digest`` lives in the artifact store."""
    return store.join("code", f"{digest}.tar.gz")


def pack_code(root: Path, store: BaseArtifactStore) -> CodeSource:
    """Pack the code under ``root`` into ``store`` (once per digest); see the module docs.

    Raises:
        ConfigurationError: the root is not a folder, or holds no file to pack.
    """
    if not root.is_dir():
        raise ConfigurationError(f"The source root {root} is not a folder.")
    files = code_files(root)
    if not files:
        raise ConfigurationError(
            f"The source root {root} holds no file to pack (all ignored?): check .cairnignore."
        )
    digest = _digest(root, files)
    uri = archive_uri(store, digest)
    done = store.join("code", f"{digest}.done")
    if not store.exists(done):
        data = _archive(root, files)
        if len(data) > WARN_BYTES:
            logger.warning(
                "The code packed for workers is %.0f MB (source root %s): list data folders "
                "in a .cairnignore file to leave them out.", len(data) / 1e6, root,
            )  # fmt: skip
        store.makedirs(store.join("code"))
        with store.open(uri, "wb") as f:
            f.write(data)
        with store.open(done, "w") as f:  # the archive is complete only once this exists
            f.write(digest)
    return CodeSource(mode="archive", root=str(root), archive_uri=uri, digest=digest)


def code_cache() -> Path:
    """The workers' cache of unpacked code (see the module docs)."""
    configured = os.environ.get(ENV_CODE_CACHE)
    if configured:
        return Path(configured)
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"cairn-code-{uid}"


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        name = member.name
        if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
            raise CairnError(f"The code archive holds an unsafe entry '{name}'; refused.")
    return members


def unpack_code(code: CodeSource, store: BaseArtifactStore) -> Path:
    """The folder holding the unpacked code of ``code`` on this worker (made once).

    Raises:
        CairnError: the archive is missing or incomplete in the artifact store.
    """
    import tarfile

    assert code.digest is not None and code.archive_uri is not None
    target = code_cache() / code.digest
    if (target / ".cairn-complete").is_file():
        return target
    if not store.exists(store.join("code", f"{code.digest}.done")):
        raise CairnError(
            f"The run's code archive {code.archive_uri} is missing or incomplete in the "
            "artifact store: start the run again."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with store.open(code.archive_uri, "rb") as f:
        data = f.read()
    work = Path(tempfile.mkdtemp(prefix=f"{code.digest[:12]}.tmp-", dir=target.parent))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = _safe_members(tar)
        for member in members:
            source = tar.extractfile(member)
            assert source is not None
            path = work / member.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read())
            path.chmod(member.mode & 0o755)
    (work / ".cairn-complete").write_text(code.digest)
    try:
        work.rename(target)
    except OSError:  # another worker unpacked it first
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return target


def relocate(deployment: PipelineDeployment, old_root: str, new_root: Path) -> PipelineDeployment:
    """The deployment with file paths under ``old_root`` moved under ``new_root``."""

    def moved(path: str | None) -> str | None:
        if path is None or not old_root:
            return path
        try:
            rel = Path(path).relative_to(old_root)
        except ValueError:
            return path
        return str(new_root / rel)

    def hooks(items: dict[str, object]) -> dict[str, object]:
        return {k: h.model_copy(update={"source_file": moved(h.source_file)})  # type: ignore[attr-defined]
                for k, h in items.items()}  # fmt: skip

    steps = {
        name: step.model_copy(
            update={"source_file": moved(step.source_file), "hooks": hooks(dict(step.hooks))}
        )
        for name, step in deployment.pipeline.steps.items()
    }
    pipeline = deployment.pipeline.model_copy(
        update={"steps": steps, "hooks": hooks(dict(deployment.pipeline.hooks))}
    )
    return deployment.model_copy(update={"pipeline": pipeline})


def activate_code(deployment: PipelineDeployment, store: BaseArtifactStore) -> PipelineDeployment:
    """Make the deployment's code importable here; return it with paths relocated."""
    code = deployment.code
    if code.mode == "archive":
        root = unpack_code(code, store)
    elif code.mode == "local" and code.root and Path(code.root).is_dir():
        root = Path(code.root)
    else:  # ``present``: importable already (an image, a shared file system)
        return deployment
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    if code.mode == "archive":
        return relocate(deployment, code.root, root)
    return deployment
