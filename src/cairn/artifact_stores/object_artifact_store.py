"""The shared base of object-store artifact stores (``s3://``, ``gs://``, ``az://``).

Object stores differ from a local disk in three ways this base takes care of,
so that flavors only say how to build their fsspec filesystem:

* **Folders are a naming convention.** :meth:`ObjectArtifactStore.makedirs`
  writes an empty ``folder/`` marker object (the convention S3, GCS and Azure
  consoles use), so an empty folder exists, is listed and is removed like one.
* **Uploads commit on close.** A file opened for writing is uploaded in parts
  (multipart/resumable/block uploads) and becomes visible only when it is
  closed normally. A ``with`` block left by an exception *discards* the upload
  instead of committing half a file (fsspec's own files commit on any exit).
* **Large writes and reads stream.** A single ``write`` of a large buffer (a
  200 MB numpy array) is fed to the upload one part at a time, and
  ``readinto`` fills the caller's buffer part by part, so the data is never
  held twice in memory.

Credentials are secret fields of the flavors (plain values or ``{{name.key}}``
references), resolved with :meth:`StackComponent.resolve_secret` only when the
filesystem is built, and handed straight to the client library.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, ClassVar

from cairn.artifact_stores.base_artifact_store import BaseArtifactStore

#: Bytes handed to the upload or asked of the download per call (one part).
STREAM_CHUNK = 8 * 1024 * 1024


class StreamingWriter(io.RawIOBase):
    """A writable object-store file that uploads in parts and commits only on success."""

    def __init__(self, raw: Any, fs: Any = None, chunk: int = STREAM_CHUNK) -> None:
        super().__init__()
        self._raw = raw
        self._fs = fs
        self._chunk = chunk

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), self._chunk):
            self._raw.write(view[start : start + self._chunk])
        return len(view)

    def flush(self) -> None:
        """Nothing to do: parts are uploaded as they fill; the file commits on close."""

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()
                if self._fs is not None:  # listings cached before the file existed
                    self._fs.invalidate_cache()

    def discard(self) -> None:
        """Abandon the upload: nothing becomes visible at the file's path."""
        if self.closed:
            return
        try:
            discard = getattr(self._raw, "discard", None)
            if discard is not None:
                discard()
            # an fsspec file that was discarded still reports open; mark it closed so
            # that close() (called by its finaliser) cannot commit it afterwards
            self._raw.closed = True
        finally:
            super().close()

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class StreamingReader(io.RawIOBase):
    """A readable object-store file whose large reads are fetched range by range.

    ``readinto`` a large buffer fetches ``parallel`` ranges of ``chunk`` bytes at
    once (``cat_ranges``, concurrent on async filesystems) and copies each into
    the caller's buffer; small reads go through the file's read-ahead cache.
    """

    def __init__(
        self,
        raw: Any,
        fs: Any,
        path: str,
        chunk: int = STREAM_CHUNK,
        parallel: int = 2,
        fill: Callable[[int, memoryview], int] | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._fs = fs
        self._path = path
        self._chunk = chunk
        self._parallel = parallel
        self._fill = fill

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)  # type: ignore[no-any-return]

    def readall(self) -> bytes:
        return self._raw.read()  # type: ignore[no-any-return]

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if len(view) < self._chunk:
            data = self._raw.read(len(view))
            view[: len(data)] = data
            return len(data)
        start = int(self._raw.tell())
        end = min(start + len(view), int(self._raw.size))
        if self._fill is not None:  # the flavor streams ranges straight into the buffer
            got = self._fill(start, view[: max(end - start, 0)]) if end > start else 0
            self._raw.seek(start + got)
            return got
        got = 0
        while start + got < end:
            window = [(o, min(o + self._chunk, end)) for o in
                      range(start + got, min(end, start + got + self._chunk * self._parallel),
                            self._chunk)]  # fmt: skip
            parts = self._fs.cat_ranges(
                [self._path] * len(window), [a for a, _ in window], [b for _, b in window]
            )
            for data in parts:
                view[got : got + len(data)] = data
                got += len(data)
            del parts
        self._raw.seek(start + got)
        return got

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._raw.seek(offset, whence))

    def tell(self) -> int:
        return int(self._raw.tell())

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class ObjectArtifactStore(BaseArtifactStore):
    """Base of the artifact stores on an object store reached through fsspec.

    Flavors implement :meth:`_make_filesystem` (and usually ``SUPPORTED_SCHEMES``
    and their credential fields).
    """

    __abstract_component__: ClassVar[bool] = True

    #: Marker object that makes an (empty) folder exist.
    FOLDER_MARKER: ClassVar[str] = "/"

    # ------------------------------------------------------------ files
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open a file: writes commit on a normal close only; both directions stream."""
        binary = mode.replace("t", "").replace("b", "") + "b"
        kwargs.setdefault("block_size", STREAM_CHUNK)
        stream: Any
        if "r" in binary:
            raw = self.filesystem.open(path, binary, **kwargs)
            stream = StreamingReader(raw, self.filesystem, path, parallel=self._parallel_parts(),
                                     fill=self._range_filler(path))  # fmt: skip
            if "b" in mode:
                return io.BufferedReader(stream, buffer_size=1024 * 1024)
        else:
            stream = self._open_writer(path, binary, **kwargs)
            if "b" in mode:
                return stream  # type: ignore[no-any-return]
        return _TextFile(stream, "r" in binary)

    def _open_writer(self, path: str, mode: str, **kwargs: Any) -> Any:
        """A writable file that commits on a normal close and has ``discard()`` (flavors
        with a concurrent uploader override this)."""
        return StreamingWriter(self.filesystem.open(path, mode, **kwargs), self.filesystem)

    def _parallel_parts(self) -> int:
        """Ranges of :data:`STREAM_CHUNK` bytes fetched at once by large reads."""
        return 2

    def _range_filler(self, path: str) -> Callable[[int, memoryview], int] | None:
        """How a large read fills the caller's buffer from an offset (None: ``cat_ranges``
        of :data:`STREAM_CHUNK` bytes; flavors that can stream into a buffer override it)."""
        return None

    def makedirs(self, path: str, exist_ok: bool = True) -> None:
        """Create a folder: an empty ``folder/`` marker object (folders are names)."""
        fs = self.filesystem
        if fs.exists(path):
            if not exist_ok:
                raise FileExistsError(f"{path} exists.")
            if fs.isdir(path):
                return
            raise FileExistsError(f"{path} is a file.")
        self._write_folder_marker(path.rstrip("/"))
        fs.invalidate_cache()

    def _write_folder_marker(self, path: str) -> None:
        """Write the empty object that makes the folder ``path`` exist (flavors may override)."""
        self.filesystem.pipe_file(path + self.FOLDER_MARKER, b"")

    def listdir(self, path: str) -> list[str]:
        """Names of the entries of a folder, sorted (the folder's own marker excluded)."""
        own = str(self.filesystem._strip_protocol(path)).rstrip("/")
        entries = self.filesystem.ls(path, detail=False, refresh=True)
        names = {
            str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries if str(e).rstrip("/") != own
        }
        return sorted(n for n in names if n)

    def remove(self, path: str) -> None:
        """Delete one file."""
        if self.isdir(path):
            raise IsADirectoryError(f"{path} is a folder: use rmtree().")
        self.filesystem.rm_file(path)

    def rmtree(self, path: str) -> None:
        """Delete a folder, its content and its marker."""
        fs = self.filesystem
        fs.rm(path, recursive=True)
        marker = path.rstrip("/") + self.FOLDER_MARKER
        if fs.exists(marker):
            fs.rm_file(marker)
        fs.invalidate_cache()

    def _rename(self, src: str, dst: str) -> None:
        """Copy then delete (object stores have no rename); the destination's metadata
        record, written afterwards, is what commits an artifact."""
        fs = self.filesystem
        if fs.isdir(src):
            fs.copy(src.rstrip("/") + "/", dst.rstrip("/") + "/", recursive=True)
            self.rmtree(src)
        else:
            fs.copy(src, dst)
            fs.rm_file(src)
        fs.invalidate_cache()

    @property
    def is_provisioned(self) -> bool:
        """Whether the bucket (container) of ``path`` exists."""
        bucket = self.path.split("://", 1)[-1].split("/", 1)[0]
        try:
            return bool(self.filesystem.exists(bucket))
        except (OSError, PermissionError):
            return False

    def provision(self) -> None:
        """Create the bucket (container) of ``path`` if it does not exist."""
        if not self.is_provisioned:
            bucket = self.path.split("://", 1)[-1].split("/", 1)[0]
            self.filesystem.mkdir(bucket)

    def deprovision(self) -> None:
        """Keeps the bucket: artifacts are the user's data, never deleted implicitly."""


class _TextFile(io.TextIOWrapper):
    """Text mode over a streaming file; a failed ``with`` block discards the upload."""

    def __init__(self, stream: Any, reading: bool) -> None:
        buffered: Any = (
            io.BufferedReader(stream) if reading else io.BufferedWriter(_Committing(stream))
        )
        super().__init__(buffered, encoding="utf-8")
        self._stream = stream
        self._reading = reading

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is not None and not self._reading:
            self._stream.discard()
        self.close()


class _Committing(io.RawIOBase):
    """Lets ``io.BufferedWriter`` drive a :class:`StreamingWriter` (close commits)."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._stream.closed:  # discarded: what is still buffered is dropped
            return len(memoryview(data))
        return int(self._stream.write(data))

    def close(self) -> None:
        if not self.closed:
            try:
                if not self._stream.closed:
                    self._stream.close()
            finally:
                super().close()
