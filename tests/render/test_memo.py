"""Texts catalogs repeat are rendered once per process; huge texts are never kept."""

from generator.render.markdown import markdown_html
from generator.render.memo import text_memo


def _counting():
    calls = []

    @text_memo(entries=4, longest=10)
    def shout(text: str, *, marks: int = 1) -> str:
        calls.append(text)
        return text.upper() + "!" * marks

    return shout, calls


def test_a_repeated_text_is_rendered_once():
    shout, calls = _counting()
    assert [shout("abc"), shout("abc"), shout("abc", marks=2)] == ["ABC!", "ABC!", "ABC!!"]
    assert calls == ["abc", "abc"]  # the options are part of the key


def test_a_text_over_the_limit_is_rendered_every_time():
    shout, calls = _counting()
    long = "x" * 11
    assert shout(long) == shout(long) == "X" * 11 + "!"
    assert calls == [long, long]
    assert shout.cache_info().currsize == 0


def test_only_the_most_recent_entries_are_kept():
    shout, calls = _counting()
    for text in "abcde":
        shout(text)
    shout("a")  # evicted by e
    assert calls == list("abcde") + ["a"]


def test_the_page_markdown_is_the_same_from_the_memo():
    text = "## Usage\n\nSee [docs](https://example.org) and `code`.\n"
    assert markdown_html(text) == markdown_html(text) == markdown_html.__wrapped__(text)
