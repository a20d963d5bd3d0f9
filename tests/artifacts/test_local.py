"""A build's artifacts as local files: one handle per artifact, materialised and digested once, whichever stage
asks first; execution and the benchmarks run on the handle the artifacts stage attached to the record."""

from __future__ import annotations

import csv
import hashlib

import pytest

from generator.artifacts import ArtifactError
from generator.artifacts import store as artifact_store
from generator.artifacts.digest import tree_digest
from generator.artifacts.local import LocalArtifacts
from generator.config import load_config
from generator.pipeline import BuildContext
from generator.stages import run_pipeline
from tests.builders import build_tiny_albert_classifier, zip_directory


@pytest.fixture
def counted(monkeypatch):
    """How many times the real ArtifactStore.materialize ran, per URL (the real method does the work)."""
    calls: dict[str, int] = {}
    real = artifact_store.ArtifactStore.materialize

    def materialize(self, url, *args, **kwargs):
        calls[url] = calls.get(url, 0) + 1
        return real(self, url, *args, **kwargs)

    monkeypatch.setattr(artifact_store.ArtifactStore, "materialize", materialize)
    return calls


def _catalog(root, text: str = "[artifacts]\ncache_dir = \".cache\"\n"):
    (root / "cards").mkdir()
    (root / "modelhub.toml").write_text(text, encoding="utf-8")
    return root / "cards"


def test_one_handle_per_artifact_materialised_and_digested_once(tmp_path, counted):
    cards = _catalog(tmp_path)
    model = cards / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x00\x01" * 100)
    artifacts = LocalArtifacts(load_config(tmp_path))
    first = artifacts.handle("model", cards / "a.md")
    assert artifacts.handle("model", cards / "b.md") is first  # same folder, same relative URL: one artifact
    assert artifacts.handle("model", cards / "a.md", "AB" * 32) is not first  # another declared sha256
    local = first.local()
    assert local.path == model and local.digest == tree_digest(model)
    assert first.local() is local
    assert counted == {"model": 1}


def test_a_failure_is_remembered_and_raised_again_without_a_second_attempt(tmp_path, counted):
    cards = _catalog(tmp_path)
    handle = LocalArtifacts(load_config(tmp_path)).handle("missing.zip", cards / "a.md")
    with pytest.raises(ArtifactError) as first:
        handle.local()
    with pytest.raises(ArtifactError) as again:
        handle.local()
    assert again.value is first.value and first.value.kind == "not-found"
    assert counted == {"missing.zip": 1}


def test_a_zip_that_is_not_what_the_card_declares_is_refused(tmp_path):
    cards = _catalog(tmp_path)
    archive = zip_directory(build_tiny_albert_classifier(tmp_path / "build"), cards / "model.zip")
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ArtifactError) as refused:
        LocalArtifacts(load_config(tmp_path)).handle("model.zip", cards / "a.md", wrong).local()
    assert refused.value.kind == "checksum" and archive.name in str(refused.value)


def test_a_folder_that_is_not_what_the_card_declares_is_refused(tmp_path):
    cards = _catalog(tmp_path)
    model = cards / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x00\x01" * 100)
    artifacts = LocalArtifacts(load_config(tmp_path))
    declared = tree_digest(model)
    assert artifacts.handle("model", cards / "a.md", declared).local().path == model
    (model / "weights.bin").write_bytes(b"\x00\x02" * 100)  # the same size, other bytes
    with pytest.raises(ArtifactError) as refused:
        LocalArtifacts(load_config(tmp_path)).handle("model", cards / "a.md", declared).local()
    assert refused.value.kind == "checksum" and f"expected {declared}" in str(refused.value)


