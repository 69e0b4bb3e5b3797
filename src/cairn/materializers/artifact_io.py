"""Writing artifacts and loading them back.

:func:`write_artifact` is what the step runner calls for every output:

1. the URI is checked to lie strictly inside the folder the caller owns (the
   run's folder of the artifact store): no ``..``, no empty segment, nothing
   outside it; an existing folder is never overwritten or removed;
2. the materializer writes into that new folder (through the artifact store's
   file API, so it works on any filesystem);
3. the folder's size and content hash are computed (files written through
   :meth:`BaseMaterializer.open` are hashed while they are written);
4. only then does the caller register the artifact in the metadata store.

On the built-in ``local`` store (exactly :class:`LocalArtifactStore`, not a
subclass, which may change its file API) the same steps skip fsspec: the new
folder is one ``os.mkdir`` (which fails if anything is there: that is the
"never overwrite" check; missing parents are made only then), each file one
``open(path, "xb")`` hashed as it is written, and the listing one ``os.scandir``
per folder. The content hash is the same on both paths.

The metadata record is the commit point: a folder that no completed artifact
record points to is not an artifact, whatever it holds (nothing relies on a
rename being atomic, which it is not on object stores). A write that fails
removes the folder it created; a crash leaves a folder that no record points
to, which ``cairn artifact-store clean`` removes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast

from cairn.exceptions import MaterializerError, UnsafePathError
from cairn.materializers.base_materializer import BaseMaterializer, type_source
from cairn.materializers.registry import load_materializer

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore

_CHUNK = 8 * 1024 * 1024
_PARALLEL_HASH_BYTES = 16 * 1024 * 1024


def new_hash() -> Any:
    """A fresh content hasher: xxh3-128 (~10 GB/s) when ``xxhash`` is installed, else sha256.

    Content hashes identify data for caching (not for security); they carry their
    algorithm as a prefix (``xxh3_128:<hex>``), so hashes of different algorithms
    never compare equal.
    """
    try:
        import xxhash
    except ImportError:
        return hashlib.sha256()
    return xxhash.xxh3_128()


def hash_algorithm() -> str:
    """The name of the algorithm :func:`new_hash` uses."""
    return str(new_hash().name)


@dataclass(frozen=True)
class WrittenArtifact:
    """What :func:`write_artifact` wrote: the arguments of ``register_artifact``.

    Attributes:
        uri: the artifact's folder.
        data_type: import path of the saved object's type.
        materializer: import path of the materializer used.
        size: total bytes of the artifact's files.
        content_hash: ``<algorithm>:<hex>`` over the files' relative names and contents.
        properties: the materializer's ``extract_metadata`` (plus ``pickle: true``
            for the cloudpickle fallback).
    """

    uri: str
    data_type: str
    materializer: str
    size: int
    content_hash: str
    properties: dict[str, Any] = field(default_factory=dict)


class HashingWriter:
    """A writable file that hashes everything written to it (other attributes forwarded)."""

    def __init__(self, raw: IO[Any], on_close: Any, local: bool = False) -> None:
        self._raw = raw
        self._hash = new_hash()
        self._on_close = on_close
        self._local = local  # ``raw`` is a file of this machine's file system

    def write(self, data: Any) -> int:
        if isinstance(data, str):
            data = data.encode("utf-8")
        size = memoryview(data).nbytes
        if size < _PARALLEL_HASH_BYTES:
            self._hash.update(data)
            written = self._raw.write(data)
        else:  # hash in a thread while writing: both release the GIL
            if self._local:
                from cairn.materializers.preallocate import preallocate

                preallocate(self._raw, size)
            hasher = threading.Thread(target=self._hash.update, args=(data,))
            hasher.start()
            try:
                written = self._raw.write(data)
            finally:
                hasher.join()
        return size if written is None else int(written)

    def close(self) -> None:
        if not self._raw.closed:
            self._raw.close()
            self._on_close(self._hash.hexdigest())

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _file_digest(store: BaseArtifactStore, path: str, local: bool = False) -> str:
    digest = new_hash()
    with open(path, "rb") if local else store.open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return str(digest.hexdigest())


def is_plain_local(store: BaseArtifactStore) -> bool:
    """Whether ``store`` is the built-in local store itself, so files can be opened directly."""
    from cairn.artifact_stores.local_artifact_store import LocalArtifactStore

    return type(store) is LocalArtifactStore


def _fsspec_files(store: BaseArtifactStore, root: str) -> list[tuple[str, str, int]]:
    """``(relative name, path, size)`` of the files under ``root``, through fsspec."""
    fs = store.filesystem
    prefix = str(fs._strip_protocol(root)).rstrip("/") + "/"
    found = fs.find(root, detail=True)  # one listing with sizes, recursive
    return [
        (str(fs._strip_protocol(path))[len(prefix) :], path, int(info.get("size") or 0))
        for path, info in found.items()
        if info.get("type", "file") == "file"
    ]


def _local_files(root: str) -> list[tuple[str, str, int]]:
    """Like :func:`_fsspec_files` for a local folder, with ``os.scandir``."""
    files: list[tuple[str, str, int]] = []
    pending = [("", root)]
    while pending:
        rel_dir, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = rel_dir + entry.name
                if entry.is_dir():
                    pending.append((rel + "/", entry.path))
                elif entry.is_file():
                    files.append((rel, entry.path, entry.stat().st_size))
    return files


def folder_digest(
    store: BaseArtifactStore, root: str, known: dict[str, str] | None = None
) -> tuple[int, str]:
    """Total size and content hash of the files under ``root``.

    The hash covers each file's name relative to ``root`` and its content, in name
    order, so it is the same on every filesystem.

    Args:
        store: the artifact store.
        root: the folder.
        known: digests already computed while writing, by relative name.
    """
    known = known or {}
    local = is_plain_local(store)
    files = sorted(_local_files(root) if local else _fsspec_files(store, root))
    total = 0
    outer = new_hash()
    for rel, path, size in files:
        total += size
        digest = known.get(rel) or _file_digest(store, path, local)
        outer.update(f"{rel}\0{digest}\n".encode())
    return total, f"{str(outer.name).lower()}:{outer.hexdigest()}"


def _open_new_local(path: str, reopen: bool) -> IO[bytes]:
    """Open a file of a new local artifact folder for writing: it must not exist yet
    (unless this write made it already), missing sub-folders are made."""
    mode = "wb" if reopen else "xb"
    try:
        return open(path, mode)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return open(path, mode)


def _save(materializer: BaseMaterializer, data: Any, local: bool = False) -> dict[str, str]:
    """Run ``materializer.save`` hashing the files it opens for writing."""
    import io

    digests: dict[str, str] = {}
    opened: set[str] = set()
    store = materializer.artifact_store

    def hashing_open(name: str, mode: str) -> IO[Any]:
        path = materializer.path(name)
        if local:
            raw: IO[Any] = _open_new_local(path, name in opened)
        else:
            raw = store.open(path, mode.replace("t", "").replace("b", "") + "b")
        opened.add(name)
        writer: Any = HashingWriter(raw, lambda d: digests.__setitem__(name, d), local)
        if "b" not in mode:
            return io.TextIOWrapper(writer, encoding="utf-8")
        return cast(IO[Any], writer)

    materializer.write_hook = hashing_open
    try:
        materializer.save(data)
    finally:
        materializer.write_hook = None
    return digests


def check_inside(uri: str, root: str) -> str:
    """Return ``uri`` (without a trailing ``/``) if it lies strictly inside ``root``.

    Raises:
        UnsafePathError: ``uri`` is ``root`` itself, lies outside it, or has an
            empty, ``.`` or ``..`` segment.
    """
    clean_root = root.rstrip("/")
    uri = uri.rstrip("/")
    inside = uri.startswith(clean_root + "/")
    segments = uri[len(clean_root) + 1 :].split("/") if inside else []
    if not inside or any(s in ("", ".", "..") or "\\" in s for s in segments):
        raise UnsafePathError(
            f"Refusing to write an artifact at {uri!r}: it is not strictly inside {clean_root!r}."
        )
    return uri


def write_artifact(
    store: BaseArtifactStore,
    uri: str,
    materializer_cls: type[BaseMaterializer],
    data: Any,
    *,
    inside: str | None = None,
) -> WrittenArtifact:
    """Save ``data`` as the artifact ``uri`` (see the module docstring).

    Args:
        store: the artifact store.
        uri: the artifact's new folder.
        materializer_cls: the materializer that writes ``data``.
        data: the value.
        inside: the folder ``uri`` must lie strictly inside (default: the store's root).

    Raises:
        UnsafePathError: ``uri`` is not strictly inside ``inside``.
        MaterializerError: the materializer failed, or ``uri`` exists already (it is
            left untouched); what this write created is removed.
    """
    uri = check_inside(uri, inside if inside is not None else store.path)
    local = is_plain_local(store)
    _new_folder(store, uri, local)
    materializer = materializer_cls(uri, store)
    try:
        digests = _save(materializer, data, local)
        properties = dict(materializer.extract_metadata(data))
        size, content_hash = folder_digest(store, uri, digests)
    except BaseException as exc:
        _remove_quietly(store, uri, local)  # created above by this write
        if isinstance(exc, Exception) and not isinstance(exc, MaterializerError):
            raise MaterializerError(
                f"{materializer_cls.source()} could not save a {type(data).__qualname__} "
                f"to {uri}: {exc}"
            ) from exc
        raise
    if getattr(materializer_cls, "IS_PICKLE", False):
        properties["pickle"] = True
    return WrittenArtifact(
        uri=uri,
        data_type=type_source(type(data)),
        materializer=materializer_cls.source(),
        size=size,
        content_hash=content_hash,
        properties=properties,
    )


def _taken(uri: str) -> MaterializerError:
    return MaterializerError(
        f"Cannot save an artifact at {uri}: something is there already, which this write "
        "did not create (it is left as it is)."
    )


def _new_folder(store: BaseArtifactStore, uri: str, local: bool) -> None:
    """Create the artifact's folder, which must not exist (its parents may)."""
    if not local:
        if store.exists(uri):
            raise _taken(uri)
        store.makedirs(uri, exist_ok=True)
        return
    parent = os.path.dirname(uri)
    try:
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)  # the step's folder: once per step
        os.mkdir(uri)  # creates the folder, or fails if anything is there
    except FileExistsError:
        raise _taken(uri) from None
    except OSError as exc:
        raise MaterializerError(f"Cannot create the artifact folder {uri}: {exc}") from exc


def _remove_quietly(store: BaseArtifactStore, path: str, local: bool = False) -> None:
    try:
        if local:
            import shutil

            shutil.rmtree(path)
        elif store.exists(path):
            store.rmtree(path)
    except OSError:
        pass


def resolve_data_type(source: str) -> type:
    """The type an artifact's ``data_type`` names, or ``object`` if it cannot be imported."""
    from cairn.stack.source_utils import load_source

    try:
        obj = load_source(source)
    except Exception:
        return object
    return obj if isinstance(obj, type) else object


def load_artifact(
    store: BaseArtifactStore, uri: str, materializer: str, data_type: str | type
) -> Any:
    """Load an artifact with the materializer recorded for it.

    Args:
        store: the artifact store holding it.
        uri: the artifact's folder.
        materializer: import path of its materializer.
        data_type: the type to load as (or its import path).
    """
    cls = load_materializer(materializer)
    target = data_type if isinstance(data_type, type) else resolve_data_type(data_type)
    return cls(uri, store).load(target)
