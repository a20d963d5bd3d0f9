"""Plain data objects for a parsed model card.

Every later stage (checks, artifacts, execution, rendering) reads these records and never the parser's internals.
Line numbers are 1-based and count lines of the whole file; spans are character offsets into ``Card.text``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True)
class Diagnostic:
    """A defect found while reading a card: stable code, where, what, and how to fix it."""

    code: str
    severity: str  # "error" | "warning" | "info"
    line: int
    message: str
    hint: str = ""
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"code": self.code, "severity": self.severity, "line": self.line, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        if self.column is not None:
            data["column"] = self.column
        return data


@dataclass
class Section:
    """A heading and the lines it governs, up to the next heading of the same or a higher level."""

    title: str
    level: int
    line: int
    end_line: int
    span: Span  # from the heading's first character to the end of the section's last line
    body_span: Span  # the text after the heading line

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "level": self.level, "line": self.line, "end_line": self.end_line}


@dataclass
class Snippet:
    """One fenced code block: its language, the tab it belongs to, and where its code starts."""

    language: str
    code: str
    line: int  # first line of code (the line after the opening fence)
    fence_line: int
    end_line: int  # line of the closing fence (or last line when unterminated)
    span: Span  # the code between the fences
    tab: str | None = None  # "python" | "scala" | "nlu" | None
    section: str | None = None
    attributes: tuple[str, ...] = ()  # kramdown IAL classes set just before the fence, e.g. ("nlu-block",)

    @property
    def first_line(self) -> str:
        for text in self.code.splitlines():
            if text.strip():
                return text.strip()
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "tab": self.tab,
            "line": self.line,
            "end_line": self.end_line,
            "section": self.section,
            "first_line": self.first_line,
            "code": self.code,
        }


@dataclass
class Link:
    """A Markdown or autolink, classified so the Download and Copy-S3-URI buttons are easy to find."""

    text: str
    url: str
    line: int
    kind: str  # "download" | "s3" | "demo" | "colab" | "image" | "other"
    attributes: str = ""
    span: Span = (0, 0)  # the URL's characters, for editing in place

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "url": self.url, "line": self.line, "kind": self.kind}


@dataclass
class TableRow:
    key: str  # as written, e.g. "Max sentense length:"
    normalized: str  # e.g. "max_sentence_length"
    value: str
    line: int


@dataclass
class InfoTable:
    """The Model Information / Model Parameters table, in either dialect, with normalised keys."""

    rows: list[TableRow]
    line: int
    end_line: int
    section: str | None = None

    @property
    def values(self) -> dict[str, str]:
        return {row.normalized: row.value for row in self.rows}

    def row(self, normalized: str) -> TableRow | None:
        for row in self.rows:
            if row.normalized == normalized:
                return row
        return None


@dataclass
class ResultsBlock:
    """The card's Results block: the example output as the card states it."""

    text: str
    line: int  # first line of the block's content
    span: Span  # the content to replace when writing real results
    language: str | None = None  # fence language, or None for a prose/table Results section
    section_line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "line": self.line, "language": self.language}


@dataclass
class Benchmark:
    """A Benchmarking block parsed into structured data.

    kind is "trainer_json" (Hugging Face Trainer metrics), "classification_report" (sklearn layout),
    "table" (Markdown table), or "text" (kept raw, nothing structured found).
    """

    kind: str
    line: int
    raw: str
    metrics: dict[str, float] = field(default_factory=dict)  # flat: eval_accuracy, accuracy, macro_avg_f1 ...
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)  # label -> precision/recall/f1/support
    label_lines: dict[str, int] = field(default_factory=dict)  # label -> the line of its row in the card
    rows: list[dict[str, str]] = field(default_factory=list)  # Markdown tables, as written
    span: Span | None = None  # the block's text in Card.text (fence content, or the section body), for editing
    language: str | None = None  # fence language, or None when the block is the section's prose/table

    @property
    def labels(self) -> list[str]:
        return list(self.per_label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "line": self.line,
            "metrics": self.metrics,
            "per_label": self.per_label,
            "rows": self.rows,
        }


