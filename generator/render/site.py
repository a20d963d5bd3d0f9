"""The catalog as a site: URLs, family and catalog page content, index files, models.json, sitemap.

The mkdocs plugin calls into this module; nothing here imports mkdocs, so every piece is testable on its own.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from ..card import Card, read_card
from ..fileio import write_bytes_atomic
from ..records import ArtifactStatus
from .catalog_index import Entry, LazyEntries, Postings, entry_for, index_and_postings
from .facets import FACETS
from .families import Family, format_parameters, group_families, parse_parameters
from .markdown import MarkdownBudget, inline_html
from .model_page import display_name, normalize_title, section_text, slugify
from .sanitize import is_relative, url_scheme
from .shell import SHELL_PREFIX
from .templates import DEFAULT_TEMPLATES, render

if TYPE_CHECKING:
    from .cardwork import CardSummary

INDEX_DIR = "catalog-index"
FILES_DIR = "files"
MODELS_DIR = "models"


@dataclass
class SiteOptions:
    root: Path  # the catalog's root (configuration folder): card paths in edit links are relative to it
    card_roots: list[Path] = field(default_factory=list)  # folders (or files) the cards were read from
    edit_uri: str | None = None  # e.g. https://github.com/org/repo/edit/main/
    checked: bool = True  # whether the check stage ran in this build
    directory_urls: bool = True
    site_url: str | None = None
    templates: tuple[str, ...] = (str(DEFAULT_TEMPLATES),)  # template search path, a catalog's own folder first
    site_name: str = "Model catalog"
    base: str = ""  # the catalog's folder in the site ("" = the site root, "models/"): every page and file is inside


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site-relative URL mkdocs gives the page ``src_uri`` (``families/albert.md`` -> ``families/albert/``)."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if directory_urls:
        if stem == "index":
            return ""
        if stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"
    return stem + ".html"


def dest_path(url: str) -> str:
    """The file a site-relative URL is served from."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative_root(url: str) -> str:
    """The prefix that leads from the page at ``url`` back to the site root (``models/x/`` -> ``../../``)."""
    depth = dest_path(url).count("/")
    return "../" * depth


def page_stem(record: dict) -> str:
    """The page's file name: the card's, except a Hub-style README.md, which is named after its model."""
    stem = os.path.splitext(os.path.basename(record.get("path") or "card"))[0]
    if stem.lower() in {"readme", "index"}:
        return str(record.get("name") or Path(record.get("path") or "card").parent.name or stem)
    return stem


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-.") or "card"


def layout_digest(data: dict[str, Any]) -> bytes:
    """A digest of every field of a card's slim record that the catalog's order, slugs and families read
    (``Catalog``'s sort key, ``page_stem``, ``families.group_families``), and its download link
    (``Catalog.local_artifact``): an edit that keeps it keeps every card's place in the catalog. A digest, not the
    text: the building process keeps one for every card."""
    keras = data.get("dialect") == "keras"  # only a Keras API page's family is read from its headings
    text = repr((data.get("path"), display_name(data), data.get("name"), data.get("dialect"), data.get("annotator"),
                 data.get("title"), [s.get("title", "") for s in data.get("sections") or []] if keras else None,
                 data.get("download_url")))
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).digest()


@dataclass
class Layout:
    """The catalog's order, slugs and families: what ``Catalog`` works out from every card's ``layout_digest``, kept
    in the build cache so a build whose cards have the same layout texts takes it as it is."""

    order: list[str]  # card paths, in display order
    slugs: list[str]  # in display order
    families: dict[str, Family]


