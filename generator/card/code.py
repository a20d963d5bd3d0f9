"""Static analysis of example snippets, read by the snippet and cross-field rules and by the execute stage's plan.

Python goes through ``ast`` and pyflakes; Scala through a small lexer (strings and comments removed) that is
enough for what cards contain: ``val`` definitions, builder chains ``Class.pretrained(...).setX(...)`` and pipelines.
Every function here is pure and memoised on the code text, so identical snippets across a catalog cost once.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
import textwrap
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import pyflakes.checker
import pyflakes.messages

# ---------------------------------------------------------------------------------------------------------------
# Python


@dataclass(frozen=True)
class PythonReport:
    syntax_error: tuple[int, int | None, str] | None  # (line, column, message), lines relative to the snippet
    undefined: tuple[tuple[str, int, int], ...] = ()  # (name, line, column)
    defined: frozenset[str] = frozenset()
    elided: bool = False  # the snippet leaves code out with a `...` line
    signature: bool = False  # the snippet is an API signature (one call/attribute expression), not an example
    pasted_output: tuple[int, ...] = ()  # lines like `Output: [...]`: printed output Python reads as an annotation
    attribute_roots: frozenset[str] = frozenset()


_MAGIC = re.compile(r"^(\s*)([!%].*)$", re.MULTILINE)
_PROMPT = re.compile(r"^(>>>|\.\.\.) ?", re.MULTILINE)


PLACEHOLDER_CODE = frozenset({"n/a", "na", "tbd", "todo", "...", "…", "coming soon", "none", "-", "code example",
                              "example", "code", "your code here"})


def is_placeholder(code: str) -> bool:
    """A block that holds a placeholder word instead of code."""
    return code.strip().lower() in PLACEHOLDER_CODE


@lru_cache(maxsize=4096)
def prepare_python(code: str) -> str:
    """Snippet text as a module: notebook magics blanked (line numbers kept), doctest prompts and indentation dropped."""
    text = textwrap.dedent(code.replace("\t", "    "))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and sum(ln.lstrip().startswith(">>>") for ln in lines) >= max(1, len(lines) // 2):
        text = "\n".join(_PROMPT.sub("", ln) if ln.lstrip().startswith((">>>", "... ")) or ln.strip() == "..."
                         else "" for ln in text.splitlines())
    return _MAGIC.sub(lambda m: m.group(1) + "pass", text)


def parse_python(text: str) -> ast.Module:
    """``ast.parse`` of card code, with every failure (too deeply nested, NUL bytes) a SyntaxError and the snippet's
    own compile warnings (`"\\d"` escapes) kept off the user's terminal: they are the card's business, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except SyntaxError:
            raise
        except (ValueError, RecursionError, MemoryError) as error:
            raise SyntaxError(str(error)) from error


