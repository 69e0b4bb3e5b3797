"""The fallback materializer: any picklable object, with cloudpickle.

Used when no materializer handles a type (the registry warns once per type with
:class:`cairn.materializers.PickleFallbackWarning`); artifacts it writes are
recorded with ``properties["pickle"] = True``. A pickle loads only with
compatible versions of Python and of the libraries of the pickled object.
"""

from __future__ import annotations

import json
import pickle
import sys
from typing import Any, ClassVar

from cairn.exceptions import MaterializerError
from cairn.materializers.base_materializer import BaseMaterializer

DATA_PICKLE = "data.pkl"
INFO_JSON = "pickle_info.json"


class CloudpickleMaterializer(BaseMaterializer):
    """Saves any object with cloudpickle; loads it with pickle."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ()
    IS_PICKLE: ClassVar[bool] = True

    def save(self, data: Any) -> None:
        import cloudpickle

        with self.open(DATA_PICKLE, "wb") as f:
            cloudpickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        with self.open(INFO_JSON, "w") as f:
            json.dump({"python": ".".join(str(v) for v in sys.version_info[:3])}, f)

    def load(self, data_type: type) -> Any:
        try:
            with self.open(DATA_PICKLE, "rb") as f:
                return pickle.load(f)
        except (ImportError, AttributeError, pickle.UnpicklingError) as exc:
            raise MaterializerError(
                f"Cannot unpickle the artifact at {self.uri}: {exc}. It was saved with "
                f"cloudpickle under Python {self._python_version()}; load it with the same "
                "Python and library versions, or register a materializer for its type."
            ) from exc

    def _python_version(self) -> str:
        try:
            with self.open(INFO_JSON, "r") as f:
                return str(json.load(f).get("python", "?"))
        except (OSError, ValueError):
            return "?"

    def extract_metadata(self, data: Any) -> dict[str, Any]:
        return {"pickle": True, "python_type": f"{type(data).__module__}.{type(data).__qualname__}"}
