"""Parsing has budgets: YAML alias expansion and nesting are bounded before any value is built, every body pattern
runs in time linear in its line, undecodable bytes never reach a later stage, and edits still keep them."""

from __future__ import annotations

import json

import pytest
import yaml

from generator.card import parse_card, replace_results
from generator.card.frontmatter import MAX_YAML_DEPTH, CardLoader, load_yaml
from tests.conftest import seed_paths
from tests.test_hostile_input import ALIAS_BOMB
from tests.timing import assert_linear


def _card(front: str = "name: x\n", body: str = "") -> str:
    return f"---\n{front}---\n\n{body}\n"


class TestYamlBudget:
    def test_an_alias_bomb_is_a_finding_at_the_line_that_crosses_the_budget(self):
        card = parse_card(_card("title: t\n" + ALIAS_BOMB))
        [budget] = [d for d in card.diagnostics if d.code == "MH007"]
        assert budget.line == 8  # `f: &f [*e, ...]` (line 2 is `title`, `a` is line 3)
        assert budget.message == "front matter expands through its aliases to more than 100,000 values"
        # the card is still read: plain keys load, the bomb's lines are kept as text
        assert card.front_matter["title"] == "t"
        assert card.front_matter["i"] == "&i [" + ", ".join(["*h"] * 9) + "]"
        assert len(json.dumps(card.to_record())) < 20_000

    def test_a_value_that_contains_itself_is_refused(self):
        card = parse_card(_card("name: x\nloop: &loop [1, *loop]\n"))
        [budget] = [d for d in card.diagnostics if d.code == "MH007"]
        assert budget.line == 3 and "contains itself" in budget.message
        assert card.front_matter["name"] == "x"

    @pytest.mark.parametrize("nested", ["[" * 200_000 + "]" * 200_000, "{a: " * 50_000 + "}" * 50_000,
                                        "- " * 5_000 + "x"])
    def test_deep_nesting_is_refused_before_the_yaml_library_recurses(self, nested):
        # 200,000 '[' crash libyaml's composer (a segmentation fault) and take its scanner minutes
        card = parse_card(_card(f"name: x\ndeep: {nested}\n"))
        codes = {d.code for d in card.diagnostics}
        assert codes & {"MH007", "MH002"}, card.diagnostics
        assert card.front_matter["name"] == "x"

    def test_nesting_through_aliases_counts_too(self):
        chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, MAX_YAML_DEPTH + 2))
        card = parse_card(_card("name: x\n" + chain))
        [budget] = [d for d in card.diagnostics if d.code == "MH007"]
        assert budget.message == f"front matter nests deeper than {MAX_YAML_DEPTH} levels through its aliases"

    def test_anchors_within_the_budget_load_as_plain_yaml_does(self):
        text = "defaults: &defaults {lang: en, labels: [a, b]}\nfirst: *defaults\nsecond: {<<: *defaults, lang: fr}\n"
        assert load_yaml(text) == yaml.load(text, Loader=CardLoader)
        assert load_yaml(text)["second"] == {"lang": "fr", "labels": ["a", "b"]}

    def test_every_shipped_front_matter_loads_exactly_as_plain_yaml_loads_it(self):
        for path in seed_paths():
            card = parse_card(path.read_bytes(), str(path))
            start, end = card.front_matter_span
            text = card.text[start:end]
            assert load_yaml(text) == yaml.load(text, Loader=CardLoader), path

    @pytest.mark.parametrize("text, error", [("a: *nowhere\n", "undefined alias"), ("a: 1\n---\nb: 2\n", "single"),
                                             ("a: &x 1\nb: &x 2\n", "duplicate anchor")])
    def test_yaml_errors_stay_yaml_errors(self, text, error):
        with pytest.raises(yaml.YAMLError, match=error):
            load_yaml(text)


