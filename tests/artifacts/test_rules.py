"""Artifact rules (MH5xx) on the seed cards and on small cards, against facts read from real artifacts."""

from __future__ import annotations

import shutil

import pytest

from generator.artifacts import ArtifactStore
from generator.card import parse_card, read_card
from generator.checks import CheckContext, RuleSelection, check_card
from generator.checks.artifacts import parse_count, parse_size, size_matches
from tests.artifacts.conftest import IMDB_ZIP
from tests.builders import build_keras_preset, build_spark_nlp_model_zip
from tests.conftest import seed

ONLY_ARTIFACT_RULES = RuleSelection(select=("artifacts",))


def findings(card, facts) -> list:
    return check_card(card, CheckContext(facts=facts, selection=ONLY_ARTIFACT_RULES))


def codes(card, facts) -> list[str]:
    return [f.code for f in findings(card, facts)]


def facts_for(store: ArtifactStore, path, **kw) -> dict:
    return store.inspect(str(path), **kw).to_dict()


# ---- seeds ------------------------------------------------------------------------------------------------------
def test_imdb_seed_agrees_with_an_artifact_saved_with_its_settings(store, built):
    card = read_card(seed(1))
    facts = facts_for(store, built["spark_zip"])
    found = {f.code: f for f in findings(card, facts)}
    assert set(found) == {"MH504", "MH506"}
    size = found["MH504"]  # the tiny test zip is not 44.9 MB
    assert found["MH506"].severity == "info"  # annotator AlBert... vs the class it is saved as, AlbertFor...
    assert "Size says 44.9 MB (line" in size.message and f"{facts['size']:,} bytes" in size.message


def test_imdb_seed_against_a_different_artifact_names_both_sides(store, tmp_path):
    artifact = build_spark_nlp_model_zip(
        tmp_path / IMDB_ZIP, "com.johnsnowlabs.nlp.annotators.classifier.dl.BertForSequenceClassification",
        {"caseSensitive": True, "maxSentenceLength": 128}, spark_version="2.4.4")
    card = read_card(seed(1))
    found = {f.code: f for f in findings(card, facts_for(store, artifact))}
    assert {"MH506", "MH508", "MH509", "MH512"} <= set(found)
    assert "AlBertForSequenceClassification" in found["MH506"].message
    assert "BertForSequenceClassification (metadata/part-00000 in the artifact (class)" in found["MH506"].message
    assert found["MH508"].line == card.info.row("case_sensitive").line
    assert "case sensitive = false" in found["MH508"].message and "case sensitive (" in found["MH508"].message
    assert "paramMap.maxSentenceLength" in found["MH509"].message and "512" in found["MH509"].message
    assert "Spark 2.4.4" in found["MH512"].message and found["MH512"].line == card.key_lines["spark_version"]


def test_keras_seed_preset_parameter_counts(tmp_path, settings):
    card = read_card(seed(3))
    presets = {}
    for preset in card.presets:
        count = 11_683_584 if preset.name == "albert_base_en_uncased" else 99_000_000
        presets[preset.name] = ArtifactStore(settings).inspect(
            str(build_keras_preset(tmp_path / preset.name, parameter_count=count))).to_dict()
    found = [f for f in findings(card, {"presets": presets}) if f.code == "MH511"]
    assert len(found) == 3  # 11.68M matches 11,683,584; the other three presets do not match 99M
    assert all("metadata.json (parameter_count)" in f.message for f in found)
    assert found[0].line == card.presets[1].line and "17.68M" in found[0].message


# ---- each rule, small cards -------------------------------------------------------------------------------------
def jsl(table: str = "", front: str = "", body: str = "") -> object:
    return parse_card(f"---\nlayout: model\nname: m\n{front}---\n\n{body}\n## Model Information\n\n"
                      f"{{:.table-model}}\n|---|---|\n|Model Name:|m|\n{table}", "cards/m.md")


OK = {"status": "ok", "url": "http://h/m.zip", "resolved_url": "http://h/m.zip", "origin": {}}


def test_not_verified_offline_is_information_not_an_error():
    facts = {"status": "not-checked", "error": "not checked: offline, no mirror for http://h/m.zip"}
    (finding,) = findings(jsl(), facts)
    assert (finding.code, finding.severity) == ("MH500", "info") and "offline" in finding.message


@pytest.mark.parametrize("kind,code", [("not-found", "MH501"), ("unreachable", "MH502"), ("timeout", "MH502"),
                                       ("truncated", "MH503"), ("bad-archive", "MH503")])
def test_fetch_failures_map_to_their_rule(kind, code):
    facts = {"status": "error", "error_kind": kind, "error": f"http://h/m.zip: {kind}"}
    assert codes(jsl(), facts) == [code]


def test_size_conventions():
    assert parse_size("44.9 MB") == (44.9, "MB", 1) and parse_size("1.0 GB") == (1.0, "GB", 1)
    assert size_matches("44.9 MB", 44_940_000) == "decimal"
    assert size_matches("44.9 MB", 47_080_000) == "binary"  # 44.9 MiB written as MB
    assert size_matches("1.0 GB", 1_000_000_000) == "decimal"
    assert size_matches("44.9 MB", 30_000_000) is None