@dataclass
class Preset:
    """One row of a Keras-Hub-style presets table."""

    name: str
    parameters: str
    description: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "parameters": self.parameters, "description": self.description, "line": self.line}


@dataclass
class Card:
    """A parsed card: the exact source, its front matter, and the body blocks found in it."""

    path: str
    source: bytes
    text: str  # source as UTF-8, each undecodable byte read as U+FFFD (one character each: see editable_text)
    dialect: str  # "jsl" | "huggingface" | "keras" | "native" | "unknown"
    front_matter: dict[str, Any]
    front_matter_span: Span | None  # the YAML between the fences
    front_matter_lines: tuple[int, int] | None  # first and last YAML line
    body_line: int  # first line of the body
    sections: list[Section] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    text_blocks: list[Snippet] = field(default_factory=list)  # fenced prose (a prompt in the Description): not code
    fenced_lines: list[tuple[int, int]] = field(default_factory=list)  # (opening, closing) line of every fence
    links: list[Link] = field(default_factory=list)
    info: InfoTable | None = None
    labels: list[str] = field(default_factory=list)
    labels_line: int | None = None  # the first line that lists a label
    label_lines: dict[str, int] = field(default_factory=dict)  # label -> the line that lists it
    results: ResultsBlock | None = None
    benchmark: Benchmark | None = None
    presets: list[Preset] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line
    markup: dict[str, int] = field(default_factory=dict)  # counts of liquid / ial / html / shortcode lines
    diagnostics: list[Diagnostic] = field(default_factory=list)

    # ---- typed access to the known front-matter keys ------------------------------------------------------
    def editable_text(self) -> str:
        """``text`` with undecodable bytes kept as they are (surrogateescape): the same offsets, and encoding it
        back with surrogateescape gives ``source`` byte for byte, so an edit changes only what it must."""
        return self.source.decode("utf-8", "surrogateescape")

    def _str(self, key: str) -> str | None:
        value = self.front_matter.get(key)
        if value is None:
            return None
        if isinstance(value, list):  # a list where one value is expected: the first is the value (see *_versions)
            value = next((v for v in value if v is not None and str(v).strip()), "")
        text = str(value).strip()
        return text or None

    @property
    def name(self) -> str | None:
        found = self._str("name") or self._str("model_name") or self._str("id") or self._info("name")
        if found or self.dialect != "huggingface":
            return found
        return model_index_name(self.front_matter) or self._folder_name()

    @property
    def title(self) -> str | None:
        return self._str("title") or self._first_heading()

    def _folder_name(self) -> str | None:
        """A Hub README is named README.md; the model is the folder it is in (the repository's name)."""
        path = Path(self.path)
        if path.stem.lower() in {"readme", "index", "model_card", "modelcard"}:
            return path.parent.name or None
        return path.stem or None

    @property
    def author(self) -> str | None:
        return self._str("author")

    @property
    def date(self) -> _dt.date | None:
        return parse_date(self.front_matter.get("date"))

    @property
    def tags(self) -> list[str]:
        return _as_list(self.front_matter.get("tags"))

    @property
    def task(self) -> list[str]:
        tasks = _as_list(self.front_matter.get("task"))
        if not tasks and self.dialect == "huggingface":
            tasks = _as_list(self.front_matter.get("pipeline_tag"))
        return tasks

    @property
    def language(self) -> str | None:
        value = self.front_matter.get("language")
        if isinstance(value, list):
            value = value[0] if value else None
        text = str(value).strip() if value is not None else ""
        return text or self._info("language", strip_brackets=True)

    @property
    def edition(self) -> str | None:
        return self._str("edition")

    @property
    def spark_version(self) -> str | None:
        return self._str("spark_version")

    @property
    def spark_versions(self) -> list[str]:
        """Every Spark version the card names (``spark_version: [3.2, 3.0]`` gives two)."""
        return _as_list(self.front_matter.get("spark_version"))

    @property
    def supported(self) -> bool | None:
        return _flag(self.front_matter.get("supported"))

    @property
    def deprecated(self) -> bool:
        return bool(_flag(self.front_matter.get("deprecated"))) or self.supported is False

    @property
    def engine(self) -> str | None:
        return self._str("engine")

    @property
    def annotator(self) -> str | None:
        """The annotator class; older cards call the key ``class`` or put it in the table as Model Class."""
        return self._str("annotator") or self._str("class") or self._info("model_class")

    @property
    def license(self) -> str | None:
        written = self._str("license")
        if written == "other" and self._str("license_name"):  # the Hub's spelling of a license it has no id for
            return self._str("license_name")
        return written or self._info("license")

    @property
    def runtime(self) -> str | None:
        return self._str("runtime")

    @property
    def download_url(self) -> str | None:
        artifact = self.front_matter.get("artifact")
        if isinstance(artifact, dict) and artifact.get("url"):
            return str(artifact["url"])
        for link in self.links:
            if link.kind == "download":
                return link.url
        return None

    @property
    def s3_uri(self) -> str | None:
        for link in self.links:
            if link.kind == "s3":
                return link.url
        return None

    def section(self, *titles: str) -> Section | None:
        wanted = {t.lower() for t in titles}
        for section in self.sections:
            if section.title.lower().rstrip(":").strip() in wanted:
                return section
        return None

    def _info(self, key: str, strip_brackets: bool = False) -> str | None:
        if self.info is None:
            return None
        value = self.info.values.get(key)
        if value and strip_brackets:
            value = value.strip("[] ")
        return value or None

    def _first_heading(self) -> str | None:
        """The H1 (the first heading at any level when there is none), without Markdown emphasis marks."""
        if not self.sections:
            return None
        heading = next((s for s in self.sections if s.level == 1), self.sections[0])
        return re.sub(r"(\*\*|__|`)", "", heading.title).strip() or None

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def to_record(self) -> dict[str, Any]:
        """The JSON shape printed by ``modelhub parse --format json``."""
        date = self.date
        return {
            "path": self.path,
            "dialect": self.dialect,
            "name": self.name,
            "title": self.title,
            "author": self.author,
            "date": date.isoformat() if date else None,
            "language": self.language,
            "task": self.task,
            "edition": self.edition,
            "spark_version": self.spark_version,
            "spark_versions": self.spark_versions,
            "annotator": self.annotator,
            "engine": self.engine,
            "license": self.license,
            "supported": self.supported,
            "tags": self.tags,
            "download_url": self.download_url,
            "s3_uri": self.s3_uri,
            "labels": self.labels,
            "info": self.info.values if self.info else {},
            "snippets": [s.to_dict() for s in self.snippets],
            "sections": [s.to_dict() for s in self.sections],
            "links": [link.to_dict() for link in self.links],
            "results": self.results.to_dict() if self.results else None,
            "benchmark": self.benchmark.to_dict() if self.benchmark else None,
            "presets": [p.to_dict() for p in self.presets],
            "front_matter": _jsonable(self.front_matter),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    @property
    def stem(self) -> str:
        return Path(self.path).stem


def _flag(value: Any) -> bool | None:
    """A yes/no key: a boolean, or the words YAML 1.1 read as one (front matter is YAML 1.2: they stay text)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if text in {"true", "yes", "on", "1"}:
        return True
    if text in {"false", "no", "off", "0"}:
        return False
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("[") and text.endswith("]"):
        return [part.strip() for part in text[1:-1].split(",") if part.strip()]
    return [text]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%m/%d/%Y", "%d-%m-%Y", "%Y.%m.%d", "%d.%m.%Y")


def parse_date(value: Any) -> _dt.date | None:
    """Read a card date whatever its spelling (ISO, DD/MM/YYYY, a YAML date); None when it is no date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    text = text.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def model_index_name(front_matter: dict[str, Any]) -> str | None:
    """The model's name as the README's metadata gives it: ``model_name``, else the first model-index entry's."""
    name = front_matter.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    index = front_matter.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        value = index[0].get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
