"""ONNX facts (inputs, outputs, opset, float initializer parameters) from the protobuf wire format.

The walk reads field headers and seeks over tensor payloads, so a remote model costs its headers, not its weights.
Field numbers are those of onnx.proto (ModelProto, GraphProto, TensorProto, ValueInfoProto, TypeProto).
"""

from __future__ import annotations

import math
from typing import Any, BinaryIO

from ...errors import ArtifactsError

FLOAT_TYPES = {1: "float", 10: "float16", 11: "double", 16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz",
               19: "float8e5m2", 20: "float8e5m2fnuz", 23: "float4e2m1", 24: "float8e8m0"}
ELEMENT_TYPES = {**FLOAT_TYPES, 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
                 8: "string", 9: "bool", 12: "uint32", 13: "uint64"}


class OnnxError(ArtifactsError, ValueError):
    """Bytes that are not a readable ONNX model."""


class _Reader:
    def __init__(self, handle: BinaryIO, end: int) -> None:
        self.handle, self.end = handle, end

    def here(self) -> int:
        return self.handle.tell()

    def varint(self) -> int:
        shift = result = 0
        while True:
            byte = self.handle.read(1)
            if not byte:
                raise OnnxError("truncated varint: not an ONNX model")
            result |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise OnnxError("malformed varint: not an ONNX model")

    def fields(self, end: int):
        """Yield (field number, wire type, value-or-length, payload start) until ``end``; after each
        length-delimited field the reader is put back after it, whatever the consumer read meanwhile."""
        while self.here() < end:
            key = self.varint()
            number, wire = key >> 3, key & 7
            if wire == 0:
                yield number, wire, self.varint(), None
            elif wire == 2:
                length = self.varint()
                start = self.here()
                if start + length > end:
                    raise OnnxError("field runs past its message: truncated or not an ONNX model")
                yield number, wire, length, start
                self.handle.seek(start + length)
            elif wire == 1:
                self.handle.seek(8, 1)
            elif wire == 5:
                self.handle.seek(4, 1)
            else:
                raise OnnxError(f"unsupported wire type {wire}: not an ONNX model")

    def text(self, start: int, length: int) -> str:
        self.handle.seek(start)
        return self.handle.read(length).decode("utf-8", "replace")

    def packed(self, start: int, length: int) -> list[int]:
        self.handle.seek(start)
        values, end = [], start + length
        while self.here() < end:
            values.append(self.varint())
        return values


def inspect_onnx(handle: BinaryIO, size: int) -> dict[str, Any]:
    reader = _Reader(handle, size)
    handle.seek(0)
    model: dict[str, Any] = {"opset": {}, "inputs": [], "outputs": [], "initializers": 0, "parameters": 0}
    for number, wire, value, start in reader.fields(size):
        if number == 1 and wire == 0:
            model["ir_version"] = value
        elif number == 2 and wire == 2:
            model["producer"] = reader.text(start, value)
            reader.handle.seek(start + value)
        elif number == 7 and wire == 2:
            _graph(reader, start, start + value, model)
            reader.handle.seek(start + value)
        elif number == 8 and wire == 2:
            domain, version = "", 0
            for n, w, v, s in reader.fields(start + value):
                if n == 1 and w == 2:
                    domain = reader.text(s, v)
                    reader.handle.seek(s + v)
                elif n == 2 and w == 0:
                    version = v
            model["opset"][domain or "ai.onnx"] = version
    if "ir_version" not in model or not model["opset"]:
        raise OnnxError("no ir_version or opset_import: not an ONNX model")
    return model


def _graph(reader: _Reader, start: int, end: int, model: dict[str, Any]) -> None:
    reader.handle.seek(start)
    for number, wire, value, begin in reader.fields(end):
        if wire != 2:
            continue
        if number == 5:
            name, dims, dtype = _tensor(reader, begin, begin + value)
            model.setdefault("_initializer_names", set()).add(name)
            model["initializers"] += 1
            if dtype in FLOAT_TYPES:
                model["parameters"] += math.prod(dims)
        elif number in (11, 12):
            model["inputs" if number == 11 else "outputs"].append(_value_info(reader, begin, begin + value))
        reader.handle.seek(begin + value)
    initializer_names = model.pop("_initializer_names", set())
    model["inputs"] = [i for i in model["inputs"] if i["name"] not in initializer_names]


def _tensor(reader: _Reader, start: int, end: int) -> tuple[str, list[int], int]:
    reader.handle.seek(start)
    name, dims, dtype = "", [], 0
    for number, wire, value, begin in reader.fields(end):
        if number == 1 and wire == 0:
            dims.append(value)
        elif number == 1 and wire == 2:
            dims.extend(reader.packed(begin, value))
            reader.handle.seek(begin + value)
        elif number == 2 and wire == 0:
            dtype = value
        elif number == 8 and wire == 2:
            name = reader.text(begin, value)
    return name, dims, dtype


def _value_info(reader: _Reader, start: int, end: int) -> dict[str, Any]:
    reader.handle.seek(start)
    info: dict[str, Any] = {"name": "", "type": None, "shape": None}
    for number, wire, value, begin in reader.fields(end):
        if number == 1 and wire == 2:
            info["name"] = reader.text(begin, value)
        elif number == 2 and wire == 2:
            _type(reader, begin, begin + value, info)
    return info


def _type(reader: _Reader, start: int, end: int, info: dict[str, Any]) -> None:
    reader.handle.seek(start)
    for number, wire, value, begin in reader.fields(end):
        if number == 1 and wire == 2:  # tensor_type
            reader.handle.seek(begin)
            for n, w, v, b in reader.fields(begin + value):
                if n == 1 and w == 0:
                    info["type"] = ELEMENT_TYPES.get(v, str(v))
                elif n == 2 and w == 2:
                    info["shape"] = _shape(reader, b, b + v)
                    reader.handle.seek(b + v)
            reader.handle.seek(begin + value)


def _shape(reader: _Reader, start: int, end: int) -> list[int | str]:
    reader.handle.seek(start)
    shape: list[int | str] = []
    for number, wire, value, begin in reader.fields(end):
        if number == 1 and wire == 2:
            dim: int | str = "?"
            reader.handle.seek(begin)
            for n, w, v, b in reader.fields(begin + value):
                if n == 1 and w == 0:
                    dim = v
                elif n == 2 and w == 2:
                    dim = reader.text(b, v)
                    reader.handle.seek(b + v)
            shape.append(dim)
            reader.handle.seek(begin + value)
    return shape
