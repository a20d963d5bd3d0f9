"""The view of one model page: everything the ``model.html.j2`` template shows, computed from a ``CardRecord``.

Pure: no I/O, no jinja. Card text becomes sanitised HTML here; facts, runs, benchmarks and findings are read from
the stages' typed records (``CardRecord.facts``/``runs``/``bench``/``findings``) and shown as the stages left them,
and when a stage left nothing the page says so instead of inventing it. The card's JSON (``CardRecord.to_dict``)
serves only the facets, the badges and the page header. Whether a Model Information value agrees with the artifact is
the artifact rules' verdict (``checks.artifacts.row_agrees``), never the page's own.
"""

from __future__ import annotations

import base64
import bisect
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..card.model import Card
from ..card.parser import MAX_CARD_BYTES
from ..checks.artifacts import row_agrees
from ..checks.registry import Finding
from ..records import ArtifactRecord, BenchStatus, RunRecord, RunStatus
from ..vocab import DEFAULT, Vocabulary
from .facets import facet_values
from .markdown import MarkdownBudget, highlight_code, inline_html, markdown_html
from .markup import plain_text
from .sanitize import safe_url

if TYPE_CHECKING:
    from ..pipeline import CardRecord

DESCRIPTION_TITLES = frozenset({"description", "overview", "model description", "summary"})
_ENTITIES = {"predicted entities", "included entities", "predicted labels", "labels", "entities",
             "included assertions", "predicted classes", "classes"}
_RESULTS = {"results", "result", "output", "example output", "sample output"}
_INFO = {"model information", "model parameters", "model info", "model details"}
_BENCHMARK = {"benchmarking", "benchmark", "benchmarks", "evaluation results", "evaluation", "metrics"}
_TAB_LABELS = {"python": "Python", "scala": "Scala", "nlu": "NLU", "java": "Java", "bash": "Shell", "r": "R"}
_FACT_ROWS = (  # fact field -> (normalised info key, label)
    ("size", "size", "Size"),
    ("sha256", "sha256", "SHA-256"),
    ("format", "format", "Format"),
    ("class_name", "model_class", "Model class"),
    ("parameters", "parameters", "Parameters"),
    ("dimension", "dimension", "Dimension"),
    ("case_sensitive", "case_sensitive", "Case sensitive"),
    ("max_sentence_length", "max_sentence_length", "Max sentence length"),
    ("labels", "labels", "Labels"),
    ("spark_version", "spark_compatibility", "Spark version"),
)


@dataclass
class PageSection:
    id: str
    title: str
    kind: str  # description | entities | usage | results | info | benchmark | text | too-large
    html: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ModelPage:
    """What the model template needs; ``toc`` is also the key of the page shell mkdocs renders for it."""

    slug: str
    title: str
    name: str
    record: dict[str, Any]
    badges: list[dict[str, str]]
    checks: dict[str, Any]
    download: dict[str, Any] | None
    buttons: list[dict[str, str]]
    sections: list[PageSection]
    summary: str
    edit_url: str | None = None
    family: dict[str, str] | None = None

    @property
    def toc(self) -> tuple[tuple[str, str], ...]:
        return tuple((section.id, section.title) for section in self.sections)


# ``(...)`` up to the first `)` on its line; an opener without one is kept, and consumed once with everything up to
# where it failed (every opener before that point fails the same way): linear in a title of a thousand `(`.
_PARENTHESES = re.compile(r"\([^)\n]*+(\)?)")


@lru_cache(maxsize=4096)  # section titles repeat across a catalog: asked of every section of every card
def normalize_title(title: str) -> str:
    text = re.sub(r"[`*_:]+", " ", title or "").lower()
    text = _PARENTHESES.sub(lambda m: " " if m.group(1) else m.group(0), text)
    return re.sub(r"\s+", " ", text).strip()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-") or "section"


# ---- small formatting helpers -------------------------------------------------------------------------------
def human_size(size: int | None) -> str:
    if size is None:
        return "unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def fact_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "size":
        return f"{human_size(value)} ({value:,} bytes)"
    if name == "parameters":
        from .families import format_parameters

        return f"{format_parameters(value)} ({value:,})"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