def test_the_digest_of_a_folder_is_its_files_names_and_sha256s(tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    # walk order: a folder's own files by name, then each subfolder by name
    files = {"config.json": b"{}", "weights.bin": b"\x00" * 10, "sub/vocab.txt": b"a\nb\n"}
    for name, data in files.items():
        (model / name).write_bytes(data)
    lines = "".join(f"{name}\0{hashlib.sha256(data).hexdigest()}\n" for name, data in files.items())
    assert tree_digest(model) == hashlib.sha256(lines.encode()).hexdigest()
    (model / "sub" / "vocab.txt").rename(model / "vocab.txt")  # a file moved: another digest
    assert tree_digest(model) != hashlib.sha256(lines.encode()).hexdigest()


def test_links_that_loop_back_up_a_folder_are_walked_once(tmp_path):
    """A hostile folder artifact: links to itself would make a walk that follows links exponential."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"w")
    plain = tree_digest(model)
    for name in ("a", "b", "c"):
        (model / name).symlink_to(".", target_is_directory=True)
    assert tree_digest(model) == plain


CARD = """---
name: tiny_albert_sentiment
runtime: transformers
task: Text Classification
artifact: {url: "model.zip"}
benchmark: {dataset: data/eval.csv, text_column: text, label_column: label}
---

# Tiny ALBERT sentiment

```python
print(sum(range(4)))
```
"""


@pytest.mark.slow
def test_execute_and_bench_run_on_the_artifact_the_artifacts_stage_resolved(tmp_path, counted, monkeypatch):
    """A real build (artifacts, execute, bench; mode force) of a card with a local zip: the zip is materialised
    once and hashed once, and the run and the measurement name the same content digest."""
    cards = _catalog(tmp_path, "[artifacts]\ncache_dir = \".cache\"\n[bench]\nrepetitions = 1\nwarmup = 0\n"
                               "batch_sizes = [1]\neval_batch_size = 4\n")
    zip_directory(build_tiny_albert_classifier(tmp_path / "build"), cards / "model.zip")
    (cards / "data").mkdir()
    with (cards / "data" / "eval.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("text", "label"), ("good day", "positive"), ("bad food", "negative")])
    card = cards / "tiny.md"
    card.write_text(CARD, encoding="utf-8")
    digests = []
    real_digest = tree_digest

    def counting_digest(path, memo=None):
        digests.append(path)
        return real_digest(path, memo)

    monkeypatch.setattr("generator.artifacts.local.tree_digest", counting_digest)
    (record,) = run_pipeline([card], BuildContext(load_config(tmp_path), mode="force", quiet=True),
                             only=["artifacts", "execute", "bench"])
    assert record.facts.to_json()["status"] == "ok"
    assert record.runs.to_json()["status"] == "ok", record.runs.to_json()["reason"]
    assert record.bench.to_json()["status"] == "measured", record.bench.to_json().get("reason")
    assert counted == {"model.zip": 1}
    assert len(digests) == 1
    digest = record.artifact.local().digest
    assert record.runs.to_json()["inputs"]["artifact"] == record.bench.to_json()["inputs"]["artifact"] == digest


def test_where_an_artifact_lives_is_worked_out_once_for_every_stage_and_rule(tmp_path, monkeypatch):
    """The artifacts stage resolves each card's artifact once (``CardRecord.location``); its inspection, the
    materialisation and MH513 read that resolution instead of resolving the URL again."""
    from generator.artifacts import local as local_module
    from generator.artifacts import resolve as resolve_module

    cards = _catalog(tmp_path)
    model = cards / "model"
    model.mkdir()
    (model / "config.json").write_text('{"architectures": ["BertModel"]}', encoding="utf-8")
    for name, url in (("a", "model"), ("b", "../../outside")):
        (cards / f"{name}.md").write_text(f"---\nname: {name}\nartifact: {{url: {url}}}\n---\n\n# {name}\n",
                                          encoding="utf-8")
    calls: list[str] = []
    real = resolve_module.resolve

    def resolve(url, *args, **kwargs):
        calls.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(local_module, "resolve", resolve)
    monkeypatch.setattr(artifact_store, "resolve", resolve)
    monkeypatch.setattr(resolve_module, "resolve", resolve)  # MH513's own resolution, were it to make one
    config = load_config(tmp_path)
    records = run_pipeline([cards], BuildContext(config), only=["artifacts", "check"])
    by_name = {record.card.name: record for record in records}
    assert sorted(calls) == ["../../outside", "model"]  # inspection and MH513 included: one each
    assert by_name["a"].facts.ok and by_name["a"].location.path == model
    assert isinstance(by_name["b"].location, resolve_module.OutsideCatalog)
    assert [f.line for f in by_name["b"].findings if f.code == "MH513"] == [3]  # the `artifact:` line
    assert by_name["a"].artifact.local().path == model  # materialised where it was resolved, not resolved again
    assert sorted(calls) == ["../../outside", "model"]