def _names(tree: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
    """The names a snippet binds, and the names whose attributes it reads (``np`` in ``np.zeros``): one walk of the
    tree (two walks were a third of the analysis of a 40,000-name snippet)."""
    bound: set[str] = set()
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                roots.add(node.value.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return frozenset(bound), frozenset(roots)


def _is_signature(tree: ast.Module) -> bool:
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, (ast.Call, ast.Attribute, ast.Name))


def _elided(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis
               for node in tree.body)


PYTHON_BUILTINS = frozenset(pyflakes.checker.builtin_vars)


class _Checker(pyflakes.checker.Checker):
    """pyflakes without its per-module builtin bindings (about 160 per snippet, most of its set-up time); builtins
    are filtered from the undefined names instead, which reports the same names."""

    @property
    def builtIns(self) -> frozenset[str]:
        return frozenset()

    @builtIns.setter
    def builtIns(self, value) -> None:  # pyflakes assigns its builtin set in __init__; keep none bound
        pass


def analyse_python(code: str, provided: Collection[str]) -> PythonReport:
    """Syntax and undefined names of one snippet, given the names the runtime (and earlier snippets) provide.

    The analysis is memoised on the code alone and ``provided`` filtered afterwards: keyed on the names too, each of a
    card's snippets hashed (and its caller copied) every name the snippets before it defined, quadratic in a card of
    thousands of blocks (2 MiB of them took minutes)."""
    report = _analyse_python(code)
    if not report.undefined or not provided:
        return report
    undefined = tuple(entry for entry in report.undefined if entry[0] not in provided)
    return report if len(undefined) == len(report.undefined) else replace(report, undefined=undefined)


@lru_cache(maxsize=8192)
def _analyse_python(code: str) -> PythonReport:
    """``analyse_python`` with nothing provided but Python's builtins."""
    text = prepare_python(code)
    try:
        tree = parse_python(text)
    except SyntaxError as error:
        return PythonReport((error.lineno or 1, error.offset, error.msg or "invalid syntax"))
    # The runtime's names are filtered afterwards rather than passed as ``builtins``: pyflakes binds every builtin in
    # every module scope, and a few hundred extra bindings per snippet would triple its cost.
    try:
        messages = _Checker(tree, filename="<snippet>").messages
    except RecursionError:  # nested deeper than pyflakes recurses (a 600-term `a + b + ...`): names unknown
        messages = []
    pasted = _pasted_output(tree)
    pasted_lines = {line for start, end in pasted for line in range(start, end + 1)}
    undefined = []
    for message in messages:
        if isinstance(message, (pyflakes.messages.UndefinedName, pyflakes.messages.UndefinedLocal)):
            name = message.message_args[0]
            if message.lineno not in pasted_lines and name not in PYTHON_BUILTINS:
                undefined.append((message.message_args[0], message.lineno, (message.col or 0) + 1))
    defined, roots = _names(tree)
    return PythonReport(None, undefined=tuple(undefined), defined=defined,
                        elided=_elided(tree), signature=_is_signature(tree), attribute_roots=roots,
                        pasted_output=tuple(start for start, _ in pasted))


def _pasted_output(tree: ast.Module) -> list[tuple[int, int]]:
    """Module-level `Word: <literal>` statements: output pasted into code, which Python reads as an annotation."""
    spans = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and node.value is None and isinstance(
                node.annotation, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Constant, ast.Compare, ast.BinOp)):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


STDLIB_MODULES = frozenset(sys.stdlib_module_names)

# ---------------------------------------------------------------------------------------------------------------
# Scala

SCALA_KEYWORDS = frozenset("""abstract case catch class def do else extends false final finally for forSome if
implicit import lazy match new null object override package private protected return sealed super this throw trait
try true type val var while with yield given using then enum export""".split())

_SCALA_OPENER = re.compile(r"[\"'/]")
_SCALA_LITERALS = {  # tried in this order where a literal or comment may start
    '"""': re.compile(r'"""[\s\S]*?"""'),
    '"': re.compile(r'"(?:\\.|[^"\\\n])*+'),  # closed when the next character is the quote
    "'": re.compile(r"'(?:\\.|[^'\\\n])'"),
    "//": re.compile(r"//[^\n]*+"),
    "/*": re.compile(r"/\*[\s\S]*?\*/"),
}


def strip_scala(code: str) -> str:
    """Code with string literals emptied and comments blanked, keeping every offset and line.

    Literals and comments are matched leftmost-first, in the order of ``_SCALA_LITERALS``, but one that cannot
    close is remembered: an unclosed ``\"\"\"`` or ``/*`` has no closer after any later opener either, and
    the quotes an unclosed ``"`` ran over are escaped ones that fail the same way. So a snippet of ten thousand
    unclosed quotes is scanned once, not once per quote."""
    out: list[str] = []
    last = position = 0
    never = {"\"\"\"": len(code) + 1, "/*": len(code) + 1}  # no closer for an opener at or after this offset
    quote_fails = (-1, -1)  # a `"` in [start, end) does not close
    while (opener := _SCALA_OPENER.search(code, position)) is not None:
        at = opener.start()
        end = _scala_literal_end(code, at, never, quote_fails)
        if isinstance(end, tuple):
            quote_fails, end = end, None
        if end is None:
            position = at + 1
            continue
        text = code[at:end]
        if text.startswith(("//", "/*")):
            blanked = re.sub(r"[^\n]", " ", text)
        else:
            quote = '"""' if text.startswith('"""') else text[0]
            inner = text[len(quote):-len(quote)] if len(text) >= 2 * len(quote) else ""
            blanked = quote + re.sub(r"[^\n]", " ", inner) + quote
        out.append(code[last:at])
        out.append(blanked)
        last = position = end
    out.append(code[last:])
    return "".join(out)


