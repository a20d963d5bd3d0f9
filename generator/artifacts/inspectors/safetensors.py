"""Parameter counts from safetensors headers: 8 bytes of length, then a JSON header; the tensors are never read."""

from __future__ import annotations

import json
import math
import struct
from typing import Any, BinaryIO

from ...errors import ArtifactsError

# Floating-point dtypes; integer and boolean tensors (position ids, masks, quantisation tables) are not parameters.
FLOAT_DTYPES = frozenset({"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2",
                          "F4"})
MAX_HEADER = 100 * 1024 * 1024


class HeaderError(ArtifactsError, ValueError):
    """Bytes that do not start with a readable safetensors header."""


def read_header(handle: BinaryIO) -> dict[str, Any]:
    raw = handle.read(8)
    if len(raw) != 8:
        raise HeaderError("file is shorter than a safetensors header")
    (length,) = struct.unpack("<Q", raw)
    if length > MAX_HEADER:
        raise HeaderError(f"header length {length:,} is implausible: not a safetensors file")
    text = handle.read(length)
    try:
        header = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise HeaderError(f"header is not JSON: {error}") from error
    if not isinstance(header, dict):
        raise HeaderError("header is not a JSON object")
    return header


def count_parameters(header: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """(float parameters, tensor count per dtype)."""
    total, dtypes = 0, {}
    for name, tensor in header.items():
        if name == "__metadata__" or not isinstance(tensor, dict):
            continue
        dtype = str(tensor.get("dtype"))
        dtypes[dtype] = dtypes.get(dtype, 0) + 1
        if dtype in FLOAT_DTYPES:
            total += math.prod(int(d) for d in tensor.get("shape", []))
    return total, dtypes
