"""Artifact checks at scale, against a real HTTP server on 127.0.0.1.

1. Bytes transferred to read the metadata of artifacts of 100 MB or more (a Spark NLP zip and a Hugging Face zip
   whose safetensors file is ~110 MB), against the baseline of downloading them (target: under 1% of the size).
2. 200 artifacts checked by the artifacts stage: cold with 8 workers, cold with 1 worker (baseline), and a
   rebuild with a warm cache; wall times and the speed-up. Run twice: on bare loopback, and with 20 ms added to
   every answer (a distant object store), where concurrency matters.

Everything is generated in a temporary folder and removed afterwards. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.artifacts import ArtifactSettings, ArtifactStore  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.pipeline import BuildContext  # noqa: E402
from generator.stages import run_pipeline  # noqa: E402
from tests.builders import build_spark_nlp_model_zip  # noqa: E402
from tests.servers import ArtifactServer  # noqa: E402

MB = 10**6


def random_file(path: Path, size: int, mode: str = "wb") -> None:
    with path.open(mode) as out:
        left = size
        while left:
            block = min(left, 8 * MB)
            out.write(os.urandom(block))
            left -= block


def big_spark_zip(folder: Path, size: int) -> Path:
    payload = folder / "payload.bin"
    random_file(payload, size)
    path = build_spark_nlp_model_zip(folder / "big_spark_en_5.4.2_3.0_1724533542430.zip", payload=b"")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.write(payload, "albert_classification_onnx")  # the weights, as Spark NLP stores them
    payload.unlink()
    return path


def big_hf_zip(folder: Path, size: int) -> Path:
    """config.json + tokenizer_config.json + a model.safetensors of ~``size`` bytes with 200 float tensors."""
    tensors, offset, per = {}, 0, size // 200 // 4
    for i in range(200):
        tensors[f"encoder.layer.{i}.weight"] = {"dtype": "F32", "shape": [per], "data_offsets": [offset,
                                                                                               offset + per * 4]}
        offset += per * 4
    header = json.dumps(tensors).encode()
    weights = folder / "model.safetensors"
    with weights.open("wb") as out:
        out.write(struct.pack("<Q", len(header)) + header)
    random_file(weights, offset, mode="ab")
    path = folder / "big_hf.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("config.json", json.dumps({"architectures": ["BertForSequenceClassification"],
                                                    "model_type": "bert", "hidden_size": 768,
                                                    "id2label": {"0": "neg", "1": "pos"}}))
        archive.writestr("tokenizer_config.json", json.dumps({"do_lower_case": True}))
        archive.write(weights, "model.safetensors")
    weights.unlink()
    return path


def metadata_cost(server: ArtifactServer, folder: Path, path: Path) -> dict:
    url = server.add(f"/{path.name}", path)
    size = path.stat().st_size
    path.unlink()  # the server holds it in memory now
    store = ArtifactStore(ArtifactSettings(cache_dir=folder / f"cache-{path.stem}", revalidate_after=0))
    start = time.perf_counter()
    facts = store.inspect(url)
    inspect_s = time.perf_counter() - start
    start = time.perf_counter()
    store.materialize(url)  # the baseline: what a tool without Range reads would have to fetch
    download_s = time.perf_counter() - start
    assert facts.ok, facts.error
    return {"artifact": path.name, "format": facts.format, "size_bytes": size,
            "bytes_transferred": facts.bytes_transferred, "requests": facts.requests,
            "fraction_of_size": round(facts.bytes_transferred / size, 6),
            "meets_target_under_1_percent": facts.bytes_transferred < 0.01 * size,
            "inspect_s": round(inspect_s, 3), "full_download_s": round(download_s, 3),
            "baseline_bytes": size, "parameters": facts.parameters, "class_name": facts.class_name}


def many_artifacts(server: ArtifactServer, folder: Path, count: int) -> dict:
    folder = Path(tempfile.mkdtemp(dir=folder))
    cards = folder / "cards"
    cards.mkdir()
    template = folder / "template.zip"
    for i in range(count):
        name = f"model_{i:04d}_en_5.4.2_3.0_1724533542430.zip"
        build_spark_nlp_model_zip(template, params={"maxSentenceLength": 128 + i}, payload=os.urandom(64 * 1024))
        url = server.add(f"/models/{name}", template)
        (cards / f"model_{i:04d}.md").write_text(
            f"---\nlayout: model\nname: model_{i:04d}\nspark_version: 3.0\n---\n\n[Download]({url})\n\n"
            f"## Model Information\n\n{{:.table-model}}\n|---|---|\n|Max sentence length:|{128 + i}|\n")
    template.unlink()

    def build(cache: str, workers: int) -> tuple[float, list]:
        config = Config(folder, {"artifacts": {"cache_dir": str(folder / cache), "workers": workers}})
        start = time.perf_counter()
        records = run_pipeline([cards], BuildContext(config, quiet=True), only=["artifacts"])
        return time.perf_counter() - start, records

    server.reset_log()
    concurrent_s, records = build("cache-8", 8)
    transferred = server.bytes_sent()
    ok = sum(1 for r in records if r.facts and r.facts.ok)
    sequential_s, _ = build("cache-1", 1)
    server.reset_log()
    warm_s, _ = build("cache-8", 8)
    return {"latency_ms": server.latency * 1000, "artifacts": count, "checked_ok": ok, "workers": 8, "cold_concurrent_s": round(concurrent_s, 3),
            "cold_sequential_baseline_s": round(sequential_s, 3),
            "speedup_vs_sequential": round(sequential_s / concurrent_s, 2),
            "artifacts_per_second": round(count / concurrent_s, 1),
            "bytes_transferred_cold": transferred, "warm_rebuild_s": round(warm_s, 3),
            "warm_rebuild_requests": len(server.log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=110, help="size of each big artifact (>= 100)")
    parser.add_argument("--count", type=int, default=200, help="artifacts checked concurrently")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every answer in the second run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as temporary:
        folder = Path(temporary)
        server = ArtifactServer()
        try:
            big = [metadata_cost(server, folder, big_spark_zip(folder, args.size_mb * MB)),
                   metadata_cost(server, folder, big_hf_zip(folder, args.size_mb * MB))]
        finally:
            server.close()
        many = []
        for latency in (0.0, args.latency_ms / 1000):
            server = ArtifactServer(latency=latency)
            try:
                many.append(many_artifacts(server, folder, args.count))
            finally:
                server.close()
    print(json.dumps({"benchmark": "artifacts", "metadata_of_big_artifacts": big, "many_artifacts": many},
                     indent=2))


if __name__ == "__main__":
    main()