def _scala_literal_end(code: str, at: int, never: dict[str, int], quote_fails: tuple[int, int]
                       ) -> int | tuple[int, int] | None:
    """Where the literal or comment starting at ``at`` ends; None when none starts there, or the new span of
    failing quotes when a ``"`` does not close."""
    char = code[at]
    if char == '"':
        if code.startswith('"""', at) and at < never['"""']:
            match = _SCALA_LITERALS['"""'].match(code, at)
            if match:
                return match.end()
            never['"""'] = at
        if quote_fails[0] <= at < quote_fails[1]:
            return None
        scanned = _SCALA_LITERALS['"'].match(code, at)
        if scanned.end() < len(code) and code[scanned.end()] == '"':
            return scanned.end() + 1
        return (at, scanned.end())
    if char == "'":
        match = _SCALA_LITERALS["'"].match(code, at)
        return match.end() if match else None
    if code.startswith("//", at):
        return _SCALA_LITERALS["//"].match(code, at).end()
    if code.startswith("/*", at) and at < never["/*"]:
        match = _SCALA_LITERALS["/*"].match(code, at)
        if match:
            return match.end()
        never["/*"] = at
    return None


@dataclass(frozen=True)
class ScalaReport:
    defined: dict[str, int] = field(default_factory=dict)  # name -> line (1-based, in the snippet)
    used: tuple[tuple[str, int], ...] = ()  # (name, line) of lowercase identifiers used as values
    elided: bool = False


_DEFINE = re.compile(r"\b(?:val|var|def|object|class|trait|type|lazy\s+val)\s+([A-Za-z_]\w*)")
_TUPLE_DEFINE = re.compile(r"\b(?:val|var)\s*\(([^)]*)\)")
_LAMBDA_ONE = re.compile(r"\b([A-Za-z_]\w*)\s*=>")
_LAMBDA_MANY = re.compile(r"\(([^()]*)\)\s*=>")
_CASE = re.compile(r"\bcase\b([^=\n]*)=>")
_GENERATOR = re.compile(r"\b([A-Za-z_]\w*)\s*<-")
_DEF_PARAMS = re.compile(r"\bdef\s+\w+\s*(?:\[[^\]]*\])?\s*\(([^)]*)\)")
_IMPORT = re.compile(r"^\s*import\s+([\w.]+)(?:\.\{([^}]*)\}|\._)?", re.MULTILINE)
_IDENT = re.compile(r"[A-Za-z_]\w*")


class _LineIndex:
    """The 1-based line of an offset in ``text`` in O(log n) (``text.count("\\n", 0, offset)`` per lookup is
    quadratic over a long snippet)."""

    def __init__(self, text: str) -> None:
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1


_IMPORT_TAIL = re.compile(r"[\w.{}, =>]")  # what may follow `import ` up to a used name (see _Before.after_import)
_WORD_CHAR = re.compile(r"\w")
_DEFINING_WORDS = ("val", "var", "def", "object", "class", "trait", "type")


class _Before:
    """Facts about the text before an offset, each in O(log n) after one linear pass over the text: where it ends
    once trailing whitespace is stripped, and whether it ends in ``import ...`` or a defining keyword. They answer
    what ``text[:offset].rstrip()`` and a regular expression anchored at its end answered, without copying and
    searching the whole prefix once per identifier."""

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        self.space_start = [0] * (size + 1)  # start of the run of whitespace that ends at each offset
        self.tail_start = [0] * (size + 1)  # start of the run of `import` path characters that ends there
        for index, char in enumerate(text):
            self.space_start[index + 1] = self.space_start[index] if char.isspace() else index + 1
            self.tail_start[index + 1] = self.tail_start[index] if _IMPORT_TAIL.match(char) else index + 1
        imports = [m.start() for m in re.finditer(r"\bimport", text)]
        self.import_ends = set(start + 6 for start in imports)
        self.spaced_imports = [start + 6 for start in imports if start + 6 < size and text[start + 6].isspace()]

    def end(self, offset: int) -> int:
        """``len(text[:offset].rstrip())``."""
        return self.space_start[offset]

    def after_import(self, end: int) -> bool:
        """Whether ``text[:end]`` ends in ``import`` or in ``import`` + whitespace + path characters
        (``\\bimport(?:\\s+[\\w.{}, =>]*)?$``)."""
        if end in self.import_ends:
            return True
        tail = self.tail_start[end]
        first = self.space_start[tail]  # the whitespace after `import` may run up to the path characters
        index = bisect.bisect_left(self.spaced_imports, first)
        return index < len(self.spaced_imports) and self.spaced_imports[index] < end

    def after_defining_word(self, end: int) -> bool:
        """Whether ``text[:end]`` ends in a whole ``val``/``var``/``def``/... (``\\b(?:val|...)$``)."""
        for word in _DEFINING_WORDS:
            start = end - len(word)
            if start >= 0 and self.text.startswith(word, start) and not (
                    start > 0 and _WORD_CHAR.match(self.text[start - 1])):
                return True
        return False


