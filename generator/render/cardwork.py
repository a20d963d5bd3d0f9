"""The per-card work of a site build, done in worker processes: records in, small summaries and written pages out.

A build works on each card twice. The *record* pass parses the card, runs the per-card stages (artifacts, execute,
bench; ``frozen`` or ``off`` read stored results only) and the per-card checks, stores the full record in the build
cache and sends the parent a ``CardSummary``: the few fields the catalog needs of every card at once (facets,
family, index text, outline, identity for the catalog-wide rules). The *page* pass, once the catalog is known (slugs,
families, duplicate-model findings, page shells), loads a record from the cache, renders its model page and writes
the page and the model's JSON into the site. The parent never holds full records, so memory stays bounded however
many cards there are; both passes are pure functions of their inputs, so a serial and a parallel build write the
same bytes.

Functions here run in the parent (``jobs=1`` or little work) or in a ``ProcessPoolExecutor`` whose initializer
installs the ``WorkSettings`` once per process.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

from ..card.parser import read_card_source
from ..checks import CheckContext, RuleSelection, check_card, suppressed_codes
from ..checks.catalog import Identity, identity_of
from ..checks.registry import Finding
from ..config import Config
from ..pipeline import BuildContext, CardRecord, run_stages
from ..records import ArtifactRecord, BenchRecord, RunRecord, to_json
from ..stages import default_stages
from ..vocab import Vocabulary
from .buildcache import BuildCache
from .catalog_index import Terms, card_terms
from .collection import relax_in_worker
from .facets import facet_values
from .markup import plain_text
from .model_page import (DESCRIPTION_TITLES, build_model_page, display_name, example_outcomes, normalize_title,
                         plan_sections, section_text, summary_of)
from .shell import Shell
from .templates import render

# The fields of a record the catalog needs for every card at once; everything else stays in the cached record.
_SLIM_KEYS = ("path", "dialect", "name", "title", "date", "language", "task", "edition", "annotator", "engine",
              "license", "supported", "tags", "labels", "download_url", "s3_uri")
_SLIM_FRONT = ("library_name", "deprecated")
_SLIM_INFO = ("license", "parameters")
MIN_PARALLEL = 64  # fewer cards than this are done in the parent: a pool costs more than it saves


def default_jobs() -> int:
    """Every core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class CardSummary:
    """What the catalog needs of one card: slim record fields, outline, index text and terms, identity (the card's
    description is in its terms only: the building process holds every summary at once)."""

    path: str
    key: str  # content key of the full record in the build cache
    data: dict[str, Any]  # slim record: facet fields, a severity per finding, run status, a few facts
    toc: tuple[tuple[str, str], ...]
    summary: str  # plain text, for the catalog and the page description
    identity: Identity
    suppressed: tuple[str, ...]
    terms: Terms = ("", "")  # strong and weak search terms of the card's own text and description (card_terms)
    facets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # facet_values of ``data``


@dataclass(frozen=True)
class WorkSettings:
    """Everything a worker needs to redo the parent's per-card work exactly; picklable, sent once per process."""

    config_root: str
    config_data: dict[str, Any]
    config_source: str | None
    mode: str
    offline: bool
    stages: tuple[str, ...]  # per-card stages to run (the check stage is ``checked``)
    checked: bool
    cache_dir: str
    fingerprint: str  # of everything besides the card that a record depends on (code, settings, templates)
    templates: tuple[str, ...]

    def config(self) -> Config:
        source = Path(self.config_source) if self.config_source else None
        return Config(Path(self.config_root), self.config_data, source)


@dataclass
class PageJob:
    """One model page to write: the record's key and everything the catalog decided about the page."""

    path: str
    key: str
    slug: str
    url: str
    dest: str  # the page file, relative to the site folder
    json_dest: str  # the model's JSON file, relative to the site folder
    json_extra: dict[str, Any]  # url, family, page JSON of the catalog's
    page_key: str
    context: dict[str, Any]  # local_download, edit_url, family, checked, display path
    extra_findings: list[Finding]
    shell: int


