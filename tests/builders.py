"""Real artifacts for tests, built in seconds: a tiny ALBERT classifier, Spark NLP and Keras preset layouts, ONNX.

Other test suites import these (execution serves the ALBERT zip on loopback; checks compare cards with the facts
of these artifacts), so every builder writes the same layout the real tools write and returns where it wrote it.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Sentences the tiny sentencepiece vocabulary is trained on; short words so that example texts tokenize sensibly.
TRAINING_SENTENCES = (
    "I really liked that movie!",
    "The film was terrible and boring.",
    "What a wonderful day it is.",
    "This is the worst thing I have ever seen.",
    "Great acting, great story, great music.",
    "I hate waiting in line at the bank.",
    "The service was good and the food was great.",
    "Disney Comics was a comic book publishing company.",
    "I love NLP and natural language processing.",
    "You are a kind and lovely person.",
)


def sentencepiece_vocab(sentences: Iterable[str] = TRAINING_SENTENCES, vocab_size: int = 120
                        ) -> tuple[list[tuple[str, float]], bytes]:
    """Train a small unigram sentencepiece model in memory; returns (pieces with scores, the model proto)."""
    import sentencepiece as spm

    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences) * 4), model_writer=proto, vocab_size=vocab_size,
        model_type="unigram", pad_id=0, unk_id=1, bos_id=2, eos_id=3, pad_piece="<pad>", unk_piece="<unk>",
        bos_piece="[CLS]", eos_piece="[SEP]", user_defined_symbols="[MASK]", character_coverage=1.0,
        hard_vocab_limit=False, minloglevel=2, num_threads=1)
    processor = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    pieces = [(processor.id_to_piece(i), float(processor.get_score(i))) for i in range(processor.get_piece_size())]
    return pieces, proto.getvalue()


def build_tiny_albert_classifier(directory: str | Path, labels: Sequence[str] = ("negative", "positive"), *,
                                 do_lower_case: bool = True, max_position_embeddings: int = 64,
                                 hidden_size: int = 32, seed: int = 0) -> Path:
    """A real AlbertForSequenceClassification (safetensors) with a working tokenizer, loadable fully offline.

    ``AutoTokenizer.from_pretrained(directory)`` and ``pipeline("text-classification", model=directory)`` work.
    """
    import torch
    from transformers import AlbertConfig, AlbertForSequenceClassification, AlbertTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pieces, proto = sentencepiece_vocab()
    tokenizer = AlbertTokenizer(vocab=pieces, do_lower_case=do_lower_case,
                                model_max_length=max_position_embeddings)
    config = AlbertConfig(
        vocab_size=len(pieces), embedding_size=16, hidden_size=hidden_size, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=37, max_position_embeddings=max_position_embeddings,
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
        pad_token_id=0, bos_token_id=2, eos_token_id=3)
    torch.manual_seed(seed)
    model = AlbertForSequenceClassification(config)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    (directory / "spiece.model").write_bytes(proto)
    for file in directory.iterdir():  # published as a catalog would: safetensors writes 0600, the sandbox user reads
        file.chmod(0o644)
    return directory


def zip_directory(directory: str | Path, zip_path: str | Path, *, prefix: str = "",
                  compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Zip every file under ``directory`` (member names relative to it, under ``prefix``)."""
    directory, zip_path = Path(directory), Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression) as archive:
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            archive.write(file, prefix + file.relative_to(directory).as_posix())
    return zip_path


SPARK_CLASS = "com.johnsnowlabs.nlp.annotators.classifier.dl.AlbertForSequenceClassification"