class Catalog:
    """Every card of one build with its URL, family and facets, from the cards' summaries (``cardwork``); renders
    the catalog's own pages and index files. Model pages are rendered from full records by ``cardwork``.

    ``layout``: the ``Layout`` of a catalog whose cards had the same ``layout_digest`` (the caller's to know), taken
    instead of sorting, grouping and naming every card again."""

    def __init__(self, summaries: list[CardSummary], options: SiteOptions,
                 parsed: Callable[[CardSummary], Card | None] | None = None, layout: Layout | None = None):
        self.options = options
        self._parsed = parsed  # the card the record pass parsed (from the build cache), when it is still there
        self._root = options.root.resolve()
        self._root_prefix = os.path.join(str(self._root), "")  # "/catalog/" (the root "/" stays "/")
        if layout is not None:
            by_path = {summary.path: summary for summary in summaries}
            self.summaries = [by_path[path] for path in layout.order]
        else:
            self.summaries = sorted(summaries, key=lambda s: (display_name(s.data).lower(), s.data.get("path") or ""))
        self.light = [summary.data for summary in self.summaries]
        self.families: dict[str, Family] = layout.families if layout is not None else group_families(self.light)
        self.family_of: dict[int, Family] = {i: fam for fam in self.families.values() for i in fam.members}
        self._cards: dict[int, Card] = {}
        self._relative: dict[int, str | None] = {}
        self._local: dict[int, tuple[Path, str] | None] = {}
        self._urls: dict[int, str] = {}
        self._card_bases = [root.resolve() if root.resolve().is_dir() else root.resolve().parent
                            for root in options.card_roots]
        self.slugs: list[str] = layout.slugs if layout is not None else self._make_slugs()
        self.layout = layout or Layout([summary.path for summary in self.summaries], self.slugs, self.families)

    def _make_slugs(self) -> list[str]:
        taken: set[str] = set()
        slugs: list[str] = []
        for data in self.light:
            base = _slug(page_stem(data))
            if base.endswith(".json"):  # models/<slug>.json is the model's JSON file, never a page folder
                base = base[:-5] + "-json"
            slug, n = base, 2
            while slug in taken or slug.startswith(SHELL_PREFIX):
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            slugs.append(slug)
        return slugs

    def __len__(self) -> int:
        return len(self.summaries)

    def card(self, index: int) -> Card:
        """The card as the record pass parsed it (read again from disk only when the build cache lost it): only
        family pages need whole cards (Keras API pages)."""
        if index not in self._cards:
            summary = self.summaries[index]
            card = self._parsed(summary) if self._parsed is not None else None
            self._cards[index] = card if card is not None else read_card(summary.path)
        return self._cards[index]

    # ---- URLs ---------------------------------------------------------------------------------------------
    def is_api_page(self, index: int) -> bool:
        """Keras-style API pages are shown on their family page instead of a model page of their own."""
        return self.light[index].get("dialect") == "keras" and index in self.family_of

    @property
    def catalog_src(self) -> str:
        return f"{self.options.base}index.md"

    @property
    def families_src(self) -> str:
        return f"{self.options.base}families/index.md"

    def catalog_root(self, from_url: str) -> str:
        """The link from the page at ``from_url`` to the catalog's folder (its page, index files, models.json)."""
        return relative_root(from_url) + self.options.base

    def family_src(self, family: Family) -> str:
        return f"{self.options.base}families/{family.key}.md"

    def family_url(self, family: Family) -> str:
        return page_url(self.family_src(family), self.options.directory_urls)

    def model_url(self, index: int) -> str:
        url = self._urls.get(index)
        if url is None:  # asked of every card by its page key, JSON, the index and models.json: worked out once
            if self.is_api_page(index):
                url = self.family_url(self.family_of[index])
            else:
                url = page_url(f"{self.options.base}{MODELS_DIR}/{self.slugs[index]}.md", self.options.directory_urls)
            self._urls[index] = url
        return url

    def model_indexes(self) -> list[int]:
        return [i for i in range(len(self.summaries)) if not self.is_api_page(i)]

    def _root_relative(self, index: int) -> str | None:
        """The card's path relative to the catalog root, None when it is outside it (asked about each card by its
        page, its JSON, models.json and the index: worked out once)."""
        if index not in self._relative:
            self._relative[index] = self._find_root_relative(index)
        return self._relative[index]

    def _find_root_relative(self, index: int) -> str | None:
        path = self.light[index].get("path")
        if not path:
            return None
        absolute = os.path.abspath(path)  # no file system calls: most cards are plainly under the root
        if absolute.startswith(self._root_prefix):
            return absolute[len(self._root_prefix):].replace(os.sep, "/")
        try:  # a symbolic link on the way
            return Path(path).resolve().relative_to(self._root).as_posix()
        except (ValueError, OSError):
            return None

    def display_path(self, index: int) -> str:
        """The card's path as a maintainer knows it: relative to the catalog root when it is inside it."""
        relative = self._root_relative(index)
        return relative if relative is not None else self.light[index].get("path") or ""

    def edit_url(self, index: int) -> str | None:
        base = self.options.edit_uri
        relative = self._root_relative(index) if base else None
        return None if relative is None else base.rstrip("/") + "/" + relative

    # ---- local artifacts ------------------------------------------------------------------------------------
    def local_artifact(self, index: int) -> tuple[Path, str] | None:
        """An artifact shipped inside the catalog (a relative or file: link that resolves under a card root):
        its file on disk and the site path it is copied to (looked up once a card: it costs file system calls)."""
        if index not in self._local:
            self._local[index] = self._find_local_artifact(index)
        return self._local[index]

    def _find_local_artifact(self, index: int) -> tuple[Path, str] | None:
        url = self.light[index].get("download_url")
        card_path = self.light[index].get("path")
        if not url or not card_path or url.startswith(("https://", "http://")):  # most cards: nothing to look up
            return None
        try:
            if is_relative(url):
                joined = os.path.join(os.path.dirname(card_path), unquote(urlsplit(url).path))
                if not os.path.isfile(joined):  # one stat call; most such links name no file of the catalog
                    return None
                source = Path(joined).resolve()
            elif url_scheme(url) == "file":
                source = Path(unquote(urlsplit(url).path)).resolve()
            else:
                return None
        except ValueError:  # `file://[x`, a NUL byte: no file of the catalog's
            return None
        for base in self._card_bases:
            try:
                relative = source.relative_to(base)
            except ValueError:
                continue
            if source.is_file():
                return source, f"{self.options.base}{FILES_DIR}/{relative.as_posix()}"
        return None

    def placed_by_files(self) -> list[tuple[int, str, tuple[Path, str] | None]]:
        """The cards whose place also depends on the file system, not only on the layout and the options: a path
        that is not plainly under the root (a link may lead elsewhere), a download link that may name a shipped
        file. Each with what the file system says (display path, local artifact), for the page keys to compare."""
        prefix = self._root_prefix
        out = []
        for index, data in enumerate(self.light):
            path, url = data.get("path") or "", data.get("download_url")
            if not path.startswith(prefix) or "/." in path or (url and not url.startswith(("https://", "http://"))):
                out.append((index, self.display_path(index), self.local_artifact(index)))
        return out

    # ---- model pages ----------------------------------------------------------------------------------------
    def toc(self, index: int) -> tuple[tuple[str, str], ...]:
        return self.summaries[index].toc

    def family_link(self, index: int, from_url: str) -> dict[str, str] | None:
        family = self.family_of.get(index)
        if family is None:
            return None
        return {"key": family.key, "name": family.name, "url": relative_root(from_url) + self.family_url(family)}

    def page_context(self, index: int) -> dict[str, Any]:
        """What the catalog decides about one model page (beyond its record): links, family, catalog URL."""
        url = self.model_url(index)
        local = self.local_artifact(index)
        return {"local_download": (relative_root(url) + local[1]) if local else None,
                "edit_url": self.edit_url(index), "family": self.family_link(index, url),
                "display_path": self.display_path(index), "catalog_url": self.catalog_root(url),
                "checked": self.options.checked}

    def json_dest(self, index: int) -> str:
        """The model's JSON file, beside its page folder (``models/<slug>.json``)."""
        return f"{self.options.base}{MODELS_DIR}/{self.slugs[index]}.json"

    def json_extra(self, index: int) -> dict[str, Any]:
        """What a model's JSON changes in its record: the card's path relative to the catalog root, its page and
        family."""
        return {"path": self.display_path(index), "url": self.model_url(index),
                "family": self.family_of[index].name if index in self.family_of else None}

    # ---- families -----------------------------------------------------------------------------------------
    def family_rows(self, family: Family, from_url: str) -> list[dict[str, Any]]:
        """The presets table of a family: Keras presets from its API pages, then every catalog member."""
        rows: list[dict[str, Any]] = []
        prefix = relative_root(from_url)
        names = {self.light[i].get("name"): i for i in family.members if self.light[i].get("name")}
        for i in family.api_pages:
            for preset in self.card(i).presets:
                target = names.get(preset.name)
                count = parse_parameters(preset.parameters)
                rows.append({
                    "name": preset.name,
                    "parameters": format_parameters(count) if count is not None else (preset.parameters or "—"),
                    "description": inline_html(preset.description or ""),
                    "url": prefix + self.model_url(target) if target is not None else None,
                    "source": "Keras preset",
                })
        for i in family.members:
            if i in family.api_pages:
                continue
            data = self.light[i]
            facts = data.get("facts") or {}
            count = facts.get("parameters") if facts.get("status") is ArtifactStatus.OK else None
            stated = (data.get("info") or {}).get("parameters")
            rows.append({
                "name": display_name(data),
                "parameters": format_parameters(count) if count is not None else (
                    format_parameters(parse_parameters(stated)) if parse_parameters(stated) is not None else "—"),
                "parameters_source": "artifact" if count is not None else ("card" if stated else None),
                "description": inline_html(data.get("title") or ""),
                "url": prefix + self.model_url(i),
                "source": data.get("annotator") or "",
                "language": data.get("language") or "",
            })
        return rows

    def family_inputs(self, family: Family) -> str:
        """Everything ``family_html`` reads of the catalog, as text: each member's record key (its card and
        results) and place in the catalog. With modelhub's code, settings and templates (the build's fingerprint),
        the same text means the same page."""
        members = [(self.summaries[i].key, self.slugs[i], self.model_url(i), self.edit_url(i), self.display_path(i),
                    i in family.api_pages) for i in family.members]
        return repr((family.key, family.name, members, self.catalog_root(self.family_url(family)),
                     self.options.directory_urls))

    def family_html(self, family: Family) -> tuple[str, list[tuple[str, str]]]:
        """The content of a family page and its table of contents."""
        url = self.family_url(family)
        sections: list[dict[str, str]] = []
        toc: list[tuple[str, str]] = [("presets", "Presets")]
        used = {"presets"}
        for i in family.api_pages:
            card = self.card(i)
            examples = self.light[i].get("examples")
            outcomes = examples["outcomes"] if examples else []
            if examples:
                sections.append(self._results_section(examples, used))
                toc.append((sections[-1]["id"], sections[-1]["title"]))
            ends = [s.line for s in card.sections[1:]] + [10 ** 9]
            budget = MarkdownBudget()  # each card's Markdown is bounded as on its own page
            for number, section in enumerate(card.sections):
                title = re.sub(r"\s+", " ", section.title.replace("`", "")).strip() or "Section"
                ident = slugify(title)
                while ident in used:
                    ident += "-x"
                used.add(ident)
                text = section_text(card, number)
                if normalize_title(section.title) and card.presets:
                    text = _drop_presets_table(text)
                html_text = budget.html(text)
                html_text += "".join(
                    render("partials/example_outcome.html.j2", self.options.templates, outcome=outcome,
                           provenance=examples["provenance"])
                    for outcome in outcomes if section.line <= outcome["line"] < ends[number])
                sections.append({"id": ident, "title": title, "html": html_text,
                                 "level": min(max(section.level, 2), 4)})
                if section.level <= 3:
                    toc.append((ident, title))
        api = [{"title": self.light[i].get("title"), "path": self.display_path(i), "edit_url": self.edit_url(i)}
               for i in family.api_pages]
        html = render("family.html.j2", self.options.templates, family=family, rows=self.family_rows(family, url),
                      sections=sections, api=api, catalog_url=self.catalog_root(url),
                      members=len(family.members) - len(family.api_pages))
        return html, toc

    def _results_section(self, examples: dict[str, Any], used: set[str]) -> dict[str, Any]:
        """The family page's account of its API page's run: when and with what, where the models came from (the
        runtime's notes, e.g. a stand-in preset), and each block's outcome (shown in full beside the block)."""
        counts = {status: sum(o["status"] == status for o in examples["outcomes"])
                  for status in ("verified", "failed", "not run")}
        ident = "example-results"
        used.add(ident)
        html_text = render("partials/example_results.html.j2", self.options.templates, counts=counts, **examples)
        return {"id": ident, "title": "Results of the examples", "html": html_text, "level": 2}

    def families_html(self) -> str:
        url = page_url(self.families_src, self.options.directory_urls)
        prefix = relative_root(url)
        rows = []
        for family in self.families.values():
            tasks: dict[str, int] = {}
            for i in family.members:
                for _, name in self.summaries[i].facets.get("task", []):
                    tasks[name] = tasks.get(name, 0) + 1
            rows.append({"name": family.name, "url": prefix + self.family_url(family),
                         "models": len(family.members) - len(family.api_pages), "api": bool(family.api_pages),
                         "tasks": sorted(tasks, key=lambda t: -tasks[t])[:3]})
        return render("families.html.j2", self.options.templates, rows=rows)

    # ---- catalog ------------------------------------------------------------------------------------------
    def catalog_html(self, url: str = "") -> str:
        return render("catalog.html.j2", self.options.templates, index_url=self.catalog_root(url) + INDEX_DIR + "/",
                      base_url=relative_root(url), catalog_url=self.catalog_root(url), facets=FACETS,
                      count=len(self.summaries))

    def index_entry(self, index: int) -> Entry:
        summary, data = self.summaries[index], self.light[index]
        return entry_for(data, url=self.model_url(index), name=display_name(data), summary=summary.summary[:160],
                         facets=summary.facets, terms=summary.terms)

    def index_files(self, keys: list[str] | None = None, previous: Postings | None = None,
                    ) -> tuple[dict[str, bytes], Postings]:
        """The catalog index's files and postings (``catalog_index.index_and_postings``: ``keys`` say, per card,
        what its entry is made from; ``previous``: the last index's postings). A card's entry is made only when the
        index reads it: an update reads the changed cards' entries only."""
        names = {"family": {family.key: family.name for family in self.families.values()}}
        entries = LazyEntries(len(self.summaries), self.index_entry)
        return index_and_postings(entries, names, keys=keys, previous=previous)


