"""Read a card from bytes into a ``Card``. Never raises on card content: defects become diagnostics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..fileio import NotRegularFileError, read_regular_bytes
from .benchmark import merge_benchmarks, parse_benchmark
from .body import Fence, scan_body
from .dialects import detect_dialect
from .frontmatter import split_front_matter
from .huggingface import model_index_benchmark
from .model import Card, Diagnostic, InfoTable, ResultsBlock, Snippet, TableRow
from .tables import (
    LABEL_SECTIONS,
    is_info_table,
    normalize_info_key,
    read_heading_info,
    read_info_table,
    read_labels,
    read_presets,
)

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of each byte that is not UTF-8
MAX_CARD_BYTES = 2 * 1024 * 1024  # beyond this only the head of the file is parsed (cards are a few KB)
MAX_LINE_CHARS = 10_000  # a longer line is cut on the page (real cards' longest lines are a few hundred characters)
# A whole line, tried at line starts only: tried at every position, each line under the limit was scanned once per
# character (twenty lines of 9,999 characters took a second).
LONG_LINE = re.compile(rf"^[^\n]{{{MAX_LINE_CHARS + 1}}}[^\n]*+", re.M)
RESULTS_SECTIONS = {"results", "result", "output", "example output", "results:"}
# A fence without a code language in the Description is quoted text (a prompt, a sample input), not an example.
PROSE_SECTIONS = {"description", "overview", "model description", "predicted entities", "intended use"}
PROSE_LANGUAGES = {"", "text", "txt", "plaintext", "prompt", "markdown", "md", "none"}
BENCHMARK_SECTIONS = {"benchmarking", "benchmark", "benchmarks", "evaluation results", "evaluation", "metrics",
                      "accuracy", "benchmarking results"}


def read_card(path: str | Path) -> Card:
    """Read and parse one card file; an unreadable file is a card with an error diagnostic, not an exception."""
    return read_card_source(path)[0]


def read_card_source(path: str | Path) -> tuple[Card, bytes]:
    """``read_card`` and the bytes it parsed (empty when the file could not be read)."""
    path = Path(path)
    try:
        source = read_regular_bytes(path)
    except NotRegularFileError as error:
        return _unread(path, f"card is {error.kind}, not a regular file: skipped without opening it",
                       "replace it with the card's Markdown text, or remove it"), b""
    except OSError as error:
        return _unread(path, f"cannot read card: {error.strerror or error}",
                       "check the path and the file's permissions"), b""
    return parse_card(source, str(path)), source


def _unread(path: Path, message: str, hint: str) -> Card:
    """The card of a file that was not read: no text, and only the reason (not the findings of empty text)."""
    card = parse_card(b"", str(path))
    card.diagnostics = [Diagnostic("MH000", "error", 1, message, hint)]
    return card


def parse_card(source: bytes | str, path: str = "<memory>") -> Card:
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogateescape")
    diagnostics: list[Diagnostic] = []
    text = _decode(source, diagnostics)
    parse_text = text
    if len(source) > MAX_CARD_BYTES:
        cut = text.rfind("\n", 0, MAX_CARD_BYTES)
        parse_text = text[: cut + 1 if cut > 0 else MAX_CARD_BYTES]
        diagnostics.append(Diagnostic(
            "MH004", "warning", parse_text.count("\n") + 1,
            f"card is {len(source) / 1e6:.1f} MB; only the first {MAX_CARD_BYTES // (1024 * 1024)} MiB were parsed",
            "move large outputs or data out of the card and link to them"))
    if "\x00" in parse_text[:8192]:
        diagnostics.append(Diagnostic("MH003", "error", parse_text.count("\n", 0, parse_text.index("\x00")) + 1,
                                      "card contains NUL bytes; it looks like a binary file",
                                      "cards must be UTF-8 text; remove the file or convert it"))

    _long_lines(parse_text, diagnostics)
    fm = split_front_matter(parse_text)
    diagnostics.extend(fm.diagnostics)
    scan = scan_body(parse_text, fm.body_offset, fm.body_line)
    dialect = detect_dialect(fm.data, scan)
    card = Card(
        path=path, source=source, text=text, dialect=dialect, front_matter=fm.data, front_matter_span=fm.span,
        front_matter_lines=fm.lines, body_line=fm.body_line, sections=scan.sections, links=scan.links,
        key_lines=fm.key_lines, markup=scan.markup,
    )
    _fill_blocks(card, scan, parse_text, diagnostics)
    if dialect == "native":
        _fill_native(card)
    _fill_model_index(card)
    card.diagnostics = diagnostics
    return card


def _long_lines(text: str, diagnostics: list[Diagnostic]) -> None:
    """One MH008 finding at the first line longer than ``MAX_LINE_CHARS``, counting the others."""
    lines = LONG_LINE.finditer(text)
    first = next(lines, None)
    if first is None:
        return
    others = sum(1 for _ in lines)
    more = f" (and {others:,} more line{'s' if others != 1 else ''} as long)" if others else ""
    diagnostics.append(Diagnostic(
        "MH008", "warning", text.count("\n", 0, first.start()) + 1,
        f"line is {len(first.group()):,} characters long{more}; the page shows the first {MAX_LINE_CHARS:,} of "
        "each", "break the line, or move what it holds out of the card and link to it"))


def _decode(source: bytes, diagnostics: list[Diagnostic]) -> str:
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError as error:
        line = source.count(b"\n", 0, error.start) + 1
        column = error.start - (source.rfind(b"\n", 0, error.start) + 1) + 1
        diagnostics.append(Diagnostic(
            "MH003", "error", line, f"card is not valid UTF-8 (byte 0x{source[error.start]:02x})",
            "re-save the file as UTF-8; the undecodable bytes are kept as they are", column=column))
        return _UNDECODABLE.sub("\ufffd", source.decode("utf-8", "surrogateescape"))


def _section_key(title: str | None) -> str:
    return (title or "").strip().strip("*").strip().rstrip(":").strip().lower()


def _fill_blocks(card: Card, scan, text: str, diagnostics: list[Diagnostic]) -> None:
    results_fence: Fence | None = None
    bench_fences: list[Fence] = []
    card.fenced_lines = [(fence.fence_line, fence.end_line) for fence in scan.fences]
    for fence in scan.fences:
        key = _section_key(fence.section)
        code = text[fence.code_start:fence.code_end]
        if not fence.closed:
            diagnostics.append(Diagnostic("MH006", "error", fence.fence_line, "code block is never closed",
                                          "add a closing ``` line after the code"))
        if key in RESULTS_SECTIONS:
            results_fence = results_fence or fence
            continue
        if key in BENCHMARK_SECTIONS:
            bench_fences.append(fence)
            continue
        language = fence.language
        blocks = card.text_blocks if key in PROSE_SECTIONS and language in PROSE_LANGUAGES else card.snippets
        blocks.append(Snippet(
            language=language, code=code, line=fence.fence_line + 1, fence_line=fence.fence_line,
            end_line=fence.end_line, span=(fence.code_start, fence.code_end), tab=_tab(language, code, fence),
            section=fence.section, attributes=fence.attributes,
        ))

    for table in scan.tables:
        if card.info is None and is_info_table(table):
            card.info = read_info_table(table)
        if not card.presets:
            card.presets = read_presets(table)
    if card.info is None:
        card.info = read_heading_info(card.sections)

    for section in card.sections:
        key = _section_key(section.title)
        if key in LABEL_SECTIONS and not card.labels:
            body = text[section.body_span[0]:section.body_span[1]]
            lines = _until_next_block(body)
            card.labels = read_labels(lines)
            card.label_lines = _label_lines(card.labels, lines, section.line + 1)
            card.labels_line = min(card.label_lines.values(), default=section.line)
        elif key in RESULTS_SECTIONS and card.results is None:
            card.results = _results(card, section, results_fence, text)
        elif key in BENCHMARK_SECTIONS and card.benchmark is None:
            fences = [fence for fence in bench_fences if fence.section == section.title]
            if fences:
                blocks = [parse_benchmark(text[f.code_start:f.code_end], f.fence_line + 1) for f in fences]
                card.benchmark = merge_benchmarks(blocks[0], blocks[1:])
                card.benchmark.span = (fences[0].code_start, fences[0].code_end)
                card.benchmark.language = fences[0].language or ""
            else:
                raw = text[section.body_span[0]:section.body_span[1]]
                if raw.strip():
                    card.benchmark = parse_benchmark(raw, section.line + 1)
                    card.benchmark.span = section.body_span
                    # findings on the block point at its first written line, not the blank one under the heading
                    card.benchmark.line = section.line + 1 + raw[:len(raw) - len(raw.lstrip())].count("\n")


def _until_next_block(body: str) -> list[str]:
    """Label lines end at the first button box or link block that follows them."""
    lines = []
    for line in body.splitlines():
        if line.strip().startswith("{:.btn-box}"):
            break
        lines.append(line)
    return lines


def _label_lines(labels: list[str], lines: list[str], first_line: int) -> dict[str, int]:
    """Each label's line: the first body line that names it as a whole word (a list item, a backticked word, a comma
    list). Matched with ``str.find``: a pattern per label cost a regex compile for every label of every card."""
    found: dict[str, int] = {}
    for label in labels:
        for index, line in enumerate(lines):
            if _names(line, label):
                found[label] = first_line + index
                break
    return found


def _names(line: str, word: str) -> bool:
    """Whether ``word`` occurs in ``line`` with no word character or hyphen right before or after it."""
    start = line.find(word)
    while start != -1:
        end = start + len(word)
        if not (start and _joins(line[start - 1])) and not (end < len(line) and _joins(line[end])):
            return True
        start = line.find(word, start + 1)
    return False


def _joins(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _results(card: Card, section, fence: Fence | None, text: str) -> ResultsBlock:
    if fence is not None and fence.section == section.title:
        return ResultsBlock(text[fence.code_start:fence.code_end], fence.fence_line + 1,
                            (fence.code_start, fence.code_end), fence.language or "", section.line)
    start, end = section.body_span
    return ResultsBlock(text[start:end], section.line + 1, (start, end), None, section.line)


def _tab(language: str, code: str, fence: Fence) -> str | None:
    if "nlu-block" in fence.attributes or (language in {"python", "py", ""} and "nlu.load" in code):
        return "nlu"
    if language in {"python", "py", "python3"}:
        return "python"
    if language in {"scala", "java"}:
        return language
    return None


def _fill_model_index(card: Card) -> None:
    """A ``model-index`` block is the card's claims too: the Benchmarking block, or what that block lacks."""
    claims = model_index_benchmark(card.front_matter, card.key_lines.get("model-index", 1))
    if claims is None:
        return
    if card.benchmark is None or card.benchmark.kind == "text":
        card.benchmark = claims
    else:
        merge_benchmarks(card.benchmark, [claims])


def _fill_native(card: Card) -> None:
    """The native dialect keeps labels, the info table and the artifact in front matter."""
    data: dict[str, Any] = card.front_matter
    labels = data.get("labels")
    if isinstance(labels, list) and not card.labels:
        card.labels = [str(label) for label in labels]
        card.labels_line = card.key_lines.get("labels")
    info = data.get("info")
    if isinstance(info, dict):
        line = card.key_lines.get("info", 1)
        rows = [TableRow(str(k), normalize_info_key(str(k)), _scalar(v), line) for k, v in info.items()]
        if card.info is not None:
            rows = card.info.rows + [r for r in rows if r.normalized not in card.info.values]
        card.info = InfoTable(rows, line, line, None)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "" if value is None else str(value)
