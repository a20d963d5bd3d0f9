"""Body-structure rules (MH2xx): sections, the Model Information table's keys, code blocks, text encoding, links."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..card import Card
from ..card.tables import INFO_KEYS
from ..card.code import is_placeholder
from .registry import Finding, rule
from .util import did_you_mean, split_url

FAMILY = "body structure"

# How each normalised Model Information key is spelt when written well.
CANONICAL_INFO_KEYS = {
    "name": "Model Name", "model_class": "Model Class", "type": "Type", "compatibility": "Compatibility",
    "spark_compatibility": "Spark Compatibility", "license": "License", "edition": "Edition",
    "input_labels": "Input Labels", "output_labels": "Output Labels", "language": "Language", "size": "Size",
    "case_sensitive": "Case sensitive", "max_sentence_length": "Max sentence length", "dimension": "Dimension",
    "dependencies": "Dependencies", "parameters": "Parameters", "sha256": "SHA256", "source": "Source",
    "framework": "Framework", "engine": "Engine", "architecture": "Architecture",
}
# Spellings the parser accepts (so the table still reads) that are misspellings all the same.
_MISSPELT_WORDS = {"sentense": "sentence", "lenght": "length", "dimention": "dimension",
                   "compatability": "compatibility", "compatibilty": "compatibility", "sensitve": "sensitive",
                   "labes": "labels", "licence": "license"}


@rule("MH201", "missing-section", FAMILY, "warning", "a model page lacks a section readers rely on, or it is empty",
      "add the section with its content (Description, How to use with code, Model Information)")
def missing_section(card: Card, context) -> Iterator[Finding]:
    if card.dialect != "jsl" or card.front_matter.get("layout") != "model":
        return  # blog posts and other Jekyll pages are not model pages
    description = card.section("description", "overview")
    if description is None:
        yield missing_section.rule.finding(card.path, card.body_line, "model page has no Description section")
    else:
        body = card.text[description.body_span[0]:description.body_span[1]]
        if not _prose(body):
            yield missing_section.rule.finding(card.path, description.line, "the Description section is empty")
    if not any(s.tab in ("python", "scala", "nlu") for s in card.snippets):
        yield missing_section.rule.finding(card.path, card.body_line, "model page has no code example")
    if card.info is None:
        yield missing_section.rule.finding(card.path, card.body_line, "model page has no Model Information table")


def _prose(text: str) -> str:
    """Text without markup-only lines (kramdown attribute lists, Liquid tags, HTML)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not re.match(r"^\s*(\{[:%]|</?[a-zA-Z])", ln)]
    return "\n".join(lines).strip()


def _key_text(key: str) -> str:
    return " ".join(key.strip().strip("*").strip().rstrip(":").split()).lower()


def _respell(key: str) -> str:
    words = [_MISSPELT_WORDS.get(w, w) for w in _key_text(key).split()]
    return " ".join(words)


@rule("MH202", "info-table-key", FAMILY, "warning", "a Model Information key is misspelt or unknown",
      "use the usual spelling of the key so readers and tools find it")
def info_table_key(card: Card, context) -> Iterator[Finding]:
    if card.info is None:
        return
    known = set(INFO_KEYS)
    canonical = {c.lower(): c for c in CANONICAL_INFO_KEYS.values()}
    for row in card.info.rows:
        text = _key_text(row.key)
        written = row.key.strip().strip("*").strip().rstrip(":").strip()
        if text in known and not any(word in _MISSPELT_WORDS for word in text.split()):
            continue
        respelt = _respell(row.key)
        if respelt != text:
            target = canonical.get(respelt) or CANONICAL_INFO_KEYS.get(INFO_KEYS.get(respelt, ""), respelt.capitalize())
            yield info_table_key.rule.finding(card.path, row.line, f"table key `{written}` is misspelt; write "
                                              f"`{target}`", f"rename the row to `{target}`", fix=(written, target))
            continue
        if text in known:
            continue
        suggestion = did_you_mean(text, list(canonical) + list(known), 0.75) if len(text) >= 4 else None
        if suggestion:
            target = canonical.get(suggestion) or CANONICAL_INFO_KEYS.get(INFO_KEYS.get(suggestion, ""), suggestion)
            yield info_table_key.rule.finding(card.path, row.line, f"table key `{written}` is not a known key; "
                                              f"did you mean `{target}`?", f"rename the row to `{target}`")


@rule("MH203", "empty-code-block", FAMILY, "warning", "a code example is empty",
      "write the example code, or remove the empty block")
def empty_code_block(card: Card, context) -> Iterator[Finding]:
    empty = [s for s in card.snippets if s.tab in ("python", "scala", "java", "nlu")
             and (not s.code.strip() or is_placeholder(s.code))]
    if empty:
        tabs = " and ".join(dict.fromkeys(s.tab.capitalize() for s in empty))
        lines = ", ".join(str(s.fence_line) for s in empty)
        plural = "s are" if len(empty) > 1 else " is"
        yield empty_code_block.rule.finding(card.path, empty[0].fence_line,
                                            f"the {tabs} code block{plural} empty or a placeholder (line {lines})")


# UTF-8 text decoded as Windows-1252 turns each non-ASCII character into two to four of these.
_CP1252_ONLY = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_ONLY + "]{1,3}")


def _undo_mojibake(chunk: str) -> str | None:
    try:
        fixed = chunk.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if fixed != chunk else None


@rule("MH204", "mojibake", FAMILY, "warning", "text was decoded with the wrong encoding (mojibake)",
      "replace the garbled characters with what they were meant to be (re-save the source as UTF-8)")
