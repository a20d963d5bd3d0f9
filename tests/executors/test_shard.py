"""--shard I/N: every card in exactly one shard, cards that share an artifact in the same one, balanced, the same
split every time; anything but I/N with 0 <= I < N is a usage error."""

from __future__ import annotations

import argparse

import pytest

from generator.card import read_card
from generator.cli import main
from generator.executors.shard import Shard, artifact_key, assign
from tests.conftest import CARDS


def native(name: str, url: str | None) -> str:
    artifact = f"artifact:\n  url: {url}\n" if url else ""
    return f"---\nmodelhub: 1\nname: {name}\nruntime: python\n{artifact}---\n\n# {name}\n\n```python\nprint({name!r})\n```\n"


@pytest.fixture
def cards(tmp_path):
    """Eleven cards over four artifacts (one named by two different relative paths) and three with none."""
    (tmp_path / "sub").mkdir()
    urls = {"a1": "https://example.org/a.zip", "a2": "https://example.org/a.zip", "a3": "https://example.org/a.zip/",
            "b1": "models/b", "b2": "models/b", "c1": "s3://bucket/c.zip", "d1": "https://example.org/d.zip",
            "d2": "https://example.org/d.zip", "n1": None, "n2": None, "n3": None}
    paths = []
    for name, url in urls.items():
        path = tmp_path / f"{name}.md"
        path.write_text(native(name, url), encoding="utf-8")
        paths.append(path)
    path = tmp_path / "sub" / "b3.md"  # the same folder as b1/b2's models/b, written from elsewhere
    path.write_text(native("b3", "../models/b"), encoding="utf-8")
    paths.append(path)
    return [read_card(path) for path in paths]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_the_shards_together_hold_every_card_exactly_once(cards, count):
    held = [card.path for index in range(count) for card in Shard(index, count).select(cards, artifact_key)]
    assert sorted(held) == sorted(card.path for card in cards)


def test_cards_that_share_an_artifact_share_a_shard(cards):
    shards = dict(zip((card.name for card in cards), assign(cards, artifact_key, 2)))
    assert shards["a1"] == shards["a2"] == shards["a3"]
    assert shards["b1"] == shards["b2"] == shards["b3"]
    assert shards["d1"] == shards["d2"]


def test_the_split_is_balanced_and_the_same_every_time(cards):
    first = assign(cards, artifact_key, 2)
    assert assign(list(cards), artifact_key, 2) == first
    sizes = [first.count(0), first.count(1)]
    assert sorted(sizes) == [6, 6]  # groups 3 (a), 3 (b), 2 (d), 1 (c), 1, 1, 1 (no artifact) -> 6 and 6


def test_the_shipped_catalog_splits_by_model():
    cards = [read_card(path) for path in sorted(CARDS.glob("*.md"))]
    both = [Shard(i, 2).select(cards, artifact_key) for i in range(2)]
    assert sorted(c.path for shard in both for c in shard) == sorted(c.path for c in cards)
    assert both[0] and both[1]


@pytest.mark.parametrize("text", ["0/1", "0/2", "1/2", " 2 / 3 "])
def test_valid_shards_parse(text):
    shard = Shard.parse(text)
    assert 0 <= shard.index < shard.count


@pytest.mark.parametrize("text", ["3/2", "2/2", "x", "1", "-1/2", "0/0", "1/2/3", ""])
def test_invalid_shards_are_refused_with_the_form_to_use(text):
    with pytest.raises(argparse.ArgumentTypeError, match="I/N|0 to N-1"):
        Shard.parse(text)


@pytest.mark.parametrize("command", ["run", "bench"])
@pytest.mark.parametrize("value", ["3/2", "x"])
def test_a_bad_shard_on_the_command_line_is_a_usage_error(command, value, capsys):
    assert main([command, str(CARDS), "--shard", value]) == 2
    assert "--shard" in capsys.readouterr().err
