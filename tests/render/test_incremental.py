"""Builds that do only what changed, on every core: a serial and a parallel build write the same bytes; a rebuild
reads no unchanged card and writes no unchanged page; an edited, added or deleted card changes exactly its own page,
JSON and index entries; leftovers of an interrupted build are never trusted."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.render import cardwork, catalog_index, incremental
from generator.render.build import build_site
from generator.render.incremental import STASH

from .catalog import make_catalog

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ["all-minilm-l6-v2", "paraphrase-minilm-l3-v2-onnx"]  # cards with stored runs and benchmarks


def catalog(root: Path) -> Path:
    cards = make_catalog(root)["cards"]
    for stem in SHIPPED:
        for suffix in (".md", ".results.json", ".bench.json"):
            shutil.copy(REPO / "cards" / f"{stem}{suffix}", cards / f"{stem}{suffix}")
    return cards


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def without_check_times(data: bytes) -> bytes:
    """A model JSON without the time its artifact was looked at (now, for an offline build that could not)."""
    return re.sub(rb'"checked_at": "[^"]*"', b'"checked_at": ""', data)


def build(cards: Path, site: Path, **options):
    return build_site([cards], site, offline=True, mode="frozen", **options)


@pytest.fixture
def built(tmp_path):
    cards = catalog(tmp_path)
    site = tmp_path / "site"
    first = build(cards, site)
    return cards, site, first


def test_serial_and_parallel_builds_write_the_same_bytes(tmp_path, monkeypatch):
    cards = catalog(tmp_path)
    serial = build(cards, tmp_path / "serial", jobs=1, cache=False)
    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)  # a pool even for this small catalog
    parallel = build(cards, tmp_path / "parallel", jobs=2, cache=False)
    assert serial.stats.processes == 0 and parallel.stats.processes == 2
    a, b = snapshot(tmp_path / "serial"), snapshot(tmp_path / "parallel")
    assert len(a) > 60 and sorted(a) == sorted(b)
    assert [name for name in a if without_check_times(a[name]) != without_check_times(b[name])] == []
    assert not (tmp_path / ".modelhub-cache" / "build").exists()  # cache=False leaves nothing behind


_PASSES = {"record_batch": cardwork.record_batch, "page_batch": cardwork.page_batch}


def _marked(name: str, args: tuple) -> list:
    """A pass's batch, leaving a mark named by the pass and the process (workers find the folder in the environment)."""
    Path(os.environ["MODELHUB_TEST_MARKS"], f"{name}-{os.getpid()}").touch()
    return _PASSES[name](*args)


def marked_record_batch(*args):  # module-level: a pool sends its function by name
    return _marked("record_batch", args)


def marked_page_batch(*args):
    return _marked("page_batch", args)


def test_the_page_pass_runs_in_the_workers_the_record_pass_started(tmp_path, monkeypatch):
    """One set of workers a build, started while the building process is small: workers forked after the record
    pass would start from a copy of every card's summary. Their shells come from a file the build removes."""
    cards = catalog(tmp_path)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("MODELHUB_TEST_MARKS", str(marks))
    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)
    monkeypatch.setattr(incremental, "record_batch", marked_record_batch)
    monkeypatch.setattr(incremental, "page_batch", marked_page_batch)
    result = build(cards, tmp_path / "site", jobs=2)
    assert result.stats.processes == 2
    by_pass: dict[str, set[str]] = {}
    for mark in os.listdir(marks):
        name, pid = mark.rsplit("-", 1)
        by_pass.setdefault(name, set()).add(pid)
    assert by_pass["page_batch"] and by_pass["page_batch"] <= by_pass["record_batch"]
    assert str(os.getpid()) not in by_pass["record_batch"] | by_pass["page_batch"]
    assert not list((tmp_path / ".modelhub-cache" / "build" / "shells").iterdir())


def test_a_rebuild_without_changes_reads_no_card_and_writes_no_page(built):
    cards, site, first = built
    before = snapshot(site)
    stamps = {p: p.stat().st_mtime_ns for folder in ("models", "catalog-index") for p in (site / folder).rglob("*")
              if p.is_file()}
    stamps[site / "models.json"] = (site / "models.json").stat().st_mtime_ns
    again = build(cards, site)
    assert first.stats.parsed == first.cards == again.cards
    assert (again.stats.parsed, again.stats.checked, again.stats.pages_written) == (0, 0, 0)
    assert again.stats.pages_kept == again.cards
    assert snapshot(site) == before
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # kept, not written again
    assert not (site / STASH).exists()


