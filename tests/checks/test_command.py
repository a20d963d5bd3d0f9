"""`modelhub check` and `modelhub schema` from the command line: formats, exit codes, selection."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.cli import main
from tests.checks.conftest import CLEAN, broken
from tests.conftest import seed, seed_paths

CLEAN_NAME = "2021-12-16-albert_base_sequence_classifier_imdb_en.md"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / CLEAN_NAME).write_text(CLEAN, encoding="utf-8")
    return tmp_path / "cards"


def test_clean_catalog_exits_zero(catalog, capsys):
    assert main(["check", str(catalog)]) == 0
    assert "All clear. Checked 1 card: 0 errors, 0 warnings, 0 info." in capsys.readouterr().out


def test_errors_exit_one_and_warnings_only_with_strict(catalog, capsys):
    card = catalog / CLEAN_NAME
    card.write_text(broken(("|Language:|en|", "|Language:|[en]|")), encoding="utf-8")  # a warning
    assert main(["check", str(catalog)]) == 0
    assert main(["check", str(catalog), "--strict"]) == 1
    card.write_text(broken(("name: albert_base_sequence_classifier_imdb\n", "")), encoding="utf-8")  # an error
    assert main(["check", str(catalog)]) == 1


def test_usage_errors_exit_two(catalog, tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["check", str(catalog), "--select", "MH9Z"]) == 2
    assert "unknown rule selector" in capsys.readouterr().err
    assert main(["check", "--format", "yaml"]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 2


def test_json_report_has_the_documented_shape(seeds_dir, capsys):
    assert main(["check", str(seeds_dir), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["cards"] == 5
    assert report["findings"]
    for finding in report["findings"]:
        assert {"code", "severity", "path", "line", "message", "hint"} <= set(finding)
    assert {(Path(f["path"]).name, f["code"], f["line"]) for f in report["findings"]} >= {
        (seed(0).name, "MH411", 26), (seed(0).name, "MH303", 76), (seed(1).name, "MH601", 103)}


def test_select_and_ignore_on_the_command_line(capsys):
    assert main(["check", str(seed(1)), "--format", "json", "--select", "MH2,MH113"]) == 0
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert codes == {"MH202", "MH204", "MH113"}
    main(["check", str(seed(1)), "--format", "json", "--ignore", "MH2", "--ignore", "MH113"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert codes and not codes & {"MH202", "MH204", "MH113"}


def test_junit_report_fails_errors_and_warnings_and_passes_info_with_its_message(seeds_dir, capsys, tmp_path):
    out = tmp_path / "report.xml"
    main(["check", str(seeds_dir), "--format", "junit", "--output", str(out)])
    main(["check", str(seeds_dir), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 5
    failures = root.findall(".//failure")
    assert len(failures) == int(root.get("failures")) == sum(f["severity"] != "info" for f in findings) > 0
    assert {f.get("type") for f in failures} == {"error", "warning"}
    infos = [f for f in findings if f["severity"] == "info"]
    assert infos, "the seeds have info findings (MH705 and others)"
    passed = [case for case in root.iter("testcase") if case.find("system-out") is not None]
    assert len(passed) == len(infos)
    for case in passed:
        assert case.find("failure") is None and case.find("error") is None
        properties = {p.get("name"): p.get("value") for p in case.find("properties")}
        assert properties["severity"] == "info" and case.get("name").startswith(properties["code"])
        assert properties["message"] in case.find("system-out").text
    for suite in suites:
        assert int(suite.get("failures")) == len(suite.findall(".//failure"))


def test_github_annotations_name_files_relative_to_the_repository(capsys):
    main(["check", str(seed(0)), "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    relative = f"cards/{seed(0).name}"  # the seeds are in this repository's cards/ folder
    assert any(line.startswith(f"::error file={relative},line=76,title=MH303 scala-undefined-name::") for line in lines)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert str(seed(0).parent) not in "\n".join(lines)


def test_github_paths_outside_a_repository_are_relative_to_the_working_folder(tmp_path, capsys, monkeypatch):
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "x.md").write_bytes(seed(0).read_bytes())
    monkeypatch.chdir(tmp_path)
    main(["check", str(tmp_path / "cards"), "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(",".join(line.split(",")[:1]).split("file=")[1] == "cards/x.md" for line in lines)


def test_github_format_with_statistics_keeps_the_annotations_intact(capsys):
    main(["check", str(seed(0)), "--format", "github"])
    alone = capsys.readouterr().out
    main(["check", str(seed(0)), "--format", "github", "--statistics"])
    captured = capsys.readouterr()
    assert captured.out == alone and alone.startswith("::")
    assert "MH303" in captured.err and "scala-undefined-name" in captured.err
    assert not any(line.startswith("::") for line in captured.err.splitlines())


def test_human_report_shows_the_offending_line_and_hint(capsys):
    main(["check", str(seed(0))])
    out = capsys.readouterr().out
    assert str(seed(0)) in out
    assert "76 | val pipeline = new Pipeline().setStages(Array(document_assembler, tokenizer, sequenceClassifier))" in out
    assert "hint:" in out and "MH303" in out


def test_statistics_and_rule_list(seeds_dir, capsys):
    main(["check", str(seeds_dir), "--statistics"])
    assert "MH303" in capsys.readouterr().out
    assert main(["check", "--list-rules"]) == 0
    listing = capsys.readouterr().out
    assert "MH101" in listing and "MH601" in listing


def test_configuration_in_the_catalog_applies(catalog, capsys):
    (catalog.parent / "modelhub.toml").write_text('[rules]\nignore = ["MH401"]\n')
    (catalog / CLEAN_NAME).write_text(broken(("|Language:|en|", "|Language:|[en]|")), encoding="utf-8")
    assert main(["check", str(catalog), "--strict"]) == 0


def test_parallel_run_gives_the_same_findings_as_a_serial_one(tmp_path, monkeypatch, capsys):
    from generator.checks import runner

    for index in range(6):
        for path in seed_paths():
            shutil.copy(path, tmp_path / f"{index}_{path.name}")
    serial = runner.check_paths(sorted(tmp_path.iterdir()), jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 10)
    parallel = runner.check_paths(sorted(tmp_path.iterdir()), jobs=2)
    assert [(c.path, c.findings) for c in serial] == [(c.path, c.findings) for c in parallel]
    assert any(f.code == "MH117" for c in parallel for f in c.findings)  # the copies duplicate each other


def test_schema_is_valid_json_schema_and_accepts_the_clean_card(capsys):
    assert main(["schema", "--dialect", "jsl"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    front_matter = yaml.safe_load(CLEAN.split("---")[1])
    front_matter["date"] = str(front_matter["date"])
    jsonschema.validate(front_matter, schema)
    assert "en" in schema["properties"]["language"]["anyOf"][0]["enum"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**front_matter, "supported": "maybe"}, schema)


def test_schema_for_native_cards_names_their_required_keys(capsys, tmp_path):
    out = tmp_path / "schema.json"
    assert main(["schema", "--dialect", "native", "--output", str(out)]) == 0
    schema = json.loads(out.read_text())
    assert {"name", "task", "language", "license"} <= set(schema["required"])
    assert "artifact" in schema["properties"]


def test_check_with_artifacts_reports_a_size_that_disagrees_with_the_served_zip(tmp_path, artifact_server, capsys):
    from tests.builders import build_spark_nlp_model_zip

    zipped = build_spark_nlp_model_zip(tmp_path / "demo_en_3.4.0_3.0_1639652560396.zip",
                                       params={"caseSensitive": True}, payload=os.urandom(400_000))
    url = artifact_server.add("/models/demo_en_3.4.0_3.0_1639652560396.zip", zipped)
    card = tmp_path / "cards" / "2021-12-16-demo_en.md"
    card.parent.mkdir()
    card.write_text(f"""---