# ---- pieces of the page -------------------------------------------------------------------------------------
def badges_of(record: dict[str, Any], family: dict[str, str] | None = None,
              words: Vocabulary = DEFAULT) -> list[dict[str, str]]:
    facets = facet_values(record, words)
    badges: list[dict[str, str]] = []
    for facet, kind in (("task", "task"), ("language", "language"), ("edition", "edition"),
                        ("license", "license"), ("engine", "engine"), ("annotator", "annotator")):
        for key, name in facets.get(facet, []):
            badges.append({"kind": kind, "label": name, "key": key, "facet": facet})
    if family:
        badges.append({"kind": "family", "label": f"{family['name']} family", "key": family["key"],
                       "facet": "family", "url": family["url"]})
    if record.get("supported") is False:
        badges.append({"kind": "deprecated", "label": "Deprecated", "key": "deprecated", "facet": "status"})
    elif record.get("supported") is True:
        badges.append({"kind": "supported", "label": "Supported", "key": "supported", "facet": "status"})
    return badges


def checks_of(record: CardRecord, checked: bool = True) -> dict[str, Any]:
    """The card's findings (from the check stage) plus parser diagnostics not already reported, worst first.

    ``checked`` says whether the check stage ran in this build: without it an empty list proves nothing.
    """
    findings = [finding.to_dict() for finding in record.findings]
    seen = {(finding.code, finding.line) for finding in record.findings}
    for diagnostic in record.card.diagnostics:
        if (diagnostic.code, diagnostic.line) not in seen:
            findings.append({**diagnostic.to_dict(), "name": "", "path": record.path})
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order.get(f.get("severity"), 3), f.get("line") or 0, f.get("code") or ""))
    severities = {f.get("severity") for f in findings}
    status = "errors" if "error" in severities else "warnings" if "warning" in severities else "pass"
    for finding in findings:  # messages quote card text in backticks: render them as inline code, sanitised
        finding["message_html"] = inline_html(str(finding.get("message") or ""))
        finding["hint_html"] = inline_html(str(finding.get("hint") or ""))
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in ("error", "warning", "info")}
    return {"status": status, "findings": findings, "counts": counts, "checked": checked}


def download_of(record: CardRecord, local_url: str | None) -> dict[str, Any] | None:
    """Download link (as the card gives it, or the copy shipped with the site), S3 URI to copy, size and digest."""
    written, s3, facts = record.card.download_url, record.card.s3_uri, record.facts
    if not written and not s3:
        return None
    href = local_url or safe_url(written, allow_relative=False)
    size = facts.size if facts is not None else None
    return {
        "written": written,
        "href": href,
        "local": bool(local_url),
        "copy_uri": s3 or written,
        "size": human_size(size) if size is not None else None,
        "size_bytes": size,
        "sha256": facts.sha256 if facts is not None else None,
        "format": facts.format if facts is not None else None,
        "facts_status": facts.status if facts is not None else None,
        "facts_error": facts.error if facts is not None else None,
        "has_facts": facts is not None,
    }


def buttons_of(card: Card) -> list[dict[str, str]]:
    """The card's demo and notebook links (the JSL button box), as safe links."""
    buttons = []
    for link in card.links:
        if link.kind in {"demo", "colab"}:
            href = safe_url(link.url, allow_relative=False)
            if href:
                label = "Live demo" if link.kind == "demo" else "Open in Colab"
                buttons.append({"label": label, "href": href, "kind": link.kind})
    return buttons


def section_text(card: Card, index: int) -> str:
    """The text under heading ``index`` up to the next heading of any level (its subsections are their own)."""
    section = card.sections[index]
    end = card.sections[index + 1].span[0] if index + 1 < len(card.sections) else len(card.text)
    return card.text[section.body_span[0]: max(section.body_span[0], end)]


