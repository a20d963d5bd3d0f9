"""Body scanner: one pass over the lines after the front matter.

It finds headings, fenced code blocks, links, tables and the markup that is not content (Liquid tags, kramdown
attribute lists, raw HTML, Hugo shortcodes). Everything is recorded with its line and character span so that
edits can later replace exactly those characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Link, Section

# Every pattern here runs in time linear in the line, whatever the line holds: possessive quantifiers (``*+``)
# never give back what they took, and no two starts scan the same stretch of text twice (a link's label and
# destination nest one level, so a start inside another's text ends where that nesting does).
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]++(.*)$")  # the closing hashes are cut by heading_title
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}+|~{3,}+)[ \t]*+([^`\s{]*+)[^`]*+$")
_IAL = re.compile(r"^[ \t]*+\{:[^}]*+\}[ \t]*+\r?$")
_IAL_CLASSES = re.compile(r"\.([\w\-]+)")
_HTML = re.compile(r"^[ \t]*+</?[A-Za-z!][^>]*+>")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]++|\[[^\[\]]*+\])*+)\]"  # label: text and [one level of brackets]
    r"\(\s*+<?+((?:[^()\s<>]++|\([^()\s<>]*+\))*+)>?+"  # destination: one level of balanced parentheses
    r"(?:\s++\"[^\"]*+\")?+\s*+\)"  # "title"
    r"(\{:[^{}]*+\})?"  # kramdown attributes
)
_AUTOLINK = re.compile(r"<((?:https?|s3|ftp|file)://[^<>\s]++)>")
_TABLE_LINE = re.compile(r"^[ \t]*\|")


@dataclass
class Table:
    """A run of consecutive lines that start with a pipe, with the kramdown classes set just before it."""

    line: int
    end_line: int
    lines: list[tuple[int, str]]  # (line number, text)
    section: str | None
    attributes: tuple[str, ...] = ()


@dataclass
class Fence:
    language: str
    fence_line: int
    code_start: int  # offset of the first code character
    code_end: int
    end_line: int
    section: str | None
    attributes: tuple[str, ...]
    closed: bool


@dataclass
class Scan:
    sections: list[Section] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    markup: dict[str, int] = field(default_factory=dict)
    heading_offsets: list[tuple[int, int, int]] = field(default_factory=list)  # (offset, line, level)


def scan_body(text: str, start: int, first_line: int) -> Scan:
    """Scan ``text`` from offset ``start`` (line ``first_line``) to the end."""
    scan = Scan()
    markup = {"liquid": 0, "ial": 0, "html": 0, "shortcode": 0}
    pending_attrs: tuple[str, ...] = ()
    section: str | None = None
    fence: dict | None = None
    table: Table | None = None
    line_no = first_line - 1
    offset = start
    length = len(text)
    open_sections: list[tuple[str, int, int, int, int]] = []  # title, level, line, offset, body_offset

    while offset < length:
        end = text.find("\n", offset)
        next_offset = length if end < 0 else end + 1
        raw = text[offset:(length if end < 0 else end)]
        line_no += 1

        if fence is not None:
            stripped = raw.strip()
            if stripped.startswith(fence["char"] * fence["len"]) and stripped.strip(fence["char"]) == "":
                scan.fences.append(Fence(fence["language"], fence["line"], fence["code_start"], offset, line_no,
                                         fence["section"], fence["attrs"], True))
                fence = None
            offset = next_offset
            continue

        if table is not None and not _TABLE_LINE.match(raw):
            scan.tables.append(table)
            table = None

        opening = _FENCE_OPEN.match(raw) if ("```" in raw or "~~~" in raw) else None
        if opening:
            marker = opening.group(2)
            fence = {
                "char": marker[0], "len": len(marker), "language": (opening.group(3) or "").strip().lower(),
                "line": line_no, "code_start": next_offset, "section": section, "attrs": pending_attrs,
            }
            pending_attrs = ()
            offset = next_offset
            continue

        heading = _HEADING.match(raw)
        if heading:
            level = len(heading.group(1))
            title = heading_title(heading.group(2))
            _close_sections(scan, open_sections, level, offset, line_no - 1, text)
            open_sections.append((title, level, line_no, offset, next_offset))
            scan.heading_offsets.append((offset, line_no, level))
            section = title
            pending_attrs = ()
            offset = next_offset
            continue

        if "{" in raw:
            if _IAL.match(raw):
                markup["ial"] += 1
                pending_attrs = tuple(_IAL_CLASSES.findall(raw))
                offset = next_offset
                continue
            if "{%" in raw or "{{" in raw:
                if _encloses(raw, "{{<", ">}}"):
                    markup["shortcode"] += 1
                if _encloses(raw, "{%", "%}") or _encloses(raw, "{{", "}}", not_after="<"):
                    markup["liquid"] += 1
        if "<" in raw and _HTML.match(raw):
            markup["html"] += 1

        if _TABLE_LINE.match(raw):
            if table is None:
                table = Table(line_no, line_no, [], section, pending_attrs)
                pending_attrs = ()
            table.lines.append((line_no, raw))
            table.end_line = line_no
        elif raw.strip():
            pending_attrs = ()

        if "](" in raw or "<" in raw:
            _collect_links(scan, raw, offset, line_no, section)
        offset = next_offset

    if fence is not None:  # unterminated fence: the code runs to the end of the file
        scan.fences.append(Fence(fence["language"], fence["line"], fence["code_start"], length, line_no,
                                 fence["section"], fence["attrs"], False))
    if table is not None:
        scan.tables.append(table)
    _close_sections(scan, open_sections, 0, length, line_no, text)
    scan.sections.sort(key=lambda s: s.line)
    scan.markup = {k: v for k, v in markup.items() if v}
    return scan


def heading_title(text: str) -> str:
    """A heading's text without its optional closing hashes: ``## Title ##`` is ``Title``."""
    if text.endswith("\r"):
        text = text[:-1]
    return text.rstrip(" \t").rstrip("#").strip()