@lru_cache(maxsize=8192)
def analyse_scala(code: str) -> ScalaReport:
    text = strip_scala(code)
    line_of = _LineIndex(text)
    defined: dict[str, int] = {}

    def define(name: str, offset: int) -> None:
        if name and name != "_" and name not in defined:
            defined[name] = line_of(offset)

    for match in _DEFINE.finditer(text):
        define(match.group(1), match.start(1))
    for pattern in (_TUPLE_DEFINE, _LAMBDA_MANY, _CASE, _DEF_PARAMS):
        for match in pattern.finditer(text):
            for ident in _IDENT.finditer(re.sub(r":\s*[\w\[\], .]+", "", match.group(1))):
                define(ident.group(0), match.start(1))
    for pattern in (_LAMBDA_ONE, _GENERATOR):
        for match in pattern.finditer(text):
            define(match.group(1), match.start(1))
    for match in _IMPORT.finditer(text):
        path, group = match.group(1), match.group(2)
        if group:
            for part in group.split(","):
                define(part.split("=>")[-1].strip(), match.start())
        elif not match.group(0).endswith("._"):
            define(path.split(".")[-1], match.start())
    used: list[tuple[str, int]] = []
    before = _Before(text)
    for match in _IDENT.finditer(text):
        name = match.group(0)
        if not name[0].islower() and name[0] != "_":
            continue
        if name in SCALA_KEYWORDS:
            continue
        end = before.end(match.start())
        if (end and text[end - 1] == ".") or before.after_import(end):
            continue  # a member (`.setInputCols`) or part of an import path
        if before.after_defining_word(end):
            continue  # the definition itself
        after = text[match.end():match.end() + 3]
        if re.match(r"\s*=(?![=>])", after) and _inside_call(text, match.start()):
            continue  # a named argument: f(name = value)
        if re.match(r"\s*:(?!:)", after):
            continue  # a parameter or type ascription
        if match.start() > 0 and text[match.start() - 1] in "\"'$":
            continue
        used.append((name, line_of(match.start())))
    first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
    elided = first in ("...", "…") or any(ln.strip() in ("...", "…") for ln in code.splitlines())
    return ScalaReport(defined, tuple(used), elided)


def _inside_call(text: str, offset: int) -> bool:
    depth = 0
    for char in reversed(text[max(0, offset - 400):offset]):
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return True
            depth -= 1
        elif char == "\n" and depth == 0:
            return False
    return False


# ---------------------------------------------------------------------------------------------------------------
# Builder chains (both languages): Class.pretrained("name", "lang").setInputCols(...).setOutputCol(...)


@dataclass(frozen=True)
class Chain:
    cls: str
    line: int  # 1-based in the snippet
    pretrained: tuple[str | None, ...] | None  # positional string args of .pretrained(...) (name, lang, repo)
    lang_keyword: str | None  # lang= given by keyword
    setters: tuple[tuple[str, tuple, int], ...]  # (setter, normalised values, line)
    variable: str | None = None
    pretrained_line: int | None = None  # 1-based in the snippet: the line of the model name in .pretrained(...)

    @property
    def name(self) -> str | None:
        return self.pretrained[0] if self.pretrained else None

    @property
    def lang(self) -> str | None:
        if self.lang_keyword is not None:
            return self.lang_keyword
        return self.pretrained[1] if self.pretrained and len(self.pretrained) > 1 else None

    def setter(self, name: str) -> tuple | None:
        for setter, values, _ in self.setters:
            if setter == name:
                return values
        return None

    def setter_line(self, name: str) -> int | None:
        for setter, _, line in self.setters:
            if setter == name:
                return line
        return None


