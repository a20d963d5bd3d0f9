"""The artifacts stage in the pipeline: facts on every record, failures as facts, a free rebuild, offline mode."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.config import Config
from generator.pipeline import BuildContext
from generator.stages import run_pipeline
from tests.artifacts.conftest import IMDB_ZIP
from tests.conftest import seed


def write_cards(folder: Path, server_url: str, missing_url: str) -> Path:
    cards = folder / "cards"
    cards.mkdir()
    (cards / "spark.md").write_text(f"""---
layout: model
name: albert_base_sequence_classifier_imdb
spark_version: 3.0
annotator: AlbertForSequenceClassification
---

[Download]({server_url}){{:.button.button-orange.button-orange-trans.arr.button-icon}}

## Model Information

{{:.table-model}}
|---|---|
|Model Name:|albert_base_sequence_classifier_imdb|
|Case sensitive:|true|
""")
    (cards / "gone.md").write_text(f"---\nlayout: model\nname: gone\n---\n\n[Download]({missing_url})\n")
    (cards / "local.md").write_text("---\nmodelhub: 1\nname: tiny\nlabels: [neg, pos]\n"
                                    "artifact:\n  url: ../models/tiny_albert\n---\n")
    (cards / "none.md").write_text("---\nmodelhub: 1\nname: nothing\n---\n")
    return cards


def build(cards: Path, root: Path, offline: bool = False, **artifacts) -> dict:
    config = Config(root, {"artifacts": {"cache_dir": str(root / "cache"), "read_timeout": 1, "retries": 1,
                                         "backoff": 0.01, **artifacts}})
    records = run_pipeline([cards], BuildContext(config, offline=offline, quiet=True), only=["artifacts", "check"])
    return {Path(r.path).name: r for r in records}


def test_stage_puts_facts_and_findings_on_each_record(artifact_server, tmp_path, built):
    (tmp_path / "models").mkdir()
    shutil.copytree(built["albert_dir"], tmp_path / "models" / "tiny_albert")  # inside the catalog (MH513)
    url = artifact_server.add(f"/models/{IMDB_ZIP}", built["spark_zip"])
    cards = write_cards(tmp_path, url, artifact_server.url("/models/gone.zip"))
    records = build(cards, tmp_path)
    spark = records["spark.md"]
    assert spark.facts.to_json()["format"] == "spark-nlp" and spark.facts.to_json()["bytes_transferred"] > 0
    assert "MH508" in [f.code for f in spark.findings]  # table says case sensitive, artifact says not
    assert records["gone.md"].facts.to_json()["error_kind"] == "not-found"
    assert "MH501" in [f.code for f in records["gone.md"].findings]
    assert records["local.md"].facts.to_json()["labels"] == ["neg", "pos"]
    assert records["none.md"].facts is None

    artifact_server.reset_log()
    again = build(cards, tmp_path)  # a rebuild asks nothing of the server for what it already knows
    assert [r.path for r in artifact_server.log] == ["/models/gone.zip"]  # only the 404 is asked again
    facts = again["spark.md"].facts.to_json()
    assert facts["source"] == "cache" and facts["bytes_transferred"] == 0


def test_offline_build_reports_not_verified_instead_of_errors(artifact_server, tmp_path, built):
    url = artifact_server.add(f"/models/{IMDB_ZIP}", built["spark_zip"])
    cards = write_cards(tmp_path, url, artifact_server.url("/gone.zip"))
    records = build(cards, tmp_path, offline=True)
    assert artifact_server.log == []
    facts = records["spark.md"].facts.to_json()
    assert facts["status"] == "not-checked" and facts["error"].startswith("not checked: offline, no mirror")
    (finding,) = [f for f in records["spark.md"].findings if f.code.startswith("MH5")]
    assert finding.code == "MH500" and finding.severity == "info"


def test_offline_build_uses_what_an_online_build_cached(artifact_server, tmp_path, built):
    url = artifact_server.add(f"/models/{IMDB_ZIP}", built["spark_zip"])
    cards = write_cards(tmp_path, url, artifact_server.url("/gone.zip"))
    build(cards, tmp_path)
    artifact_server.reset_log()
    offline = build(cards, tmp_path, offline=True)
    assert artifact_server.log == [] and offline["spark.md"].facts.to_json()["format"] == "spark-nlp"


def test_seed_cards_on_unreachable_s3_fail_fast_and_say_why(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    for number in (0, 1, 2, 4):
        (cards / seed(number).name.replace(".txt", ".md")).write_bytes(seed(number).read_bytes())
    records = build(cards, tmp_path, s3_endpoint="http://127.0.0.1:9/")  # nothing listens on the discard port
    for record in records.values():
        assert record.facts.to_json()["status"] == "error" and record.facts.to_json()["error_kind"] == "unreachable"
        assert any(f.code == "MH502" and "not verified" in f.message for f in record.findings)
    attempts = 2  # retries = 1
    # the host is given up on once a card has failed on it; only cards already in flight try it themselves
    assert sum(r.facts.to_json()["requests"] for r in records.values()) < len(records) * attempts


def test_keras_presets_are_inspected_through_the_preset_url_template(tmp_path):
    from tests.builders import build_keras_preset

    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "albert.md").write_bytes(seed(3).read_bytes())
    build_keras_preset(tmp_path / "presets" / "albert_base_en_uncased", parameter_count=11_683_584)
    records = build(cards, tmp_path, preset_url=str(tmp_path / "presets" / "{preset}"))
    presets = records["albert.md"].facts.to_json()["presets"]
    assert presets["albert_base_en_uncased"]["parameters"] == 11_683_584
    assert presets["albert_large_en_uncased"]["error_kind"] == "not-found"
    assert not [f for f in records["albert.md"].findings if f.code == "MH511"]


def test_artifact_findings_for_the_check_command(artifact_server, tmp_path, built):
    from generator.checks import RuleSelection
    from generator.checks.runner import check_paths
    from generator.stages import default_stages

    url = artifact_server.add(f"/models/{IMDB_ZIP}", built["spark_zip"])
    cards = write_cards(tmp_path, url, artifact_server.url("/gone.zip"))
    config = Config(tmp_path, {"artifacts": {"cache_dir": str(tmp_path / "cache")}})
    selection = RuleSelection.from_config(config)

    def artifact_findings(paths, offline=False):
        checked = check_paths(paths, config, selection, stages=default_stages(["artifacts"]),
                              context=BuildContext(config, offline=offline, quiet=True))
        return {item.path: [f.code for f in item.findings if "facts" in selection.rules[f.code].needs]
                for item in checked}

    found = artifact_findings(sorted(cards.iterdir()))
    assert found[str(cards / "spark.md")] == ["MH508"]
    assert found[str(cards / "gone.md")] == ["MH501"]
    assert found[str(cards / "none.md")] == []  # no artifact: no facts, no artifact rule
    offline = artifact_findings([cards / "spark.md"], offline=True)
    assert offline[str(cards / "spark.md")] == ["MH508"]  # from the cache filled above


def test_declared_checksum_is_verified_against_what_the_server_sends(artifact_server, tmp_path, built):
    import hashlib

    good = hashlib.sha256(built["albert_zip"].read_bytes()).hexdigest()
    url = artifact_server.add("/m.zip", built["albert_zip"])
    artifact_server.fault("/m.zip", "wrong-content")
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "m.md").write_text(f"---\nmodelhub: 1\nname: m\nartifact:\n  url: {url}\n  sha256: {good}\n---\n")
    records = build(cards, tmp_path)
    (finding,) = [f for f in records["m.md"].findings if f.code == "MH505"]
    assert good in finding.message and records["m.md"].facts.to_json()["sha256"] in finding.message
    assert finding.line == 4  # the artifact: key

    artifact_server.clear_faults()  # the server now sends the right bytes, under the same ETag
    fixed = build(cards, tmp_path)  # the bad download was not remembered, so it is fetched again
    assert fixed["m.md"].facts.to_json()["sha256"] == good
    assert not [f for f in fixed["m.md"].findings if f.code == "MH505"]