# ---- worker state ---------------------------------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def init_worker(settings: WorkSettings) -> None:
    """Per-process setup: configuration, rules, cache (the page pass's shells come with its batches: ``page_batch``)."""
    if multiprocessing.parent_process() is not None:  # a pool worker, not the building process doing the work
        relax_in_worker()
    config = settings.config()
    _STATE.clear()
    _STATE.update(settings=settings, config=config, cache=BuildCache(Path(settings.cache_dir)), shells={},
                  shells_file=None, selection=RuleSelection.from_config(config), rule_cache={},
                  words=Vocabulary.from_config(config))


def save_shells(shells: dict[int, Shell], folder: Path) -> Path:
    """The page shells in a new file of ``folder``, for the page pass's workers to read once each (``page_batch``):
    the workers are started before mkdocs renders the shells, so the shells cannot come with them."""
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="shells-", suffix=".pickle", dir=folder)
    with os.fdopen(handle, "wb") as out:
        pickle.dump(shells, out, pickle.HIGHEST_PROTOCOL)
    return Path(name)


def _use_shells(shells_file: str) -> None:
    if _STATE.get("shells_file") != shells_file:
        with open(shells_file, "rb") as handle:
            _STATE["shells"] = pickle.load(handle)
        _STATE["shells_file"] = shells_file


def _settings() -> WorkSettings:
    return _STATE["settings"]


# ---- the record pass -------------------------------------------------------------------------------------------
_VOLATILE_FACTS = frozenset({"checked_at", "bytes_transferred", "requests"})  # when and how, not what


def _stable_facts(facts: Any) -> Any:
    if not isinstance(facts, dict):
        return facts
    out = {key: value for key, value in facts.items() if key not in _VOLATILE_FACTS}
    if isinstance(out.get("presets"), dict):
        out["presets"] = {name: _stable_facts(value) for name, value in out["presets"].items()}
    return out


