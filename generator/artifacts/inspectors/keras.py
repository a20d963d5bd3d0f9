"""Keras Hub presets: config.json (class, backbone config) and metadata.json (parameter_count, versions)."""

from __future__ import annotations

from typing import Any

from ..facts import ArtifactFacts
from .tree import Tree
from .values import as_int


def applies(tree: Tree) -> bool:
    metadata = tree.find("metadata.json")
    if metadata is None:
        return False
    data = tree.json(metadata)
    return isinstance(data, dict) and ("keras_version" in data or "parameter_count" in data)


def inspect(tree: Tree, facts: ArtifactFacts) -> None:
    metadata_name = tree.find("metadata.json")
    assert metadata_name is not None
    metadata: dict[str, Any] = tree.json(metadata_name) or {}
    facts.format = "keras-preset"
    facts.set("parameters", as_int(metadata.get("parameter_count")), f"{metadata_name} (parameter_count)")
    for key in ("keras_version", "keras_hub_version", "keras_nlp_version"):
        if metadata.get(key):
            facts.versions[key.removesuffix("_version")] = str(metadata[key])
    config_name = Tree.sibling(metadata_name, "config.json")
    config = tree.json(config_name) if config_name in tree.names() else None
    if isinstance(config, dict):
        facts.set("class_name", config.get("class_name"), f"{config_name} (class_name)")
        inner = config.get("config") or {}
        facts.set("dimension", as_int(inner.get("hidden_dim")), f"{config_name} (config.hidden_dim)")
        facts.set("max_sentence_length", as_int(inner.get("max_sequence_length")),
                  f"{config_name} (config.max_sequence_length)")
        for key in ("vocabulary_size", "num_layers", "num_heads", "embedding_dim", "intermediate_dim"):
            if key in inner:
                facts.details[key] = inner[key]
    facts.details["assets"] = [n for n in tree.names() if "/assets/" in "/" + n]