def test_the_record_pass_stores_its_records_a_batch_to_a_file_and_an_edit_adds_one(built):
    cards, site, first = built
    records = cards.parent / ".modelhub-cache" / "build" / "records"
    packs = sorted(records.iterdir())
    assert all(path.suffix == ".pack" for path in packs) and 0 < len(packs) < first.stats.parsed
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    assert build(cards, site).stats.checked == 1
    assert len(sorted(records.iterdir())) == len(packs) + 1  # the old version stays in its batch's pack


def test_an_edited_card_is_the_only_card_read_and_its_page_the_only_one_written(built):
    cards, site, _ = built
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    other = next(p for p in (site / "models").glob("variant-05/index.html"))
    stamp = other.stat().st_mtime_ns
    result = build(cards, site)
    assert (result.stats.parsed, result.stats.checked, result.stats.pages_written) == (1, 1, 1)
    assert "Edited" in (site / "models" / "variant-03" / "index.html").read_text(encoding="utf-8")
    assert "Edited" in json.loads((site / "models" / "variant-03.json").read_text(encoding="utf-8"))["title"]
    docs = "".join(p.read_text(encoding="utf-8") for p in (site / "catalog-index" / "docs").glob("*.json"))
    assert "Edited" in docs
    assert other.stat().st_mtime_ns == stamp


def test_a_stored_result_that_changes_is_read_again(built):
    cards, site, _ = built
    stored = cards / "all-minilm-l6-v2.results.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    data["date"] = "2001-01-01T00:00:00+00:00"
    stored.write_text(json.dumps(data), encoding="utf-8")
    result = build(cards, site)
    assert result.stats.parsed == 1 and result.stats.pages_written == 1


def test_a_deleted_card_loses_its_page_json_index_entry_and_sitemap_line(built):
    cards, site, _ = built
    assert (site / "models" / "variant-07" / "index.html").is_file()
    (cards / "variant-07.md").unlink()
    result = build(cards, site)
    assert result.stats.pages_removed == 1 and result.stats.parsed == 0
    assert not (site / "models" / "variant-07").exists() and not (site / "models" / "variant-07.json").exists()
    assert "variant-07" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "variant_07" not in (site / "catalog-index" / "list.json").read_text(encoding="utf-8")
    assert all(record["url"] != "models/variant-07/" for record in
               json.loads((site / "models.json").read_text(encoding="utf-8"))["models"])


def test_changed_settings_render_every_page_again(built):
    cards, site, first = built
    toml = cards.parent / "modelhub.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("example.test", "changed.test"), encoding="utf-8")
    result = build(cards, site)
    assert result.stats.parsed == first.cards and result.stats.pages_written == first.stats.pages_written
    assert "https://changed.test/" in (site / "models" / "variant-01" / "index.html").read_text(encoding="utf-8")


def test_leftovers_of_an_interrupted_build_are_not_trusted(built):
    cards, site, first = built
    # a build that stopped half way: pages moved aside, no manifest; someone's stray page among them
    (site / STASH / "models" / "stray").mkdir(parents=True)
    (site / STASH / "models" / "stray" / "index.html").write_text("stale", encoding="utf-8")
    for manifest in (cards.parent / ".modelhub-cache" / "build" / "sites").glob("*.json"):
        manifest.unlink()
    result = build(cards, site)
    assert result.stats.pages_written == first.stats.pages_written
    assert not (site / "models" / "stray").exists() and not (site / STASH).exists()


