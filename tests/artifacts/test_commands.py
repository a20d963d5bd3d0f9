"""``modelhub inspect`` and ``modelhub new``: facts on the command line, and cards that agree with their artifact."""

from __future__ import annotations

import json

import pytest

from generator.artifacts import ArtifactStore
from generator.card import read_card
from generator.checks import CheckContext, RuleSelection, check_card
from generator.cli import main
from tests.artifacts.conftest import IMDB_ZIP, fast_settings


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Commands find their configuration from the working folder: give them one with a private cache."""
    (tmp_path / "modelhub.toml").write_text(f'[artifacts]\ncache_dir = "{tmp_path / "cache"}"\nread_timeout = 1\n'
                                            'retries = 1\nbackoff = 0.01\n')
    monkeypatch.chdir(tmp_path)


def test_inspect_prints_json_facts_read_over_range(artifact_server, built, capsys):
    url = artifact_server.add("/m.zip", built["albert_zip"])
    assert main(["inspect", url, "--format", "json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["labels"] == ["neg", "pos"] and facts["details"]["read_with"] == "range"
    assert 0 < facts["bytes_transferred"] <= facts["size"]


def test_inspect_text_shows_where_each_value_came_from(built, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    assert main(["inspect", str(built["onnx"])]) == 0
    out = capsys.readouterr().out
    assert "onnx" in out and "initializers of the ONNX graph tiny.onnx" in out and "probabilities" in out


def test_inspect_of_a_missing_artifact_fails_with_the_reason(artifact_server, capsys):
    assert main(["inspect", artifact_server.url("/nope.zip")]) == 1
    assert "HTTP 404" in capsys.readouterr().out


@pytest.mark.parametrize("dialect", ["jsl", "native"])
def test_new_scaffolds_a_card_that_agrees_with_its_artifact(artifact_server, built, tmp_path, dialect, capsys):
    url = artifact_server.add(f"/public/models/{IMDB_ZIP}", built["spark_zip"])
    out = tmp_path / f"{dialect}.md"
    assert main(["new", "--from", url, "--dialect", dialect, "--license", "Apache-2.0", "-o", str(out)]) == 0
    card = read_card(out)
    assert card.dialect == dialect and card.name == "albert_base_sequence_classifier_imdb"
    assert card.language == "en" and card.download_url == url
    facts = ArtifactStore(fast_settings(tmp_path / "cache")).inspect(url, checksum=True).to_dict()
    findings = check_card(card, CheckContext(facts=facts, selection=RuleSelection(select=("artifacts",))))
    assert findings == []
    assert facts["sha256"] in out.read_text()
    every_rule = check_card(card, CheckContext(facts=facts, selection=RuleSelection()))
    assert [f for f in every_rule if f.severity == "error"] == []  # a scaffold only lacks prose and examples


def test_new_from_a_model_folder_writes_labels_and_numbers(built, capsys):
    assert main(["new", "--from", str(built["albert_dir"]), "--name", "tiny_albert"]) == 0
    text = capsys.readouterr().out
    assert "labels:\n- neg\n- pos" in text and "case_sensitive: false" in text and "annotator: Albert" in text


def test_new_says_which_fields_the_artifact_cannot_supply(built, capsys):
    assert main(["new", "--from", str(built["spark_zip"]), "--dialect", "native"]) == 0
    assert "does not say license; pass --license" in capsys.readouterr().err


def test_new_refuses_to_overwrite_a_card(built, tmp_path, capsys):
    existing = tmp_path / "card.md"
    existing.write_text("keep me")
    assert main(["new", "--from", str(built["onnx"]), "-o", str(existing)]) == 1
    assert existing.read_text() == "keep me" and "--force" in capsys.readouterr().err


def test_new_from_a_folder_reads_its_readme_links_it_relatively_and_passes_check_strict(built, tmp_path, capsys):
    import shutil

    model = tmp_path / "models" / "tiny"
    shutil.copytree(built["albert_dir"], model)
    (model / "README.md").write_text("---\nlicense: apache-2.0\npipeline_tag: text-classification\nlanguage: de\n"
                                     "---\n\n# Tiny ALBERT sentiment\n\nA classifier.\n", encoding="utf-8")
    (tmp_path / "cards").mkdir()
    card_path = tmp_path / "cards" / "tiny.md"
    assert main(["new", "--from", str(model), "-o", str(card_path)]) == 0
    card = read_card(card_path)
    assert (card.title, card.license, card.language) == ("Tiny ALBERT sentiment", "apache-2.0", "de")
    assert card.front_matter["task"] == "Text Classification"
    assert card.front_matter["artifact"]["url"] == "../models/tiny"  # portable: relative to the card
    assert str(tmp_path) not in card_path.read_text()
    capsys.readouterr()
    assert main(["check", str(tmp_path / "cards"), "--strict", "--artifacts"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    # the model's README is the model's, not a card of the catalog
    assert main(["check", str(tmp_path / "cards"), "--strict", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["cards"] == 1


def test_new_from_a_local_zip_writes_its_sha256_and_a_relative_url(built, tmp_path, capsys):
    import shutil

    archive = tmp_path / "artifacts" / "tiny_albert.zip"
    archive.parent.mkdir()
    shutil.copy(built["albert_zip"], archive)
    card_path = tmp_path / "cards" / "sub" / "tiny.md"
    card_path.parent.mkdir(parents=True)
    assert main(["new", "--from", str(archive), "--license", "mit", "-o", str(card_path)]) == 0
    artifact = read_card(card_path).front_matter["artifact"]
    import hashlib

    assert artifact["url"] == "../../artifacts/tiny_albert.zip"
    assert artifact["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["check", str(card_path.parent), "--strict", "--artifacts"]) == 0, capsys.readouterr().out


def test_new_from_a_folder_writes_its_digest_which_check_and_run_verify(built, tmp_path, capsys):
    import shutil

    from generator.artifacts.digest import tree_digest

    model = tmp_path / "models" / "tiny"
    shutil.copytree(built["albert_dir"], model)
    card_path = tmp_path / "cards" / "tiny.md"
    card_path.parent.mkdir()
    assert main(["new", "--from", str(model), "--license", "mit", "-o", str(card_path)]) == 0
    declared = read_card(card_path).front_matter["artifact"]["sha256"]
    assert declared == tree_digest(model)
    capsys.readouterr()
    assert main(["check", str(card_path.parent), "--strict", "--artifacts"]) == 0, capsys.readouterr().out
    # a card that runs on the folder with that digest: run verifies it before executing anything
    probe = card_path.parent / "probe.md"
    probe.write_text(f"---\nname: probe\nruntime: python\nartifact: {{url: ../models/tiny, sha256: {declared}}}\n"
                     "---\n\n# probe\n\n```python\nimport os\nprint(sorted(os.listdir('.')))\n```\n",
                     encoding="utf-8")
    assert main(["run", str(probe), "--mode", "force", "--strict", "--quiet"]) == 0, capsys.readouterr().out
    assert "config.json" in json.loads(probe.with_suffix(".results.json").read_text())["cells"][0]["stdout"]
    # the folder changes under the cards: check reports MH505 and run refuses to execute on it
    with (model / "config.json").open("a") as handle:
        handle.write(" ")
    capsys.readouterr()
    assert main(["check", str(card_path), "--artifacts", "--format", "json"]) == 1
    assert "MH505" in [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert main(["run", str(probe), "--mode", "force", "--strict", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "probe.md: not executed: artifact refused" in out and f"expected {declared}" in out
