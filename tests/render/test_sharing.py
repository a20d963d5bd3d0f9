"""The building process keeps one object for each value the catalog's summaries repeat, and never swaps a value
for an equal one of another type."""

from enum import Enum

from generator.render.sharing import ValueTable


class Status(str, Enum):
    OK = "ok"


def test_equal_values_from_two_cards_become_one_object():
    table = ValueTable()
    first = table.share({"findings": [{"code": "MH704", "severity": "info"}], "facet": ("no", "Norwegian")})
    second = table.share({"findings": [{"code": "MH704", "severity": "info"}], "facet": ("no", "Norwegian")})
    assert first == second
    assert first["findings"][0] is second["findings"][0]
    assert first["facet"] is second["facet"]
    assert first is not second  # a dict holding a list is not shared: lists are rebuilt for each card
    assert table.share({"title": "Description"}) is table.share({"title": "Description"})


def test_values_equal_across_types_stay_apart():
    table = ValueTable()
    plain, enum = table.share({"status": "ok"}), table.share({"status": Status.OK})
    assert type(plain["status"]) is str and enum["status"] is Status.OK
    assert table.share((1,)) is not table.share((1,))  # numbers are not shared at all
    one, true = table.share({"n": 1}), table.share({"n": True})
    assert one["n"] is 1 and true["n"] is True  # noqa: F632 - identity is the point


def test_lists_and_unshareable_values_are_copied_not_shared():
    table = ValueTable()
    first, second = table.share(["a", [1.5]]), table.share(["a", [1.5]])
    assert first == second == ["a", [1.5]]
    assert first is not second and first[1] is not second[1]
    assert first[0] is second[0]


def test_long_strings_are_kept_as_they_are():
    table = ValueTable()
    long = "x" * 500
    assert table.share(long) is long
