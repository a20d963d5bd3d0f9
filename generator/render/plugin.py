"""The ``modelhub`` mkdocs plugin: the catalog, family and model pages come from the cards, not from docs/.

Everything the plugin knows comes from its options in mkdocs.yml (``cards``, ``mode``, ``catalog_path``, ...):
plain ``mkdocs build`` / ``mkdocs serve`` run the pipeline over the cards here, and ``modelhub build`` / ``serve``
pass their command-line choices as the same options (see ``build.plugin_options``). Pages mkdocs renders: the
catalog, the families list and one page per family, plus one *shell* per distinct model-page outline (see
``shell.py``). The per-card work (``incremental.SiteWork``) runs on every core (``jobs``) and does only what
changed since the last build (``cache``). Model pages are written after the build from those shells, so they cost
no theme rendering each and stay out of material's search index; family pages and shells are marked ``not_in_nav`` (mkdocs inclusion levels),
so the nav shows the catalog and the families list only, and a site with its own explicit nav gets the catalog
added to it.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from ..config import ConfigError, load_config
from ..errors import UsageError
from ..executors import ExecutorUnavailable
from ..executors.shard import Shard
from .buildcache import CardScan
from .collection import Collection
from .incremental import SiteWork
from .shell import CONTENT, Shell, shell_markdown, shell_source
from .site import (INDEX_DIR, Catalog, SiteOptions, copy_artifacts, dest_path, page_url, write_atomic, write_index,
                   write_sitemap)
from .templates import DEFAULT_TEMPLATES, bytecode_cache, search_path

log = logging.getLogger("mkdocs.plugins.modelhub")


def catalog_base(value: str) -> str:
    """The ``catalog_path`` option as a site-relative folder prefix: ``""`` or ``"models/"``."""
    parts = [part for part in value.replace("\\", "/").split("/") if part not in {"", "."}]
    if value.startswith(("/", "\\")) or ".." in parts or any(":" in part for part in parts):
        raise ValidationError(f"{value!r} must be a folder inside the site, like 'models/'")
    return "".join(part + "/" for part in parts)


class _CatalogPath(c.Type):
    def __init__(self) -> None:
        super().__init__(str, default="")

    def run_validation(self, value: object) -> str:
        return catalog_base(super().run_validation(value))


class _ShardOption(c.BaseConfigOption["Shard | None"]):
    """``shard: 0/2``: execute and benchmark only that shard's cards (see ``generator.executors.shard``)."""

    def run_validation(self, value: object) -> Shard | None:
        if value is None:
            return None
        try:
            return Shard.parse(str(value))
        except argparse.ArgumentTypeError as error:
            raise ValidationError(str(error)) from None


class ModelhubPluginConfig(base.Config):
    # Relative paths are relative to the folder mkdocs.yml is in.
    cards = c.ListOfItems(c.Type(str), default=["cards"])  # card files or folders
    root = c.Optional(c.Type(str))  # the catalog's root (its modelhub.toml); default: nearest to mkdocs.yml
    catalog_path = _CatalogPath()  # where the catalog lives in the site, e.g. "models/"; "" = the site root
    mode = c.Optional(c.Choice(("off", "frozen", "auto", "force")))  # default: [execute] mode in modelhub.toml
    offline = c.Type(bool, default=False)
    quiet = c.Type(bool, default=True)  # no pipeline progress on the terminal
    executor = c.Choice(("local", "ray"), default="local")  # where execution and benchmarks run (auto, force)
    address = c.Optional(c.Type(str))  # the Ray cluster, for executor: ray
    shard = _ShardOption()  # "I/N": only that shard's cards execute and benchmark (auto, force); all are rendered
    edit_uri = c.Optional(c.Type(str))
    templates = c.Optional(c.Type(str))  # templates overriding modelhub's (same names); default: <root>/templates
    jobs = c.Optional(c.Type(int))  # processes for the per-card work; default: every core
    cache = c.Type(bool, default=True)  # reuse what the last build learnt about unchanged cards and pages