def test_size_written_in_mib_but_labelled_mb_is_an_info_finding():
    (finding,) = findings(jsl("|Size:|44.9 MB|\n"), {**OK, "size": 47_080_000})
    assert finding.code == "MH504" and finding.severity == "info" and "binary" in finding.message


def test_checksum_mismatch_names_both_hashes():
    card = jsl("|SHA256:|" + "a" * 64 + "|\n")
    (finding,) = findings(card, {**OK, "sha256": "b" * 64})
    assert finding.code == "MH505" and "a" * 64 in finding.message and "b" * 64 in finding.message
    assert findings(card, {**OK, "sha256": "a" * 64}) == []


def test_labels_compare_with_id2label():
    card = jsl(body="## Predicted Entities\n\n`neg`, `pos`, `neutral`\n")
    facts = {**OK, "labels": ["neg", "pos"], "origin": {"labels": "config.json (id2label)"}}
    (finding,) = findings(card, facts)
    assert finding.code == "MH507" and "not in the artifact: neutral" in finding.message
    assert "config.json (id2label) in http://h/m.zip" in finding.message


def test_native_card_labels_out_of_id2label_order():
    card = parse_card("---\nmodelhub: 1\nname: m\nlabels: [pos, neg]\n---\n", "cards/m.md")
    (finding,) = findings(card, {**OK, "labels": ["neg", "pos"]})
    assert finding.code == "MH507" and finding.severity == "warning" and "order" in finding.message


def test_case_sensitivity_in_a_snippet_is_checked_too():
    card = jsl(body="```python\nx = A.pretrained()\\\n  .setCaseSensitive(True)\n```\n")
    (finding,) = findings(card, {**OK, "case_sensitive": False})
    assert finding.code == "MH508" and "python example" in finding.message and finding.line == 8


def test_max_length_above_the_model_limit_for_hugging_face_models():
    facts = {**OK, "format": "huggingface", "max_sentence_length": 512}
    assert codes(jsl("|Max sentence length:|256|\n"), facts) == []
    (finding,) = findings(jsl("|Max sentence length:|1024|\n"), facts)
    assert finding.code == "MH509" and "more than the model accepts" in finding.message


def test_dimension_and_parameters():
    facts = {**OK, "dimension": 384, "parameters": 22_713_216, "origin": {"dimension": "1_Pooling/config.json"}}
    assert codes(jsl("|Dimension:|384|\n|Parameters:|22.71M|\n"), facts) == []
    found = findings(jsl("|Dimension:|768|\n|Parameters:|110M|\n"), facts)
    assert [f.code for f in found] == ["MH510", "MH511"]
    assert "1_Pooling/config.json" in found[0].message and "22,713,216" in found[1].message


def test_parameter_counts_are_compared_at_the_precision_written():
    assert parse_count("11.68M") == (11_680_000, 5_000) and parse_count("1.2B") == (1_200_000_000, 50_000_000)
    assert parse_count("lots") is None


def test_edition_against_the_version_in_the_file_name():
    card = jsl(front="edition: Spark NLP 3.4.0\nspark_version: 3.0\n")
    facts = {**OK, "spark_version": "3.0.2", "versions": {"spark_nlp_from_name": "5.4.2"}}
    (finding,) = findings(card, facts)
    assert finding.code == "MH512" and "Spark NLP 5.4.2" in finding.message and finding.line == 4


def test_rules_are_skipped_without_facts():
    card = read_card(seed(1))
    assert check_card(card, CheckContext(selection=ONLY_ARTIFACT_RULES)) == []


def test_the_copied_seed_card_checks_against_a_mirror(tmp_path, built):
    """End to end through the store: the seed's own URL, served from a mirror folder."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(built["spark_zip"], mirror / IMDB_ZIP)
    from tests.artifacts.conftest import fast_settings

    store = ArtifactStore(fast_settings(tmp_path / "cache", root=tmp_path, mirrors={
        "https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/": "mirror"}))
    card = read_card(seed(1))
    facts = store.inspect(card.download_url).to_dict()
    assert facts["source"].startswith("mirror:") and sorted(codes(card, facts)) == ["MH504", "MH506"]


def test_native_artifact_size_in_bytes_is_compared_exactly():
    card = parse_card("---\nmodelhub: 1\nname: m\nartifact:\n  url: http://h/m.zip\n  size: 1000\n---\n", "m.md")
    assert codes(card, {**OK, "size": 1000}) == []
    (finding,) = findings(card, {**OK, "size": 1001})
    assert finding.code == "MH504" and "1,000 bytes (line 4)" in finding.message and "1,001 bytes" in finding.message


def test_a_checksum_in_code_ticks_is_the_same_checksum_for_the_rule_and_the_download():
    from generator.artifacts.stage import declared_sha256

    card = jsl("|SHA256:|`" + "A" * 64 + "`|\n")
    assert declared_sha256(card) == "a" * 64  # what downloads are verified against: no ticks, lower case
    assert findings(card, {**OK, "sha256": "a" * 64}) == []