def _encloses(line: str, opening: str, closing: str, not_after: str = "") -> bool:
    """Whether ``opening`` ... ``closing`` occurs in ``line`` (a Liquid tag, a Hugo shortcode), in one pass: the
    first ``opening`` not followed by ``not_after`` has a ``closing`` after it if any such one does."""
    start = line.find(opening)
    while start >= 0 and not_after and line.startswith(not_after, start + len(opening)):
        start = line.find(opening, start + 1)
    return start >= 0 and line.find(closing, start + len(opening)) >= 0


def _close_sections(scan: Scan, open_sections: list, level: int, offset: int, last_line: int, text: str) -> None:
    while open_sections and open_sections[-1][1] >= level:
        title, lvl, line, start, body_start = open_sections.pop()
        scan.sections.append(Section(title, lvl, line, max(line, last_line), (start, offset),
                                     (min(body_start, offset), offset)))


def _collect_links(scan: Scan, raw: str, offset: int, line_no: int, section: str | None) -> None:
    for match in _LINK.finditer(raw):
        bang, label, url, attrs = match.groups()
        if not url and not label:
            continue
        start = offset + match.start(3)
        scan.links.append(Link(label.strip(), url, line_no, classify_link(label, url, bool(bang), attrs or "", section),
                               attrs or "", (start, start + len(url))))
    for match in _AUTOLINK.finditer(raw):
        url = match.group(1)
        start = offset + match.start(1)
        scan.links.append(Link(url, url, line_no, classify_link("", url, False, "", section), "",
                               (start, start + len(url))))


def classify_link(label: str, url: str, image: bool, attrs: str, section: str | None) -> str:
    """Name the role a link plays on a model page: the Download button, the Copy-S3-URI button, and so on."""
    lowered = label.strip().lower()
    if image:
        return "image"
    if "button-copy-s3" in attrs or lowered.startswith("copy s3") or url.startswith("s3://"):
        return "s3"
    if lowered == "download" or "download" in lowered.split() or (
        section and "download" in section.lower() and url.endswith(".zip")
    ):
        return "download"
    if "demo" in lowered:
        return "demo"
    if "colab" in lowered or "colab.research.google.com" in url:
        return "colab"
    return "other"
