"""The modelhub command line: version, parse output shape, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from generator import __version__
from generator.cli import main
from tests.conftest import seed


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"modelhub {__version__}"


def test_parse_json_has_the_documented_fields(capsys):
    assert main(["parse", str(seed(1)), str(seed(3)), "--format", "json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["dialect"] for r in records] == ["jsl", "keras"]
    required = {"path", "dialect", "name", "title", "language", "task", "edition", "annotator", "tags",
                "download_url", "s3_uri", "labels", "info", "snippets", "sections", "results", "benchmark",
                "diagnostics"}
    assert required <= set(records[0])
    assert {"language", "line", "code"} <= set(records[0]["snippets"][0])
    assert {"title", "line"} <= set(records[0]["sections"][0])


def test_parse_missing_file_is_exit_2(tmp_path, capsys):
    assert main(["parse", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error():
    assert main(["frobnicate"]) == 2


def test_console_script_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("modelhub ")


def test_a_configuration_file_that_is_not_utf8_is_a_usage_error_naming_it(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.modelhub]\nname = "caf\xe9"\n')
    card = tmp_path / "card.md"
    card.write_bytes(seed(1).read_bytes())
    assert main(["check", str(card)]) == 2
    assert f"{tmp_path / 'pyproject.toml'}: not UTF-8" in capsys.readouterr().err