def test_a_card_named_like_a_json_file_cannot_take_another_cards_json_place(tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    text = (REPO / "cards" / "2021-12-16-albert_base_sequence_classifier_imdb_en.md").read_text(encoding="utf-8")
    (cards / "victim.md").write_text(text, encoding="utf-8")
    (cards / "victim.json.md").write_text(text.replace("name: albert_base_sequence_classifier_imdb",
                                                       "name: attacker", 1), encoding="utf-8")
    site = tmp_path / "site"
    build(cards, site)
    victim = json.loads((site / "models" / "victim.json").read_text(encoding="utf-8"))
    assert victim["name"] != "attacker" and victim["url"] == "models/victim/"
    assert (site / "models" / "victim-json" / "index.html").is_file()


def test_jobs_must_be_a_positive_number(tmp_path, capsys):
    from generator.cli import main

    assert main(["build", str(tmp_path), "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err


def test_a_build_that_executes_parses_each_card_once(tmp_path, monkeypatch):
    """In auto mode the stages run in the building process; the record pass takes the cards they parsed."""
    from generator.card import parser

    cards = tmp_path / "cards"
    cards.mkdir()
    for name, number in (("square", 3), ("cube", 4)):
        (cards / f"{name}.md").write_text(f"---\nmodelhub: 1\nname: {name}\nruntime: python\n---\n\n# {name}\n\n"
                                          f"```python\nprint({number} * {number})\n```\n", encoding="utf-8")
    parsed: list[str] = []
    real = parser.parse_card

    def counting(source, path="<memory>"):
        parsed.append(str(path))
        return real(source, path)

    monkeypatch.setattr(parser, "parse_card", counting)
    site = tmp_path / "site"
    build_site([cards], site, offline=True, mode="auto", jobs=1, cache=False)
    assert sorted(Path(p).name for p in parsed) == ["cube.md", "square.md"]
    runs = {name: json.loads(path.read_text())["runs"] for name in ("square", "cube")
            for path in site.rglob(f"{name}.json")}
    assert runs["square"]["results_text"] == "9" and runs["cube"]["results_text"] == "16"


def test_a_family_page_is_rendered_again_only_when_one_of_its_members_changed(built, monkeypatch):
    cards, site, _ = built
    from generator.render.site import Catalog

    rendered: list[str] = []
    original = Catalog.family_html

    def counting(self, family):
        rendered.append(family.key)
        return original(self, family)

    monkeypatch.setattr(Catalog, "family_html", counting)
    pages = sorted(p.name for p in (site / "families").glob("*/index.html"))
    assert len(pages) >= 2
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Renamed", 1), encoding="utf-8")
    build(cards, site)
    assert len(rendered) == 1  # the edited card's family, not the others
    family_page = site / "families" / rendered[0] / "index.html"
    assert "Renamed" in family_page.read_text(encoding="utf-8")
    rendered.clear()
    build(cards, site, cache=False)  # no cache: every family page is rendered, with the same bytes
    assert len(rendered) == len(pages)
    assert "Renamed" in family_page.read_text(encoding="utf-8")


def test_the_index_folder_is_rewritten_only_where_its_bytes_change(built, tmp_path):
    cards, site, _ = built
    index = site / "catalog-index"
    stamps = {p: p.stat().st_mtime_ns for p in index.rglob("*.json")}
    planted = index / "terms" / "zz-left-over.json"
    planted.write_text("{}", encoding="utf-8")
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    build(cards, site)
    kept = [p for p, stamp in stamps.items() if p.is_file() and p.stat().st_mtime_ns == stamp]
    assert kept and len(kept) < len(stamps)  # most files kept, the edited card's rewritten
    assert not planted.exists()  # a file the index does not have is removed
    fresh = tmp_path / "fresh"
    build(cards, fresh, cache=False)
    assert snapshot(index) == snapshot(fresh / "catalog-index")


def test_an_edit_indexes_the_edited_card_only_and_deleting_a_card_indexes_afresh(built, monkeypatch, tmp_path):
    """The catalog index of an edit that leaves every card in its place is brought up to date from the edited card's
    terms alone (the last build's postings); a deleted card moves the cards after it, so every card is indexed
    again. Either way the files are a fresh build's."""
    cards, site, _ = built
    indexed: list[str] = []
    entry_terms = catalog_index.entry_terms
    monkeypatch.setattr(catalog_index, "entry_terms", lambda entry: indexed.append(entry.url) or entry_terms(entry))
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Zygomorphic", 1), encoding="utf-8")
    build(cards, site)
    assert indexed == ["models/variant-03/"]
    index = site / "catalog-index"
    shard = json.loads((index / "terms" / "zy.json").read_text(encoding="utf-8"))
    assert "zygomorphic" in shard["t"]
    build(cards, tmp_path / "fresh", cache=False)
    assert snapshot(index) == snapshot(tmp_path / "fresh" / "catalog-index")
    indexed.clear()
    (cards / "variant-03.md").unlink()
    build(cards, site)
    assert len(indexed) > 10 and "models/variant-03/" not in indexed
    assert not (index / "terms" / "zy.json").exists()  # its one term went with the card
    build(cards, tmp_path / "fresh-2", cache=False)
    assert snapshot(index) == snapshot(tmp_path / "fresh-2" / "catalog-index")


def test_an_index_folder_replaced_by_a_link_is_rebuilt_without_writing_through_it(built, tmp_path):
    cards, site, _ = built
    outside = tmp_path / "outside"
    (outside / "terms").mkdir(parents=True)
    (outside / "terms" / "al.json").write_text("keep me", encoding="utf-8")
    shutil.rmtree(site / "catalog-index")
    (site / "catalog-index").symlink_to(outside, target_is_directory=True)
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
    build(cards, site)
    assert (outside / "terms" / "al.json").read_text(encoding="utf-8") == "keep me"
    index = site / "catalog-index"
    assert index.is_dir() and not index.is_symlink() and (index / "meta.json").is_file()


def test_the_collector_is_off_while_a_build_runs_and_on_after_it(built, monkeypatch):
    import gc

    from generator.render import plugin

    seen: list[bool] = []
    original = plugin.write_index

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(plugin, "write_index", watching)
    cards, site, _ = built
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    assert gc.isenabled()
    build(cards, site)
    assert seen == [False] and gc.isenabled()


def test_an_edited_card_rewrites_one_file_of_the_entries(built):
    cards, site, _ = built
    folder = cards.parent / ".modelhub-cache" / "build" / "entries"
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pickle")}
    assert len(stamps) > 4
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    build(cards, site)
    changed = [name for name, stamp in stamps.items() if (folder / name).stat().st_mtime_ns != stamp]
    assert len(changed) == 1
    card.unlink()  # a deleted card's entry goes with it; the next build reads the others from the cache
    result = build(cards, site)
    assert result.stats.parsed == 0 and result.stats.pages_removed == 1


def _duplicate_model_findings(site: Path) -> dict[str, list]:
    return {p.name: [f for f in json.loads(p.read_text(encoding="utf-8"))["findings"] if f["code"] == "MH117"]
            for p in sorted((site / "models").glob("*.json"))}


def test_an_edit_that_keeps_every_identity_reuses_the_catalog_wide_findings(built, monkeypatch, tmp_path):
    cards, site, _ = built
    from generator.render import incremental

    asked: list[str] = []
    original = incremental.duplicate_findings

    def counting(identity, index, rule_):
        asked.append(identity.path)
        return original(identity, index, rule_)

    monkeypatch.setattr(incremental, "duplicate_findings", counting)
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    build(cards, site)
    assert asked == []  # no identity in the catalog changed: the edited card keeps its findings too
    found = _duplicate_model_findings(site)
    assert found["variant-03.json"]  # it shares its download file with the other variants
    assert any(found.values())  # the variants share their download file
    asked.clear()
    build(cards, tmp_path / "fresh", cache=False)
    assert len(asked) > 10 and _duplicate_model_findings(tmp_path / "fresh") == found

    asked.clear()  # a renamed model changes an identity: every card's findings are made again
    text = card.read_text(encoding="utf-8")
    name = re.search(r"^name: *(.+)$", text, re.M).group(1)
    other = cards / "variant-13.md"  # the same language as variant-03: one name makes one model of both
    other_name = re.search(r"^name: *(.+)$", other.read_text(encoding="utf-8"), re.M).group(1)
    card.write_text(text.replace(f"name: {name}", f"name: {other_name}", 1), encoding="utf-8")
    build(cards, site)
    assert len(asked) > 10
    build(cards, tmp_path / "fresh", cache=False)
    renamed = _duplicate_model_findings(site)
    fresh = _duplicate_model_findings(tmp_path / "fresh")
    assert {k: v for k, v in renamed.items() if v != fresh[k]} == {}
    assert renamed != found
    # the unchanged cards' summaries without the last build's findings were made again from the ones with them
    assert (site / "models.json").read_bytes() == (tmp_path / "fresh" / "models.json").read_bytes()
    assert snapshot(site / "catalog-index") == snapshot(tmp_path / "fresh" / "catalog-index")


def test_a_card_left_alone_loses_its_catalog_wide_findings(tmp_path):
    """Two cards of one model each have MH117; once the other is deleted, the one left (read from the cache, not
    parsed) has none, in its JSON, models.json and the index, as in a fresh build."""
    cards = tmp_path / "cards"
    cards.mkdir()
    text = (REPO / "cards" / "all-minilm-l6-v2.md").read_text(encoding="utf-8")
    (cards / "one.md").write_text(text, encoding="utf-8")
    (cards / "two.md").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build(cards, site)
    assert all(_duplicate_model_findings(site).values())
    (cards / "two.md").unlink()
    result = build(cards, site)
    assert result.stats.parsed == 0
    assert _duplicate_model_findings(site) == {"one.json": []}
    build(cards, tmp_path / "fresh", cache=False)
    assert (site / "models.json").read_bytes() == (tmp_path / "fresh" / "models.json").read_bytes()
    assert snapshot(site / "catalog-index") == snapshot(tmp_path / "fresh" / "catalog-index")


def _pages(site: Path) -> dict[str, bytes]:
    return {name: without_check_times(data) for name, data in snapshot(site / "models").items()}


def _count_layout_and_page_keys(monkeypatch) -> tuple[list[int], list[str]]:
    """Count the catalogs laid out afresh (families grouped) and the page keys made, by card path."""
    from generator.render import incremental, site as site_module

    grouped: list[int] = []
    keyed: list[str] = []
    group_families, page_job = site_module.group_families, incremental.SiteWork._page_job
    monkeypatch.setattr(site_module, "group_families", lambda records: grouped.append(len(records)) or
                        group_families(records))

    def counting(self, catalog, index, *args):
        keyed.append(catalog.summaries[index].path)
        return page_job(self, catalog, index, *args)

    monkeypatch.setattr(incremental.SiteWork, "_page_job", counting)
    return grouped, keyed


def test_an_edit_that_moves_no_card_takes_the_layout_and_the_page_keys_from_the_last_build(built, monkeypatch,
                                                                                          tmp_path):
    """An edit that keeps every card's place (order, slug, family, links) costs its own page key only: the catalog's
    order, slugs and families come from the build cache, and every other card keeps the page key the manifest has.
    An edit that changes a card's place (its title names its family and orders the catalog) works them all out."""
    cards, site, first = built
    grouped, keyed = _count_layout_and_page_keys(monkeypatch)
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("## Description\n", "## Description\n\nMore text about "
                                                             "the model.\n", 1), encoding="utf-8")
    result = build(cards, site)
    assert grouped == [] and keyed == [str(card)] and result.stats.pages_written == 1
    assert "More text about the model" in (site / "models" / "variant-03" / "index.html").read_text(encoding="utf-8")
    build(cards, tmp_path / "fresh", cache=False)
    assert _pages(site) == _pages(tmp_path / "fresh")

    grouped.clear(), keyed.clear()
    card.write_text(card.read_text(encoding="utf-8").replace("title: ALBERT", "title: Aardvark ALBERT", 1),
                    encoding="utf-8")
    result = build(cards, site)
    assert grouped == [first.cards] and len(keyed) == first.cards and result.stats.pages_written == 1
    build(cards, tmp_path / "fresh-2", cache=False)
    assert _pages(site) == _pages(tmp_path / "fresh-2")


def test_a_place_the_file_system_decides_is_looked_at_again_by_every_build(built, monkeypatch):
    """A card whose download link may name a file of the catalog has its place worked out again each build: when
    the file system says otherwise than last time, its page is written again even though no card moved."""
    from generator.render.site import Catalog

    cards, site, _ = built
    page = site / "models" / "tiny-local" / "index.html"
    assert "files/artifacts/tiny_local_model.zip" in page.read_text(encoding="utf-8")
    find = Catalog._find_local_artifact
    monkeypatch.setattr(Catalog, "_find_local_artifact", lambda self, index: None if
                        self.light[index].get("name") == "tiny_local_model" else find(self, index))
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
    result = build(cards, site)
    assert result.stats.pages_written == 2
    assert "files/artifacts/tiny_local_model.zip" not in page.read_text(encoding="utf-8")


def test_models_json_makes_the_entries_of_changed_cards_only(built, monkeypatch, tmp_path):
    """models.json keeps the entry of every card whose page key the last build's file had; the edited card's entry is
    made again, and the file has the bytes of a fresh build's."""
    from generator.render import site as site_module

    cards, site, first = built
    made: list[str] = []
    compact = site_module._compact_json
    monkeypatch.setattr(site_module, "_compact_json", lambda value: made.append(value.get("url")) or compact(value))
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    build(cards, site)
    assert [url for url in made if url] == ["models/variant-03/"]
    build(cards, tmp_path / "fresh", cache=False)
    assert (site / "models.json").read_bytes() == (tmp_path / "fresh" / "models.json").read_bytes()
    assert len(json.loads((site / "models.json").read_text(encoding="utf-8"))["models"]) == first.cards


def test_an_edit_makes_the_index_entry_of_the_edited_card_only(built, monkeypatch, tmp_path):
    """The catalog index of an edit that leaves every card in its place takes every other card's entry from the
    last index's postings (what its files show of each card), with the bytes of a fresh build's index."""
    from generator.render import site as site_module

    cards, site, _ = built
    made: list[str] = []
    entry_for = site_module.entry_for
    monkeypatch.setattr(site_module, "entry_for", lambda record, **fields: made.append(fields["url"]) or
                        entry_for(record, **fields))
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Zygomorphic", 1), encoding="utf-8")
    build(cards, site)
    assert made == ["models/variant-03/"]
    build(cards, tmp_path / "fresh", cache=False)
    assert snapshot(site / "catalog-index") == snapshot(tmp_path / "fresh" / "catalog-index")
    made.clear()
    (cards / "variant-05.md").unlink()  # the cards after it move: every entry is made again
    build(cards, site)
    assert len(made) > 10


def test_the_findings_by_severity_are_counted_from_what_each_entry_keeps(built, monkeypatch, tmp_path):
    """A build reports every card's findings by severity (the catalog-wide ones too); a rebuild counts the edited
    card's findings only, the others' counts come with their entries; the totals are the model JSON files'."""
    from collections import Counter

    from generator.render import incremental

    cards, site, first = built
    counted: list[int] = []
    severity_counts = incremental.severity_counts
    monkeypatch.setattr(incremental, "severity_counts", lambda findings: counted.append(1) or
                        severity_counts(findings))
    card = cards / "variant-03.md"
    card.write_text(re.sub(r"^date: .*$", "date: someday", card.read_text(encoding="utf-8"), count=1, flags=re.M),
                    encoding="utf-8")
    result = build(cards, site)
    assert len(counted) == 2  # the edited card's record, and the catalog-wide findings
    found = Counter(f["severity"] for p in (site / "models").glob("*.json")
                    for f in json.loads(p.read_text(encoding="utf-8"))["findings"])
    assert result.severities == {severity: found[severity] for severity in ("error", "warning", "info")}
    assert result.severities != first.severities
    assert build(cards, tmp_path / "fresh", cache=False).severities == result.severities


def test_a_family_page_key_is_made_again_only_for_the_family_of_an_edited_card(built, monkeypatch):
    """When no card moved, a family whose members' records are unchanged takes its page key from the last build
    without working out what its page shows; the edited card's family works it out (and renders its page again)."""
    from generator.render.site import Catalog

    cards, site, _ = built
    asked: list[str] = []
    family_inputs = Catalog.family_inputs
    monkeypatch.setattr(Catalog, "family_inputs", lambda self, family: asked.append(family.key) or
                        family_inputs(self, family))
    families = sorted(p.parent.name for p in (site / "families").glob("*/index.html"))
    assert len(families) >= 2
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("## Description\n", "## Description\n\nMore.\n", 1),
                    encoding="utf-8")
    build(cards, site)
    assert asked == ["albert"]
    asked.clear()
    card.write_text(card.read_text(encoding="utf-8").replace("title: ALBERT", "title: Aardvark ALBERT", 1),
                    encoding="utf-8")
    build(cards, site)  # a card's title is part of its place: every family works its inputs out again
    assert sorted(asked) == families
