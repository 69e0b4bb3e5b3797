"""Artifact previews by type, and the secret masking of the dashboard."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from cairn.dashboard.compare import _durations_same
from cairn.dashboard.preview import MAX_TEXT, preview_artifact, preview_value
from cairn.dashboard.redact import MASK, redact

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_numbers_text_and_json() -> None:
    assert preview_value(3).kind == "number" and preview_value(2.5).value == 2.5
    assert preview_value(float("nan")).value == "nan"
    assert preview_value(True).kind == "json"
    long = preview_value("x" * (MAX_TEXT + 5))
    assert long.kind == "text" and long.truncated and len(long.value) == MAX_TEXT
    nested = preview_value({"a": [1, {2, 3}], 4: None})
    assert nested.kind == "json" and nested.value["a"][0] == 1 and "4" in nested.value


def test_images_and_bytes() -> None:
    image = preview_value(PNG)
    assert (
        image.kind == "image"
        and image.data_url
        and image.data_url.startswith("data:image/png;base64,")
    )
    assert preview_value(b"plain bytes").value == "plain bytes"


def test_numpy_and_pandas() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    arr = preview_value(np.zeros((50, 4), dtype="int32"))
    assert arr.shape == [50, 4] and arr.dtype == "int32" and len(arr.sample) == 20 and arr.truncated
    frame = preview_value(pd.DataFrame({"a": range(30), "b": ["x"] * 30}))
    assert frame.shape == [30, 2] and len(frame.rows or []) == 20 and frame.truncated
    assert frame.columns == [
        {"name": "a", "dtype": "int64"},
        {"name": "b", "dtype": frame.columns[1]["dtype"]},
    ]


class _Pickled:
    is_pickle = True

    def load(self) -> Any:
        raise AssertionError("a pickle must not be loaded")


def test_pickles_are_never_loaded() -> None:
    preview = preview_artifact(_Pickled())  # type: ignore[arg-type]
    assert preview.kind == "none" and "unpickling" in (preview.reason or "")


def test_redact_masks_secret_looking_keys_anywhere() -> None:
    data = {"password": "p", "nested": [{"aws_secret_access_key": "k", "region": "eu"}],
            "api_token": "t", "empty_token": "", "count": 3}  # fmt: skip
    assert redact(data) == {"password": MASK, "nested": [{"aws_secret_access_key": MASK,
                            "region": "eu"}], "api_token": MASK, "empty_token": "",
                            "count": 3}  # fmt: skip


def test_durations_differ_beyond_the_tolerance() -> None:
    assert _durations_same([1.0, 1.1]) and not _durations_same([1.0, 2.0])
    assert _durations_same([0.001, 0.02]) and _durations_same([None, None])
    assert not _durations_same([1.0, None])