# Possessive where giving back cannot help, the variable read from the start of its word (past leading digits, as
# when it was tried at every offset) and at most 16 package segments: each offset is tried in constant time, so a
# 40,000-character identifier or dotted path costs linear time.
_CHAIN_START = re.compile(r"(?:(?:\bval|\bvar)\s+)?(?:(?<!\w)\d*+([A-Za-z_]\w*+)\s*=\s*)?(?:new\s+)?"
                          r"\b((?:[a-z_]\w*+\.){0,16}+[A-Z]\w*+)(?:\s|\\\r?\n)*+(?:\.\s*pretrained\s*(\()|(\())")
_STRING_LITERAL = re.compile(r'"""([\s\S]*?)"""|"((?:\\.|[^"\\])*)"|\'((?:\\.|[^\'\\])*)\'')
_CONTINUATION = re.compile(r"(?:\s|\\\n|\\\r\n)*\.\s*([A-Za-z_]\w*)\s*(\()?")


def _closing(text: str, open_at: int, parens: _Parens | None = None) -> int:
    """Offset just after the parenthesis that closes the one at ``open_at``; when it is never closed (a missing
    ``)``), the end of the line it opens on, so one typo does not swallow the rest of the example."""
    end = (parens or _Parens(text)).close(open_at)
    if end < len(text) or text.endswith(")"):
        return end
    line_end = text.find("\n", open_at)
    return len(text) if line_end < 0 else line_end


class _Parens:
    """Which parenthesis closes which in a snippet (string literals skipped), found in one pass.

    ``close(open_at)`` is what scanning forward from ``open_at`` and counting depth finds: the offset just after the
    matching ``)``, or ``len(text)`` when there is none. Scanning once per call was quadratic (ten thousand unclosed
    ``X(`` each scanned to the end). A ``(`` the pass saw inside a string literal (a chain named inside a string)
    is scanned from there as before, within a budget proportional to the snippet; past it, it counts as unclosed.
    String literals that never close are remembered, so an unclosed quote is not scanned to the end again."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.budget = 8 * len(text) + 10_000
        # where a literal cannot start: a quote of that kind at an offset in [start, end) never closes
        self.no_string: dict[str, tuple[int, int]] = {'"""': (-1, -1), '"': (-1, -1), "'": (-1, -1)}
        self.closes: dict[int, int] = {}
        stack: list[int] = []
        index = 0
        while index < len(text):
            char = text[index]
            if char in "\"'":
                string_end = self.string_end(index)
                if string_end is not None:
                    index = string_end
                    continue
            if char == "(":
                stack.append(index)
            elif char == ")" and stack:
                self.closes[stack.pop()] = index + 1
            index += 1
        for open_at in stack:
            self.closes[open_at] = len(text)

    def string_end(self, index: int) -> int | None:
        """``_STRING_LITERAL.match(text, index).end()``, or None when no literal starts at ``index``."""
        text = self.text
        start, end = self.no_string['"""']
        if text.startswith('"""', index) and not start <= index < end:
            close = text.find('"""', index + 3)
            if close >= 0:
                return close + 3
            self.no_string['"""'] = (index, len(text))  # no closing """ after this one, nor after a later one
        quote = text[index]
        start, end = self.no_string[quote]
        if start <= index < end:
            return None
        scanned = _OPEN_STRING[quote].match(text, index)
        if scanned.end() < len(text) and text[scanned.end()] == quote:
            return scanned.end() + 1
        self.no_string[quote] = (index, scanned.end())  # every such quote in between is escaped inside this one
        return None

    def close(self, open_at: int) -> int:
        known = self.closes.get(open_at)
        if known is not None:
            return known
        text, depth, index = self.text, 0, open_at
        while index < len(text):
            self.budget -= 1
            if self.budget < 0:
                return len(text)
            char = text[index]
            if char in "\"'":
                string_end = self.string_end(index)
                if string_end is not None:
                    self.budget -= string_end - index
                    index = string_end
                    continue
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return len(text)


_OPEN_STRING = {quote: re.compile(rf"{quote}(?:\\.|[^{quote}\\])*+") for quote in "\"'"}


# How much of a call's arguments is read: real ones are a few names. A call that never closes, or thousands of calls
# nested in each other, would otherwise make every chain read the rest of the snippet; past twice the snippet's
# length in all, the arguments of further calls are not read.
MAX_ARGUMENTS = 4096


