"""Round trips of every built-in materializer through write_artifact / load_artifact."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pydantic import BaseModel

from cairn.artifact_stores import LocalArtifactStore
from cairn.materializers import load_artifact, materializer_for, write_artifact
from cairn.materializers.builtin_materializers import (
    BuiltInMaterializer,
    BytesMaterializer,
    is_json_exact,
)
from cairn.materializers.numpy_materializer import NumpyMaterializer
from cairn.materializers.pandas_materializer import ArrowTableMaterializer, PandasMaterializer
from cairn.materializers.pydantic_materializer import PydanticMaterializer


class Config(BaseModel):
    lr: float
    layers: list[int]


def roundtrip(store: LocalArtifactStore, value: Any, name: str = "a") -> tuple[Any, Any]:
    written = write_artifact(store, store.join(name), materializer_for(type(value)), value)
    return load_artifact(store, written.uri, written.materializer, written.data_type), written


@pytest.mark.parametrize(
    "value",
    [
        "text",
        3,
        2.5,
        True,
        None,
        [1, "a", None],
        {"a": {"b": [1.5]}},
        (1, 2),
        {"k": (1, 2)},
        {1: "int key"},
        [float("nan")],
        b"\x00bytes",
    ],
)
def test_python_builtins(artifact_store: LocalArtifactStore, value: Any) -> None:
    loaded, written = roundtrip(artifact_store, value)
    if isinstance(value, list) and value and value[0] != value[0]:  # NaN != NaN
        assert np.isnan(loaded[0])
    else:
        assert loaded == value and type(loaded) is type(value)
    assert written.size > 0 and written.content_hash


def test_json_used_when_exact(artifact_store: LocalArtifactStore) -> None:
    assert materializer_for(dict) is BuiltInMaterializer
    assert materializer_for(bytes) is BytesMaterializer
    _, written = roundtrip(artifact_store, {"a": [1, 2]})
    assert written.properties["format"] == "json"
    assert artifact_store.exists(artifact_store.join("a", "data.json"))
    assert not is_json_exact({1: 2}) and not is_json_exact([(1, 2)])
    assert is_json_exact((1, [2, {"x": None}]))


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.asfortranarray(np.arange(12).reshape(3, 4)),
        np.arange(20)[::2],
        np.zeros((0, 3)),
        np.array(5),
        np.array([("a", 1)], dtype=[("name", "U3"), ("n", "i4")]),
        np.array([{"x": 1}, None], dtype=object),
    ],
)
def test_numpy(artifact_store: LocalArtifactStore, array: np.ndarray) -> None:
    assert materializer_for(np.ndarray) is NumpyMaterializer
    loaded, written = roundtrip(artifact_store, array)
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    assert (loaded == array).all() if array.size else True
    assert written.properties["shape"] == list(array.shape)


def test_npy_file_is_standard(artifact_store: LocalArtifactStore) -> None:
    array = np.random.default_rng(1).random((4, 5))
    roundtrip(artifact_store, array)
    with artifact_store.open(artifact_store.join("a", "data.npy"), "rb") as f:
        assert np.array_equal(np.load(f), array)


def test_pandas_dataframe_and_series(artifact_store: LocalArtifactStore) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=[10, 20])
    assert materializer_for(pd.DataFrame) is PandasMaterializer
    loaded, written = roundtrip(artifact_store, frame, "df")
    pd.testing.assert_frame_equal(loaded, frame)
    assert written.properties["format"] == "parquet"
    series = pd.Series([1.5, 2.5], name="price")
    loaded_series, _ = roundtrip(artifact_store, series, "s")
    pd.testing.assert_series_equal(loaded_series, series)
    unnamed, _ = roundtrip(artifact_store, pd.Series([1, 2]), "s2")
    assert unnamed.name is None
    odd = pd.DataFrame({0: [1], 1: [2]})
    loaded_odd, written_odd = roundtrip(artifact_store, odd, "odd")
    pd.testing.assert_frame_equal(loaded_odd, odd)
    assert written_odd.properties["format"] == "pickle"


def test_arrow_table(artifact_store: LocalArtifactStore) -> None:
    table = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    assert materializer_for(pa.Table) is ArrowTableMaterializer
    loaded, written = roundtrip(artifact_store, table)
    assert loaded.equals(table) and written.properties["shape"] == [3, 2]


def test_pydantic_model(artifact_store: LocalArtifactStore) -> None:
    config = Config(lr=0.1, layers=[3, 4])
    assert materializer_for(Config) is PydanticMaterializer
    loaded, written = roundtrip(artifact_store, config)
    assert loaded == config and type(loaded) is Config
    assert written.properties["model"].endswith(":Config")
    # without the declared type the recorded class path is used
    again = load_artifact(artifact_store, written.uri, written.materializer, object)
    assert again == config
