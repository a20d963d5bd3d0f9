"""Hugging Face model folders or zips: config.json, the tokenizer configuration, safetensors headers, and the
sentence-transformers files (pooling dimension, max_seq_length) when present."""

from __future__ import annotations

from typing import Any

from ..facts import ArtifactFacts
from . import safetensors
from .tree import Tree
from .values import as_int


def applies(tree: Tree) -> bool:
    config = tree.find("config.json")
    if config is None:
        return False
    data = tree.json(config)
    return isinstance(data, dict) and ("model_type" in data or "architectures" in data)


def inspect(tree: Tree, facts: ArtifactFacts) -> None:
    config_name = tree.find("config.json")
    assert config_name is not None
    config: dict[str, Any] = tree.json(config_name) or {}
    facts.format = "huggingface"
    where = config_name
    architectures = [str(a) for a in config.get("architectures") or []]
    if architectures:
        facts.set("architectures", architectures, f"{where} (architectures)")
        facts.set("class_name", architectures[0], f"{where} (architectures[0])")
    facts.set("model_type", config.get("model_type"), f"{where} (model_type)")
    labels = _labels(config.get("id2label"))
    if labels and not _generic(labels):
        facts.set("labels", labels, f"{where} (id2label)")
    facts.set("dimension", as_int(config.get("hidden_size") or config.get("d_model") or config.get("dim")),
              f"{where} (hidden_size)")
    facts.set("max_sentence_length", as_int(config.get("max_position_embeddings")),
              f"{where} (max_position_embeddings)")
    for key in ("max_position_embeddings", "vocab_size", "hidden_size", "num_hidden_layers", "torch_dtype", "dtype"):
        if key in config:
            facts.details[key] = config[key]
    if config.get("transformers_version"):
        facts.versions["transformers"] = str(config["transformers_version"])
    _tokenizer(tree, config_name, facts)
    _sentence_transformers(tree, config_name, facts)
    _parameters(tree, config_name, facts)


def _tokenizer(tree: Tree, config_name: str, facts: ArtifactFacts) -> None:
    name = Tree.sibling(config_name, "tokenizer_config.json")
    if name not in tree.names():
        return
    tokenizer = tree.json(name) or {}
    lower = tokenizer.get("do_lower_case")
    if isinstance(lower, bool):
        facts.set("case_sensitive", not lower, f"{name} (do_lower_case={str(lower).lower()})")
    length = as_int(tokenizer.get("model_max_length"))
    if length and length < 10**7:  # transformers writes a huge sentinel when there is no limit
        facts.set("max_sentence_length", length, f"{name} (model_max_length)")
    if tokenizer.get("tokenizer_class"):
        facts.details["tokenizer_class"] = tokenizer["tokenizer_class"]


def _sentence_transformers(tree: Tree, config_name: str, facts: ArtifactFacts) -> None:
    names = set(tree.names())
    settings = Tree.sibling(config_name, "sentence_bert_config.json")
    if settings in names:
        data = tree.json(settings) or {}
        facts.set("max_sentence_length", as_int(data.get("max_seq_length")), f"{settings} (max_seq_length)")
        if isinstance(data.get("do_lower_case"), bool) and data["do_lower_case"]:
            facts.set("case_sensitive", False, f"{settings} (do_lower_case=true)")
        facts.details["sentence_transformers"] = True
    pooling = Tree.sibling(config_name, "1_Pooling/config.json")
    if pooling in names:
        data = tree.json(pooling) or {}
        facts.set("dimension", as_int(data.get("word_embedding_dimension")), f"{pooling} (word_embedding_dimension)")


def _parameters(tree: Tree, config_name: str, facts: ArtifactFacts) -> None:
    folder = Tree.sibling(config_name, "")
    files = [n for n in tree.names() if n.endswith(".safetensors") and n.startswith(folder)
             and "/" not in n[len(folder):]]
    if not files:
        return
    total, dtypes = 0, {}
    for name in files:
        with tree.open(name) as handle:
            try:
                count, kinds = safetensors.count_parameters(safetensors.read_header(handle))
            except safetensors.HeaderError as error:
                facts.details["safetensors_error"] = f"{name}: {error}"
                return
        total += count
        for dtype, n in kinds.items():
            dtypes[dtype] = dtypes.get(dtype, 0) + n
    facts.set("parameters", total, f"safetensors header{'s' if len(files) > 1 else ''} of {', '.join(files)} "
                                   f"(float tensors)")
    facts.details["tensor_dtypes"] = dtypes


def _labels(id2label: Any) -> list[str] | None:
    if not isinstance(id2label, dict) or not id2label:
        return None
    try:
        ordered = sorted(id2label.items(), key=lambda item: int(item[0]))
    except (TypeError, ValueError):
        return None
    return [str(label) for _, label in ordered]


def _generic(labels: list[str]) -> bool:
    """transformers fills id2label with LABEL_0, LABEL_1 when a model has no real labels."""
    return all(label == f"LABEL_{i}" for i, label in enumerate(labels))
