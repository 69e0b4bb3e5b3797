"""Materializers for Python's built-in types: JSON for plain data, raw files for bytes."""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

from cairn.materializers.base_materializer import BaseMaterializer

DATA_JSON = "data.json"
DATA_PICKLE = "data.pkl"
DATA_BIN = "data.bin"

_SCALARS = (str, int, float, bool, type(None))


def is_json_exact(data: Any) -> bool:
    """Whether ``json.loads(json.dumps(data))`` gives ``data`` back unchanged.

    Tuples are allowed only at the top level (the declared type restores them);
    dict keys must be strings; floats must be finite.
    """
    stack: list[Any] = list(data) if type(data) is tuple else [data]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float and not math.isfinite(item):
            return False
        if kind in _SCALARS:
            continue
        if kind is list:
            stack.extend(item)
        elif kind is dict:
            if any(type(k) is not str for k in item):
                return False
            stack.extend(item.values())
        else:
            return False
    return True


class BuiltInMaterializer(BaseMaterializer):
    """``str``, ``int``, ``float``, ``bool``, ``None``, ``list``, ``dict`` and ``tuple`` as JSON.

    Values JSON cannot represent exactly (non-string dict keys, nested tuples, sets
    inside lists, NaN...) are stored with cloudpickle instead, so a round trip
    never silently changes the data; ``extract_metadata`` reports which format.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (
        str,
        int,
        float,
        bool,
        type(None),
        list,
        dict,
        tuple,
    )

    def save(self, data: Any) -> None:
        if is_json_exact(data):
            text = json.dumps(data)  # the C encoder (json.dump streams through Python code)
            with self.open(DATA_JSON, "w") as f:
                f.write(text)
            return
        import cloudpickle

        with self.open(DATA_PICKLE, "wb") as f:
            cloudpickle.dump(data, f)

    def load(self, data_type: type) -> Any:
        try:
            with self.open(DATA_JSON, "r") as f:
                value = json.load(f)
        except FileNotFoundError:  # not JSON-exact: saved as a pickle
            import pickle

            with self.open(DATA_PICKLE, "rb") as f:
                return pickle.load(f)
        if isinstance(data_type, type) and issubclass(data_type, tuple) and isinstance(value, list):
            return tuple(value)
        return value

    def extract_metadata(self, data: Any) -> dict[str, Any]:
        facts: dict[str, Any] = {"format": "json" if is_json_exact(data) else "pickle"}
        if isinstance(data, list | dict | tuple | str):
            facts["length"] = len(data)
        elif isinstance(data, int | float) and not isinstance(data, bool):
            facts["value"] = data if math.isfinite(data) else str(data)
        return facts


class BytesMaterializer(BaseMaterializer):
    """``bytes`` as one raw file."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (bytes,)

    def save(self, data: bytes) -> None:
        with self.open(DATA_BIN, "wb") as f:
            f.write(data)

    def load(self, data_type: type) -> bytes:
        with self.open(DATA_BIN, "rb") as f:
            return bytes(f.read())

    def extract_metadata(self, data: bytes) -> dict[str, Any]:
        return {"length": len(data)}
