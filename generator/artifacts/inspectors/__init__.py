"""Inspectors read facts from an artifact's bytes. Each format module says whether it ``applies`` to a tree and
fills ``ArtifactFacts``; single files (ONNX, safetensors) are read directly. Nothing here does I/O beyond reading
the handle it is given, which may be a local file or a remote one read with Range requests."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import BinaryIO

from ..facts import ArtifactFacts
from . import huggingface, keras, onnx, safetensors, spark_nlp
from .tree import DirectoryTree, Tree, ZipTree

TREE_FORMATS = (spark_nlp, keras, huggingface)  # first that applies wins

__all__ = ["DirectoryTree", "Tree", "ZipTree", "inspect_file", "inspect_tree", "sniff"]


def inspect_tree(tree: Tree, facts: ArtifactFacts) -> ArtifactFacts:
    for module in TREE_FORMATS:
        if module.applies(tree):
            module.inspect(tree, facts)
            break
    else:
        models = [n for n in tree.names() if n.lower().endswith(".onnx")]
        if len(models) == 1:  # a folder or zip holding one ONNX model (plus tokenizer files, perhaps)
            with tree.open(models[0]) as handle:
                inspect_file(handle, tree.size_of(models[0]), models[0], "onnx", facts)
            facts.details["model_file"] = models[0]
        else:
            facts.format = tree.kind
    facts.details["members"] = len(tree.names())
    if isinstance(tree, ZipTree):
        facts.details["uncompressed_size"] = tree.uncompressed_size()
    return facts


def sniff(head: bytes, name: str) -> str:
    """'zip' | 'onnx' | 'safetensors' | 'file' from the first bytes and the file name."""
    suffix = PurePosixPath(name).suffix.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06") or suffix in {".zip", ".jar"}:
        return "zip"
    if suffix == ".safetensors" or (len(head) > 9 and head[8:9] == b"{" and head[9:10] in (b'"', b"}")):
        return "safetensors"
    if suffix == ".onnx" or head[:1] == b"\x08":
        return "onnx"
    return "file"


def inspect_file(handle: BinaryIO, size: int, name: str, kind: str, facts: ArtifactFacts) -> ArtifactFacts:
    """Facts of a single-file artifact (``kind`` from ``sniff``); a zip goes through ``inspect_tree``."""
    if kind == "zip":
        return inspect_tree(ZipTree(handle), facts)
    if kind == "onnx":
        model = onnx.inspect_onnx(handle, size)
        facts.format = "onnx"
        facts.set("parameters", model["parameters"], f"initializers of the ONNX graph {name} (float tensors)")
        facts.details.update({k: model[k] for k in ("inputs", "outputs", "opset", "initializers", "ir_version")})
        if model.get("producer"):
            facts.details["producer"] = model["producer"]
        facts.versions.update({f"opset:{d}": str(v) for d, v in model["opset"].items()})
        return facts
    if kind == "safetensors":
        handle.seek(0)
        count, dtypes = safetensors.count_parameters(safetensors.read_header(handle))
        facts.format = "safetensors"
        facts.set("parameters", count, "safetensors header (float tensors)")
        facts.details["tensor_dtypes"] = dtypes
        return facts
    facts.format = "file"
    return facts
