"""Link destinations read by one regular expression give markdown-it's own answer for every input, and the shipped
cards (and the corpus's, when MODELHUB_CORPUS is set) parse to the tokens a stock parser makes."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination

from generator.render.linkdest import MAX_NESTING, parse_link_destination
from generator.render.markdown import _MD, _parser
from tests.conftest import corpus_files, seed_paths


def reference(string: str, pos: int, maximum: int) -> tuple[bool, int, str]:
    result = parseLinkDestination(string, pos, maximum)
    return result.ok, result.pos, result.str


def ours(string: str, pos: int, maximum: int) -> tuple[bool, int, str]:
    result = parse_link_destination(string, pos, maximum)
    return result.ok, result.pos, result.str


# the characters a destination's reading turns on, and a few it passes over
DESTINATION_TEXT = st.text(alphabet=st.sampled_from(list("a/.:()()<>\\ \n\t\x00\x7f\x85é[]\"'")), max_size=60)


@settings(max_examples=2000, deadline=None)
@given(DESTINATION_TEXT, st.data())
@example("a\\", None)  # a backslash that ends the text is a character of the destination
@example("a\\ b", None)  # a backslash before a space ends it
@example("<a\\>b>", None)  # an escaped ">" inside <...>
@example("<a\nb>", None)  # no newline inside <...>
@example("<>", None)  # an empty <...> is a destination, an empty bare one is not
@example("a(b)c)d", None)  # the ")" that closes nothing ends it
@example("a(b c)", None)  # a space inside a group: refused
def test_every_destination_reads_as_markdown_it_reads_it(text, data):
    pos, maximum = 0, len(text)
    if data is not None:
        pos = data.draw(st.integers(0, len(text)))
        maximum = data.draw(st.integers(pos, len(text)))
    assert ours(text, pos, maximum) == reference(text, pos, maximum)


@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1])
@pytest.mark.parametrize("tail", ["", ")", " title", "(", "\\("])
def test_parentheses_nest_as_deep_as_markdown_it_allows_and_no_deeper(depth, tail):
    text = "a" + "(b" * depth + ")" * depth + tail
    assert ours(text, 0, len(text)) == reference(text, 0, len(text))
    assert ours(text, 0, len(text))[0] == (depth <= MAX_NESTING and tail != "(")


@pytest.mark.parametrize("unit", ["[a](b", "![a](", "[a](b{:", "[a](<b", "[a]((b)", "[a](" + "()" * 50])
def test_repeated_unclosed_links_read_as_markdown_it_reads_them(unit):
    text = unit * 300 + " [last](https://x.y/z) done"
    assert _MD.renderInline(text) == MarkdownIt("commonmark", {"html": True}).renderInline(text)


def test_the_shipped_and_corpus_cards_parse_as_with_markdown_its_own_reading():
    stock = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
    stock.enable("strikethrough")
    fast = _parser()
    for path in seed_paths() + corpus_files():  # the corpus when MODELHUB_CORPUS is set
        text = path.read_text(encoding="utf-8", errors="replace")
        assert fast.parse(text) == stock.parse(text), path.name


LABEL_TEXT = st.text(alphabet=st.sampled_from(list("ab[]()!*_`<>\\ \n")), max_size=80)


@settings(max_examples=2000, deadline=None)
@given(LABEL_TEXT)
@example("[" * 50 + "a")  # no "]" anywhere: refused at once
@example("![[a]" + "[" * 20)  # a "]" that closes an inner "[" only
@example("[a`]`](b)")  # a "]" inside a code span is not the label's
def test_link_labels_read_as_markdown_it_reads_them(text):
    stock = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
    assert _MD.parse(text) == stock.parse(text)


@pytest.mark.parametrize("unit", ["[[", "!["])
def test_a_run_of_unclosed_label_openers_is_linear(unit):
    from tests.timing import assert_linear

    assert_linear(lambda n: (unit * (n // 2) + "\n") * 10, _MD.render, 400)