# One line of hostile Markdown each, built at a given size: repeated link syntax, unclosed markup, long runs.
BODY_LINES = {
    "unclosed links": lambda n: "[a](b" * n,
    "nested brackets": lambda n: "[" * n + "a](b",
    "image openers": lambda n: "![a](" * n,
    "unclosed attributes": lambda n: "[a](b){:" * n,
    "spaces in a destination": lambda n: "[a](" + " " * (4 * n) + "x",
    "closed links": lambda n: "[a](b(c)) " * n,
    "unclosed autolinks": lambda n: "<http://a" * n,
    "liquid openers": lambda n: "{%" * n,
    "liquid output openers": lambda n: "{{" * n,
    "shortcode openers": lambda n: "{{<" * n,
    "heading with spaces": lambda n: "# a" + " " * (4 * n) + "b",
    "heading with hashes": lambda n: "# a " + "#" * (4 * n) + " b",
    "fence with a backtick": lambda n: "```" + "a" * (4 * n) + "`",
    "attribute list": lambda n: "{:" + "." * (4 * n),
}


@pytest.mark.parametrize("name", BODY_LINES)
def test_each_body_pattern_is_linear_in_the_line(name):
    make = BODY_LINES[name]
    assert_linear(lambda n: _card(body=make(n)), parse_card, 2_000)


@pytest.mark.parametrize("front", [
    lambda n: "a" + " " * (4 * n) + "b\n",  # a long line that is no key
    lambda n: "".join(f"key{i}: {i}\n" for i in range(n // 4)),  # many keys: lines counted once
])
def test_front_matter_keys_are_found_in_linear_time(front):
    assert_linear(lambda n: _card("name: x\n" + front(n)), parse_card, 4_000)


def test_links_are_still_read_with_titles_attributes_and_one_level_of_parentheses():
    card = parse_card(_card(body='[Download](https://x.org/m.zip "zip"){:.button} and '
                                 "![chart](img/a_(b).png) and <https://y.org/p>"))
    assert [(link.text, link.url, link.kind) for link in card.links] == [
        ("Download", "https://x.org/m.zip", "download"), ("chart", "img/a_(b).png", "image"),
        ("https://y.org/p", "https://y.org/p", "other")]


def test_headings_lose_their_closing_hashes_as_before():
    card = parse_card(_card(body="## Title ##  \n\ntext\n\n### C#\n\nmore\n"))
    assert [s.title for s in card.sections] == ["Title", "C"]


class TestUndecodableBytes:
    SOURCE = b"---\nname: x\ntitle: caf\xe9 \xff\n---\n\n## Results\n\n```\nold \xfe\n```\n"

    def test_every_string_read_from_the_card_is_valid_unicode(self):
        card = parse_card(self.SOURCE, "x.md")
        assert card.title == "caf\ufffd \ufffd"
        assert card.results.text == "old \ufffd\n"
        json.dumps(card.to_record()).encode("utf-8")  # no lone surrogate anywhere
        assert [d.code for d in card.diagnostics] == ["MH003"]

    def test_an_edit_keeps_the_undecodable_bytes_it_does_not_touch(self):
        card = parse_card(self.SOURCE, "x.md")
        edited = replace_results(card, "new\n")
        assert edited == self.SOURCE.replace(b"old \xfe", b"new")


@pytest.mark.parametrize("name, make", [
    ("heading info with a stray star", lambda n: "## License:" + " " * n + "a" + " " * n + "*b\n"),
    ("heading info with spaced words", lambda n: "## License: *" + "a " * n + "*\n"),
    ("a label list item of spaced words", lambda n: "## Predicted Entities\n\n- a" + " " * (4 * n) + "b\n"),
])
def test_heading_info_and_label_items_are_linear_in_the_line(name, make):
    # the heading-info pattern took a minute on a 4,000-character heading
    assert_linear(lambda n: _card(body=make(n)), parse_card, 2_000)


def test_heading_info_and_label_items_are_read_as_before():
    card = parse_card(_card(body="## License: *Open Source*\n\n## Edition: Official\n\n## Predicted Entities\n\n"
                                 "- `PER`\n- ORG, LOC \n-   \n"))
    assert [(row.key, row.value) for row in card.info.rows] == [("License:", "Open Source"), ("Edition:", "Official")]
    assert card.labels == ["PER"]
    card = parse_card(_card(body="## Predicted Entities\n\n- PER\n- ORG, LOC \n"))
    assert card.labels == ["PER", "ORG", "LOC"]