def _without_snippets(text: str, first_line: int, card: Card) -> str:
    """``text`` (whose first line is line ``first_line`` of the card) without the fenced blocks the tabs show."""
    dropped: set[int] = set()
    for snippet in card.snippets:
        dropped.update(range(snippet.fence_line, snippet.end_line + 1))
    lines = text.split("\n")
    return "\n".join(line for number, line in enumerate(lines, first_line) if number not in dropped)


def usage_tabs(card: Card, line: int, end_line: int, budget: MarkdownBudget | None = None) -> list[dict[str, str]]:
    budget = budget or MarkdownBudget()
    tabs, counts = [], {}
    snippets = card.snippets  # in line order: only this section's are visited (a card may have thousands)
    for snippet in snippets[bisect.bisect_left(snippets, line, key=lambda s: s.line):]:
        if snippet.line > end_line:
            break
        key = (snippet.tab or snippet.language or "code").lower()
        label = _TAB_LABELS.get(key, key.capitalize() if key else "Code")
        counts[label] = counts.get(label, 0) + 1
        if counts[label] > 1:
            label = f"{label} ({counts[label]})"
        language = "python" if snippet.language == "nlu" else snippet.language
        tabs.append({"label": label, "html": budget.code(snippet.code.strip("\n"), language),
                     "language": snippet.language, "line": snippet.line})
    return tabs


def _versions_text(versions: Mapping[str, Any] | None) -> str:
    return ", ".join(f"{name} {version}" for name, version in (versions or {}).items() if version)


_RUN_REASONS = {
    "not_executed": "not executed",
    "failed": "the run failed",
    "stale": "the recorded run is out of date",
    "missing": "no recorded run",
}


def results_of(record: CardRecord) -> dict[str, Any]:
    """Results with their provenance: produced by a run (when, with what) or the card's own text and why."""
    runs, card_results = record.runs, record.card.results
    card_text = card_results.text if card_results is not None else None
    if runs is not None and runs.status is RunStatus.OK and (runs.results_text or runs.cells):
        text = runs.results_text or "\n".join("" if c.output is None else str(c.output) for c in runs.cells)
        provenance = run_provenance(runs)
        if isinstance(runs.duration, (int, float)):
            provenance += f", {runs.duration:.1f} s"
        return {"verified": True, "text": text, "provenance": provenance + ".",
                "card_text": card_text if card_text and card_text.strip() != text.strip() else None}
    if runs is None:
        reason = "not executed (this build ran no example code for it)"
    else:
        status = str(runs.status or RunStatus.NOT_EXECUTED)
        reason = _RUN_REASONS.get(status, status.replace("_", " "))
        if runs.reason:
            reason += f": {runs.reason}"
    if card_text:
        return {"verified": False, "text": card_text, "provenance": f"From the card, not verified: {reason}.",
                "language": card_results.language}
    return {"verified": False, "text": None, "provenance": f"The card shows no results, and none were produced: "
                                                          f"{reason}."}


def run_provenance(runs: RunRecord) -> str:
    """"Produced by a run on <date> with <versions> (runtime: <name>)" for a stored run."""
    text = f"Produced by a run on {(runs.date or 'an unknown date')[:10]}"
    versions = _versions_text(runs.versions)
    if versions:
        text += f" with {versions}"
    if runs.runtime:
        text += f" (runtime: {runs.runtime})"
    return text


def example_outcomes(runs: RunRecord | None, findings: list[Finding]) -> dict[str, Any] | None:
    """What happened to each example block of a page whose blocks run on their own (Keras API pages), or None when
    they were not run one by one: {provenance, notes (the runtime's, e.g. a stand-in preset), outcomes: one per
    block in order, {line, status: verified | failed | not run, text, reason, finding: the check finding the error
    matches}}."""
    if runs is None or runs.skipped is None or runs.status not in (RunStatus.OK, RunStatus.FAILED):
        return None
    from ..execute.compare import results_text

    flagged = [f for f in findings if f.severity in ("error", "warning")
               and not f.code.startswith("MH6")]  # the check of the code, not of this run
    outcomes = []
    for cell in runs.cells:
        error = cell.error
        if error is None:
            outcomes.append({"line": cell.line, "status": "verified", "text": results_text([cell.json]),
                             "reason": None, "finding": None})
            continue
        where = cell.error_line or cell.line
        matching = next((f for f in flagged if f.line == where), None)
        outcomes.append({"line": cell.line, "status": "failed",
                         "text": error.get("traceback") or error.get("message"),
                         "reason": f"line {where}: {error.get('type')}: {error.get('message')}",
                         "finding": {"code": matching.code, "line": matching.line, "message": matching.message,
                                     "hint": matching.hint} if matching else None})
    outcomes += [{"line": skipped["line"], "status": "not run", "text": None, "reason": skipped["reason"],
                  "finding": None} for skipped in runs.skipped]
    return {"provenance": run_provenance(runs), "notes": [note for note in runs.sandbox_notes if note],
            "outcomes": sorted(outcomes, key=lambda outcome: outcome["line"])}


