"""Typed settings: every documented key is accepted and read from its place in the file; every bad value is a usage
error naming the file, the line, the dotted key and the expected form, through the real command line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter

from generator.bench.record import BenchSettings
from generator.cli import main
from generator.config import Config, ConfigError, load_config
from generator.execute.sandbox import SandboxLimits
from generator.settings import Settings, iter_keys, parse_duration, parse_size, reference_table
from tests.conftest import seed


def example_value(info) -> object:
    """A valid TOML value for a key: its example, else its default."""
    extra = info.json_schema_extra or {}
    return extra["example"] if extra.get("has_example") else info.get_default(call_default_factory=True)


README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) + len(START):text.index(END)].strip()


def documented_keys() -> list[str]:
    return [match.group(1) for match in re.finditer(r"^\| `([^`]+)` \|", readme_table(), re.MULTILINE)]


ACCEPTED = dict(iter_keys())


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # strings, numbers and true/false are written alike in JSON and TOML


def toml_document(settings: Settings) -> str:
    """The settings written back as a modelhub.toml: top-level keys, then one [table] per section."""
    data = settings.model_dump(by_alias=True, exclude_none=True)
    tables = [name for name, info in Settings.model_fields.items() if info.json_schema_extra is None]
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items() if k not in tables]
    for name in tables:
        lines += [f"[{name}]"] + [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data[name].items()]
    return "\n".join(lines) + "\n"


def value_at(settings: Settings, dotted: str) -> Any:
    value: Any = settings
    for part in dotted.split("."):
        name = next(n for n, info in type(value).model_fields.items() if part in (n, info.alias))
        value = getattr(value, name)
    return value


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "modelhub.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- the documented keys ---------------------------------------------------------------------------------------

def test_the_readme_table_is_the_settings_reference():
    documented, accepted = set(documented_keys()), set(ACCEPTED)
    assert not documented - accepted, f"documented but not accepted: {sorted(documented - accepted)}"
    assert not accepted - documented, f"accepted but not documented: {sorted(accepted - documented)}"
    assert readme_table() == reference_table(), "README's table is stale: paste generator.settings.reference_table()"


@pytest.mark.parametrize("dotted", documented_keys())
def test_every_documented_key_round_trips(tmp_path: Path, dotted: str):
    assert dotted in ACCEPTED, f"{dotted} is documented in README.md but the settings do not accept it"
    info = ACCEPTED[dotted]
    example = example_value(info)
    *table, name = dotted.split(".")
    text = (f"[{'.'.join(table)}]\n" if table else "") + f"{json.dumps(name)} = {toml_value(example)}\n"
    config = load_config(write_config(tmp_path, text).parent)
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    typed = TypeAdapter(annotation).validate_python(example)
    assert value_at(config.settings, dotted) == typed
    # and what the typed settings hold, written back as TOML, reads back the same
    again = load_config(write_config(tmp_path / "again", toml_document(config.settings)).parent)
    assert again.settings == config.settings


def test_units_are_read_into_bytes_and_seconds(tmp_path: Path):
    write_config(tmp_path, '[execute]\nmemory = "6G"\nsnippet_timeout = "2m"\ncard_timeout = "1h30m"\n'
                           'cpu_per_cell = "90.5s"\nfile_size = "100 MB"\n[artifacts]\nmax_size = 1024\n'
                           'timeout = "500ms"\n[bench]\nmemory = "512 MiB"\ntimeout = 60\n')
    config = load_config(tmp_path)
    limits = SandboxLimits.from_settings(config.settings.execute)
    assert (limits.memory, limits.snippet_timeout, limits.card_timeout) == (6 * 2**30, 120.0, 5400.0)
    assert (limits.cpu_per_cell, limits.file_size) == (91, 100_000_000)
    assert config.settings.artifacts.max_size == 1024 and config.settings.artifacts.timeout == 0.5
    bench = BenchSettings.from_config(config)
    assert (bench.memory, bench.timeout) == (512 * 2**20, 60.0)


@pytest.mark.parametrize("text,value", [("6G", 6 * 2**30), ("100 MB", 10**8), ("1.5 KiB", 1536), ("7", 7),
                                        (12, 12)])
def test_sizes(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("text,value", [("30s", 30.0), ("2m", 120.0), ("1h30m", 5400.0), ("250ms", 0.25),
                                        (3, 3.0), ("45", 45.0), ("1d", 86400.0)])
def test_durations(text, value):
    assert parse_duration(text) == value


@pytest.mark.parametrize("bad", ["6X", "-1", "lots", True, -5, "G"])
def test_bad_sizes(bad):
    with pytest.raises(ValueError):
        parse_size(bad)


@pytest.mark.parametrize("bad", ["2 fortnights", "m", "-3s", False, -1, "1h 30"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


# ---- bad values: one message each, exit 2 ----------------------------------------------------------------------

BAD = [  # (modelhub.toml, the line named, what the message must say)
    ('[execute]\nmode = "bogus"\n', 2, 'execute.mode = "bogus": expected one of "off", "frozen", "auto", "force"'),
    ('[execute]\nmemory = "6X"\n', 2, 'execute.memory = "6X": expected a size'),
    ('cache_dir = 5\n', 1, "cache_dir = 5: expected a path"),
    ('[execute]\nmemroy = "6G"\n', 2, "unknown key execute.memroy (did you mean execute.memory?)"),
    ('[exectue]\nmode = "auto"\n', 1, "unknown key exectue (did you mean execute?)"),
    ('[artifacts]\nretries = -1\n', 2, "artifacts.retries = -1: expected an integer, 0 or more"),
    ('[artifacts]\noffline = "yes"\n', 2, 'artifacts.offline = "yes": expected true or false'),
    ('[artifacts]\ntimeouts = { connect = "soon" }\n', 2,
     'artifacts.timeouts.connect = "soon": expected a duration'),
    ('[bench]\nbatch_sizes = [1, 0]\n', 2, "bench.batch_sizes[1] = 0: expected an integer, 1 or more"),
    ('[bench]\ntrainer_average = "median"\n', 2, 'bench.trainer_average = "median": expected one of "micro"'),
    ('[rules]\nseverity = { MH401 = "fatal" }\n', 2,
     'rules.severity.MH401 = "fatal": expected one of "error", "warning", "info"'),
    ('[mirrors]\n"https://example.org/" = 3\n', 2, 'mirrors."https://example.org/" = 3: expected a string'),
    ('execute = 3\n', 1, "execute = 3: expected a table"),
    ('[site]\nedit_uri = ["x"]\n', 2, 'site.edit_uri = ["x"]: expected a string'),
]


@pytest.mark.parametrize("text,line,message", BAD, ids=[b[2].split(":")[0].split(" (")[0] for b in BAD])
def test_each_bad_value_is_a_usage_error_with_file_line_key_and_form(tmp_path, capsys, text, line, message):
    path = write_config(tmp_path, text)
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "x.md").write_bytes(seed(1).read_bytes())
    assert main(["check", str(tmp_path / "cards")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: {message}" in err
    assert "Traceback" not in err


def test_a_pyproject_table_is_named_as_written(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.modelhub.execute]\nmemory = "lots"\n')
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'pyproject.toml'}:5: tool.modelhub.execute.memory = \"lots\"")


COMMANDS = [  # every command that reads the configuration, with arguments that reach it
    ["check", "{cards}"], ["run", "{cards}"], ["bench", "{cards}"], ["build", "{cards}", "--site-dir", "{site}"],
    ["serve", "{cards}"], ["inspect", "{card}", "--card", "{card}"], ["new", "--from", "{cards}", "-o", "{out}"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_exits_2_on_a_bad_value(tmp_path, capsys, monkeypatch, argv):
    path = write_config(tmp_path, '[execute]\nmemory = "6G"\nmode = "bogus"\n')
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "x.md").write_bytes(seed(1).read_bytes())
    monkeypatch.chdir(tmp_path)
    values = {"cards": str(cards), "card": str(cards / "x.md"), "site": str(tmp_path / "site"),
              "out": str(cards / "new.md")}
    assert main([arg.format(**values) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: execute.mode = \"bogus\"" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists() and not (cards / "new.md").exists()


def test_plain_mkdocs_build_reports_a_bad_value_without_a_traceback(tmp_path):
    import subprocess
    import sys

    write_config(tmp_path, '[site]\nedit_uri = 5\n')
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "x.md").write_bytes(seed(1).read_bytes())
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - modelhub\n")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode != 0
    assert f"{tmp_path / 'modelhub.toml'}:2: site.edit_uri = 5: expected a string" in done.stderr
    assert "Traceback" not in done.stderr


def test_config_built_in_code_is_validated_the_same_way(tmp_path):
    with pytest.raises(ConfigError, match=r"bench\.warmup = -1: expected an integer, 0 or more"):
        Config(tmp_path, {"bench": {"warmup": -1}})
    assert Config(tmp_path, {}).settings == Settings()


def test_the_shipped_configuration_is_valid():
    config = load_config(Path(__file__).resolve().parents[1] / "cards")
    assert config.source and config.source.name == "modelhub.toml"
    assert config.settings.execute.mode == "frozen" and config.settings.artifacts.offline is True
