"""A site build that does only what changed, on every core: the cards' record pass, the catalog-wide findings, and
the model pages, with what the last build left in the build cache and in the site folder.

- A card whose file and stored results have the same stamps as last time, in the same environment (installed
  libraries, artifact cache, other files under the card folders, modelhub's code, settings and templates), is not
  read at all: its summary comes from the cache.
- Any other card is parsed and its per-card stages run; when its content key (bytes, facts, runs, bench record,
  fingerprint) is one the cache knows, its checks are not run again.
- A model page is written only when its record, its place in the catalog (slug, family, duplicate findings, links)
  or its page shell changed; the others stay as the last build wrote them. mkdocs empties the site folder before
  each build (hidden entries excepted), so ``stash`` moves the model pages into a hidden folder first and
  ``write_pages`` moves them back. Pages of deleted cards are removed.

``cache=False`` builds everything from scratch and leaves no cache behind (used to compare serial and parallel
builds byte for byte).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..card import Card
from ..checks import RuleSelection, _is_suppressed
from ..checks.catalog import duplicate_findings, identity_index
from ..checks.registry import Finding
from ..config import Config
from ..executors import make_executor
from ..executors.shard import Shard
from ..pipeline import BuildContext
from ..stages import default_stages, run_pipeline
from .buildcache import BuildCache, CardScan, Entry, scan_cards
from .cardwork import (CardSummary, PageJob, Workers, WorkSettings, default_jobs, fingerprint, page_batch,
                       pool_size, record_batch, run_passes, save_shells)
from .facets import status_values
from .families import Family
from .shell import Shell
from .sharing import ValueTable
from .site import INDEX_DIR, MODELS_DIR, Catalog, Layout, dest_path, layout_digest, models_json

log = logging.getLogger("mkdocs.plugins.modelhub")

STASH = ".modelhub-keep"  # inside the site folder: mkdocs' clean leaves hidden entries alone
# What the plugin writes and keeps between builds: pages, model JSON, shipped artifacts, the search index, models.json
KEPT = (MODELS_DIR, "files", INDEX_DIR, "models.json")


def severity_counts(findings: Iterable[Any]) -> tuple[int, int, int]:
    """How many of ``findings`` (dicts or ``Finding`` objects) are errors, warnings and infos."""
    counts = Counter(f.get("severity") if isinstance(f, dict) else f.severity for f in findings)
    return counts["error"], counts["warning"], counts["info"]


@dataclass
class WorkStats:
    cards: int = 0
    parsed: int = 0  # cards read and parsed (the others came from the cache untouched)
    checked: int = 0  # cards whose checks ran (the others had a known content key)
    pages_written: int = 0
    pages_kept: int = 0
    pages_failed: int = 0
    pages_removed: int = 0
    processes: int = 0  # worker processes of the largest pass (0: all work done in the building process)


class SiteWork:
    """One build's per-card work; the plugin calls ``stash`` (pre-build), ``summaries`` (files), ``write_pages``
    (post-build, with ``save_entries`` meanwhile) and ``finish``."""

    def __init__(self, paths: list[Path], config: Config, *, mode: str = "frozen", offline: bool = False,
                 jobs: int | None = None, only: list[str] | None = None, templates: tuple[str, ...] = (),
                 cache: bool = True,
                 progress: Callable[[str, int], Callable[[int], None]] | None = None, executor: str = "local",
                 address: str | None = None, shard: Shard | None = None, scan: CardScan | None = None) -> None:
        chosen = default_stages(only)
        self.scan = scan  # the build's card scan when its caller took it already (see build.build_site)
        self.paths = paths
        self.config = config
        self.jobs = default_jobs() if not jobs else max(1, jobs)
        self.checked = any(stage.name == "check" for stage in chosen)
        self.stage_names = tuple(stage.name for stage in chosen if stage.name != "check")
        self.mode, self.offline = mode, offline
        self.templates = templates
        self.executor, self.address = executor, address  # where execution and benchmarks run (generator.executors)
        self.shard = shard  # only its cards execute and benchmark; the others' stored results are read
        self.use_cache = cache
        self.cache_folder = config.cache_dir / "build"
        if not cache:
            import tempfile

            self.cache_folder = Path(tempfile.mkdtemp(prefix="modelhub-build-"))
        self.cache = BuildCache(self.cache_folder)
        self.progress = progress or (lambda name, total: (lambda n: None))
        self.stats = WorkStats()
        self._entries: dict[str, Entry] = {}
        self._extra: dict[str, list[Finding]] = {}
        self._previous: dict[str, list[str]] = {}
        self._pages: dict[str, list[str]] = {}
        self._environment = ""
        self._settings: WorkSettings | None = None
        self._kept: list[str] = list(KEPT)
        self._previous_index = self._index = ""
        self._previous_places = self._places = ""  # the key of every card's place (see write_pages)
        self._catalog_places: str | None = None  # the part of it the catalog decides (see catalog_places)
        self._family_keys: dict[str, Any] | None = None  # family page keys by places and members (family_page)
        self._catalog = ""  # digest of the identities the catalog-wide findings were made from ("": none made)
        self._layout: tuple[str, Layout | None] = ("", None)  # the layout digest, and the layout stored under it
        self._index_keys: list[str] = []  # each card's page key, in catalog order (what its index entry shows)
        self._family_pages: set[str] = set()  # the stored family pages this build used
        self._stamps: dict[str, tuple] = {}  # file stamps of the model pages and JSON files written, by site path
        self._workers: Workers | None = None  # started by the first pass that needs them, stopped by ``close``

    # ---- the record pass ---------------------------------------------------------------------------------------
    def workers(self) -> Workers:
        """The build's worker processes, for both passes (see ``cardwork.Workers``)."""
        if self._workers is None:
            self._workers = Workers(self.settings(), self.jobs)
        return self._workers

    def close(self) -> None:
        """Stop the worker processes (after the page pass, or when the build fails)."""
        if self._workers is not None:
            self._workers.close()

    def settings(self) -> WorkSettings:
        if self._settings is None:
            parts = [self.mode, self.offline, self.stage_names, self.checked]
            self._settings = WorkSettings(
                config_root=str(self.config.root), config_data=self.config.data,
                config_source=str(self.config.source) if self.config.source else None, mode=self.mode,
                offline=self.offline, stages=self.stage_names, checked=self.checked,
                cache_dir=str(self.cache_folder), fingerprint=fingerprint(self.config, self.templates, parts),
                templates=self.templates)
        return self._settings

    def summaries(self) -> list[CardSummary]:
        """Every card's summary, from the cache where nothing it depends on changed; duplicate-model findings
        (the one catalog-wide rule) added from the identities."""
        settings = self.settings()
        scan, self.scan = self.scan, None
        if scan is None or scan.roots != tuple(map(str, self.paths)):
            scan = scan_cards(self.paths, self.config)
        paths, stamps = scan.paths, scan.stamps
        self.stats.cards = len(paths)
        executes = self.mode in ("auto", "force") and bool(self.stage_names)
        entries: dict[str, Entry] = {}
        if self.use_cache and not executes:
            self._environment = settings.fingerprint + scan.environment
            entries = self.cache.load_entries(self._environment)
        known: dict[str, CardSummary] = {}
        reused: dict[str, Entry] = {}
        todo: list[tuple[str, dict[str, Any] | None]] = []
        for path in paths:
            entry = entries.get(path)
            if entry is not None and entry.stamp == stamps[path] and stamps[path][0] and \
                    self.cache.has_record(entry.key):
                known[path] = _either(entry)
                reused[path] = entry
            else:
                todo.append((path, None))
        if executes and todo:  # execution and benchmarks run here, grouped by model; the rest in the workers
            executor = make_executor(self.executor, self.address)
            try:
                context = BuildContext(self.config, mode=self.mode, offline=self.offline, quiet=False,
                                       executor=executor)
                records = run_pipeline(self.paths, context, only=self.stage_names, shard=self.shard)
            finally:
                executor.close()
            given = {r.path: {"card": r.card, "facts": r.facts, "runs": r.runs, "bench": r.bench,
                              "location": r.location} for r in records}
            del records
            todo = [(path, given.get(path)) for path, _ in todo]
        self.stats.parsed = len(todo)
        self.stats.processes = pool_size(self.jobs, len(todo))
        values = ValueTable()  # each summary arrives as new objects: share what the catalog repeats
        made: dict[str, Entry] = {}
        for summary, checked in run_passes(record_batch, todo, settings, self.jobs, workers=self.workers(),
                                           progress=self.progress("cards", len(todo))):
            path = summary.path
            summary = known[path] = values.dataclass(summary, skip=("identity",))
            # its entry made now, while the workers go on, not after the last card
            made[path] = Entry(stamps[path], summary.key, summary, layout=layout_digest(summary.data),
                               counts=severity_counts(summary.data.get("findings") or []))
            self.stats.checked += checked
        ordered = [known[path] for path in paths]
        self._entries = {path: reused.get(path) or made[path] for path in paths}
        return self._with_catalog_findings(ordered, reused, entries, values)

    def severities(self) -> dict[str, int]:
        """Every card's findings by severity, the catalog-wide ones included: from the counts each entry keeps."""
        errors, warnings, infos = severity_counts(finding for found in self._extra.values() for finding in found)
        for entry in self._entries.values():  # a plain loop: zip(*counts) of 10,000 tuples took 0.26 s in a build
            error, warning, info = entry.counts
            errors, warnings, infos = errors + error, warnings + warning, infos + info
        return {"error": errors, "warning": warnings, "info": infos}

    def known_layout(self) -> Layout | None:
        """The catalog's ``Layout`` as the build cache has it when every card's ``layout_digest`` (and modelhub's code
        and settings) are what it was made from; None otherwise (the catalog works it out)."""
        hasher = hashlib.sha256(self.settings().fingerprint.encode())
        for entry in self._entries.values():
            hasher.update(entry.layout)
        digest = hasher.hexdigest()
        self._layout = (digest, self.cache.load_layout(digest) if self.use_cache else None)
        return self._layout[1]

    def _with_catalog_findings(self, summaries: list[CardSummary], reused: dict[str, Entry],
                               previous: dict[str, Entry], values: ValueTable) -> list[CardSummary]:
        """MH117 (the same model in two cards), from the identities every summary carries. When no identity in the
        catalog changed since the last build, an unchanged card keeps the summary with findings that build gave it,
        and an edited card whose identity and suppressions are the ones its ``previous`` entry had keeps that
        entry's findings: an edit that does not rename a model or move its download costs no catalog-wide pass."""
        selection = RuleSelection.from_config(self.config)
        rule_ = selection.rules.get("MH117")
        self._extra = {}
        self._catalog = ""
        if rule_ is None or not self.checked or len(summaries) < 2:
            out = []
            for summary in summaries:
                entry = self._entries[summary.path]
                if entry.catalog or entry.final is not None:  # the last build's catalog-wide findings: gone
                    entry = self._entries[summary.path] = replace(entry, summary=own_summary(entry), catalog="",
                                                                  final=None, extra=())
                out.append(entry.summary)
            return out
        digest = hashlib.sha256(repr([tuple(vars(s.identity).values()) for s in summaries]).encode(
            "utf-8", "surrogateescape")).hexdigest()
        self._catalog = digest
        index: dict | None = None
        severity = selection.severity_of(rule_)
        everywhere = selection.enabled(rule_) and not selection.per_file_ignores  # asked once, not per card
        out = []
        for summary in summaries:
            path = summary.path
            entry = reused.get(path)
            if entry is not None and entry.catalog == digest:
                if entry.extra:
                    self._extra[path] = list(entry.extra)
                out.append(entry.final or summary)
                continue
            if entry is not None:  # its summary as the record pass made it, without the last build's MH117 findings
                summary = own_summary(entry)
            extra = []
            before = previous.get(path)
            if before is not None and before.catalog == digest and _either(before).identity == summary.identity and \
                    _either(before).suppressed == summary.suppressed:
                extra = list(before.extra)
            elif (everywhere or selection.enabled(rule_, path)) and \
                    not _is_suppressed(rule_.code, summary.suppressed):
                if index is None:
                    index = identity_index(s.identity for s in summaries)
                extra = [f if f.severity == severity else replace(f, severity=severity)
                         for f in duplicate_findings(summary.identity, index, rule_)]
            final = None
            if extra:
                self._extra[path] = extra
                findings = summary.data["findings"] + values.share([{"code": f.code, "severity": f.severity}
                                                                    for f in extra])
                data = {**summary.data, "findings": findings}
                final = replace(summary, data=data, facets={**summary.facets, "status": status_values(data)})
            # with catalog-wide findings, the entry keeps ``final`` only (``own_summary`` makes the other again)
            self._entries[path] = replace(self._entries[path], summary=None if final else summary, catalog=digest,
                                          final=final, extra=tuple(extra))
            out.append(final or summary)
        return out

    # ---- the site folder -----------------------------------------------------------------------------------
    def stash(self, site_dir: Path, base: str = "") -> None:
        """Before mkdocs empties ``site_dir``: move the pages the last build wrote (under the catalog's folder
        ``base``) out of its way."""
        site_dir = Path(site_dir)
        self._kept = [base + name for name in KEPT]
        stash = site_dir / STASH
        if stash.exists():  # left by a build that stopped half way: its pages are not trusted
            shutil.rmtree(stash)
        manifest = self.cache.take_manifest(site_dir) if self.use_cache else {}
        self._previous = manifest.get("pages", {})
        self._previous_index = manifest.get("index", "")
        self._previous_places = manifest.get("places", "")
        if not self._previous:
            return
        for name in self._kept:
            if (site_dir / name).exists():
                (stash / name).parent.mkdir(parents=True, exist_ok=True)
                os.rename(site_dir / name, stash / name)

    def _restore(self, site_dir: Path) -> None:
        stash = site_dir / STASH
        if not stash.exists():
            return
        for name in self._kept:
            source, target = stash / name, site_dir / name
            if not source.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not any(target.iterdir()):
                target.rmdir()
            if not target.exists():
                os.rename(source, target)
            elif source.is_dir():  # mkdocs wrote into it too (a docs page under models/): merge, ours never win
                for child in source.iterdir():
                    if not (target / child.name).exists():
                        os.rename(child, target / child.name)
        shutil.rmtree(stash, ignore_errors=True)

    def write_pages(self, site_dir: Path, catalog: Catalog, shells: dict[int, Shell],
                    shell_of_toc: dict[tuple, int],
                    meanwhile: Callable[[], None] | None = None) -> list[tuple[str, str]]:
        """Every model page and model JSON of ``catalog`` in ``site_dir``: kept when unchanged, written otherwise;
        pages of cards no longer in the catalog removed. Returns (display path, error) of pages that failed.

        ``meanwhile``: the caller's work that needs the page keys (``index_unchanged``) but not the pages, done while
        the workers write them."""
        site_dir = Path(site_dir)
        site = str(site_dir)
        self._restore(site_dir)
        if self._layout[0] and self._layout[1] is None:  # worked out by this catalog: kept for the next build
            self._layout = (self._layout[0], catalog.layout)
            if self.use_cache:
                self.cache.save_layout(*self._layout)
        shell_keys = {number: hashlib.sha256((shell.head + "\0" + shell.tail + "\0" + shell.url).encode()
                                             ).hexdigest() for number, shell in shells.items()}
        # Every card's place, as one key: the catalog's places, the catalog-wide findings' identities and the
        # shells. When it is the last build's, a record that did not change keeps its page key as the manifest has it.
        places = self.catalog_places(catalog)
        self._places = hashlib.sha256(repr((places, self._catalog, list(shell_of_toc.items()), sorted(
            shell_keys.items()))).encode("utf-8", "surrogateescape")).hexdigest() if places else ""
        same_places = bool(self._places) and self._places == self._previous_places
        models = os.path.join(site, catalog.options.base + MODELS_DIR)
        try:  # one listing for the model JSON files, instead of a file system call per card
            with os.scandir(models) as entries:
                listed = {entry.name for entry in entries if entry.is_file()}
        except OSError:
            listed = set()
        written = 0  # pages handed to the workers (the jobs themselves are not kept: see cardwork._pickled)
        pages: dict[str, list[str]] = {}

        def page_jobs() -> Iterator[PageJob]:  # handed to the workers as they come, while the next keys are made
            nonlocal written
            for index, summary in enumerate(catalog.summaries):
                slug = catalog.slugs[index]
                json_dest = catalog.json_dest(index)
                before = self._previous.get(json_dest)
                known = same_places and before is not None and len(before) == 3 and before[2] == summary.key
                job = None if known else self._page_job(catalog, index, shell_keys, shell_of_toc)
                page_key, dest = (before[0], before[1]) if job is None else (job.page_key, job.dest)
                pages[json_dest] = [page_key, dest, summary.key]
                if before is not None and before[:2] == [page_key, dest] and slug + ".json" in listed and \
                        (not dest or os.path.isfile(os.path.join(site, dest))):
                    self.stats.pages_kept += 1
                    continue
                written += 1
                yield job or self._page_job(catalog, index, shell_keys, shell_of_toc)
            for json_dest, before in self._previous.items():
                if json_dest not in pages:
                    for relative in (json_dest, before[1]):
                        if relative:
                            _remove_page(site_dir, relative)
                    self.stats.pages_removed += 1
            # the catalog index shows records, not pages: a page that fails to render does not change it
            self._index_keys = [entry[0] for entry in pages.values()]
            self._index = hashlib.sha256("\n".join(self._index_keys).encode()).hexdigest()

        advance: Callable[[int], None] | None = None

        def progress(count: int) -> None:  # every job is known by the time the first results are read
            nonlocal advance
            if advance is None:
                advance = self.progress("model pages", written)
            advance(count)

        failed: list[tuple[str, str]] = []
        shells_file = save_shells(shells, self.cache_folder / "shells")
        try:
            done = run_passes(page_batch, page_jobs(), self.settings(), self.jobs,
                              extra=(str(site_dir), str(shells_file)), progress=progress, meanwhile=meanwhile,
                              total=len(catalog), workers=self.workers())
            for failure, stamps in done:
                self._stamps.update(stamps)
                if failure is not None:
                    failed.append((failure.card, failure.error))
                    pages[failure.json_dest] = ["", failure.dest, ""]  # written again next time
        finally:
            self.close()
            shells_file.unlink(missing_ok=True)
        self.stats.pages_written = written
        self.stats.processes = max(self.stats.processes, pool_size(self.jobs, written))
        self.stats.pages_failed = len(failed)
        self._pages = pages
        return failed

    def site_stamps(self, previous: Mapping[str, tuple]) -> tuple[dict[str, tuple], set[str]]:
        """The file stamps of the model pages and JSON files this build left in the site folder, as far as it
        knows them without a ``stat``: the stamps of the files it wrote, and for the pages it kept, the ones
        ``previous`` (the site files the last build recorded, see ``uptodate``) gives; and the page folders that
        hold nothing but their page (``uptodate.site_files``' ``sealed``)."""
        known: dict[str, tuple] = {}
        sealed: set[str] = set()
        before = Counter(relative[:relative.rfind("/") + 1] for relative in previous)
        for json_dest, (_, dest, _) in self._pages.items():
            files = [relative for relative in (json_dest, dest) if relative]
            if all(relative in self._stamps for relative in files):
                stamps = [self._stamps[relative] for relative in files]
            elif all(relative in previous for relative in files):
                stamps = [previous[relative] for relative in files]
            else:
                continue
            known.update(zip(files, stamps))
            folder = dest[:dest.rfind("/") + 1]
            if dest.endswith("/index.html") and before.get(folder, 1) == 1:
                sealed.add(folder)
        return known, sealed

    def _page_job(self, catalog: Catalog, index: int, shell_keys: dict[int, str],
                  shell_of_toc: dict[tuple, int]) -> PageJob:
        """The page of the card at ``index``, with its page key: a hash of its record key and everything the catalog
        decided about its page."""
        summary = catalog.summaries[index]
        api = catalog.is_api_page(index)
        url = catalog.model_url(index)
        shell = -1 if api else shell_of_toc.get(summary.toc, 0)
        extra = self._extra.get(summary.path, [])
        context = catalog.page_context(index)
        json_extra = catalog.json_extra(index)
        dest = "" if api else dest_path(url)
        # repr, not JSON: the same values built by the same code in the same order give the same text
        described = repr((summary.key, catalog.slugs[index], url, dest, context, json_extra, extra,
                          shell_keys.get(shell, "")))
        page_key = hashlib.sha256(described.encode("utf-8", "surrogateescape")).hexdigest()
        return PageJob(summary.path, summary.key, catalog.slugs[index], url, dest, catalog.json_dest(index),
                       json_extra, page_key, context, extra, shell)

    def parsed_card(self, summary: CardSummary) -> Card | None:
        """The card the record pass parsed, from the record it stored in the build cache (None when it is gone)."""
        loaded = self.cache.load_record(summary.key)
        return loaded[0].card if loaded is not None else None

    def catalog_places(self, catalog: Catalog) -> str:
        """A key of every card's slug, URL, family and links: the layout (order, slugs, families), the options, and
        what the file system says of the cards whose places it decides (``Catalog.placed_by_files``); "" when
        unknown (no layout digest)."""
        if self._catalog_places is None:
            self._catalog_places = hashlib.sha256(repr((self._layout[0], catalog.options, catalog.placed_by_files())
                                                       ).encode("utf-8", "surrogateescape")).hexdigest() \
                if self._layout[0] else ""
        return self._catalog_places

    def family_page(self, catalog: Catalog, family: Family) -> tuple[str, list[tuple[str, str]]]:
        """The content and table of contents of a family page: rendered again only when one of its members, or
        its place in the catalog, changed (``Catalog.family_inputs``). The key those inputs give is kept by the
        catalog's places and the members' record keys: when both are the last build's, it is taken as it is."""
        places = self.catalog_places(catalog)
        members = hashlib.sha256("\n".join([family.key] + [catalog.summaries[i].key for i in family.members]
                                           ).encode("utf-8", "surrogateescape")).hexdigest()
        if self._family_keys is None:
            stored = self.cache.load_family_keys() if self.use_cache else None
            self._family_keys = stored if stored is not None and stored.get("places") == places else {}
            self._family_keys["places"] = places
        key = self._family_keys.get(members) if places else None
        if key is None:
            inputs = self.settings().fingerprint + "\0" + catalog.family_inputs(family)
            key = self._family_keys[members] = hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()
        self._family_pages.add(key)
        page = self.cache.load_page(key) if self.use_cache else None
        if page is None:
            page = catalog.family_html(family)
            if self.use_cache:
                self.cache.store_page(key, page)
        return page

    def index_files(self, site_dir: Path, catalog: Catalog) -> dict[str, bytes]:
        """The catalog index's files, made again for the cards whose page key changed only when every card is where
        the last build's index had it (see ``catalog_index.Postings``)."""
        previous = self.cache.load_postings(site_dir) if self.use_cache else None
        files, postings = catalog.index_files(self._index_keys, previous)
        if self.use_cache:
            self.cache.save_postings(site_dir, postings)
        return files

    def models_file(self, site_dir: Path, catalog: Catalog) -> bytes:
        """models.json, with the entries of the cards whose page key the last build's file had taken from it."""
        known = self.cache.load_models(site_dir) if self.use_cache else None
        data, entries = models_json(catalog, self._index_keys, known)
        if self.use_cache:
            self.cache.save_models(site_dir, entries)
        return data

    def index_unchanged(self, site_dir: Path, base: str = "") -> bool:
        """Whether the catalog index and models.json the last build wrote still describe this catalog: every
        card's page key (record, place in the catalog) is the same, in the same order."""
        return bool(self._previous_index) and self._index == self._previous_index and \
            (site_dir / base / INDEX_DIR / "meta.json").is_file() and (site_dir / base / "models.json").is_file()

    def save_entries(self) -> None:
        """Remember the cards for the next record pass (entries), and forget records and family pages no card
        refers to any more; the records of this build's pages stay, so this may run while they are written."""
        if not self.use_cache:
            return
        if self._environment:
            self.cache.save_entries(self._environment, self._entries)
        if self.stats.parsed:  # records nobody refers to any more: older versions of edited or deleted cards
            self.cache.prune_records({entry.key for entry in self._entries.values()})
        self.cache.prune_pages(self._family_pages)
        if self._family_keys is not None:  # the keys of the family pages this build used
            keep = {members: key for members, key in self._family_keys.items() if key in self._family_pages}
            self.cache.save_family_keys({**keep, "places": self._family_keys["places"]})

    def finish(self, site_dir: Path) -> None:
        """After the pages are written: remember the page manifest of ``site_dir`` (``save_entries`` first)."""
        if not self.use_cache:
            shutil.rmtree(self.cache_folder, ignore_errors=True)
            return
        self.cache.save_manifest(Path(site_dir), self._pages, self._index, self._places)


def _either(entry: Entry) -> CardSummary:
    """The entry's summary, or the one with catalog-wide findings when it keeps only that: the same path, key,
    identity and suppressions."""
    return entry.summary if entry.summary is not None else entry.final


def own_summary(entry: Entry) -> CardSummary:
    """The entry's summary as the record pass made it. An entry with catalog-wide findings keeps only the summary
    with them (``final``: the same summary, with the ``extra`` findings last and the status facet of them all), so a
    build holds one summary a card, not two."""
    if entry.summary is not None:
        return entry.summary
    final = entry.final
    findings = final.data["findings"]
    data = {**final.data, "findings": findings[:len(findings) - len(entry.extra)]}
    return replace(final, data=data, facets={**final.facets, "status": status_values(data)})


def _remove_page(site_dir: Path, relative: str) -> None:
    path = site_dir / relative
    path.unlink(missing_ok=True)
    parent = path.parent
    if parent != site_dir and parent.name != MODELS_DIR:
        try:
            parent.rmdir()  # a page folder (models/<slug>/) left empty
        except OSError:
            pass