def info_rows(card: Card, record: CardRecord) -> dict[str, Any]:
    """The Model Information table with the artifact's facts beside the card's values; disagreements flagged.
    Facts that carry no status (only a Keras page's presets were looked at) are shown as they are."""
    facts = record.facts
    usable = facts is not None and (facts.ok or "status" not in facts.json)
    flagged_lines = {f.line for f in record.findings if f.severity in {"error", "warning"}}
    by_key = {key: (fact_name, label) for fact_name, key, label in _FACT_ROWS}
    rows, shown_facts = [], set()
    for row in card.info.rows if card.info else []:
        fact_name, _ = by_key.get(row.normalized, (None, None))
        fact = getattr(facts, fact_name) if usable and fact_name else None
        verdict = row_agrees(fact_name, row.value, facts) if fact is not None else None
        if fact_name and fact is not None:
            shown_facts.add(fact_name)
        rows.append({
            "key": row.key.strip().rstrip(":").strip(),
            "card": inline_html(row.value),
            "artifact": fact_text(fact_name, fact) if fact is not None else "",
            "agrees": verdict,
            "flagged": row.line in flagged_lines,
            "line": row.line,
        })
    if usable:
        for fact_name, _, label in _FACT_ROWS:
            value = getattr(facts, fact_name)
            if value is None or value == () or fact_name in shown_facts:
                continue
            rows.append({"key": label, "card": "", "artifact": fact_text(fact_name, value), "agrees": None,
                         "flagged": False, "line": None, "artifact_only": True})
    if facts is None:
        note = "No artifact facts: the artifact stage did not inspect this model's download in this build."
    elif not usable:
        note = f"Artifact not inspected: {facts.error or facts.status}."
    else:
        note = None
    return {"rows": rows, "note": note, "has_facts": usable,
            "disagreements": sum(1 for r in rows if r["agrees"] is False)}


def _svg_image(svg: str, alt: str) -> dict[str, str]:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return {"src": f"data:image/svg+xml;base64,{data}", "alt": alt}


def benchmark_of(card: Card, record: CardRecord, budget: MarkdownBudget | None = None) -> dict[str, Any]:
    """The card's claimed numbers and, when the bench stage measured the model, the measured ones with a chart."""
    budget = budget or MarkdownBudget()
    claimed = card.benchmark
    bench = record.bench
    view: dict[str, Any] = {"claimed": None, "measured_html": "", "chart": None, "status": None, "stale": None}
    if claimed is not None:
        view["claimed"] = {"kind": claimed.kind, "metrics": claimed.metrics, "per_label": claimed.per_label,
                           "rows": claimed.rows, "raw": claimed.raw, "line": claimed.line,
                           # prose under an "Evaluation results" heading reads as prose, not as a code block
                           "prose_html": budget.html(claimed.raw) if claimed.kind == "text"
                           and claimed.language is None else ""}
    if bench is None:
        view["status"] = "No measurement: the benchmark stage did not run for this model in this build."
        return view
    if bench.status is not BenchStatus.MEASURED:
        view["status"] = f"Not measured: {bench.reason or bench.status or 'no stored measurement'}."
        return view
    if bench.stale:  # the figures describe an earlier card, model or evaluation set, not this one
        view["stale"] = (f"Out of date: {bench.stale}. The figures below may not describe this version; run "
                         "`modelhub bench --mode auto` to measure again.")
    try:
        from ..bench.tables import bench_markdown

        view["measured_html"] = markdown_html(bench_markdown(bench.to_json()), translate_markup=False)
    except ImportError:  # the bench package is optional at render time
        view["measured_html"] = ""
    svg = bench.chart_svg
    latency = bench.speed.get("latency")
    if not svg and latency:
        try:
            from ..bench.chart import latency_chart

            svg = latency_chart(latency, chart_id=str(card.name or "bench"))
        except (ImportError, KeyError, TypeError, ValueError):
            svg = None
    if svg:
        view["chart"] = _svg_image(svg, "Latency by batch size")
    return view


