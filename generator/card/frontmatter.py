"""Front matter: find the YAML between the fences, load it tolerantly, remember where each key is.

Dates stay strings in the mapping (the corpus has DD/MM/YYYY and impossible dates that would make a YAML
timestamp constructor raise); ``card.model.parse_date`` turns them into ``datetime.date`` for typed access.

Loading has a budget: the YAML is composed into nodes first, and the values the document would have once its
aliases are expanded are counted (shared nodes once each, so the count costs time linear in the text) before
anything is constructed. A few hundred bytes of nested aliases (an "alias bomb") would otherwise expand to
billions of values in every stage that walks the front matter; they become an MH007 finding at the line of the
value that crosses the budget, and the card is read as if those values were plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import frontmatter as _python_frontmatter
import yaml

from ..errors import CardSourceError
from .model import Diagnostic

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CardLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe YAML loader that leaves timestamps as strings."""


# YAML 1.1 reads yes/no/on/off as booleans, so `language: no` (Norwegian) became False; front matter follows YAML
# 1.2's core schema instead, where only true/false (any case) are booleans and every other word stays a string.
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
CardLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
CardLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_12, list("tTfF"))


def _bool_12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return loader.construct_scalar(node).lower() == "true"


CardLoader.add_constructor("tag:yaml.org,2002:bool", _bool_12)

MAX_YAML_VALUES = 100_000  # values after alias expansion; real front matter has tens to a few thousand
MAX_YAML_DEPTH = 64  # nesting, aliases included; real front matter nests 2-6 deep


class YamlBudgetError(CardSourceError, ValueError):
    """The YAML would expand past ``MAX_YAML_VALUES`` values or nest deeper than ``MAX_YAML_DEPTH``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 0-based, in the YAML text


def load_yaml(text: str) -> Any:
    """``yaml.load`` with ``CardLoader``, refusing (``YamlBudgetError``) a document over the budget before any
    value is built."""
    loader = CardLoader(text)
    try:
        node = _compose(loader)
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _compose(loader: CardLoader) -> yaml.Node | None:
    """PyYAML's composer without recursion, counting as it goes.

    libyaml's own composer recurses once per nesting level (a few hundred kilobytes of ``[`` crash the process)
    and its scanner slows quadratically with flow depth; reading events one at a time and stopping at
    ``MAX_YAML_DEPTH`` keeps both bounded. Each node's expanded size and height are known when it closes, so an
    alias costs one look-up however much it stands for.
    """
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    anchors: dict[str, yaml.Node] = {}
    measured: dict[yaml.Node, tuple[int, int]] = {}  # node -> (values once expanded, height); closed nodes only
    open_nodes: list[tuple[yaml.Node, list[yaml.Node]]] = []  # collections being read, with their children
    aliased = False
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            done = anchors.get(event.anchor)  # type: ignore[arg-type]
            if done is None:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            if done not in measured:
                raise YamlBudgetError("front matter contains a value that contains itself (a recursive alias)",
                                      event.start_mark.line)
            aliased = True
        elif isinstance(event, (yaml.CollectionEndEvent)):
            done, children = open_nodes.pop()
            done.end_mark = event.end_mark
            if isinstance(done, yaml.MappingNode):
                done.value = list(zip(children[::2], children[1::2]))
            else:
                done.value = children
            size = 1 + sum(measured[child][0] for child in children)
            height = 1 + max((measured[child][1] for child in children), default=0)
            if size > MAX_YAML_VALUES:
                cause = "through its aliases " if aliased else ""
                raise YamlBudgetError(f"front matter expands {cause}to more than {MAX_YAML_VALUES:,} values",
                                      done.start_mark.line)
            if height > MAX_YAML_DEPTH:
                raise YamlBudgetError(f"front matter nests deeper than {MAX_YAML_DEPTH} levels through its aliases",
                                      done.start_mark.line)
            measured[done] = (size, height)
        else:
            done = _new_node(loader, event, anchors)
            if isinstance(event, yaml.CollectionStartEvent):
                open_nodes.append((done, []))
                if len(open_nodes) > MAX_YAML_DEPTH:
                    raise YamlBudgetError(f"front matter nests deeper than {MAX_YAML_DEPTH} levels",
                                          event.start_mark.line)
                continue
            measured[done] = (1, 1)
        if not open_nodes:
            break
        open_nodes[-1][1].append(done)
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError("expected a single document in the stream", done.start_mark,
                                          "but found another document", event.start_mark)
    return done


def _new_node(loader: CardLoader, event: yaml.Event, anchors: dict[str, yaml.Node]) -> yaml.Node:
    """A scalar, or an empty sequence or mapping, with its tag resolved as PyYAML's composer resolves it."""
    anchor = event.anchor  # type: ignore[attr-defined]
    if anchor is not None and anchor in anchors:
        raise yaml.composer.ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                          anchors[anchor].start_mark, "second occurrence", event.start_mark)
    tag = event.tag  # type: ignore[attr-defined]
    node: yaml.Node
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    elif isinstance(event, yaml.SequenceStartEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.SequenceNode, None, event.implicit)
        node = yaml.SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
    else:
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.MappingNode, None, event.implicit)
        node = yaml.MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
    if anchor is not None:
        anchors[anchor] = node
    return node