def record_key(fingerprint: str, path: str, source: bytes, facts: ArtifactRecord | None, runs: RunRecord | None,
               bench: BenchRecord | None) -> str:
    """The content key of a record: the card's bytes, what the stages found (not when the artifact was looked at,
    nor how many bytes that took), and the build's fingerprint."""
    digest = hashlib.sha256()
    for part in (fingerprint.encode(), path.encode("utf-8", "surrogateescape"), source):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    found = [_stable_facts(to_json(facts)), to_json(runs), to_json(bench)]
    digest.update(json.dumps(found, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def slim(record: CardRecord, data: dict[str, Any]) -> dict[str, Any]:
    """The part of a record the catalog keeps for every card: fields of the card's JSON (``data``,
    ``CardRecord.to_dict``) and what the stages' typed records say of it."""
    out = {key: data.get(key) for key in _SLIM_KEYS}
    front = data.get("front_matter") if isinstance(data.get("front_matter"), dict) else {}
    out["front_matter"] = {key: front[key] for key in _SLIM_FRONT if key in front}
    info = data.get("info") or {}
    out["info"] = {key: info[key] for key in _SLIM_INFO if key in info}
    out["sections"] = [{"title": s.get("title", "")} for s in data.get("sections") or []]
    out["findings"] = [{"code": f.code, "severity": f.severity} for f in record.findings]
    out["runs"] = {"status": record.runs.status} if record.runs is not None else None
    out["examples"] = example_outcomes(record.runs, record.findings)  # a family page shows an API page's blocks
    facts = record.facts
    out["facts"] = {"status": facts.status, "parameters": facts.parameters} if facts is not None else None
    return out


def summarize(record: CardRecord, key: str, data: dict[str, Any]) -> CardSummary:
    card = record.card
    description = " ".join(plain_text(section_text(card, n)) for n, s in enumerate(card.sections)
                           if normalize_title(s.title) in DESCRIPTION_TITLES)
    try:
        toc = tuple((p.id, p.title) for p in plan_sections(card, record))
    except Exception:  # noqa: BLE001 - reported with the fallback page when the page is rendered
        toc = ()
    summary = summary_of(card)
    light = slim(record, data)
    terms = card_terms(light, display_name(light), description or summary)
    return CardSummary(record.path, key, light, toc, summary[:300], identity_of(card), suppressed_codes(card), terms,
                       facet_values(light, _STATE["words"]))


def _check(record: CardRecord) -> None:
    kept = [f for f in record.findings if getattr(f, "code", None) not in _STATE["selection"].rules]
    context = CheckContext(_STATE["config"], selection=_STATE["selection"], cache=_STATE["rule_cache"],
                           facts=record.facts, runs=record.runs, bench=record.bench, location=record.location,
                           vocabulary=_STATE["words"])
    record.findings = kept + check_card(record.card, context)


def _run_stages(records: list[CardRecord]) -> None:
    settings = _settings()
    context = BuildContext(_STATE["config"], mode=settings.mode, offline=settings.offline, quiet=True)
    run_stages(records, context, default_stages(settings.stages))


def record_batch(items: Sequence[tuple[str, dict[str, Any] | None]]) -> list[tuple[CardSummary, bool]]:
    """The record pass over ``(path, stage results or None)``: None parses the card and runs the per-card stages
    here; given results carry the card the stages parsed. Returns each card's summary and whether it was checked
    (False: its content key was in the cache)."""
    settings, cache = _settings(), _STATE["cache"]
    sources: dict[str, bytes] = {}
    records: list[CardRecord] = []
    to_stage: list[CardRecord] = []
    for path, given in items:
        card = given.get("card") if given is not None else None
        if card is None:
            card, source = read_card_source(path)
        else:
            source = card.source
        sources[path] = source
        record = CardRecord(card)
        if given is not None:
            record.facts, record.runs, record.bench = given.get("facts"), given.get("runs"), given.get("bench")
            record.location = given.get("location")
        else:
            to_stage.append(record)
        records.append(record)
    if to_stage:
        _run_stages(to_stage)
    out = []
    made = []
    for record in records:
        key = record_key(settings.fingerprint, record.path, sources[record.path], record.facts, record.runs,
                         record.bench)
        cached = cache.load_summary(key)
        if cached is not None:
            out.append((cached, False))
            continue
        if settings.checked:
            _check(record)
        data = record.to_dict()  # the record's one serialisation: the page pass reads it from the cache
        summary = summarize(record, key, data)
        made.append((key, summary, (record, data)))
        out.append((summary, True))
    cache.store_records(made)  # one file for the batch
    return out


# ---- the page pass ---------------------------------------------------------------------------------------------
def _record_for(job: PageJob) -> tuple[CardRecord, dict[str, Any]]:
    """The cached record and its JSON form, or (cache lost since the record pass) both made again."""
    loaded = _STATE["cache"].load_record(job.key)
    if loaded is not None:
        return loaded
    summary, _ = record_batch([(job.path, None)])[0]
    loaded = _STATE["cache"].load_record(summary.key)
    if loaded is None:
        raise RuntimeError(f"{job.path}: the build cache cannot store records; check {_settings().cache_dir}")
    return loaded


def model_json(job: PageJob) -> tuple[CardRecord, dict[str, Any], bytes]:
    """The job's record (with the catalog's findings), its JSON form, and the model's JSON file."""
    record, data = _record_for(job)
    if job.extra_findings:
        record.findings = sorted(record.findings + job.extra_findings, key=lambda f: (f.line, f.column or 0, f.code))
        data = {**data, "findings": [finding.to_dict() for finding in record.findings]}
    return record, data, json.dumps({**data, **job.json_extra}, ensure_ascii=False, default=str).encode("utf-8")


def render_page(job: PageJob, record: CardRecord, data: dict[str, Any]) -> str:
    """The model page of one job: its content in its shell."""
    settings, context = _settings(), job.context
    page = build_model_page(record, data, slug=job.slug, local_download=context.get("local_download"),
                            edit_url=context.get("edit_url"), family=context.get("family"),
                            checked=settings.checked, words=_STATE["words"])
    page.record = {**data, "path": context.get("display_path") or data.get("path")}
    content = render("model.html.j2", settings.templates, page=page, catalog_url=context["catalog_url"])
    shell = _STATE["shells"][job.shell]
    return shell.fill(title=page.title, description=page.summary or page.title, content=content, url=job.url)


def fallback_page(job: PageJob, error: BaseException) -> str:
    """A page that says the card could not be rendered, and why, in the first shell's frame."""
    import html

    name = html.escape(job.context.get("display_path") or job.path)
    content = (f"<h1>{name}</h1><div class=\"admonition failure\"><p class=\"admonition-title\">This card could "
               f"not be rendered</p><p>{html.escape(type(error).__name__)}: {html.escape(str(error))}</p></div>")
    shells = _STATE["shells"]
    shell = shells.get(job.shell) or next(iter(shells.values()), None)
    if shell is None:
        return f"<!doctype html><meta charset=utf-8><title>{name}</title>{content}"
    return shell.fill(title=job.context.get("display_path") or job.path, description="", content=content, url=job.url)


Stamp = tuple  # a file's (size, mtime in ns, inode), as ``uptodate`` records it


class PageFailure(NamedTuple):
    """A model page that could not be rendered (a fallback page says why in its place): the card as a maintainer
    knows it, the page's files, and the error."""

    card: str
    json_dest: str
    dest: str
    error: str


def page_batch(jobs: Sequence[PageJob], site_dir: str, shells_file: str,
               ) -> list[tuple[PageFailure | None, tuple[tuple[str, Stamp], ...]]]:
    """Write each job's page and JSON under ``site_dir``, in the shells ``save_shells`` wrote to ``shells_file``;
    for each job its failure (or None) and the stamps of the files written (relative to ``site_dir``: the build
    records them without a ``stat`` of its own)."""
    _use_shells(shells_file)
    made: set[str] = set()  # folders known to exist (every model's JSON shares one)
    out = []
    for job in jobs:
        error_text, output, model = None, "", None
        try:
            record, data, model = model_json(job)
            if job.dest:  # a Keras API page has none: it is shown on its family page
                output = render_page(job, record, data)
        except Exception as error:  # noqa: BLE001 - one card's page must not take the catalog down
            error_text = f"{type(error).__name__}: {error}"
            output = fallback_page(job, error) if job.dest else ""
            if model is None:
                model = json.dumps({"path": job.path, "error": error_text, **job.json_extra},
                                   ensure_ascii=False, default=str).encode("utf-8")
        stamps = []
        for relative, content in ((job.dest, output.encode("utf-8")), (job.json_dest, model)):
            if relative:
                target = os.path.join(site_dir, relative)
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                with open(target, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    status = os.fstat(handle.fileno())
                stamps.append((relative, (status.st_size, status.st_mtime_ns, status.st_ino)))
        failure = None if error_text is None else PageFailure(job.context.get("display_path") or job.path,
                                                              job.json_dest, job.dest, error_text)
        out.append((failure, tuple(stamps)))
    return out


# ---- running the passes ----------------------------------------------------------------------------------------
def pool_size(jobs: int, count: int) -> int:
    """How many worker processes ``count`` items get: none (work in this process) when a pool would not pay."""
    return 0 if jobs <= 1 or count < MIN_PARALLEL else jobs


def _batch_size(count: int, jobs: int) -> int:
    return max(8, min(100, count // (jobs * 6) or 1))


def _pickled(batch: list) -> bytes:
    """A batch as it is handed out: a pool holds what it was given until the result comes back, and a page pass
    hands out every batch at once, so it holds bytes (about a third of the objects' memory), not the objects."""
    return pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)


def _unpickled(function: Callable[..., list], batch: bytes, *extra: Any) -> list:
    return function(pickle.loads(batch), *extra)


class Workers:
    """The worker processes of one build: started when a pass first needs them, and used by every pass after it.

    A worker forked by the record pass starts from a small building process; one forked for the page pass would
    start from a copy of every card's summary, and each page it touched of that copy would become its own (at
    50,000 cards: a peak RSS of 551 MB a worker, 280 MB proportional set size; started by the record pass, 110 MB).
    ``close`` stops them."""

    def __init__(self, settings: WorkSettings, jobs: int) -> None:
        self.settings, self.jobs = settings, jobs
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork where there is one: workers start in milliseconds with modelhub already imported, and a caller's
            # script needs no ``if __name__ == "__main__"`` guard (spawn and forkserver run it again in every worker)
            context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                                  else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context, initializer=init_worker,
                                             initargs=(self.settings,))
        return self._pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def run_passes(function: Callable[..., list], items: Iterable, settings: WorkSettings, jobs: int,
               extra: tuple = (), progress: Callable[[int], None] | None = None,
               meanwhile: Callable[[], None] | None = None, total: int | None = None,
               workers: Workers | None = None) -> Iterator[Any]:
    """``function`` over ``items`` in batches, in order: in this process when ``jobs`` is 1 or there is little work,
    else in ``jobs`` processes (``workers``' when given: they stay for the next pass; else a pool of this pass's
    own). Results come back in the order of ``items`` whatever finishes first.

    ``items`` may be made as they are handed out (a generator): each batch goes to the workers as soon as it is
    full, so the workers start while the rest is made; ``total`` (at most that many items) sizes the batches.
    ``meanwhile``: the caller's own work that does not depend on the results, done in this process once every
    item is handed out (first, when the work stays in this process), so it overlaps the workers' instead of
    following it."""
    if total is None:
        total = len(items)  # type: ignore[arg-type] - a list; a generator comes with its ``total``
    iterator = iter(items)
    head = list(islice(iterator, MIN_PARALLEL))
    if not pool_size(jobs, len(head)):  # one process, or too little work for a pool
        head += iterator
        if meanwhile is not None:
            meanwhile()
        if not head:
            return
        init_worker(settings)
        size = _batch_size(len(head), 1)
        for start in range(0, len(head), size):
            results = function(head[start:start + size], *extra)
            if progress:
                progress(len(results))
            yield from results
        return
    own = workers is None
    if workers is None:
        workers = Workers(settings, jobs)
    try:
        pool = workers.pool()
        size = _batch_size(max(total, len(head)), jobs)
        futures = []
        batch: list = []
        for item in chain(head, iterator):
            batch.append(item)
            if len(batch) == size:
                futures.append(pool.submit(_unpickled, function, _pickled(batch), *extra))
                batch = []
        if batch:
            futures.append(pool.submit(_unpickled, function, _pickled(batch), *extra))
        if meanwhile is not None:
            meanwhile()
        futures.reverse()
        while futures:  # each future let go once read: its results are not held for the length of the pass
            results = futures.pop().result()
            if progress:
                progress(len(results))
            yield from results
    finally:
        if own:
            workers.close()


def fingerprint(config: Config, templates: Iterable[str], parts: Iterable[Any]) -> str:
    """What every record and page depends on besides its card: modelhub's own code and data, the configuration,
    the templates, and the given build ``parts`` (mode, stages, ...)."""
    from .. import __version__

    digest = hashlib.sha256(str(__version__).encode())
    package = Path(str(files("generator")))  # the installed package, wherever it is
    for folder in [package, *map(Path, templates)]:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    digest.update(json.dumps(config.data, sort_keys=True, default=str).encode())
    digest.update(json.dumps(list(parts), sort_keys=True, default=str).encode())
    return digest.hexdigest()