def mojibake(card: Card, context) -> Iterator[Finding]:
    if card.text.isascii():
        return
    for number, line in enumerate(card.text.splitlines(), 1):
        if line.isascii():
            continue
        for match in _MOJIBAKE.finditer(line):
            # extend over trailing characters that belong to the same broken sequence (4-byte emoji)
            end = match.end()
            while end < len(line) and _undo_mojibake(line[match.start():end]) is None and end - match.start() < 4:
                end += 1
            chunk = line[match.start():end]
            fixed = _undo_mojibake(chunk)
            if fixed is None:
                continue
            yield mojibake.rule.finding(card.path, number, f"`{chunk}` is mojibake for `{fixed}`",
                                        f"replace `{chunk}` with `{fixed}`", column=match.start() + 1)
            break  # one finding per line is enough


UNSAFE_SCHEMES = {"javascript", "vbscript", "data", "file"}
_PLACEHOLDERS = {"#", "fillup", "todo", "tbd", "url", "link", "xxx", "..."}


_TAG = re.compile(r"<[A-Za-z][^<>]{0,4000}>")
_SCRIPT_TAG = re.compile(r"^<\s*(script|iframe|object|embed)\b", re.IGNORECASE)
_HANDLER = re.compile(r"[\s\"'/](on[a-z]{2,30})\s*=", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"\b(?:href|src|action|formaction|xlink:href)\s*=\s*[\"']?\s*([a-z][a-z0-9+.\-]*)\s*:",
                            re.IGNORECASE)


@rule("MH205", "unsafe-link-scheme", FAMILY, "error",
      "a link or the card's raw HTML runs code (javascript:, <script>, on*= handlers) or reads local files",
      "link to an https:// address; remove scripts and event handlers (the page strips them, so they do nothing)")
def unsafe_link(card: Card, context) -> Iterator[Finding]:
    for link in card.links:
        scheme = link.url.split(":", 1)[0].strip().lower() if ":" in link.url else ""
        if scheme in UNSAFE_SCHEMES:
            yield unsafe_link.rule.finding(card.path, link.line, f"link `{link.text or link.url}` uses the unsafe "
                                           f"scheme `{scheme}:`")
    yield from _unsafe_html(card)


def _unsafe_html(card: Card) -> Iterator[Finding]:
    """Raw HTML outside code blocks: script-like tags, event handlers, javascript:/data: URLs in attributes."""
    code_lines = {n for start, end in card.fenced_lines for n in range(start, end + 1)}
    for number, text in enumerate(card.text.splitlines(), 1):
        if number < card.body_line or number in code_lines or "<" not in text:
            continue
        for match in _TAG.finditer(text):
            tag = match.group(0)
            problem = None
            if (found := _SCRIPT_TAG.match(tag)) is not None:
                problem = f"raw `<{found.group(1).lower()}>` tag"
            elif (found := _HANDLER.search(tag)) is not None:
                problem = f"event handler `{found.group(1).lower()}=`"
            elif (found := _URL_ATTRIBUTE.search(tag)) is not None and found.group(1).lower() in UNSAFE_SCHEMES:
                problem = f"`{found.group(1).lower()}:` URL in an HTML attribute"
            if problem:
                yield unsafe_link.rule.finding(card.path, number, f"{problem} in the card's HTML runs code in the "
                                               "reader's browser; the page removes it", column=match.start() + 1)
                break


@rule("MH206", "broken-link-target", FAMILY, "warning", "a link's target is empty, a placeholder or malformed",
      "put the real https:// address in the link")
def broken_link(card: Card, context) -> Iterator[Finding]:
    for link in card.links:
        url = link.url.strip()
        label = link.text or link.kind
        severity = "error" if link.kind in ("download", "s3") else None
        problem = None
        parts = split_url(url)
        if not url:
            problem = "has no target"
        elif url.lower() in _PLACEHOLDERS:
            problem = f"points to the placeholder `{url}`"
        elif "\\" in url:
            problem = f"uses backslashes in `{url}` (web paths use `/`)"
        elif "://" in url and not re.match(r"^[a-zA-Z][\w+.-]*://", url):
            problem = f"has junk before its scheme: `{url[:url.index('://') + 3]}...`"
        elif parts is None:
            problem = f"is not a valid address: `{url}`"
        elif re.match(r"^[a-zA-Z][\w+.-]*://", url) and not parts.netloc:
            problem = f"has no host: `{url}`"
        elif re.fullmatch(r"(?:[\w-]+\.)*s3[\w.-]*\.amazon\.com", parts.netloc.lower()):
            host = parts.netloc
            problem = f"points to `{host}`, which is not an S3 endpoint (did you mean `{host[:-4]}aws.com`?)"
        if problem:
            yield broken_link.rule.finding(card.path, link.line, f"link `{label}` {problem}", severity=severity)


@rule("MH207", "insecure-link", FAMILY, "info", "a link uses plain http://",
      "use https:// if the site supports it")
def insecure_link(card: Card, context) -> Iterator[Finding]:
    for link in card.links:
        if link.url.lower().startswith("http://"):
            yield insecure_link.rule.finding(card.path, link.line, f"link `{link.url}` uses plain http")


@rule("MH208", "duplicate-section", FAMILY, "warning", "the same section heading appears twice",
      "merge the two sections, or rename one")
def duplicate_section(card: Card, context) -> Iterator[Finding]:
    seen: dict[tuple[int, str], int] = {}
    for section in card.sections:
        key = (section.level, section.title.strip().rstrip(":").strip().lower())
        if section.level > 2 or not key[1]:
            continue  # sub-headings repeat legitimately (per-method docs)
        if key in seen:
            yield duplicate_section.rule.finding(card.path, section.line, f"section `{section.title}` repeats the "
                                                 f"one at line {seen[key]}")
        else:
            seen[key] = section.line