# python-frontmatter's own fence pattern decides what a YAML front matter block is, so modelhub agrees with it.
_FENCE = _python_frontmatter.YAMLHandler.FM_BOUNDARY
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w\-. ]*+)[ \t]*+:(?:[ \t]|\r?$)", re.MULTILINE)  # key: trailing spaces cut


@dataclass
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    span: tuple[int, int] | None = None  # YAML text between the fences
    lines: tuple[int, int] | None = None
    body_offset: int = 0
    body_line: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split_front_matter(text: str) -> FrontMatter:
    """Locate and load the front matter; a defect becomes a diagnostic and the body is still returned."""
    result = FrontMatter()
    start = 1 if text.startswith("\ufeff") else 0  # a byte order mark before the fence (Windows editors write one)
    first_line_end = text.find("\n", start)
    if not _FENCE.match(text[start:first_line_end + 1 if first_line_end >= 0 else len(text)]) or \
            not text.startswith("---", start):
        result.diagnostics.append(
            Diagnostic("MH001", "error", 1, "card has no YAML front matter", "start the file with a line '---', "
                       "the metadata as YAML, and a closing '---'")
        )
        return result
    open_end = text.find("\n", start)
    if open_end < 0:
        result.diagnostics.append(Diagnostic("MH001", "error", 1, "front matter is opened but never closed",
                                             "add a closing '---' line after the metadata"))
        return result
    yaml_start = open_end + 1
    closing = _CLOSING.search(text, yaml_start)
    if closing is None:
        result.diagnostics.append(Diagnostic("MH001", "error", 1, "front matter is opened but never closed",
                                             "add a closing '---' line after the metadata"))
        return result
    yaml_end = closing.start()
    close_line_end = text.find("\n", closing.end() - 1)
    result.body_offset = len(text) if close_line_end < 0 else close_line_end + 1
    first_line = 2
    result.span = (yaml_start, yaml_end)
    yaml_text = text[yaml_start:yaml_end]
    last_line = first_line + yaml_text.count("\n") - (1 if yaml_text.endswith("\n") else 0)
    result.lines = (first_line, max(first_line, last_line))
    result.body_line = text.count("\n", 0, result.body_offset) + 1
    line, counted = first_line, 0
    for match in _TOP_KEY.finditer(yaml_text):  # lines counted as the matches advance: once over the text
        line += yaml_text.count("\n", counted, match.start())
        counted = match.start()
        result.key_lines.setdefault(match.group(1).rstrip(" "), line)
    result.data = _load(yaml_text, first_line, result)
    return result


_UNCLOSED = (("quoted scalar", "the quoted value"), ("flow sequence", "the `[` list"),
             ("flow mapping", "the `{` mapping"))


def _load(yaml_text: str, first_line: int, result: FrontMatter) -> dict[str, Any]:
    try:
        data = load_yaml(yaml_text)
    except YamlBudgetError as error:
        result.diagnostics.append(Diagnostic(
            "MH007", "error", first_line + error.line, error.message,
            "write the values out instead of nesting aliases (&anchor / *alias) inside each other"))
        return _load_line_by_line(yaml_text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        context = getattr(error, "context", None) or ""
        opened = next((what for words, what in _UNCLOSED if words in context), None)
        if opened and getattr(error, "context_mark", None) is not None:
            # an unterminated quote or bracket: the line to edit is where it opens, not where the YAML ends
            mark = error.context_mark
            problem = f"{opened} opened here is never closed"
        line = first_line + (mark.line if mark else 0)
        result.diagnostics.append(Diagnostic(
            "MH002", "error", line, f"front matter is not valid YAML: {problem}",
            "fix the YAML at this line (quote values that contain ': ' or start with '{', '[', '@' or '`')",
            column=(mark.column + 1) if mark else None,
        ))
        return _load_line_by_line(yaml_text)
    except (ValueError, TypeError, RecursionError) as error:  # defensive: constructor errors on odd scalars
        result.diagnostics.append(Diagnostic("MH002", "error", first_line, f"front matter could not be loaded: {error}",
                                             "simplify the YAML values"))
        return _load_line_by_line(yaml_text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        result.diagnostics.append(Diagnostic(
            "MH005", "error", first_line, f"front matter is a {type(data).__name__}, not a mapping of keys to values",
            "write the metadata as 'key: value' lines"))
        return {}
    return {str(k): v for k, v in data.items()}


def _load_line_by_line(yaml_text: str) -> dict[str, Any]:
    """Salvage the top-level 'key: value' lines of broken YAML so the rest of the card still has metadata."""
    data: dict[str, Any] = {}
    for raw in yaml_text.splitlines():
        match = re.match(r"^([A-Za-z_][\w\-]*)[ \t]*:[ \t]*(.*)$", raw)
        if not match:
            continue
        key, value = match.groups()
        try:
            loaded = load_yaml(value) if value.strip() else None
        except (yaml.YAMLError, ValueError):
            loaded = value.strip()
        if isinstance(loaded, (dict, list)) or loaded is None or isinstance(loaded, (str, int, float, bool)):
            data.setdefault(key, loaded)
    return data