def _page(title: str, hide: tuple[str, ...] = ()) -> str:
    meta = f"---\ntitle: {json.dumps(title)}\n"  # a JSON string is a valid YAML scalar
    if hide:
        meta += "hide:\n" + "".join(f"  - {item}\n" for item in hide)
    return meta + "---\n\n"


def _toc(entries: list[tuple[str, str]]) -> TableOfContents:
    """A table of contents of level-2 headings; titles are card text, so they are escaped (material prints HTML)."""
    return TableOfContents([AnchorLink(html.escape(title), ident, 2) for ident, title in entries])


class ModelhubPlugin(BasePlugin[ModelhubPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.work: SiteWork | None = None
        self.catalog: Catalog | None = None
        self.generated: dict[str, Any] = {}  # src_uri -> (kind, payload)
        self.shell_of_toc: dict[tuple, int] = {}
        self.shells: dict[int, Shell] = {}
        self.timings: dict[str, float] = {}
        self.failed: list[tuple[str, str]] = []  # (card, error) of model pages that could not be rendered
        self.scan: CardScan | None = None  # the cards as build.build_site found them, for the next build
        self._documentation_pages: list[File] = []
        self._templates: tuple[str, ...] = search_path()
        self._collection = Collection()

    def _path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self._base / path

    def _card_paths(self) -> list[Path]:
        return [self._path(value) for value in self.config.cards]

    def _new_work(self) -> SiteWork:
        paths = [p for p in self._card_paths() if p.exists()]
        if not paths:
            log.warning("modelhub: no cards found at %s", ", ".join(map(str, self._card_paths())))
        jobs = self.config.jobs
        if jobs is not None and jobs < 1:
            raise ValidationError(f"plugins.modelhub.jobs: {jobs}: give a number of processes, 1 or more")
        mode = self.config.mode or self._modelhub_config.settings.execute.mode
        if self.config.shard is not None:
            try:
                self.config.shard.require_execution(mode)
            except UsageError as error:
                raise PluginError(f"modelhub: {error}") from None
        scan, self.scan = self.scan, None  # taken for this build only: a serve rebuild scans again
        return SiteWork(paths, self._modelhub_config, mode=mode, offline=self.config.offline, jobs=jobs,
                        templates=self._templates, cache=self.config.cache, progress=_progress_factory(self.config.quiet),
                        executor=self.config.executor, address=self.config.address, shard=self.config.shard,
                        scan=scan)

    # ---- mkdocs events ------------------------------------------------------------------------------------
    def on_config(self, config):
        self._base = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        self._catalog_base = self.config.catalog_path
        root = self._path(self.config.root) if self.config.root else self._base
        try:
            self._modelhub_config = load_config(root)
        except ConfigError as error:  # plain `mkdocs build`: mkdocs prints a PluginError as a message
            raise PluginError(str(error)) from None
        self._edit_uri = self.config.edit_uri or self._modelhub_config.settings.site.edit_uri
        own = self._modelhub_config.root / "templates"
        if self.config.templates:
            custom: Path | None = self._path(self.config.templates)
        else:  # a catalog's own templates/ folder overrides ours (not when it is ours: this repository)
            custom = own if own.is_dir() and own.resolve() != DEFAULT_TEMPLATES.resolve() else None
        self._templates = search_path(custom)
        dirs = config.theme.dirs
        # after a user's custom_dir (theirs wins), before material's own templates. theme/ styles the catalog's
        # pages; theme_root/ holds the files at the site's root (404.html), which are the catalog's only when the
        # catalog is the whole site: under a catalog_path the host site's stay its own
        position = 1 if config.theme.custom_dir else 0
        names = ("theme",) if self._catalog_base else ("theme", "theme_root")
        for theme in reversed([str(Path(folder) / name) for folder in self._templates for name in names]):
            if theme not in dirs and Path(theme).is_dir():
                dirs.insert(position, theme)
        self._add_to_nav(config)
        return config

    def _add_to_nav(self, config) -> None:
        """An explicit nav that does not list the catalog gets it (with the families list) as a last section."""
        self._families_in_nav = True
        if config.nav is None:
            return
        listed: set[str] = set()

        def walk(items) -> None:
            for item in items if isinstance(items, list) else [items]:
                value = next(iter(item.values())) if isinstance(item, dict) else item
                if isinstance(value, (list, dict)):
                    walk(value)
                elif isinstance(value, str):
                    listed.add(value.lstrip("/"))

        walk(config.nav)
        catalog, families = self._catalog_base + "index.md", self._catalog_base + "families/index.md"
        self._families_in_nav = families in listed or catalog not in listed
        if catalog not in listed:
            config.nav.append({"Models": [{"Catalog": catalog}, {"Families": families}]})

    def on_pre_build(self, config) -> None:
        """Before mkdocs empties the site folder: keep the model pages the last build wrote (see ``incremental``)."""
        self._collection.pause()
        self.work = self._new_work()
        self.work.stash(Path(config.site_dir), self._catalog_base)

    def on_files(self, files: Files, config) -> Files:
        started = time.perf_counter()
        if self.work is None:  # on_pre_build did not run (a caller driving the events itself)
            self.work = self._new_work()
        work = self.work
        try:
            summaries = work.summaries() if work.paths else []
        except ExecutorUnavailable as error:  # --executor ray without ray, or a cluster out of reach
            raise PluginError(f"modelhub: {error}") from error
        self.timings["pipeline"] = time.perf_counter() - started
        options = SiteOptions(
            root=self._modelhub_config.root, card_roots=self._card_paths(), edit_uri=self._edit_uri,
            checked=work.checked, directory_urls=config.use_directory_urls, site_url=config.site_url or None,
            site_name=config.site_name, templates=self._templates, base=self._catalog_base,
        )
        self.catalog = catalog = Catalog(summaries, options, work.parsed_card, work.known_layout())
        self.generated = {}
        out_of_nav = InclusionLevel.NOT_IN_NAV
        families_level = InclusionLevel.UNDEFINED if self._families_in_nav else out_of_nav

        def add(src_uri: str, kind: str, payload: Any, markdown: str,
                inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> None:
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                if kind != "catalog":
                    files.remove(existing)
                else:
                    log.info("modelhub: %s exists in docs_dir; the catalog is not generated", src_uri)
                    return
            files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
            self.generated[src_uri] = (kind, payload)

        add(catalog.catalog_src, "catalog", None, _page("Models", ("navigation", "toc")))
        add(catalog.families_src, "families", None, _page("Families"), families_level)
        for family in catalog.families.values():
            add(catalog.family_src(family), "family", family, _page(family.name), out_of_nav)
        self.shell_of_toc = {}
        for index in catalog.model_indexes():
            toc = catalog.toc(index)
            if toc not in self.shell_of_toc:
                number = len(self.shell_of_toc)
                self.shell_of_toc[toc] = number
                add(self._catalog_base + shell_source(number), "shell", toc, shell_markdown(), out_of_nav)
        self.shells = {}
        self.timings["files"] = time.perf_counter() - started
        return files

    def on_page_content(self, html_text: str, page: Page, config, files: Files) -> str:
        entry = self.generated.get(page.file.src_uri)
        if entry is None or self.catalog is None:
            return html_text
        kind, payload = entry
        if kind == "catalog":
            page.toc = _toc([])
            return self.catalog.catalog_html(page_url(page.file.src_uri, config.use_directory_urls))
        if kind == "families":
            page.toc = _toc([])
            return self.catalog.families_html()
        if kind == "family":
            content, toc = self.work.family_page(self.catalog, payload) if self.work else \
                self.catalog.family_html(payload)
            page.toc = _toc(toc)
            return content
        if kind == "shell":
            page.toc = _toc(list(payload))
            return CONTENT
        return html_text

    def on_post_page(self, output: str, page: Page, config) -> str:
        entry = self.generated.get(page.file.src_uri)
        if entry is not None and entry[0] == "shell":
            number = self.shell_of_toc[entry[1]]
            self.shells[number] = Shell.from_output(output, page.url)
        return output

    def on_post_build(self, config) -> None:
        try:
            self._post_build(config)
        finally:
            self._collection.resume()

    def on_build_error(self, error) -> None:
        if self.work is not None:
            self.work.close()
        self._collection.resume()

    def _post_build(self, config) -> None:
        if self.catalog is None or self.work is None:
            return
        site_dir = Path(config.site_dir)
        catalog, work = self.catalog, self.work
        started = time.perf_counter()
        urls = [page_url(uri, config.use_directory_urls) for uri, (kind, _) in self.generated.items()
                if kind != "shell"]
        for uri, (kind, _) in self.generated.items():
            if kind == "shell":
                shell_dir = site_dir / dest_path(page_url(uri, config.use_directory_urls))
                if shell_dir.name == "index.html":
                    shutil.rmtree(shell_dir.parent, ignore_errors=True)
                else:
                    shell_dir.unlink(missing_ok=True)
        urls += [catalog.model_url(i) for i in catalog.model_indexes()]
        copied: list[str] = []

        def meanwhile() -> None:  # the catalog's own files: done while the workers write the model pages
            step = time.perf_counter()
            if not work.index_unchanged(site_dir, self._catalog_base):  # else the last build's files stay
                write_index(site_dir / self._catalog_base, work.index_files(site_dir, catalog))
                write_atomic(site_dir / self._catalog_base / "models.json", work.models_file(site_dir, catalog))
            self.timings["index"] = time.perf_counter() - step
            copied.extend(copy_artifacts(catalog, site_dir))
            if self._catalog_base:  # the site's own sitemap.xml stays mkdocs' (see on_template_context); ours beside it
                write_sitemap(site_dir, sorted(set(urls)), config.site_url or None, self._catalog_base)
            else:  # the catalog is the site: one sitemap of every page, the site's own documentation pages too
                extra = [page_url(f.src_uri, config.use_directory_urls) for f in self._documentation_pages
                         if f.src_uri not in self.generated]
                write_sitemap(site_dir, sorted(set(urls + extra)), config.site_url or None)
            work.save_entries()

        self.failed = work.write_pages(site_dir, catalog, self.shells, self.shell_of_toc, meanwhile)
        for path, error in self.failed:
            log.error("modelhub: %s: the model page could not be rendered: %s", path, error)
        self.timings["model_pages"] = time.perf_counter() - started  # the catalog's own files included
        work.finish(site_dir)
        stats = work.stats
        log.info("modelhub: %d cards (%d read, %d checked), %d model pages written, %d kept, %d removed (%d could not "
                 "be rendered), %d families, %d shells, %d artifacts copied, index in %s/", stats.cards, stats.parsed,
                 stats.checked, stats.pages_written, stats.pages_kept, stats.pages_removed, stats.pages_failed,
                 len(catalog.families), len(self.shells), len(copied), INDEX_DIR)

    def on_template_context(self, context, template_name: str, config):
        """mkdocs' own sitemap.xml lists no model page shells: they are removed after the build."""
        if template_name == "sitemap.xml" and self.generated:
            context["pages"] = [file for file in context["pages"]
                                if self.generated.get(file.src_uri, ("",))[0] != "shell"]
        return context

    def on_env(self, env, config, files: Files):
        self._documentation_pages = [f for f in files.documentation_pages()]
        if env.bytecode_cache is None:  # the theme's templates, compiled once for every later build
            env.bytecode_cache = bytecode_cache()
        return env

    def on_serve(self, server, config, builder):
        """``mkdocs serve`` rebuilds when a card (or its stored results), the catalog's configuration or a
        template changes; each rebuild reads the options again and runs the pipeline over the cards."""
        watched = [*self._card_paths(), *map(Path, self._templates)]
        if self._modelhub_config.source is not None:
            watched.append(self._modelhub_config.source)
        for path in dict.fromkeys(watched):
            if path.exists():
                server.watch(str(path))
        return server


def _progress_factory(quiet: bool):
    """A rich progress bar (with an ETA) per pass on a terminal; nothing otherwise (CI logs, tests)."""

    def start(name: str, total: int):
        if quiet or total < 200 or not os.isatty(2):
            return lambda count: None
        from rich.progress import Progress

        bar = Progress(*Progress.get_default_columns(), transient=True)
        bar.start()
        task = bar.add_task(name, total=total)
        done = [0]

        def advance(count: int) -> None:
            bar.advance(task, count)
            done[0] += count
            if done[0] >= total:
                bar.stop()

        return advance

    return start