def build_spark_nlp_model_zip(path: str | Path, class_name: str = SPARK_CLASS,
                              params: Mapping[str, Any] | None = None, *, spark_version: str = "3.0.2",
                              timestamp: int = 1639652560396, uid: str | None = None,
                              payload: bytes = b"\x00" * 2048, payload_name: str = "albert_classification_tensorflow",
                              extra_members: Mapping[str, bytes] | None = None) -> Path:
    """A zip in Spark ML persistence layout: ``metadata/part-00000`` (one JSON line), ``metadata/_SUCCESS``,
    ``fields/`` members and a model payload, as ``AnnotatorModel.write.save`` lays it out."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    short = class_name.rsplit(".", 1)[-1]
    param_map = {"caseSensitive": False, "maxSentenceLength": 512, "inputCols": ["token", "document"],
                 "outputCol": "class", "batchSize": 8}
    param_map.update(params or {})
    metadata = {"class": class_name, "timestamp": timestamp, "sparkVersion": spark_version,
                "uid": uid or f"{short}_4c3f1f1e2d5a", "paramMap": param_map,
                "defaultParamMap": {"lazyAnnotator": False, "engine": "tensorflow"}}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata/part-00000", json.dumps(metadata, separators=(",", ":")) + "\n")
        archive.writestr("metadata/_SUCCESS", b"")
        archive.writestr("metadata/.part-00000.crc", b"crc\x00")
        archive.writestr("fields/vocabulary/part-00000", b"SEQ\x06" + b"\x00" * 60)
        archive.writestr(payload_name, payload)
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return path


def build_keras_preset(directory: str | Path, *, class_name: str = "AlbertBackbone",
                       parameter_count: int = 11_683_584, keras_version: str = "3.6.0",
                       keras_hub_version: str = "0.17.0", config: Mapping[str, Any] | None = None) -> Path:
    """A Keras Hub preset directory: config.json, metadata.json, tokenizer.json and the tokenizer's asset."""
    directory = Path(directory)
    (directory / "assets" / "tokenizer").mkdir(parents=True, exist_ok=True)
    backbone = {"vocabulary_size": 30000, "num_layers": 12, "num_heads": 12, "num_groups": 1,
                "num_inner_repetitions": 1, "embedding_dim": 128, "hidden_dim": 768, "intermediate_dim": 3072,
                "dropout": 0.0, "max_sequence_length": 512, "num_segments": 2}
    backbone.update(config or {})
    _write_json(directory / "config.json", {
        "module": "keras_hub.src.models.albert.albert_backbone", "class_name": class_name,
        "config": {"name": "albert_backbone", "trainable": True, **backbone},
        "registered_name": f"keras_hub>{class_name}"})
    _write_json(directory / "metadata.json", {
        "keras_version": keras_version, "keras_hub_version": keras_hub_version,
        "parameter_count": parameter_count, "date_saved": "2024-10-01@12:00:00"})
    _write_json(directory / "tokenizer.json", {
        "module": "keras_hub.src.models.albert.albert_tokenizer", "class_name": "AlbertTokenizer",
        "config": {"name": "albert_tokenizer", "dtype": "int32", "proto": None, "sequence_length": None},
        "registered_name": "keras_hub>AlbertTokenizer"})
    _, proto = sentencepiece_vocab()
    (directory / "assets" / "tokenizer" / "vocabulary.spm").write_bytes(proto)
    return directory


def build_onnx_file(path: str | Path, *, inputs: int = 8, outputs: int = 4, opset: int = 17) -> Path:
    """A small real ONNX graph (MatMul + Add + Softmax) whose float initializers hold inputs*outputs+outputs values."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.standard_normal((inputs, outputs)).astype(np.float32), "weight")
    bias = numpy_helper.from_array(rng.standard_normal((outputs,)).astype(np.float32), "bias")
    shape = numpy_helper.from_array(np.array([-1, inputs], dtype=np.int64), "shape")  # not a float: not counted
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["input_ids", "shape"], ["flat"]),
         helper.make_node("MatMul", ["flat", "weight"], ["scores"]),
         helper.make_node("Add", ["scores", "bias"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1)],
        "tiny_classifier",
        [helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, ["batch", inputs])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", outputs])],
        initializer=[weight, bias, shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="modelhub-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
