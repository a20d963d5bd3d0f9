"""``modelhub bench``: frozen reads, --write puts the measured report in the card, bad usage exits 2."""

from __future__ import annotations

import json
import shutil

from generator.bench.store import read_record, record_path
from generator.card import read_card
from generator.cli import main


def _copy(catalog, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(catalog["root"], root, ignore=shutil.ignore_patterns(".cache", "build"))
    return root


def test_frozen_prints_the_headline_and_the_claim_finding(catalog, tmp_path, capsys):
    root = _copy(catalog, tmp_path)
    code = main(["bench", str(root / "cards" / "tiny.md"), "--mode", "frozen", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0  # a differing claim is a warning
    assert "tiny.md: measured (transformers, classification): load" in out
    assert "1 of 1 claims differ" in out and "MH702 warning: card claims accuracy (eval_accuracy) 0.9500" in out
    assert main(["bench", str(root / "cards" / "tiny.md"), "--mode", "frozen", "--quiet", "--strict"]) == 1


def test_write_replaces_the_block_with_the_measured_report_and_the_claim_then_agrees(catalog, tmp_path, capsys):
    root = _copy(catalog, tmp_path)
    card_path = root / "cards" / "tiny.md"
    before = card_path.read_text(encoding="utf-8")
    assert main(["bench", str(card_path), "--mode", "auto", "--write", "--quiet"]) == 0  # reuses the record
    out = capsys.readouterr().out
    assert "Benchmarking block written" in out
    after = card_path.read_text(encoding="utf-8")
    head, tail = before.split('{"eval_accuracy": 0.95}')
    assert after.startswith(head) and after.endswith(tail)  # nothing outside the block changed
    card = read_card(card_path)
    measured = catalog["bench"]["quality"]["metrics"]
    assert card.benchmark.kind == "classification_report"
    assert card.benchmark.metrics["accuracy"] == round(measured["accuracy"], 4)
    assert card.benchmark.raw.startswith("# measured by modelhub")
    stored = read_record(card_path)
    assert all(claim["within"] for claim in stored["claims"])  # claims re-compared with the new block
    assert main(["bench", str(card_path), "--mode", "frozen", "--quiet"]) == 0
    assert "MH702" not in capsys.readouterr().out


def test_json_lines_and_usage_errors(catalog, tmp_path, capsys):
    root = _copy(catalog, tmp_path)
    assert main(["bench", str(root / "cards" / "tiny.md"), "--mode", "frozen", "--format", "json", "-q"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["status"] == "measured"
    assert main(["bench", str(tmp_path / "nowhere.md")]) == 2
    assert main(["bench", "--batch-sizes", "1,x"]) == 2
    assert record_path(root / "cards" / "tiny.md").exists()
