"""``modelhub run``: exit codes, --write round-trips (only the Results block changes), --check shows a diff."""

from __future__ import annotations

from generator.card import read_card
from generator.cli import main
from generator.execute import store

CARD = """---
modelhub: 1
name: greeter
runtime: python
---

# Greeter

Says hello.

```python
name = "world"
print(f"hello, {name}")
```

{results}## Model Information

|---|---|
|Model Name:|greeter|
"""


def greeter(results: str) -> str:
    return CARD.replace("{results}", results)


def test_write_adds_a_results_block_and_changes_nothing_else(catalog, capsys):
    path = catalog.card("greeter.md", greeter(""))
    before = path.read_bytes()
    assert main(["run", str(path), "--write", "--quiet"]) == 0
    after = path.read_bytes()
    assert b"## Results\n\n```text\nhello, world\n```\n\n## Model Information" in after
    assert after.replace(b"## Results\n\n```text\nhello, world\n```\n\n", b"") == before
    assert "wrote the Results block of" in capsys.readouterr().out


def test_write_replaces_an_existing_block_and_keeps_its_fence(catalog):
    path = catalog.card("greeter.md", greeter("## Results\n\n```bash\nhello, moon\n```\n\n"))
    assert main(["run", str(path), "--write", "--quiet"]) == 0
    assert "```bash\nhello, world\n```" in path.read_text()
    assert read_card(path).results.text.strip() == "hello, world"


def test_write_on_an_up_to_date_card_does_not_touch_it(catalog):
    path = catalog.card("greeter.md", greeter("## Results\n\n```text\nhello, world\n```\n\n"))
    stamp = path.stat().st_mtime_ns
    assert main(["run", str(path), "--write", "--quiet"]) == 0
    assert path.stat().st_mtime_ns == stamp


def test_check_reports_a_differing_block_with_a_diff_and_fails(catalog, capsys):
    path = catalog.card("greeter.md", greeter("## Results\n\n```text\nhello, moon\n```\n\n"))
    assert main(["run", str(path), "--check", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:" in out and "MH620" in out
    assert "-hello, moon" in out and "+hello, world" in out


def test_check_passes_when_the_block_is_what_the_example_prints(catalog):
    path = catalog.card("greeter.md", greeter("## Results\n\n```text\nhello, world  \n```\n\n"))
    assert main(["run", str(path), "--check", "--quiet"]) == 0


def test_a_failing_example_fails_the_command_and_shows_the_traceback(catalog, capsys):
    path = catalog.card("greeter.md", greeter("").replace('name = "world"\n', ""))
    assert main(["run", str(path), "--write", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "example fails: line 12: NameError: name 'name' is not defined" in out
    assert 'File "cards/greeter.md", line 12, in <module>' in out
    assert "## Results" not in path.read_text()  # a failure never overwrites the block
    assert store.read_stored(path)["status"] == "failed"


def test_frozen_mode_executes_nothing(catalog, capsys):
    path = catalog.card("greeter.md", greeter(""))
    assert main(["run", str(path), "--mode", "frozen"]) == 0
    out = capsys.readouterr().out
    assert "missing: no stored results" in out
    assert "executed 0 cards" in out
    assert not store.results_path(path).exists()


def test_a_missing_path_is_a_usage_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_banner_says_what_confines_the_run_including_an_allowed_network(catalog, capsys):
    from .conftest import FAST_LIMITS, write_config

    path = catalog.card("greeter.md", greeter(""))
    assert main(["run", str(path), "--mode", "force"]) == 0
    assert "no network" in capsys.readouterr().out
    write_config(catalog.root, {**FAST_LIMITS, "network": "allow"})
    assert main(["run", str(path), "--mode", "force"]) == 0
    banner = capsys.readouterr().out.splitlines()[0]
    assert "network allowed" in banner and "no network" not in banner


def test_a_100_mb_print_stores_the_output_cap_once_in_the_card_and_in_the_results_file(catalog):
    """FAST_LIMITS caps output at 20,000 characters per stream and cell: that much, and one marker saying how much
    was dropped, in the card's Results block and (once: the Results text is derived from it) in the results file."""
    cap = 20_000
    path = catalog.card("flood.md", CARD.replace("name: greeter", "name: flood").replace(
        'name = "world"\nprint(f"hello, {name}")', "for _ in range(100):\n    print('x' * 1_000_000)"
    ).replace("{results}", ""))
    assert main(["run", str(path), "--write", "--quiet"]) == 0
    text = path.read_text()
    block = text.split("## Results\n\n```text\n", 1)[1].split("\n```\n", 1)[0]
    marker = f"[... {100 * 1_000_001 - cap} more characters of stdout not kept: output cap is {cap}]"
    assert block == "x" * cap + "\n" + marker
    stored = store.results_path(path).read_text()
    assert stored.count("x" * cap) == 1 and stored.count(marker) == 1
    assert len(stored) < cap + 5_000
