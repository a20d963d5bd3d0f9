"""Static analysis of example snippets, shared by the snippet and cross-field rules.

Python goes through ``ast`` and pyflakes; Scala through a small lexer (strings and comments removed) that is
enough for what cards contain: ``val`` definitions, builder chains ``Class.pretrained(...).setX(...)`` and pipelines.
Every function here is pure and memoised on the code text, so identical snippets across a catalog cost once.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

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


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


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


@lru_cache(maxsize=8192)
def analyse_python(code: str, provided: frozenset[str]) -> PythonReport:
    """Syntax and undefined names of one snippet, given the names the runtime (and earlier snippets) provide."""
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
            if message.lineno not in pasted_lines and name not in provided and name not in PYTHON_BUILTINS:
                undefined.append((message.message_args[0], message.lineno, (message.col or 0) + 1))
    modules = {node.value.id for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    return PythonReport(None, undefined=tuple(undefined), defined=frozenset(_bound_names(tree)),
                        elided=_elided(tree), signature=_is_signature(tree), attribute_roots=frozenset(modules),
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

_SCALA_STRING = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])\'')
_SCALA_COMMENT = re.compile(r"//[^\n]*|/\*[\s\S]*?\*/")


def strip_scala(code: str) -> str:
    """Code with string literals emptied and comments blanked, keeping every offset and line."""
    def blank(match: re.Match) -> str:
        text = match.group(0)
        if text.startswith(("//", "/*")):
            return re.sub(r"[^\n]", " ", text)
        quote = '"""' if text.startswith('"""') else text[0]
        inner = text[len(quote):-len(quote)] if len(text) >= 2 * len(quote) else ""
        return quote + re.sub(r"[^\n]", " ", inner) + quote
    pattern = re.compile(_SCALA_STRING.pattern + "|" + _SCALA_COMMENT.pattern)
    return pattern.sub(blank, code)


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


@lru_cache(maxsize=8192)
def analyse_scala(code: str) -> ScalaReport:
    text = strip_scala(code)
    defined: dict[str, int] = {}

    def define(name: str, offset: int) -> None:
        if name and name != "_" and name not in defined:
            defined[name] = text.count("\n", 0, offset) + 1

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
    for match in _IDENT.finditer(text):
        name = match.group(0)
        if not name[0].islower() and name[0] != "_":
            continue
        if name in SCALA_KEYWORDS:
            continue
        before = text[:match.start()].rstrip()
        if before.endswith(".") or re.search(r"\bimport(?:\s+[\w.{}, =>]*)?$", before):
            continue  # a member (`.setInputCols`) or part of an import path
        if re.search(r"\b(?:val|var|def|object|class|trait|type)$", before):
            continue  # the definition itself
        after = text[match.end():match.end() + 3]
        if re.match(r"\s*=(?![=>])", after) and _inside_call(text, match.start()):
            continue  # a named argument: f(name = value)
        if re.match(r"\s*:(?!:)", after):
            continue  # a parameter or type ascription
        if match.start() > 0 and text[match.start() - 1] in "\"'$":
            continue
        used.append((name, text.count("\n", 0, match.start()) + 1))
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


_CHAIN_START = re.compile(r"(?:(?:\bval|\bvar)\s+)?(?:([A-Za-z_]\w*)\s*=\s*)?(?:new\s+)?"
                          r"\b((?:[a-z_]\w*\.)*[A-Z]\w*)(?:\s|\\\r?\n)*(?:\.\s*pretrained\s*(\()|(\())")
_STRING_LITERAL = re.compile(r'"""([\s\S]*?)"""|"((?:\\.|[^"\\])*)"|\'((?:\\.|[^\'\\])*)\'')
_CONTINUATION = re.compile(r"(?:\s|\\\n|\\\r\n)*\.\s*([A-Za-z_]\w*)\s*(\()?")


def _closing(text: str, open_at: int) -> int:
    """Offset just after the parenthesis that closes the one at ``open_at``; when it is never closed (a missing
    ``)``), the end of the line it opens on, so one typo does not swallow the rest of the example."""
    end = _balanced(text, open_at)
    if end < len(text) or text.endswith(")"):
        return end
    line_end = text.find("\n", open_at)
    return len(text) if line_end < 0 else line_end


def _balanced(text: str, open_at: int) -> int:
    """Offset just after the parenthesis that closes the one at ``open_at`` (strings respected)."""
    depth = 0
    index = open_at
    while index < len(text):
        char = text[index]
        if char in "\"'":
            match = _STRING_LITERAL.match(text, index)
            if match:
                index = match.end()
                continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


def literal_values(args: str) -> tuple:
    """Arguments as normalised literals: strings as written, booleans lower-case, numbers as numbers; lists flat."""
    values: list = []
    position = 0
    while position < len(args):
        match = _STRING_LITERAL.search(args, position)
        token = re.search(r"\b(true|false|True|False)\b|(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])", args[position:])
        if match and (token is None or match.start() <= position + token.start()):
            values.append(next(g for g in match.groups() if g is not None))
            position = match.end()
        elif token:
            if token.group(1):
                values.append(token.group(1).lower() == "true")
            else:
                number = token.group(2)
                values.append(float(number) if "." in number else int(number))
            position += token.end()
        else:
            break
    return tuple(values)


@lru_cache(maxsize=8192)
def builder_chains(code: str) -> tuple[Chain, ...]:
    """Every ``Class(...)`` / ``Class.pretrained(...)`` followed by ``.method(...)`` calls, in order."""
    chains: list[Chain] = []
    for match in _CHAIN_START.finditer(code):
        variable, cls, pretrained_paren, ctor_paren = match.groups()
        short = cls.split(".")[-1]
        paren = match.start(3) if pretrained_paren else match.start(4)
        end = _closing(code, paren)
        inner = code[paren + 1:end - 1] if code[end - 1:end] == ")" else code[paren + 1:end]
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
            close = _closing(code, step.end() - 1)
            if method.startswith("set"):
                setters.append((method, literal_values(code[step.end():close - 1]),
                                code.count("\n", 0, step.start(1)) + 1))
            position = close
        if not setters and pretrained is None:
            continue
        name_at = _STRING_LITERAL.search(code, paren, end) if pretrained else None
        chains.append(Chain(short, code.count("\n", 0, match.start(2)) + 1, pretrained, lang_keyword,
                            tuple(setters), variable,
                            code.count("\n", 0, name_at.start() if name_at else paren) + 1))
    return tuple(chains)
