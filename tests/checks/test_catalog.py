"""Catalog-wide rule MH117: one model, one card."""

from __future__ import annotations

from generator.checks import check_cards
from generator.checks.catalog import identity_of
from tests.checks.conftest import CLEAN, broken, card_of


def test_two_cards_for_the_same_model_and_version_are_both_reported():
    first = card_of(CLEAN, "cards/a.md")
    second = card_of(CLEAN, "cards/b.md")
    results = check_cards([first, second])
    for path, other in (("cards/a.md", "cards/b.md"), ("cards/b.md", "cards/a.md")):
        duplicates = [f for f in results[path] if f.code == "MH117"]
        assert duplicates and other in duplicates[0].message
        assert duplicates[0].line == 5  # the `name:` line


def test_another_version_of_the_same_model_is_a_different_model():
    newer = broken(("edition: Spark NLP 3.4.0", "edition: Spark NLP 4.0.0"),
                   ("_en_3.4.0_3.0_1639652560396.zip", "_en_4.0.0_3.0_1639652560396.zip"),
                   ("_en_3.4.0_3.0_1639652560396.zip", "_en_4.0.0_3.0_1639652560396.zip"))
    results = check_cards([card_of(CLEAN, "cards/a.md"), card_of(newer, "cards/b.md")])
    assert not any(f.code == "MH117" for findings in results.values() for f in findings)


def test_two_cards_linking_one_download_file():
    other = broken(("name: albert_base_sequence_classifier_imdb", "name: albert_imdb"))
    results = check_cards([card_of(CLEAN, "cards/a.md"), card_of(other, "cards/b.md")])
    assert any("same download file" in f.message for f in results["cards/b.md"] if f.code == "MH117")


def test_identity_uses_name_language_and_version():
    identity = identity_of(card_of(CLEAN))
    assert identity.key == ("albert_base_sequence_classifier_imdb", "en", "3.4.0")


def test_a_card_shared_by_many_names_three_others_once_each():
    cards = [card_of(CLEAN, f"cards/m{i:02d}.md") for i in range(6)]  # same model and same download file
    results = check_cards(cards)
    messages = [f.message for f in results["cards/m03.md"] if f.code == "MH117"]
    assert messages == ["the same model albert_base_sequence_classifier_imdb (en, 3.4.0) is also described by "
                        "cards/m00.md, cards/m01.md, cards/m02.md ..."]  # the file is not reported again


def test_each_card_of_a_large_group_names_the_first_three_others():
    from generator.checks.catalog import Identity, duplicate_findings, identity_index
    from generator.checks.registry import Rule

    group = [Identity(f"cards/{i:05d}.md", 5, None, "https://x/model.zip") for i in range(2_000)]
    index = identity_index(group)
    rule_ = Rule("MH117", "duplicate-model", "front matter", "error", "", "")
    found = [list(duplicate_findings(identity, index, rule_)) for identity in group]
    assert all(len(f) == 1 for f in found)
    assert found[0][0].message.endswith("cards/00001.md, cards/00002.md, cards/00003.md ...")
    assert found[2][0].message.endswith("cards/00000.md, cards/00001.md, cards/00003.md ...")


def test_a_download_shared_beyond_the_model_names_only_the_cards_not_named_for_the_model():
    from generator.checks.catalog import Identity, duplicate_findings, identity_index
    from generator.checks.registry import Rule

    url = "https://x/model.zip"
    same = [Identity(f"cards/{i}.md", 5, ("albert", "en", "3.4.0"), url) for i in range(3)]
    other = [Identity(f"cards/{i}.md", 5, ("bert", "en", "3.4.0"), url) for i in range(3, 5)]
    index = identity_index(same + other)
    rule_ = Rule("MH117", "duplicate-model", "front matter", "error", "", "")
    messages = [[f.message for f in duplicate_findings(identity, index, rule_)] for identity in same + other]
    assert messages[0] == ["the same model albert (en, 3.4.0) is also described by cards/1.md, cards/2.md",
                           "the same download file is also described by cards/3.md, cards/4.md"]
    assert messages[1][1] == "the same download file is also described by cards/3.md, cards/4.md"
    assert messages[3] == ["the same model bert (en, 3.4.0) is also described by cards/4.md",
                           "the same download file is also described by cards/0.md, cards/1.md, cards/2.md"]
    solo = Identity("cards/9.md", 5, ("gpt", "en", ""), url)  # its model is its own: the download names all five
    assert [f.message for f in duplicate_findings(solo, identity_index(same + other + [solo]), rule_)] == [
        "the same download file is also described by cards/0.md, cards/1.md, cards/2.md ..."]
