"""The chunked catalog index: a small first load, one shard per query word, postings that decode to the cards."""

from __future__ import annotations

import json

from generator.render.catalog_index import (CHUNK, build_index, entry_for, index_and_postings, name_tokens, shard_key,
                                            short_urls, tokens)
from generator.render.facets import facet_values


def entries(count: int):
    out = []
    for i in range(count):
        record = {"name": f"model_{i:04d}", "title": f"Model {i}", "date": f"2024-01-{i % 28 + 1:02d}",
                  "task": ["ner" if i % 2 else "text-classification"], "language": "en" if i % 3 else "de",
                  "tags": ["even" if i % 2 == 0 else "odd"], "labels": ["PER"] if i % 2 else []}
        out.append(entry_for(record, url=f"models/m{i}/", name=record["name"], summary=f"summary {i}",
                             description=f"Description of model {i}. Special{i % 5} words.",
                             facets=facet_values(record)))
    return out


def decode(deltas):
    ids, total = [], 0
    for d in deltas:
        total += d
        ids.append(total)
    return ids


def test_tokens_split_words_identifiers_and_camel_case():
    assert tokens("ALBERT: a Lite BERT (v2)") == ["albert", "lite", "bert", "v2"]
    assert name_tokens("AlbertForSequenceClassification") == [
        "albertforsequenceclassification", "albert", "for", "sequence", "classification"]
    assert tokens("albert_base_uncased") == ["albert", "base", "uncased"]


def test_shard_keys_are_file_safe():
    assert shard_key("albert") == "al" and shard_key("über") == "_fcb" and shard_key("中文") == "_4e2d_6587"


def test_index_layout_and_facet_columns():
    files = build_index(entries(250))
    meta = json.loads(files["meta.json"])
    assert meta["count"] == 250 and meta["chunk"] == CHUNK
    assert sorted(p for p in files if p.startswith("docs/")) == ["docs/0.json", "docs/1.json", "docs/2.json"]
    columns = json.loads(files["columns.json"])
    task = next(f for f in meta["facets"] if f["id"] == "task")
    assert {tuple(v[:2]) for v in task["values"]} == {("named_entity_recognition", "Named Entity Recognition"),
                                                      ("text_classification", "Text Classification")}
    ner = [v[0] for v in task["values"]].index("named_entity_recognition")
    assert [doc for doc, value in enumerate(columns["task"]) if value == ner] == list(range(1, 250, 2))
    assert sum(v[2] for v in task["values"]) == 250
    assert meta["dates"][0] == "2024-01-01" and len(columns["date"]) == 250
    listed = json.loads(files["list.json"])
    assert meta["url"] == ["models/", "/"] and (listed["u"][100], listed["n"][100]) == ("m100", "model_0100")
    assert json.loads(files["docs/1.json"])[0] == ["Model 100", "summary 100"]
    assert meta["dates"][columns["date"][100]] == "2024-01-17"


def test_urls_are_listed_without_the_folder_and_ending_most_of_them_share():
    def expand(prefix, suffix, short):  # what catalog.js does
        return [url if "/" in url else prefix + url + suffix for url in short]

    urls = ["models/a/", "families/albert/", "models/b-2/", "models/c.d_e/"]
    prefix, suffix, short = short_urls(urls)
    assert (prefix, suffix, short) == ("models/", "/", ["a", "families/albert/", "b-2", "c.d_e"])
    for urls in (["m/models/a.html", "m/models/b.html", "m/families/x.html"], ["a.html", "b.html", "c/"], [],
                 ["models/a/"], ["x/models/a/", "models/b/", "models/c/"]):
        prefix, suffix, short = short_urls(urls)
        assert [url.removeprefix("./") for url in expand(prefix, suffix, short)] == urls, urls
    assert short_urls(["m/models/a.html", "m/models/b.html"])[:2] == ("m/models/", ".html")


def test_postings_split_strong_and_weak_fields():
    files = build_index(entries(250))
    shard = json.loads(files[f"terms/{shard_key('special3')}.json"])
    term = shard["t"].index("special3")
    assert decode(shard["w"][term]) == list(range(3, 250, 5)) and shard["s"][term] == []
    shard = json.loads(files["terms/pe.json"])
    term = shard["t"].index("per")
    assert decode(shard["s"][term]) == list(range(1, 250, 2))


def test_first_load_is_small_at_ten_thousand_cards():
    import gzip

    files = build_index(entries(10_000))
    first = files["meta.json"] + files["columns.json"] + files["list.json"]
    assert len(gzip.compress(first)) < 100_000


