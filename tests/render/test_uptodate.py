"""A site that is up to date is not built again: a rebuild with nothing changed touches nothing; any changed input
(a card, a template folder) or any touched output (a page removed or edited in the site) builds again; a build that
stopped half way is never taken for up to date; and whatever path a site took (full, edited, deleted, skipped, one
process or two), it holds the bytes of a clean serial build."""

from __future__ import annotations

import mkdocs.commands.build
import pytest
from mkdocs.exceptions import MkDocsException

from generator.render import cardwork, uptodate

from .test_incremental import build, built, catalog, snapshot, without_check_times  # noqa: F401 (built: a fixture)


def stamps(site):
    return {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def test_a_rebuild_with_nothing_changed_is_skipped_and_touches_nothing(built):
    cards, site, first = built
    before, times = snapshot(site), stamps(site)
    again = build(cards, site)
    assert again.timings.get("up_to_date") == 1.0
    assert (again.cards, again.severities) == (first.cards, first.severities)
    assert (again.stats.parsed, again.stats.pages_written) == (0, 0)
    assert again.stats.pages_kept == first.stats.pages_written
    assert snapshot(site) == before and stamps(site) == times


def test_a_page_removed_or_edited_in_the_site_is_built_again(built):
    cards, site, _ = built
    before = snapshot(site)
    (site / "models" / "variant-05" / "index.html").unlink()
    (site / "sitemap.xml").write_text("edited by hand", encoding="utf-8")
    again = build(cards, site)
    assert "up_to_date" not in again.timings
    assert snapshot(site) == before


def test_an_edited_card_or_a_changed_template_folder_is_built_again(built):
    cards, site, _ = built
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    edited = build(cards, site)
    assert "up_to_date" not in edited.timings and edited.stats.parsed == 1
    (cards.parent / "templates").mkdir()
    (cards.parent / "templates" / "notes.txt").write_text("a catalog's own template folder", encoding="utf-8")
    assert "up_to_date" not in build(cards, site).timings
    assert build(cards, site).timings.get("up_to_date") == 1.0


def test_a_build_that_stopped_half_way_is_not_taken_for_up_to_date(built, monkeypatch):
    cards, site, first = built
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")

    def stopped(config, **_):
        (site / "models" / "variant-05" / "index.html").unlink()
        raise MkDocsException("stopped half way")

    with monkeypatch.context() as patch:
        patch.setattr(mkdocs.commands.build, "build", stopped)
        with pytest.raises(Exception, match="stopped half way"):
            build(cards, site)
    again = build(cards, site)
    assert "up_to_date" not in again.timings
    assert (site / "models" / "variant-05" / "index.html").is_file()


def test_every_path_to_a_site_gives_the_bytes_of_a_clean_serial_build(tmp_path, monkeypatch):
    cards = catalog(tmp_path)
    site = tmp_path / "site"
    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)  # a pool even for this small catalog
    assert build(cards, site, jobs=2).stats.processes == 2
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    assert build(cards, site, jobs=2).stats.pages_written == 1
    (cards / "variant-07.md").unlink()
    assert build(cards, site, jobs=1).stats.pages_removed == 1
    assert build(cards, site, jobs=2).timings.get("up_to_date") == 1.0
    clean = build(cards, tmp_path / "clean", jobs=1, cache=False)
    assert clean.stats.processes == 0
    a, b = snapshot(site), snapshot(tmp_path / "clean")
    assert len(a) > 60 and sorted(a) == sorted(b)
    assert [name for name in a if without_check_times(a[name]) != without_check_times(b[name])] == []


def test_a_rebuild_records_the_pages_it_kept_without_looking_at_them_again(built, monkeypatch):
    cards, site, first = built
    card = cards / "variant-03.md"
    card.write_text(card.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8")
    listed: list[str] = []
    scandir = uptodate.os.scandir
    monkeypatch.setattr(uptodate.os, "scandir", lambda path: listed.append(str(path)) or scandir(path))
    edited = build(cards, site)
    assert edited.stats.pages_written == 1 and edited.stats.pages_kept == first.stats.pages_written - 1
    page_folders = [path for path in listed if "/models/" in path]
    assert page_folders == []  # neither the kept pages' folders nor the one written: the build knows their stamps
    again = build(cards, site)
    assert again.timings.get("up_to_date") == 1.0
    assert uptodate.site_files(site) == uptodate.last_build(site.parent / ".modelhub-cache" / "build", site).files


def test_a_stamp_the_build_took_on_trust_can_only_make_the_next_check_build_again(tmp_path):
    site = tmp_path / "site"
    (site / "models" / "a").mkdir(parents=True)
    (site / "models" / "a" / "index.html").write_text("page", encoding="utf-8")
    (site / "models" / "a.json").write_text("{}", encoding="utf-8")
    true = uptodate.site_files(site)
    assert uptodate.site_files(site, true, {"models/a/"}) == true
    stale = {name: (0, 0, 0) for name in true}  # e.g. a kept page edited by hand since the last build recorded it
    assert uptodate.site_files(site, stale, {"models/a/"}) != uptodate.site_files(site)
    (site / "models" / "a" / "extra.html").write_text("added by hand", encoding="utf-8")
    sealed = uptodate.site_files(site, true, {"models/a/"})  # a sealed folder is not listed: the file is not seen
    assert "models/a/extra.html" not in sealed and sealed != uptodate.site_files(site)