@dataclass(frozen=True)
class PlannedSection:
    """Where a page section comes from, decided without rendering anything (the shell key needs only this)."""

    id: str
    title: str
    kind: str
    index: int | None  # the card section it renders, or None for a section the page adds


def plan_sections(card: Card, record: CardRecord) -> list[PlannedSection]:
    """The page's sections in order: the card's own (by kind), then Results / Model Information / Benchmarking
    when the card lacks them but a stage (or the card elsewhere) has something to show."""
    if len(card.source) > MAX_CARD_BYTES:
        return [PlannedSection("card-too-large", "Card too large", "too-large", None)]
    planned: list[PlannedSection] = []
    used_ids: set[str] = {"downloads", "checks"}
    kinds_seen: set[str] = set()

    next_suffix: dict[str, int] = {}  # per base: the suffixes below this are taken (a thousand "## Notes" stay linear)

    def add(title: str, kind: str, index: int | None) -> None:
        base = slugify(title)
        n = next_suffix.get(base, 2)
        ident = base if n == 2 else f"{base}-{n}"
        while ident in used_ids:
            ident, n = f"{base}-{n}", n + 1
        next_suffix[base] = n
        used_ids.add(ident)
        kinds_seen.add(kind)
        planned.append(PlannedSection(ident, title, kind, index))

    skip_first_heading = card.dialect in {"huggingface", "native"} and card.sections and card.sections[0].level == 1
    has_description = any(normalize_title(s.title) in DESCRIPTION_TITLES for s in card.sections)
    for index, section in enumerate(card.sections):
        if index == 0 and skip_first_heading:
            if not has_description and section_text(card, 0).strip():
                add("Description", "description", 0)  # the lead paragraph under the H1 is the description
            continue
        title = re.sub(r"\s+", " ", section.title.replace("`", "")).strip().rstrip(":") or "Section"
        norm = normalize_title(section.title)
        if norm in DESCRIPTION_TITLES and "description" not in kinds_seen:
            add(title, "description", index)
        elif norm in _ENTITIES and card.labels and "entities" not in kinds_seen:
            add(title, "entities", index)
        elif (norm.startswith("how to use") or norm.startswith("usage")) and "usage" not in kinds_seen:
            add("How to use", "usage", index)
        elif norm in _RESULTS and "results" not in kinds_seen:
            add(title, "results", index)
        elif norm in _INFO and "info" not in kinds_seen and card.info is not None:
            add("Model Information", "info", index)
        elif norm in _BENCHMARK and "benchmark" not in kinds_seen:
            add(title, "benchmark", index)
        elif section_text(card, index).strip():
            add(title, "text", index)
    run_status = record.runs.status if record.runs is not None else None
    if "results" not in kinds_seen and (run_status in _SHOWN_RUNS or card.results is not None):
        add("Results", "results", None)
    if "info" not in kinds_seen and (card.info is not None or record.facts is not None):
        add("Model Information", "info", None)
    if "benchmark" not in kinds_seen and (record.bench is not None or card.benchmark is not None):
        add("Benchmarking", "benchmark", None)
    return planned


def rewrite_links(html_text: str, links: dict[str, str] | None) -> str:
    """Point links the card writes relative to itself (e.g. its shipped artifact) at their copies in the site."""
    for written, served in (links or {}).items():
        html_text = html_text.replace(f'href="{html.escape(written)}"', f'href="{html.escape(served)}"')
    return html_text


