"""Concurrent multipart uploads for the ``s3`` artifact store.

s3fs's file objects upload the parts of a large file one after the other;
``put_file`` uploads several at once, but needs a local file. :class:`PartUploader`
is a writable file that does what ``put_file`` does from memory: it cuts what is
written into parts, uploads up to ``concurrency`` of them at the same time
(through s3fs's public ``call_s3``, from a small thread pool) and completes the
multipart upload only when it is closed normally. :meth:`PartUploader.discard`
aborts the upload, so an interrupted write never leaves an object behind. A file
smaller than one part is sent with one ``put_object`` on close.

At most ``concurrency`` parts are held in memory at once (each copied once out
of the caller's buffer): a 200 MB array is never held twice.
"""

from __future__ import annotations

import io
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

#: S3's smallest part (except the last) is 5 MiB.
MIN_PART = 5 * 1024 * 1024


class PartUploader(io.RawIOBase):
    """A writable S3 object uploaded in concurrent parts, committed on close.

    Args:
        fs: the ``s3fs.S3FileSystem``.
        path: ``bucket/key`` (or ``s3://bucket/key``).
        part_size: bytes per part (at least 5 MiB).
        concurrency: parts uploaded at the same time.
    """

    def __init__(self, fs: Any, path: str, part_size: int, concurrency: int) -> None:
        super().__init__()
        self._fs = fs
        self._path = path
        self._bucket, self._key, _ = fs.split_path(path)
        self._part_size = max(part_size, MIN_PART)
        self._concurrency = max(concurrency, 1)
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._parts: list[Future[Any]] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._written

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed file")
        view = memoryview(data).cast("B")
        size, part = len(view), self._part_size
        while len(view):
            if not self._buffer and len(view) >= part:  # a whole part: one copy, no buffer
                self._submit(bytes(view[:part]))
                view = view[part:]
                continue
            take = min(part - len(self._buffer), len(view))
            self._buffer += view[:take]
            view = view[take:]
            if len(self._buffer) == part:
                self._submit(bytes(self._buffer))
                self._buffer.clear()
        self._written += size
        return size

    def _submit(self, body: bytes) -> None:
        if self._upload_id is None:
            started = self._fs.call_s3(
                "create_multipart_upload", Bucket=self._bucket, Key=self._key
            )
            self._upload_id = str(started["UploadId"])
            self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="cairn-s3-part")
        assert self._pool is not None
        pending = [f for f in self._parts if not f.done()]
        if len(pending) >= self._concurrency:  # bound the parts held in memory
            wait(pending, return_when=FIRST_COMPLETED)
        for done in self._parts:
            if done.done() and done.exception() is not None:
                raise done.exception()  # type: ignore[misc]
        number = len(self._parts) + 1
        self._parts.append(
            self._pool.submit(
                self._fs.call_s3, "upload_part", Bucket=self._bucket, Key=self._key,
                UploadId=self._upload_id, PartNumber=number, Body=body,
            )
        )  # fmt: skip

    def flush(self) -> None:
        """Nothing to do: parts go as they fill; the object appears on close."""

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._commit()
        except BaseException:
            self._abort()
            raise
        finally:
            self._shutdown()
            super().close()
            self._fs.invalidate_cache(self._path)

    def _commit(self) -> None:
        if self._upload_id is None:  # smaller than a part: one request
            self._fs.call_s3(
                "put_object", Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer)
            )
            return
        if self._buffer:
            self._submit(bytes(self._buffer))
            self._buffer.clear()
        results = [f.result() for f in self._parts]
        parts = [{"PartNumber": i, "ETag": r["ETag"]} for i, r in enumerate(results, 1)]
        self._fs.call_s3(
            "complete_multipart_upload", Bucket=self._bucket, Key=self._key,
            UploadId=self._upload_id, MultipartUpload={"Parts": parts},
        )  # fmt: skip

    def discard(self) -> None:
        """Abandon the upload: nothing appears at the path."""
        if self.closed:
            return
        try:
            self._abort()
        finally:
            self._shutdown()
            super().close()

    def _abort(self) -> None:
        for future in self._parts:
            future.cancel()
        if self._upload_id is not None:
            wait(self._parts)
            upload_id, self._upload_id = self._upload_id, None
            self._fs.call_s3(
                "abort_multipart_upload", Bucket=self._bucket, Key=self._key, UploadId=upload_id
            )
        self._buffer = bytearray()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._parts = []

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __del__(self) -> None:
        # dropped without close() (an error the writer did not see): never commit it
        if not self.closed:
            self.discard()


#: Bytes asked of a response body per read while filling a caller's buffer.
_BODY_READ = 1024 * 1024


async def _fill(fs: Any, bucket: str, key: str, start: int, view: memoryview) -> int:
    """GET ``len(view)`` bytes from ``start`` straight into ``view`` (no whole-range copy)."""
    end = start + len(view) - 1
    response = await fs._call_s3("get_object", Bucket=bucket, Key=key, Range=f"bytes={start}-{end}")
    body = response["Body"]
    got = 0
    try:
        while got < len(view):
            chunk = await body.read(min(_BODY_READ, len(view) - got))
            if not chunk:
                break
            view[got : got + len(chunk)] = chunk
            got += len(chunk)
    finally:
        body.close()
    return got


def read_ranges_into(fs: Any, path: str, start: int, view: memoryview, streams: int) -> int:
    """Fill ``view`` with the object's bytes from ``start``, over ``streams`` concurrent GETs.

    Each GET streams into its own slice of ``view``, so nothing is held twice.
    """
    import asyncio

    from fsspec.asyn import sync

    bucket, key, _ = fs.split_path(path)
    size = len(view)
    step = max(-(-size // max(streams, 1)), MIN_PART)
    slices = [(offset, view[offset : offset + step]) for offset in range(0, size, step)]

    async def _all() -> list[int]:
        return list(
            await asyncio.gather(*(_fill(fs, bucket, key, start + o, v) for o, v in slices))
        )

    counts: list[int] = sync(fs.loop, _all)
    for (offset, part), got in zip(slices, counts, strict=True):
        if got != len(part):  # the object is shorter than asked: what was read is contiguous
            return offset + got
    return size
