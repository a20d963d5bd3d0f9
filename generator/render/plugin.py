"""The ``modelhub`` mkdocs plugin: the catalog, family pages and model pages come from the cards, not from docs/.

Plain ``mkdocs build`` / ``mkdocs serve`` run the pipeline themselves (``cards`` option, default ``cards/`` next to
mkdocs.yml); ``modelhub build`` runs it first, with progress and options, and hands the records over with
``preset``. Pages mkdocs renders: the catalog (site root), the families list and one page per family, plus one
*shell* per distinct model-page outline (see ``shell.py``). Model pages are written after the build from those
shells, so they stay out of the nav, out of material's search index, and cost no theme rendering each.
"""

from __future__ import annotations

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
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from ..config import Config, load_config
from ..pipeline import BuildContext, CardRecord, run_pipeline, stages
from .shell import CONTENT, Shell, shell_markdown, shell_source
from .site import (INDEX_DIR, Catalog, SiteOptions, copy_artifacts, dest_path, page_url, write_atomic,
                   write_index, write_sitemap)
from .templates import DEFAULT_TEMPLATES, search_path

log = logging.getLogger("mkdocs.plugins.modelhub")

# Environment overrides, so ``modelhub serve`` can steer the plugin inside mkdocs' own rebuild loop.
ENV_CARDS, ENV_MODE, ENV_OFFLINE = "MODELHUB_CARDS", "MODELHUB_MODE", "MODELHUB_OFFLINE"