_SHOWN_RUNS = {RunStatus.OK, RunStatus.FAILED, RunStatus.NOT_EXECUTED}  # a Results section says what happened even when the card has none


def render_section(planned: PlannedSection, card: Card, record: CardRecord,
                   links: dict[str, str] | None = None, budget: MarkdownBudget | None = None) -> PageSection:
    """One section of the page; ``budget`` is the page's Markdown left to render (one per page, in page order)."""
    kind, index = planned.kind, planned.index
    budget = budget or MarkdownBudget()
    section = PageSection(planned.id, planned.title, kind)
    text = section_text(card, index) if index is not None else ""
    if kind in {"description", "text"}:
        section.html = rewrite_links(budget.html(text), links)
    elif kind == "entities":
        section.data = {"labels": card.labels}
    elif kind == "usage":
        heading = card.sections[index]
        end_line = card.sections[index + 1].line - 1 if index + 1 < len(card.sections) else 10 ** 9
        tabs = usage_tabs(card, heading.line, end_line, budget)
        prose = _without_snippets(text, card.line_of(heading.body_span[0]), card) if tabs else text
        section.html = rewrite_links(budget.html(prose), links)
        section.data = {"tabs": tabs}
    elif kind == "results":
        section.data = results_of(record)
    elif kind == "info":
        section.data = info_rows(card, record)
    elif kind == "benchmark":
        section.data = benchmark_of(card, record, budget)
    elif kind == "too-large":
        section.html = too_large_html(card)
    return section


def too_large_html(card: Card) -> str:
    """What the page of a card over ``MAX_CARD_BYTES`` shows instead of its body (MH004 says it in the checks too):
    a 50 MB card made an 88 MB page."""
    return (f'<p class="mh-note mh-note--too-large">This card is {len(card.source) / 1e6:,.1f} MB, more than the '
            f"{MAX_CARD_BYTES // 2**20} MiB a card may be (MH004), so its text is not shown here. Move large "
            "outputs or data out of the card and link to them.</p>")


def page_sections(card: Card, record: CardRecord, links: dict[str, str] | None = None) -> list[PageSection]:
    budget = MarkdownBudget()
    return [render_section(planned, card, record, links, budget) for planned in plan_sections(card, record)]


def summary_of(card: Card) -> str:
    """The first sentences of the description, as plain text, for the catalog and the page's meta description."""
    for index, section in enumerate(card.sections):
        if normalize_title(section.title) in DESCRIPTION_TITLES:
            text = plain_text(section_text(card, index))
            if text:
                return text[:300]
    for index, _ in enumerate(card.sections):
        text = plain_text(section_text(card, index))
        if len(text) > 40:
            return text[:300]
    return ""


def display_name(record: dict[str, Any]) -> str:
    from .families import class_name_of

    return record.get("name") or class_name_of(record) or _stem(record.get("path") or "card")


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def _shipped_links(card: Card, local_download: str | None) -> dict[str, str]:
    written = card.download_url
    return {written: local_download} if written and local_download else {}


def build_model_page(record: CardRecord, data: dict[str, Any], *, slug: str, local_download: str | None = None,
                     edit_url: str | None = None, family: dict[str, str] | None = None,
                     checked: bool = True, words: Vocabulary = DEFAULT) -> ModelPage:
    """The whole view of one model page: the stages' typed records (``record``) and, for the facets, badges and
    header, the card's JSON (``data``, ``record.to_dict()``); ``words`` names its badges (the catalog's vocabulary)."""
    card = record.card
    name = display_name(data)
    return ModelPage(
        slug=slug,
        title=card.title or name,
        name=name,
        record=data,
        badges=badges_of(data, family, words),
        checks=checks_of(record, checked),
        download=download_of(record, local_download),
        buttons=buttons_of(card),
        sections=page_sections(card, record, _shipped_links(card, local_download)),
        summary=summary_of(card),
        edit_url=edit_url,
        family=family,
    )
