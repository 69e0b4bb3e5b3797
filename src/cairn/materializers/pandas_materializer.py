"""pandas DataFrames / Series and pyarrow Tables as Parquet.

A DataFrame Parquet cannot hold as is (e.g. non-string column names) is stored
with pickle instead, so a round trip never changes the data; ``extract_metadata``
says which format was used.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from cairn.materializers.base_materializer import BaseMaterializer

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

DATA_PARQUET = "data.parquet"
DATA_PICKLE = "data.pkl"
SERIES_JSON = "series.json"
SERIES_COLUMN = "__series__"


def _parquet_safe(frame: pd.DataFrame) -> bool:
    return all(isinstance(c, str) for c in frame.columns) and frame.columns.is_unique


class PandasMaterializer(BaseMaterializer):
    """``pandas.DataFrame`` and ``pandas.Series`` as ``data.parquet``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (
        "pandas.core.frame.DataFrame",
        "pandas.core.series.Series",
    )

    def save(self, data: pd.DataFrame | pd.Series) -> None:
        import pandas as pd

        frame = data
        if isinstance(data, pd.Series):
            with self.open(SERIES_JSON, "w") as f:
                json.dump({"name": data.name}, f)
            frame = data.to_frame(name=SERIES_COLUMN)
        if _parquet_safe(frame):
            with self.open(DATA_PARQUET, "wb") as f:
                frame.to_parquet(f)
        else:
            with self.open(DATA_PICKLE, "wb") as f:
                data.to_pickle(f)

    def load(self, data_type: type) -> pd.DataFrame | pd.Series:
        import pandas as pd

        if self.artifact_store.exists(self.path(DATA_PICKLE)):
            with self.open(DATA_PICKLE, "rb") as f:
                return pd.read_pickle(f)
        with self.open(DATA_PARQUET, "rb") as f:
            frame = pd.read_parquet(f)
        if self.artifact_store.exists(self.path(SERIES_JSON)):
            with self.open(SERIES_JSON, "r") as f:
                name = json.load(f)["name"]
            series = frame[SERIES_COLUMN]
            series.name = name
            return series
        return frame

    def extract_metadata(self, data: pd.DataFrame | pd.Series) -> dict[str, Any]:
        import pandas as pd

        facts: dict[str, Any] = {"shape": list(data.shape)}
        if isinstance(data, pd.DataFrame):
            facts["columns"] = [str(c) for c in data.columns[:50]]
            facts["format"] = "parquet" if _parquet_safe(data) else "pickle"
        else:
            facts["dtype"] = str(data.dtype)
        return facts


class ArrowTableMaterializer(BaseMaterializer):
    """``pyarrow.Table`` as ``data.parquet``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("pyarrow.lib.Table",)

    def save(self, data: pa.Table) -> None:
        import pyarrow.parquet as pq

        with self.open(DATA_PARQUET, "wb") as f:
            pq.write_table(data, f)

    def load(self, data_type: type) -> pa.Table:
        import pyarrow.parquet as pq

        with self.open(DATA_PARQUET, "rb") as f:
            return pq.read_table(f)

    def extract_metadata(self, data: pa.Table) -> dict[str, Any]:
        return {"shape": [data.num_rows, data.num_columns], "columns": data.column_names[:50]}