MODELS_JSON_FORMAT = 2


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def models_json(catalog: Catalog, keys: list[str] | None = None, known: dict[str, bytes] | None = None,
                ) -> tuple[bytes, dict[str, bytes]]:
    """models.json: a versioned, compact index of the catalog (one short entry per card, paths relative to the
    site); each card's full record is in its own file, ``json`` (``models/<slug>.json``, beside its page).

    ``keys``: per card, the key of everything its entry shows (its page key); ``known``: entries (their JSON) a
    build made before, by key, taken as they are. Returns the file and its entries by key, for the next build."""
    from .. import __version__

    known = known or {}
    made: dict[str, bytes] = {}
    entries = []
    for i, data in enumerate(catalog.light):
        key = keys[i] if keys is not None else None
        entry = known.get(key) if key is not None else None
        if entry is None:
            severities = {f.get("severity") for f in data.get("findings") or []}
            entry = _compact_json({
                "name": data.get("name"), "title": data.get("title"), "path": catalog.display_path(i),
                "url": catalog.model_url(i), "json": catalog.json_dest(i),
                "family": catalog.family_of[i].name if i in catalog.family_of else None,
                "dialect": data.get("dialect"), "task": data.get("task"), "language": data.get("language"),
                "checks": "errors" if "error" in severities else "warnings" if "warning" in severities else "pass",
                "run": (data.get("runs") or {}).get("status"),
            })
        if key is not None:
            made[key] = entry
        entries.append(entry)
    head = _compact_json({"format": MODELS_JSON_FORMAT, "generator": f"modelhub {__version__}", "count": len(entries)})
    # the same bytes as the whole index dumped at once: JSON text of a list is its items' texts joined by commas
    return head[:-1] + b',"models":[' + b",".join(entries) + b"]}\n", made