layout: model
title: Demo
name: demo
date: 2021-12-16
language: en
edition: Spark NLP 3.4.0
spark_version: 3.0
annotator: AlbertForSequenceClassification
---

## Description

[Download]({url})

## Model Information

|---|---|
|Model Name:|demo|
|Size:|44.9 MB|
|Case sensitive:|true|
""")
    from generator.cli import main

    assert main(["check", str(card), "--artifacts", "--format", "json", "--select", "MH504"]) == 0
    report = json.loads(capsys.readouterr().out)
    sizes = [f for f in report["findings"] if f["code"] == "MH504"]
    assert len(sizes) == 1 and f"{zipped.stat().st_size:,}" in sizes[0]["message"]
    assert artifact_server.bytes_sent() < zipped.stat().st_size  # metadata by Range, not a download


def test_fix_rewrites_only_the_fixable_characters(tmp_path, capsys):
    from generator.card import read_card
    from tests.conftest import seed

    card = tmp_path / "2021-12-16-albert_base_sequence_classifier_imdb_en.md"
    original = seed(1).read_bytes()
    card.write_bytes(original)
    assert main(["check", str(card), "--fix", "--diff", "--select", "MH113,MH202"]) == 0
    diff = capsys.readouterr().out
    assert "-annotator: AlBertForSequenceClassification" in diff and "+|Max sentence length:|512|" in diff
    assert card.read_bytes() == original  # --diff writes nothing

    main(["check", str(card), "--fix", "--select", "MH113,MH202", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []  # both fixed, nothing left of the selected rules
    fixed = card.read_bytes()
    expected = original.replace(b"AlBertForSequenceClassification", b"AlbertForSequenceClassification", 1)
    expected = expected.replace(b"|Max sentense length:|", b"|Max sentence length:|")
    assert fixed == expected
    assert read_card(card).annotator == "AlbertForSequenceClassification"


def test_fix_turns_a_day_first_date_into_iso(tmp_path, capsys):
    card = tmp_path / "model.md"
    card.write_text("---\nlayout: model\nname: m\ndate: 16/12/2021\n---\n\n## Description\n\nText.\n")
    main(["check", str(card), "--fix", "--select", "MH104"])
    capsys.readouterr()
    assert card.read_text() == "---\nlayout: model\nname: m\ndate: 2021-12-16\n---\n\n## Description\n\nText.\n"
