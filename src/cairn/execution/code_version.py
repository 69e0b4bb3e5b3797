"""The version of the user's code a run used: the git commit checked out, read from ``.git``.

Read from files (no ``git`` process), so it costs microseconds; ``None`` outside a
git work tree. Whether the work tree has uncommitted changes is not checked.
"""

from __future__ import annotations

from pathlib import Path


def _git_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = candidate.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                return (folder / text[len("gitdir:") :].strip()).resolve()
    return None


def _resolve_ref(git_dir: Path, ref: str) -> str | None:
    loose = git_dir / ref
    if loose.is_file():
        return loose.read_text(encoding="utf-8").strip() or None
    packed = git_dir / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref) and not line.startswith(("#", "^")):
                return line.split(" ", 1)[0]
    common = git_dir / "commondir"  # worktrees keep branches in the main .git
    if common.is_file():
        main = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
        return _resolve_ref(main, ref) if main != git_dir else None
    return None


def code_version(start: str) -> str | None:
    """The commit checked out in the git work tree containing ``start``, or ``None``."""
    try:
        git_dir = _git_dir(Path(start).resolve())
        if git_dir is None:
            return None
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref:"):
            return _resolve_ref(git_dir, head[len("ref:") :].strip())
        return head or None  # detached HEAD
    except OSError:
        return None
