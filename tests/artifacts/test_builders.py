"""The fixture builders other suites rely on produce artifacts the real libraries load."""

from __future__ import annotations

import json
import zipfile

from tests.builders import build_spark_nlp_model_zip


def test_tiny_albert_served_on_loopback_loads_in_a_transformers_pipeline(artifact_server, store, built):
    """The path execution takes: a zip on an HTTP server, materialized into the cache, loaded offline."""
    from transformers import AutoTokenizer, pipeline

    url = artifact_server.add("/tiny_albert.zip", built["albert_zip"])
    folder = store.materialize(url)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer("I really liked that movie!")["input_ids"][0] == tokenizer.cls_token_id
    classify = pipeline("text-classification", model=str(folder))
    (prediction,) = classify("I really liked that movie!")
    assert prediction["label"] in {"neg", "pos"} and 0.0 <= prediction["score"] <= 1.0


def test_spark_nlp_zip_has_the_spark_ml_persistence_layout(tmp_path):
    path = build_spark_nlp_model_zip(tmp_path / "m.zip", params={"dimension": 768})
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        metadata = json.loads(archive.read("metadata/part-00000").decode().splitlines()[0])
    assert {"metadata/part-00000", "metadata/_SUCCESS"} <= names and any(n.startswith("fields/") for n in names)
    assert set(metadata) >= {"class", "timestamp", "sparkVersion", "uid", "paramMap"}
    assert metadata["paramMap"]["dimension"] == 768 and metadata["paramMap"]["caseSensitive"] is False


def test_keras_preset_and_onnx_builders(built):
    import onnxruntime

    metadata = json.loads((built["keras_preset"] / "metadata.json").read_text())
    assert metadata["parameter_count"] == 11_683_584 and metadata["keras_hub_version"]
    assert (built["keras_preset"] / "assets" / "tokenizer" / "vocabulary.spm").stat().st_size > 0
    session = onnxruntime.InferenceSession(str(built["onnx"]), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["probabilities"]


def test_a_local_model_folder_is_materialized_as_it_is(store, built):
    assert store.materialize(str(built["albert_dir"])) == built["albert_dir"]
    assert not (store.settings.cache_dir / "blobs").exists()  # nothing copied