def test_postings_of_an_edit_give_the_files_of_a_fresh_index():
    """Cards that keep their places: the edited ones are indexed again (a term dropped, one added, a shard of its
    own appearing and one vanishing), the rest reused; the files are those of an index made from scratch."""
    before = entries(250)
    keys = [f"k{i}" for i in range(250)]
    files, postings = index_and_postings(before, keys=keys)
    assert files == build_index(before) and "terms/zz.json" not in files
    after = entries(250)
    after[7].terms = (after[7].terms[0] + " zzyzx", after[7].terms[1].replace("special2", ""))  # new shard "zz"
    after[9].terms = ("qqq", "")  # its only card in shard "qq" is 9: see below
    edited = [*keys]
    edited[7], edited[9] = "k7-edited", "k9-edited"
    middle, postings = index_and_postings(after, keys=edited, previous=postings)
    assert middle == build_index(after) and "terms/zz.json" in middle and "terms/qq.json" in middle
    assert json.loads(middle["terms/zz.json"]) == {"t": ["zzyzx"], "s": [[7]], "w": [[]]}
    back = entries(250)
    again, postings = index_and_postings(back, keys=keys, previous=postings)
    assert again == files  # shard "qq" gone again, "zz" too
    unchanged_terms = after[9].terms  # a key that did not change says the entry did not: its terms are not read
    back[9].terms = unchanged_terms
    assert index_and_postings(back, keys=keys, previous=postings)[0] == files


def test_postings_are_made_afresh_when_cards_move():
    before = entries(250)
    files, postings = index_and_postings(before, keys=[f"k{i}" for i in range(250)])
    moved = [before[1], before[0], *before[2:]]  # two cards swap places: every id after them is another card's
    fresh, _ = index_and_postings(moved, keys=["k1", "k0", *[f"k{i}" for i in range(2, 250)]], previous=postings)
    assert fresh == build_index(moved) != files
    fewer = before[:-1]  # a card removed
    _, postings = index_and_postings(before, keys=[f"k{i}" for i in range(250)])
    assert index_and_postings(fewer, keys=[f"k{i}" for i in range(249)], previous=postings)[0] == build_index(fewer)
    _, postings = index_and_postings(before, keys=None)  # no keys: nothing can be reused
    assert postings.keys is None
    assert index_and_postings(before, keys=[f"k{i}" for i in range(250)], previous=postings)[0] == files


def test_postings_with_most_keys_changed_are_made_afresh():
    """New settings or code change every key: updating the postings card by card would cost more than making them
    again, so they are made again (with the same files either way)."""
    from generator.render.catalog_index import REINDEX_AT_MOST, Postings

    before = entries(250)
    _, postings = index_and_postings(before, keys=[f"k{i}" for i in range(250)])
    few = [f"k{i}" if i >= REINDEX_AT_MOST else f"new{i}" for i in range(250)]
    assert Postings.update(postings, before, few) is postings  # at most REINDEX_AT_MOST changed: updated in place
    every = [f"other{i}" for i in range(250)]
    assert Postings.update(postings, before, every) is None
    assert index_and_postings(before, keys=every, previous=postings)[0] == build_index(before)


def test_an_update_reads_the_changed_entries_only_unless_their_facets_changed():
    """With the previous postings, an edit that keeps every card's facets and date reads the edited cards' entries
    alone (the columns and vocabularies stay, the docs and list files of the edited cards are dumped again); an edit
    of a facet reads every entry, since the vocabularies count every card. The files are a fresh index's either way."""
    from generator.render.catalog_index import LazyEntries

    keys = [f"k{i}" for i in range(250)]
    _, postings = index_and_postings(entries(250), keys=keys)
    after = entries(250)
    after[7].name, after[7].summary = "renamed_model", "a new summary"
    read: list[int] = []
    lazy = LazyEntries(250, lambda i: read.append(i) or after[i])
    edited = [*keys]
    edited[7] = "k7-edited"
    files, postings = index_and_postings(lazy, keys=edited, previous=postings)
    assert read == [7] and files == build_index(after)
    assert json.loads(files["list.json"])["n"][7] == "renamed_model"

    after[9].facets = {**after[9].facets, "language": [("fr", "French")]}
    edited[9] = "k9-edited"
    read.clear()
    files, postings = index_and_postings(LazyEntries(250, lambda i: read.append(i) or after[i]), keys=edited,
                                         previous=postings)
    assert sorted(read) == list(range(250)) and files == build_index(after)
    assert ["fr", "French", 1] in next(f["values"] for f in json.loads(files["meta.json"])["facets"]
                                       if f["id"] == "language")
