"""pydantic models as JSON, with the model's class path to load them back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from cairn.exceptions import MaterializerError
from cairn.materializers.base_materializer import BaseMaterializer, type_source

if TYPE_CHECKING:
    from pydantic import BaseModel

DATA_JSON = "data.json"
CLASS_JSON = "class.json"


class PydanticMaterializer(BaseMaterializer):
    """Any ``pydantic.BaseModel`` as ``data.json`` plus ``class.json`` (its import path)."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("pydantic.main.BaseModel",)

    def save(self, data: BaseModel) -> None:
        with self.open(CLASS_JSON, "w") as f:
            json.dump({"class": type_source(type(data))}, f)
        with self.open(DATA_JSON, "w") as f:
            f.write(data.model_dump_json())

    def load(self, data_type: type) -> BaseModel:
        from pydantic import BaseModel

        model = data_type
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            model = self._recorded_class()
        with self.open(DATA_JSON, "r") as f:
            return model.model_validate_json(f.read())

    def _recorded_class(self) -> type[BaseModel]:
        from pydantic import BaseModel

        from cairn.stack.source_utils import load_source

        with self.open(CLASS_JSON, "r") as f:
            source = json.load(f)["class"]
        try:
            cls = load_source(source)
        except Exception as exc:
            raise MaterializerError(
                f"Cannot import the model class '{source}' of the artifact at {self.uri}: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            raise MaterializerError(f"'{source}' is not a pydantic model.")
        return cls

    def extract_metadata(self, data: BaseModel) -> dict[str, Any]:
        return {"model": type_source(type(data))}
