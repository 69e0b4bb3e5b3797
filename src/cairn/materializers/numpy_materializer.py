"""numpy arrays as ``.npy`` files, written and read without extra copies.

Saving writes the ``.npy`` header and then the array's memory in one ``write``;
loading reads the header and ``readinto``s a freshly allocated array. Both go
through the artifact store's file objects, so they work on any filesystem.
Arrays of Python objects (dtype ``object``) fall back to ``np.save`` with pickles.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, ClassVar

from cairn.exceptions import MaterializerError
from cairn.materializers.base_materializer import BaseMaterializer

if TYPE_CHECKING:
    import numpy as np

DATA_NPY = "data.npy"


def write_npy(f: IO[Any], array: np.ndarray[Any, Any]) -> None:
    """Write ``array`` in ``.npy`` format to a binary file object."""
    import numpy as np

    fmt = np.lib.format
    if array.dtype.hasobject:
        np.save(f, array, allow_pickle=True)
        return
    if not (array.flags.c_contiguous or array.flags.f_contiguous):
        array = np.ascontiguousarray(array)
    fmt.write_array_header_2_0(f, fmt.header_data_from_array_1_0(array))
    if array.size:
        f.write(_bytes_view(array))


def read_npy(f: IO[Any]) -> np.ndarray[Any, Any]:
    """Read a ``.npy`` file object into a new array."""
    import numpy as np

    fmt = np.lib.format
    version = fmt.read_magic(f)
    reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = reader(f)
    if dtype.hasobject:
        raise _ObjectArray
    array = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    if array.size:
        _read_into(f, _bytes_view(array))
    return array


def _bytes_view(array: Any) -> memoryview:
    """The bytes of a C- or Fortran-contiguous array, without a copy."""
    if not array.flags.c_contiguous:
        array = array.T  # a Fortran-ordered array is its transpose in C order
    return memoryview(array).cast("B")


def _read_into(f: IO[Any], view: memoryview) -> None:
    readinto = getattr(f, "readinto", None)
    got = 0
    while got < len(view):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            chunk = f.read(len(view) - got)
            n = len(chunk)
            view[got : got + n] = chunk
        if not n:
            raise MaterializerError("The .npy file is truncated.")
        got += n


class _ObjectArray(Exception):
    """The array holds Python objects: read it with np.load(allow_pickle=True)."""


class NumpyMaterializer(BaseMaterializer):
    """``numpy.ndarray`` as ``data.npy``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("numpy.ndarray",)

    def save(self, data: np.ndarray[Any, Any]) -> None:
        with self.open(DATA_NPY, "wb") as f:
            write_npy(f, data)

    def load(self, data_type: type) -> np.ndarray[Any, Any]:
        try:
            with self.open(DATA_NPY, "rb") as f:
                return read_npy(f)
        except _ObjectArray:
            import numpy as np

            with self.open(DATA_NPY, "rb") as f:
                return np.load(f, allow_pickle=True)  # type: ignore[no-any-return]

    def extract_metadata(self, data: np.ndarray[Any, Any]) -> dict[str, Any]:
        return {"shape": list(data.shape), "dtype": str(data.dtype)}
