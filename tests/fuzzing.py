"""Fuzzed cards: seeded mutations of real cards, and the in-process pipeline each one goes through.

Shared by ``tests/test_fuzz.py`` (a few hundred inputs, in CI) and ``benchmarks/bench_fuzz.py`` (10,000). Every input
is a pure function of ``(seed, index)`` and the source cards, so any input a run reports is made again by
``fuzzed(sources, seed, index)``. The mutations are what an attacker (or a careless editor) does to a card: flip and
insert bytes, cut it short, repeat a span, add a huge line, nest brackets or lists deeply, add BOMs, CRLF, NULs,
YAML anchors and aliases, and leave fences, brackets, links and comments unbalanced.

``process`` runs one input through every in-process stage a build runs on a card: parse, every static check, the
record, the catalog summary (outline, plain text, search terms) and the rendered model page. A rule that crashes is
caught by the check engine as an MH999 finding: ``process`` counts it as an exception too.
"""

from __future__ import annotations

import inspect
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.card import parse_card
from generator.checks import CheckContext, RuleSelection, check_card
from generator.config import Config
from generator.pipeline import CardRecord
from generator.render import cardwork
from generator.render.cardwork import summarize
from generator.render.model_page import build_model_page
from generator.render.templates import render

REPO = Path(__file__).resolve().parents[1]

# ---- mutations: (source, rng) -> mutated source ---------------------------------------------------------------------
ODD_BYTES = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\r", b"\x0b", b"\x0c", b"\x1b",
             b"\x85", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xae", b"\xef\xbb\xbf", b"\xf0\x9f\x98\x80", b"\t"]
SYNTAX = [b"[", b"]", b"(", b")", b"{", b"}", b"<", b">", b"`", b"```", b"~~~", b"|", b"*", b"_", b"#", b"!",
          b"{%", b"%}", b"{{", b"}}", b"<!--", b"-->", b"---", b"&a", b"*a", b":", b"- ", b"\\", b'"', b"'", b"\n"]
REPEATED = [b"[a](b", b"![a](", b"[a](b){:", b"<http://a", b"{%", b"{{<", b"| a ", b"`a", b"*_", b"((", b"[[",
            b"```", b"# ", b"- ", b"* ", b"1. ", b"<!-- modelhub: ignore ", b".setInputCols(", b"a.b(", b" ",
            b"\t", b"|", b"#", b"=", b"-", b":", b"a" * 7, b"\\", b"&x ", b"*x, ", b"<div>", b"<a href=",
            b"nlp.load(", b"Pipeline().setStages([", b"**a", b"{:.btn-box}"]


def _position(source: bytes, rng: random.Random) -> int:
    return rng.randrange(len(source) + 1)


def _line_start(source: bytes, rng: random.Random) -> int:
    at = _position(source, rng)
    return source.rfind(b"\n", 0, at) + 1


def flip_bytes(source: bytes, rng: random.Random) -> bytes:
    data = bytearray(source)
    for _ in range(rng.choice([1, 4, 32])):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _insert(source: bytes, rng: random.Random, pieces: list[bytes], counts: list[int]) -> bytes:
    data = source
    for _ in range(rng.choice(counts)):
        at = _position(data, rng)
        data = data[:at] + rng.choice(pieces) + data[at:]
    return data


def odd_bytes(source: bytes, rng: random.Random) -> bytes:
    return _insert(source, rng, ODD_BYTES, [1, 3, 20])


def syntax(source: bytes, rng: random.Random) -> bytes:
    return _insert(source, rng, SYNTAX, [1, 5, 50])


def truncate(source: bytes, rng: random.Random) -> bytes:
    return source[:_position(source, rng)]


def delete_span(source: bytes, rng: random.Random) -> bytes:
    start = _position(source, rng)
    return source[:start] + source[start + rng.randrange(1, 2000):]


GROWTH = 200_000  # bytes a mutation adds at most: the inputs stay small cards (real ones are a few KB)


