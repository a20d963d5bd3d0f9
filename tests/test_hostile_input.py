"""Hostile input, end to end: each attack is performed for real through the ``modelhub`` commands, each in its own
process with a timeout, so a regression fails the test instead of hanging the suite.

A FIFO named ``card.md`` (it would block any command that opens it), a 300-byte YAML alias bomb (billions of values
once expanded), a title with bytes that are not UTF-8 (they crashed ``build``), an empty folder (it built an empty
site). Each is contained: a finding with file and line, or a usage error; the other cards build as before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import seed

COMMAND_TIMEOUT = 120  # seconds; the attacks used to hang for ever (FIFO) or for minutes (alias bomb)

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi")
)  # nine levels of nine: 9**9 (387 million) values once expanded, in about 300 bytes


def modelhub(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=COMMAND_TIMEOUT)


def bomb_card() -> str:
    return ("---\nlayout: model\ntitle: Alias bomb\nname: alias_bomb_en\ndate: 2024-01-01\n" + ALIAS_BOMB
            + "---\n\n## Description\n\nA card whose front matter is an alias bomb.\n")


@pytest.fixture
def hostile_catalog(tmp_path: Path) -> Path:
    """A catalog with one good seed card and the hostile ones: a FIFO, an alias bomb, a non-UTF-8 title."""
    cards = tmp_path / "cards"
    cards.mkdir()
    shutil.copyfile(seed(1), cards / seed(1).name)
    os.mkfifo(cards / "card.md")
    (cards / "bomb.md").write_text(bomb_card(), encoding="utf-8")
    source = seed(2).read_bytes().replace(b"\ntitle: ", b"\ntitle: caf\xe9 \xff\xfe ", 1)
    assert b"caf\xe9" in source
    (cards / "latin1-title.md").write_bytes(source)
    (tmp_path / "modelhub.toml").write_text("[artifacts]\noffline = true\n", encoding="utf-8")
    return cards


def test_check_reports_each_hostile_card_with_file_and_line_and_does_not_hang(hostile_catalog):
    result = modelhub("check", str(hostile_catalog), "--format", "json", cwd=hostile_catalog.parent)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    by_file = {}
    for finding in findings:
        by_file.setdefault(Path(finding["path"]).name, []).append(finding)
    fifo = by_file["card.md"]
    assert [(f["code"], f["line"]) for f in fifo] == [("MH000", 1)]
    assert "named pipe (FIFO), not a regular file: skipped without opening it" in fifo[0]["message"]
    budget = [f for f in by_file["bomb.md"] if f["code"] == "MH007"]
    assert [f["line"] for f in budget] == [11]  # `f: &f [*e, ...]`, the first value past 100,000
    assert "through its aliases" in budget[0]["message"]
    encoding = [f for f in by_file["latin1-title.md"] if f["code"] == "MH003"]
    assert encoding and encoding[0]["line"] == 3 and "0xe9" in encoding[0]["message"]


def test_parse_and_run_read_past_a_fifo(hostile_catalog):
    parsed = modelhub("parse", str(hostile_catalog), "--format", "json", cwd=hostile_catalog.parent)
    assert parsed.returncode == 0, parsed.stderr
    records = {Path(r["path"]).name: r for r in map(json.loads, parsed.stdout.splitlines())}
    assert set(records) == {"card.md", "bomb.md", "latin1-title.md", seed(1).name}
    assert records["latin1-title.md"]["title"].startswith("caf\ufffd \ufffd\ufffd ")
    ran = modelhub("run", str(hostile_catalog), "--mode", "frozen", "--quiet", cwd=hostile_catalog.parent)
    assert ran.returncode in (0, 1), ran.stderr
    assert "4 cards" in ran.stdout


def test_build_renders_the_hostile_cards_without_crashing_and_leaves_them_unchanged(hostile_catalog):
    before = {path.name: path.read_bytes() for path in hostile_catalog.iterdir() if path.is_file()}
    site = hostile_catalog.parent / "site"
    result = modelhub("build", str(hostile_catalog), "--site-dir", str(site), "--offline", cwd=hostile_catalog.parent)
    assert result.returncode == 0, result.stderr
    assert "4 cards" in result.stderr
    title_page = (site / "models" / "latin1-title" / "index.html").read_text(encoding="utf-8")
    assert "caf\ufffd \ufffd\ufffd" in title_page
    bomb_page = (site / "models" / "bomb" / "index.html").read_text(encoding="utf-8")
    assert "MH007" in bomb_page and len(bomb_page) < 500_000
    assert (site / "models" / seed(1).name[:-3] / "index.html").is_file()
    after = {path.name: path.read_bytes() for path in hostile_catalog.iterdir() if path.is_file()}
    assert after == before


@pytest.mark.parametrize("command", ["check", "run", "build"])
def test_an_empty_folder_is_a_usage_error_that_says_what_to_do(tmp_path, command):
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "notes.rst").write_text("not a card\n", encoding="utf-8")
    result = modelhub(command, "cards", cwd=tmp_path)
    assert result.returncode == 2
    assert f"modelhub {command}: no card files ([cards] include: **/*.md) under " in result.stderr
    assert "cards: add cards there (`modelhub new` writes one) or name the folder that holds them" in result.stderr
    assert not (tmp_path / "site").exists()
