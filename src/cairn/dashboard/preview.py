"""Previews of artifact values by type, small enough for a web page.

A DataFrame shows its schema and first rows, a numpy array its shape, dtype
and a sample, numbers and text themselves (text cut at
:data:`MAX_TEXT`), PNG/JPEG/GIF bytes an image. Pickled artifacts are not
loaded: unpickling runs code, and a read-only dashboard must not do that on a
request.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from cairn.dashboard.models import Preview

if TYPE_CHECKING:
    from cairn.client import ArtifactView

MAX_ROWS = 20
MAX_TEXT = 20_000
MAX_SAMPLE = 20
MAX_IMAGE = 2 << 20
_IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def _jsonable(value: Any) -> Any:
    """``value`` as JSON data (numpy scalars and other objects become text)."""
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        if hasattr(value, "item"):
            try:
                return _jsonable(value.item())
            except (TypeError, ValueError):
                pass
        return repr(value)


def _dataframe(df: Any) -> Preview:
    head = df.head(MAX_ROWS)
    rows = [[_jsonable(v) for v in row] for row in head.itertuples(index=False, name=None)]
    columns = [{"name": str(c), "dtype": str(t)} for c, t in df.dtypes.items()]
    shape = [int(df.shape[0]), int(df.shape[1])]
    summary = f"{shape[0]} rows x {shape[1]} columns"
    return Preview(
        kind="dataframe",
        summary=summary,
        columns=columns,
        rows=rows,
        shape=shape,
        truncated=shape[0] > MAX_ROWS,
    )


def _array(arr: Any) -> Preview:
    flat = arr.reshape(-1)[:MAX_SAMPLE]
    sample = (
        [_jsonable(v) for v in flat.tolist()]
        if arr.dtype.kind in "biufcb"
        else [repr(v) for v in flat]
    )
    shape = [int(n) for n in arr.shape]
    return Preview(
        kind="array",
        summary=f"array {tuple(shape)} of {arr.dtype}",
        shape=shape,
        dtype=str(arr.dtype),
        sample=sample,
        truncated=arr.size > MAX_SAMPLE,
    )


def _bytes(data: bytes) -> Preview:
    for magic, mime in _IMAGE_TYPES.items():
        if data.startswith(magic):
            if len(data) > MAX_IMAGE:
                return Preview(kind="none", reason=f"image of {len(data)} bytes: too large")
            url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
            return Preview(kind="image", summary=f"{mime}, {len(data)} bytes", data_url=url)
    text = data[:MAX_TEXT].decode("utf-8", errors="replace")
    return Preview(
        kind="text", summary=f"{len(data)} bytes", value=text, truncated=len(data) > MAX_TEXT
    )


def preview_value(value: Any) -> Preview:
    """A preview of a loaded artifact value."""
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and type(value).__name__ == "DataFrame":
        return _dataframe(value)
    if module == "numpy" and type(value).__name__ == "ndarray":
        return _array(value)
    if isinstance(value, bool):
        return Preview(kind="json", summary="bool", value=value)
    if isinstance(value, int | float):
        return Preview(kind="number", summary=type(value).__name__, value=_jsonable(value))
    if isinstance(value, str):
        return Preview(
            kind="text",
            summary=f"{len(value)} characters",
            value=value[:MAX_TEXT],
            truncated=len(value) > MAX_TEXT,
        )
    if isinstance(value, bytes | bytearray):
        return _bytes(bytes(value))
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    text = json.dumps(_jsonable_tree(value), default=repr)
    if len(text) > MAX_TEXT:
        return Preview(
            kind="text", summary=type(value).__name__, value=text[:MAX_TEXT], truncated=True
        )
    return Preview(kind="json", summary=type(value).__name__, value=json.loads(text))


def _jsonable_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable_tree(v) for v in value]
    return _jsonable(value)


def preview_artifact(artifact: ArtifactView) -> Preview:
    """A preview of an artifact (loaded with its recorded materializer), never unpickling."""
    from cairn.exceptions import CairnError

    if artifact.is_pickle:
        return Preview(kind="none", reason="pickled object: not loaded (unpickling runs code)")
    try:
        value = artifact.load()
    except (CairnError, ImportError, OSError, ValueError, TypeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Preview(kind="none", reason=f"cannot load it here: {first}")
    return preview_value(value)