def duplicate_span(source: bytes, rng: random.Random) -> bytes:
    start = _position(source, rng)
    span = source[start:start + rng.choice([1, 10, 100, 1000, 10_000])]
    count = min(rng.choice([2, 10, 100, 1000]), GROWTH // max(1, len(span)))
    return source[:start] + span * count + source[start:]


def repeat_token(source: bytes, rng: random.Random) -> bytes:
    at = _line_start(source, rng) if rng.random() < 0.5 else _position(source, rng)
    token = rng.choice(REPEATED)
    return source[:at] + token * min(rng.choice([100, 1000, 10_000, 40_000]), GROWTH // len(token)) + source[at:]


def huge_line(source: bytes, rng: random.Random) -> bytes:
    at = _line_start(source, rng)
    unit = rng.choice([b"a", b"a ", b" ", b"x" * 9 + b".", b"\xc3\xa9", b"|", b"`", b"_", b"-", b"a_b.c("])
    line = unit * (rng.choice([20_000, GROWTH]) // len(unit))
    return source[:at] + line + b"\n" + source[at:]


def deep_nesting(source: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([100, 1000, 20_000])  # 20,000 x at most 10 bytes: GROWTH
    opener, closer = rng.choice([(b"[", b"]"), (b"{", b"}"), (b"(", b")"), (b"> ", b""), (b"- ", b""),
                                 (b"  - ", b""), (b"<div>", b"</div>"), (b"[a", b"](b)"), (b"{a: ", b"}")])
    at = _line_start(source, rng)
    closed = closer * depth if rng.random() < 0.5 else b""
    return source[:at] + opener * depth + b"x" + closed + b"\n" + source[at:]


def nested_list(source: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([20, 100, 400])  # 400 levels: 160 KB
    lines = b"".join(b"  " * level + b"- item\n" for level in range(depth))
    at = _line_start(source, rng)
    return source[:at] + lines + source[at:]


def bom(source: bytes, rng: random.Random) -> bytes:
    marks = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]
    at = 0 if rng.random() < 0.5 else _line_start(source, rng)
    return source[:at] + rng.choice(marks) + source[at:]


def line_endings(source: bytes, rng: random.Random) -> bytes:
    return source.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r", b"\r\r\n", b"\x85", "\u2028".encode()]))


def nuls(source: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return source.replace(b"e", b"\x00")
    return odd_bytes(source, rng).replace(b"\xff", b"\x00")


def yaml_anchors(source: bytes, rng: random.Random) -> bytes:
    levels = rng.choice([3, 6, 10])
    width = rng.choice([2, 5, 10])
    lines = [b"z0: &z0 [" + b", ".join([b"v"] * width) + b"]"]
    for level in range(1, levels):
        lines.append(b"z%d: &z%d [" % (level, level) + b", ".join([b"*z%d" % (level - 1)] * width) + b"]")
    block = b"\n".join(lines) + b"\n"
    at = source.find(b"\n", source.find(b"---")) + 1 if rng.random() < 0.8 else _line_start(source, rng)
    return source[:at] + block + source[at:]


def unbalanced(source: bytes, rng: random.Random) -> bytes:
    what = rng.choice([b"```\n", b"```python\n", b"~~~\n", b"<!--", b"{%", b"{% include ", b"[", b"(", b"<div>",
                       b"---\n", b"{::", b"|", b"<script>", b"<"])
    data = source
    for _ in range(rng.choice([1, 10, 200])):
        at = _line_start(data, rng) if what.endswith(b"\n") else _position(data, rng)
        data = data[:at] + what + data[at:]
    return data


def splice(source: bytes, rng: random.Random) -> bytes:
    """A part of the card moved elsewhere: front matter in the body, a fence into a table, ..."""
    start = _position(source, rng)
    span = source[start:start + rng.randrange(1, 3000)]
    rest = source[:start] + source[start + len(span):]
    at = _position(rest, rng)
    return rest[:at] + span + rest[at:]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    function.__name__: function for function in (
        flip_bytes, odd_bytes, syntax, truncate, delete_span, duplicate_span, repeat_token, huge_line, deep_nesting,
        nested_list, bom, line_endings, nuls, yaml_anchors, unbalanced, splice)
}


@dataclass(frozen=True)
class FuzzInput:
    seed: int
    index: int
    source_path: str
    mutations: tuple[str, ...]
    data: bytes

    @property
    def label(self) -> str:
        return f"seed={self.seed} index={self.index} {Path(self.source_path).name} {'+'.join(self.mutations)}"


def fuzzed(sources: list[tuple[str, bytes]], seed: int, index: int) -> FuzzInput:
    """Input number ``index`` of the run seeded ``seed``: one source card and one to three mutations."""
    rng = random.Random(f"{seed}:{index}")
    path, data = sources[rng.randrange(len(sources))]
    names = tuple(rng.choice(list(MUTATIONS)) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    for name in names:
        data = MUTATIONS[name](data, rng)
    return FuzzInput(seed, index, path, names, data)


def source_cards(corpus: Path | None = None) -> list[tuple[str, bytes]]:
    """The shipped cards, and the corpus cards when a corpus folder is given."""
    paths = sorted((REPO / "cards").glob("*.md"))
    if corpus is not None:
        paths = sorted(corpus.glob("*.md")) + paths
    return [(str(path), path.read_bytes()) for path in paths]


# ---- the pipeline -------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    seconds: float
    error: str | None = None  # a traceback, or the MH999 findings of rules that crashed
    page_chars: int = 0
    findings: list[str] = field(default_factory=list)  # the codes


def text_memos() -> list:
    """Every memo the product keeps of a text's analysis or rendering (memoised functions whose first parameter is
    ``code`` or ``text``: rendered Markdown, highlighted code, analysed snippets). Emptied before an input is timed,
    they make its time the time of a card whose texts no earlier card had."""
    found: dict[int, object] = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "generator":
            continue
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if callable(getattr(value, "cache_clear", None)) and callable(wrapped):
                if next(iter(inspect.signature(wrapped).parameters), None) in ("code", "text"):
                    found[id(value)] = value
    return list(found.values())


class Pipeline:
    """Parse, check, summarize and render cards in this process, as a build's workers do; every input is timed
    with empty text memos (a retry of an input would otherwise be served from them)."""

    def __init__(self, root: Path = REPO) -> None:
        self.config = Config(root, {}, None)
        self.selection = RuleSelection.from_config(self.config)
        self.cache: dict = {}
        # what a build worker's init_worker sets up for ``summarize``: the catalog's vocabulary for facets and badges
        cardwork._STATE.setdefault("words", cardwork.Vocabulary.from_config(self.config))
        self.memos = text_memos()

    def stages(self, data: bytes, path: str = "cards/fuzzed.md") -> tuple[str, list[str]]:
        """The page's HTML, and each finding as ``"CODE message"``."""
        card = parse_card(data, path)
        record = CardRecord(card)
        context = CheckContext(self.config, selection=self.selection, cache=self.cache)
        record.findings = check_card(card, context)
        record_data = record.to_dict()
        summarize(record, "fuzz", record_data)
        page = build_model_page(record, record_data, slug="fuzzed")
        html = render("model.html.j2", page=page, catalog_url="../")
        return html, [f"{finding.code} {finding.message}" for finding in record.findings]

    def process(self, data: bytes) -> Outcome:
        """One input through every stage; ``seconds`` is CPU time (other processes on the machine do not count)."""
        for memo in self.memos:
            memo.cache_clear()
        start = time.process_time()
        try:
            html, findings = self.stages(data)
        except Exception:  # noqa: BLE001 - what the fuzzer is looking for
            return Outcome(time.process_time() - start, traceback.format_exc())
        seconds = time.process_time() - start
        crashed = [finding for finding in findings if finding.startswith("MH999")]
        return Outcome(seconds, "\n".join(crashed) or None, len(html), [f.split(" ", 1)[0] for f in findings])


# ---- dense cards: as much Markdown syntax per byte as a card may hold -------------------------------------------
DENSE_LINES: dict[str, Callable[[int], str]] = {
    "inline": lambda i: (f"Some *emphasis {i}* and **strong** with [a link](https://example.com/p/{i}), `code {i}`, "
                         f"_under_, ~~gone~~, <b>bold</b> &amp; ![image](i{i}.png \"t\").\n"),
    "lists": lambda i: f"- item *{i}* [l](u{i})\n  - nested **{i}** `c`\n    - deeper _{i}_ [x](y)\n      1. [z][r{i % 50}]\n",
    "table": lambda i: f"| *{i}* | **b{i}** | [c](d{i}) | `e` | <i>f</i> |\n",
    "quote": lambda i: f"> quote *{i}* [l](u)\n> > nested **{i}**\n>\n",
    "refs": lambda i: f"[x{i}][r{i % 500}] and [y][] and [r{i % 500}]\n\n[r{i}]: https://e.com/{i} \"title\"\n",
    "code": lambda i: f"```python\nx_{i} = compute({i}, 'a*b_c')  # [l](u)\nprint(x_{i})\n```\n\n",
}


def dense_card(size: int, shape: str) -> bytes:
    """A card of about ``size`` bytes whose body repeats one dense shape of Markdown (``DENSE_LINES``, or "mixed":
    all of them in turn), under a Description and a Usage heading."""
    shapes = list(DENSE_LINES) if shape == "mixed" else [shape]
    head = "---\nname: dense\nruntime: python\n---\n\n# Dense\n\n## Description\n\n"
    parts, total, i = [head], len(head), 0
    if shape == "table":
        parts.append("| a | b | c | d | e |\n|---|---|---|---|---|\n")
    while total < size:
        line = DENSE_LINES[shapes[i % len(shapes)]](i)
        if len(shapes) > 1 and i % len(shapes) == 0:
            line = "\n" + line
        if i == 2000:
            line = "\n## Usage\n\n" + line
        parts.append(line)
        total += len(line)
        i += 1
    return "".join(parts).encode()