def _drop_presets_table(text: str) -> str:
    """A Keras section without its presets table (the family page shows the merged table instead)."""
    lines = text.split("\n")
    out, skipping = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("|") and re.match(r"\|\s*preset", stripped, re.I):
            skipping = True
            continue
        if skipping and stripped.startswith("|"):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out)


# ---- writing ----------------------------------------------------------------------------------------------
def write_atomic(path: Path, data: bytes | str | Iterator[bytes]) -> None:
    """Write ``path`` through a temporary file in the same folder, so readers never see half a file.

    Bytes and text go through ``fileio``; an iterator (models.json) is streamed, never held whole in memory."""
    if isinstance(data, (bytes, str)):
        write_bytes_atomic(path, data.encode("utf-8") if isinstance(data, str) else data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            for piece in data:
                handle.write(piece)
        os.chmod(handle.name, 0o644)  # a temporary file is private (0600); a web server must read the site
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_index(site_dir: Path, files: dict[str, bytes]) -> None:
    """The index files in ``site_dir``'s index folder, exactly: a file whose bytes are already there is left alone
    (an edited card changes a few of hundreds), a file the index no longer has is removed."""
    target = site_dir / INDEX_DIR
    present = _plain_files(target)
    if present is None:  # not a plain folder of ours (a link, a file): start it afresh
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        present = {}
    for relative, data in files.items():
        path = target / relative
        old = present.pop(relative, None)
        if old is not None and os.path.getsize(old) == len(data) and Path(old).read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a hard link left there is replaced, never written through
        path.write_bytes(data)
    for path in present.values():
        os.unlink(path)


def _plain_files(folder: Path) -> dict[str, str] | None:
    """Every regular file below ``folder`` by relative path; None when ``folder`` or anything in it is a symbolic
    link or something else than a folder or a regular file ({} when there is no ``folder``)."""
    if not os.path.lexists(folder):
        return {}
    if folder.is_symlink() or not folder.is_dir():
        return None
    out: dict[str, str] = {}
    top = str(folder)
    for base, dirs, names in os.walk(top):
        prefix = "" if base == top else os.path.relpath(base, top).replace(os.sep, "/") + "/"
        if any(os.path.islink(os.path.join(base, d)) for d in dirs):
            return None
        for name in names:
            path = os.path.join(base, name)
            if os.path.islink(path) or not os.path.isfile(path):
                return None
            out[prefix + name] = path
    return out


def copy_artifacts(catalog: Catalog, site_dir: Path) -> list[str]:
    copied = []
    for i in range(len(catalog)):
        local = catalog.local_artifact(i)
        if local is None:
            continue
        source, relative = local
        target = site_dir / relative
        if not target.exists() or target.stat().st_size != source.stat().st_size or \
                target.stat().st_mtime < source.stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        copied.append(relative)
    return copied


def sitemap_xml(urls: list[str], site_url: str | None) -> str:
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in urls:
        lines.append(f"  <url><loc>{xml_escape(base + url)}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write_sitemap(site_dir: Path, urls: list[str], site_url: str | None, base: str = "") -> None:
    """``sitemap.xml`` (and ``.gz``) of the site-relative ``urls`` in the site's folder ``base``; each ``<loc>`` is
    absolute with a ``site_url``, else site-relative like the URLs."""
    text = sitemap_xml(urls, site_url)
    write_atomic(site_dir / base / "sitemap.xml", text)
    write_atomic(site_dir / base / "sitemap.xml.gz", gzip.compress(text.encode("utf-8"), mtime=0))