class _Arguments:
    """The argument text of the calls of one snippet, within ``MAX_ARGUMENTS`` each and a budget for them all."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.budget = 2 * len(code) + 10_000

    def __call__(self, start: int, end: int) -> str:
        text = self.code[start:max(start, min(end, start + MAX_ARGUMENTS, start + self.budget))]
        self.budget -= len(text)
        return text

_LITERAL_TOKEN = re.compile(r"\b(true|false|True|False)\b|(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])")
_NOWHERE: Any = object()  # a search that found nothing: nothing further on either


def _next(pattern: re.Pattern, text: str, position: int, last: Any) -> Any:
    """``pattern.search(text, position)``, or ``last`` (an earlier search's result) while it is still ahead: each
    search then starts where the last one ended, so a loop over the matches is linear in ``text``."""
    if last is not None and (last is _NOWHERE or last.start() >= position):
        return last
    return pattern.search(text, position) or _NOWHERE


def literal_values(args: str) -> tuple:
    """Arguments as normalised literals: strings as written, booleans lower-case, numbers as numbers; lists flat."""
    values: list = []
    position = 0
    string = token = None
    while position < len(args):
        string = _next(_STRING_LITERAL, args, position, string)
        token = _next(_LITERAL_TOKEN, args, position, token)
        if string is not _NOWHERE and (token is _NOWHERE or string.start() <= token.start()):
            values.append(next(g for g in string.groups() if g is not None))
            position = string.end()
        elif token is not _NOWHERE:
            if token.group(1):
                values.append(token.group(1).lower() == "true")
            else:
                number = token.group(2)
                values.append(float(number) if "." in number else int(number))
            position = token.end()
        else:
            break
    return tuple(values)


@lru_cache(maxsize=8192)
def builder_chains(code: str) -> tuple[Chain, ...]:
    """Every ``Class(...)`` / ``Class.pretrained(...)`` followed by ``.method(...)`` calls, in order."""
    chains: list[Chain] = []
    parens = _Parens(code)
    line_of = _LineIndex(code)
    arguments = _Arguments(code)
    for match in _CHAIN_START.finditer(code):
        variable, cls, pretrained_paren, ctor_paren = match.groups()
        short = cls.split(".")[-1]
        paren = match.start(3) if pretrained_paren else match.start(4)
        end = _closing(code, paren, parens)
        inner = arguments(paren + 1, end - 1 if code[end - 1:end] == ")" else end)
        pretrained = None
        lang_keyword = None
        if pretrained_paren:
            keyword = re.search(r"\blang\s*=\s*(['\"])(.*?)\1", inner)
            lang_keyword = keyword.group(2) if keyword else None
            positional = re.sub(r"\b\w+\s*=\s*(['\"]).*?\1", "", inner)
            pretrained = tuple(v for v in literal_values(positional) if isinstance(v, str))
            if not pretrained and inner.strip():
                pretrained = (None,)  # arguments that are not literals (variables): name unknown
        elif short == "PretrainedPipeline":
            keyword = re.search(r"\blang\s*=\s*(['\"])(.*?)\1", inner)
            lang_keyword = keyword.group(2) if keyword else None
            positional = re.sub(r"\b\w+\s*=\s*(['\"]).*?\1", "", inner)
            pretrained = tuple(v for v in literal_values(positional) if isinstance(v, str)) or None
        elif inner.strip():
            continue  # a constructor with arguments (Pipeline(stages=...), Seq(...)): not a builder chain
        setters = []
        position = end
        while True:
            step = _CONTINUATION.match(code, position)
            if not step:
                break
            method, has_paren = step.group(1), step.group(2)
            if not has_paren:
                position = step.end()
                continue
            close = _closing(code, step.end() - 1, parens)
            if method.startswith("set"):
                setters.append((method, literal_values(arguments(step.end(), close - 1)),
                                line_of(step.start(1))))
            position = close
        if not setters and pretrained is None:
            continue
        name_at = _STRING_LITERAL.search(code, paren, min(end, paren + MAX_ARGUMENTS)) if pretrained else None
        chains.append(Chain(short, line_of(match.start(2)), pretrained, lang_keyword,
                            tuple(setters), variable,
                            line_of(name_at.start() if name_at else paren)))
    return tuple(chains)