class ModelhubPluginConfig(base.Config):
    cards = c.ListOfItems(c.Type(str), default=["cards"])
    mode = c.Choice(("off", "frozen", "auto", "force"), default="frozen")
    offline = c.Type(bool, default=False)
    edit_uri = c.Optional(c.Type(str))
    templates = c.Optional(c.Type(str))  # a folder of templates overriding modelhub's (same names); theme/ inside


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
        self._preset: list[CardRecord] | None = None
        self._preset_paths: list[Path] | None = None
        self._preset_checked: bool | None = None
        self.catalog: Catalog | None = None
        self.generated: dict[str, Any] = {}  # src_uri -> (kind, payload)
        self.shell_of_toc: dict[tuple, int] = {}
        self.shells: dict[int, Shell] = {}
        self.timings: dict[str, float] = {}
        self._documentation_pages: list[File] = []
        self._preset_config: Config | None = None
        self._templates: tuple[str, ...] = search_path()

    # ---- handing records over ---------------------------------------------------------------------------
    def preset(self, records: list[CardRecord], paths: list[Path], checked: bool, config: Config | None = None
               ) -> None:
        """Use these records (already through the pipeline, with the catalog's ``config``) instead of running it."""
        self._preset, self._preset_paths, self._preset_checked = records, [Path(p) for p in paths], checked
        self._preset_config = config

    def _card_paths(self) -> list[Path]:
        if self._preset_paths is not None:
            return self._preset_paths
        env = os.environ.get(ENV_CARDS)
        configured = env.split(os.pathsep) if env else self.config.cards
        return [p if p.is_absolute() else self._base / p for p in map(Path, configured)]

    def _records(self) -> tuple[list[CardRecord], bool]:
        if self._preset is not None:
            return self._preset, bool(self._preset_checked)
        paths = [p for p in self._card_paths() if p.exists()]
        if not paths:
            log.warning("modelhub: no cards found at %s", ", ".join(map(str, self._card_paths())))
            return [], False
        mode = os.environ.get(ENV_MODE) or self.config.mode
        offline = self.config.offline or os.environ.get(ENV_OFFLINE, "") not in {"", "0", "false"}
        context = BuildContext(self._modelhub_config, mode=mode, offline=offline, quiet=True)
        started = time.perf_counter()
        records = run_pipeline(paths, context)
        self.timings["pipeline"] = time.perf_counter() - started
        checked = any(stage.name == "check" for stage in stages())
        return records, checked

    # ---- mkdocs events ------------------------------------------------------------------------------------
    def on_config(self, config):
        self._base = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        self._modelhub_config = self._preset_config or load_config(self._base)
        site = self._modelhub_config.section("site")
        self._edit_uri = self.config.edit_uri or site.get("edit_uri")
        custom = self.config.templates
        custom_dir = (self._base / custom) if custom and not Path(custom).is_absolute() else custom
        self._templates = search_path(custom_dir)
        dirs = config.theme.dirs
        # after a user's custom_dir (theirs wins), before material's own templates
        position = 1 if config.theme.custom_dir else 0
        for theme in reversed([str(Path(folder) / "theme") for folder in self._templates]):
            if theme not in dirs and Path(theme).is_dir():
                dirs.insert(position, theme)
        return config

    def on_files(self, files: Files, config) -> Files:
        started = time.perf_counter()
        records, checked = self._records()
        options = SiteOptions(
            root=self._modelhub_config.root, card_roots=self._card_paths(), edit_uri=self._edit_uri,
            checked=checked, directory_urls=config.use_directory_urls, site_url=config.site_url or None,
            site_name=config.site_name, templates=self._templates,
        )
        self.catalog = catalog = Catalog(records, options)
        self.generated = {}

        def add(src_uri: str, kind: str, payload: Any, markdown: str) -> None:
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                if kind != "catalog":
                    files.remove(existing)
                else:
                    log.info("modelhub: %s exists in docs_dir; the catalog is not generated", src_uri)
                    return
            files.append(File.generated(config, src_uri, content=markdown))
            self.generated[src_uri] = (kind, payload)

        add("index.md", "catalog", None, _page("Models", ("navigation", "toc")))
        add("families/index.md", "families", None, _page("Families"))
        for family in catalog.families.values():
            add(catalog.family_src(family), "family", family, _page(family.name))
        self.shell_of_toc = {}
        for index in catalog.model_indexes():
            try:
                toc = catalog.toc(index)
            except Exception as error:  # reported again, with the fallback page, when the page is written
                log.debug("modelhub: %s: no outline: %s", catalog.display_path(index), error)
                toc = ()
            if toc not in self.shell_of_toc:
                number = len(self.shell_of_toc)
                self.shell_of_toc[toc] = number
                add(shell_source(number), "shell", toc, shell_markdown())
        self.shells = {}
        self.timings["files"] = time.perf_counter() - started
        return files

    def on_nav(self, nav: Navigation, config, files: Files) -> Navigation:
        """Keep generated family pages and shells out of an automatic nav (an explicit nav never lists them)."""
        hidden = {uri for uri, (kind, _) in self.generated.items() if kind in {"shell", "family"}}

        def keep(item) -> bool:
            if isinstance(item, Page):
                return item.file.src_uri not in hidden
            if isinstance(item, Section):
                item.children = [child for child in item.children if keep(child)]
                return bool(item.children)
            return True

        nav.items = [item for item in nav.items if keep(item)]
        nav.pages = [page for page in nav.pages if page.file.src_uri not in hidden]
        return nav

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
            content, toc = self.catalog.family_html(payload)
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
        if self.catalog is None:
            return
        site_dir = Path(config.site_dir)
        catalog = self.catalog
        started = time.perf_counter()
        urls = [page_url(uri, config.use_directory_urls) for uri, (kind, _) in self.generated.items()
                if kind != "shell"]
        written = failed = 0
        indexes = catalog.model_indexes()
        progress = _progress(len(indexes))
        try:
            for index in indexes:
                url = catalog.model_url(index)
                try:
                    content, page = catalog.model_html(index)
                    shell = self.shells[self.shell_of_toc[page.toc]]
                    output = shell.fill(title=page.title, description=page.summary or page.title,
                                        content=content, url=url)
                except Exception as error:  # one card's page must not take the catalog down
                    log.error("modelhub: %s: the model page could not be rendered: %s: %s",
                              catalog.display_path(index), type(error).__name__, error)
                    output = self._fallback_page(index, url, error)
                    failed += 1
                target = site_dir / dest_path(url)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(output, encoding="utf-8")
                urls.append(url)
                written += 1
                progress.advance()
        finally:
            progress.close()
        self.timings["model_pages"] = time.perf_counter() - started
        for uri, (kind, _) in self.generated.items():
            if kind == "shell":
                shell_dir = site_dir / dest_path(page_url(uri, config.use_directory_urls))
                if shell_dir.name == "index.html":
                    shutil.rmtree(shell_dir.parent, ignore_errors=True)
                else:
                    shell_dir.unlink(missing_ok=True)
        step = time.perf_counter()
        write_index(site_dir, catalog.index_files())
        self.timings["index"] = time.perf_counter() - step
        step = time.perf_counter()
        write_atomic(site_dir / "models.json", catalog.models_json())
        self.timings["models_json"] = time.perf_counter() - step
        copied = copy_artifacts(catalog, site_dir)
        extra = [page_url(f.src_uri, config.use_directory_urls) for f in self._documentation_pages
                 if f.src_uri not in self.generated]
        write_sitemap(site_dir, sorted(set(urls + extra)), config.site_url or None)
        log.info("modelhub: %d model pages (%d could not be rendered), %d families, %d shells, %d artifacts copied, "
                 "index in %s/", written, failed, len(catalog.families), len(self.shells), len(copied), INDEX_DIR)

    def _fallback_page(self, index: int, url: str, error: Exception) -> str:
        """A page that says the card could not be rendered, and why, in the first shell's frame."""
        assert self.catalog is not None
        name = html.escape(self.catalog.display_path(index))
        content = (f"<h1>{name}</h1><div class=\"admonition failure\"><p class=\"admonition-title\">This card could "
                   f"not be rendered</p><p>{html.escape(type(error).__name__)}: {html.escape(str(error))}</p></div>")
        shell = next(iter(self.shells.values()), None)
        if shell is None:
            return f"<!doctype html><meta charset=utf-8><title>{name}</title>{content}"
        return shell.fill(title=self.catalog.display_path(index), description="", content=content, url=url)

    def on_env(self, env, config, files: Files):
        self._documentation_pages = [f for f in files.documentation_pages()]
        return env

    def on_serve(self, server, config, builder):
        for path in self._card_paths():
            if path.exists():
                server.watch(str(path))
        server.watch(str(DEFAULT_TEMPLATES))
        return server


class _progress:
    """A rich progress bar on a terminal, nothing otherwise (CI logs, tests)."""

    def __init__(self, total: int) -> None:
        self._bar = None
        if total >= 200 and os.isatty(2) and not os.environ.get("MODELHUB_QUIET"):
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task("model pages", total=total)

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
