"""Arrow arrays of Python values built from their buffers, without ``pyarrow.array``.

``pyarrow.array`` (and ``RecordBatch.from_pydict``, ``pa.table`` over lists) imports pandas, if
it is installed, the first time it converts a Python sequence, to ask whether the sequence is a
pandas object: 45-50 MB in every process of a build that never uses pandas. The builders here
make the same arrays (same values, same types, same errors) from numpy and byte buffers, for the
types the corpus store holds: strings, booleans and floats. Any value of another type goes to
``pyarrow.array``, so that it raises exactly what it always did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_INT32_MAX = 2**31 - 1


def _validity(values: Sequence[Any]) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap of ``values`` (None where every value is set) and the null count."""
    missing = np.fromiter((v is None for v in values), bool, len(values))
    nulls = int(missing.sum())
    if not nulls:
        return None, 0
    return pa.py_buffer(np.packbits(~missing, bitorder="little")), nulls


def string_array(values: Sequence[str | None]) -> pa.Array:
    """``pa.array(values, pa.string())``: UTF-8 text, None as null."""
    if not all(type(v) is str or v is None for v in values):
        return pa.array(values, pa.string())
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(values) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, len(values)), out=offsets[1:])
    if offsets[-1] > _INT32_MAX:  # pyarrow.array decides how such a column is split
        return pa.array(values, pa.string())
    validity, nulls = _validity(values)
    buffers = [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers, nulls)


def bool_array(values: Sequence[bool | None]) -> pa.Array:
    """``pa.array(values, pa.bool_())``."""
    if not all(type(v) is bool for v in values):
        return pa.array(values, pa.bool_())
    bits = np.packbits(np.fromiter(values, bool, len(values)), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)], 0)


def float_array(values: Sequence[float | None]) -> pa.Array:
    """``pa.array(values, pa.float64())``: floats (numpy's too), None as null."""
    if not all(isinstance(v, float) or v is None for v in values):
        return pa.array(values, pa.float64())
    data = np.fromiter((0.0 if v is None else v for v in values), np.float64, len(values))
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(pa.float64(), len(values), [validity, pa.py_buffer(data)], nulls)


_BUILDERS = {pa.string(): string_array, pa.bool_(): bool_array, pa.float64(): float_array}


def array_of(values: Sequence[Any], type: pa.DataType) -> pa.Array:
    """``pa.array(values, type)``, from buffers for the types above."""
    build = _BUILDERS.get(type)
    return build(values) if build is not None else pa.array(values, type)


def record_batch(columns: Mapping[str, Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """``pa.RecordBatch.from_pydict(columns, schema=schema)``."""
    arrays = [array_of(columns[f.name], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


_NUMPY_TYPES = {pa.int32(): np.int32, pa.int64(): np.int64}


def numpy_of(array: pa.Array) -> np.ndarray:
    """``array.to_numpy(zero_copy_only=False)`` for booleans and integers, read from the
    array's buffers: ``to_numpy`` goes through pyarrow's pandas conversion, which imports
    pandas. Nulls are left to ``to_numpy``."""
    dtype = bool if pa.types.is_boolean(array.type) else _NUMPY_TYPES.get(array.type)
    if array.null_count or dtype is None:
        return array.to_numpy(zero_copy_only=False)
    if not len(array):
        return np.empty(0, dtype)
    data = array.buffers()[1]
    if dtype is bool:
        end = array.offset + len(array)
        bits = np.unpackbits(np.frombuffer(data, np.uint8), count=end, bitorder="little")
        return bits[array.offset :].astype(bool)
    return np.frombuffer(data, dtype, len(array), array.offset * np.dtype(dtype).itemsize)


def empty_table(schema: pa.Schema) -> pa.Table:
    """``schema.empty_table()``, which builds its columns from Python lists."""
    return pa.Table.from_batches([record_batch({n: [] for n in schema.names}, schema)])
