"""Snippet rules (MH3xx): the example code must parse, define what it uses, and load the model the card describes.

A card's snippets run after the setup its catalog assumes (Spark NLP pages assume a Spark session and
``from sparknlp.annotator import *``; Keras pages assume ``import keras, keras_hub``): those names come from
``generator/vocab/data/runtimes.yaml`` and are never reported. Names defined by an earlier block of the same card
count as defined, since pages split one example over several blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .. import vocab
from ..card import Card, Snippet
from ..card.code import (
    STDLIB_MODULES,
    Chain,
    analyse_python,
    analyse_scala,
    builder_chains,
    is_placeholder,
    prepare_python,
    strip_scala,
)
from .registry import Finding, rule
from .util import did_you_mean

FAMILY = "snippets"


def python_runtime(card: Card) -> str | None:
    if card.dialect in ("jsl", "unknown"):
        return "sparknlp-python"
    if card.dialect == "keras":
        return "keras"
    if card.dialect == "native":
        return card.runtime
    if card.dialect == "huggingface":
        return "transformers"
    return None


def _provided(card: Card) -> frozenset[str]:
    runtime = python_runtime(card)
    return vocab.runtime_names(runtime) if runtime else frozenset()


_LAST_REPORTS: tuple[Card | None, list] = (None, [])  # the last card's: four rules read them, one after the other


def python_reports(card: Card) -> list[tuple[Snippet, object]]:
    """(snippet, PythonReport) for each Python or NLU block, names accumulating from block to block; computed once per
    card (``analyse_python``'s memo holds 8,192 snippets: a card of more missed it in every rule)."""
    global _LAST_REPORTS
    last = _LAST_REPORTS
    if last[0] is card:
        return last[1]
    provided = set(_provided(card))  # grown in place: a copy per block was quadratic in a card of thousands
    out = []
    for snippet in card.snippets:
        if snippet.tab not in ("python", "nlu") or not snippet.code.strip() or is_placeholder(snippet.code):
            continue
        report = analyse_python(snippet.code, provided)
        out.append((snippet, report))
        provided |= report.defined
    _LAST_REPORTS = (card, out)
    return out


@rule("MH301", "python-syntax-error", FAMILY, "error", "a Python example does not parse",
      "fix the syntax (a block of shell commands or output should not be fenced as python)")
def python_syntax(card: Card, context) -> Iterator[Finding]:
    for snippet, report in python_reports(card):
        if report.syntax_error:
            line, column, message = report.syntax_error
            yield python_syntax.rule.finding(card.path, snippet.line + line - 1,
                                             f"Python syntax error: {message}", column=column)


@rule("MH302", "python-undefined-name", FAMILY, "error", "a Python example uses a name it never defines",
      "define or import the name before using it (it is not provided by the runtime)")
def python_undefined(card: Card, context) -> Iterator[Finding]:
    for snippet, report in python_reports(card):
        if report.syntax_error or report.signature or report.elided:
            continue
        for line in report.pasted_output:
            text = snippet.code.splitlines()[line - 1].strip() if line <= len(snippet.code.splitlines()) else ""
            yield python_undefined.rule.finding(
                card.path, snippet.line + line - 1, f"`{text[:40]}` is output pasted into the code (Python reads it "
                "as a type annotation)", "move the output to a Results block or a comment")
        seen: set[str] = set()
        code_lines = prepare_python(snippet.code).splitlines()
        for name, line, column in report.undefined:
            if name in seen:
                continue
            seen.add(name)
            text = code_lines[line - 1] if line <= len(code_lines) else ""
            if not name.isupper() and ".pretrained(" in text and re.search(rf"\.pretrained\([^)]*\b{re.escape(name)}\b", text):
                yield python_undefined.rule.finding(
                    card.path, snippet.line + line - 1, f"`{name}` in `.pretrained(...)` is an undefined name, not "
                    "a string", f"quote it: \"{name}\"", column)
                continue
            if name in STDLIB_MODULES and name in report.attribute_roots:
                yield python_undefined.rule.finding(card.path, snippet.line + line - 1,
                                                    f"`{name}` is used without `import {name}`",
                                                    f"add `import {name}` at the top of the example", column)
                continue
            if name in report.attribute_roots and name.islower():
                yield python_undefined.rule.finding(card.path, snippet.line + line - 1,
                                                    f"`{name}` is used but never imported or defined",
                                                    f"import or define `{name}` first", column)
                continue
            hint = None
            suggestion = did_you_mean(name, report.defined, 0.8)
            if suggestion:
                hint = f"did you mean `{suggestion}`?"
            yield python_undefined.rule.finding(card.path, snippet.line + line - 1,
                                                f"undefined name `{name}` in the Python example", hint, column)


@rule("MH303", "scala-undefined-name", FAMILY, "error", "a Scala example uses an identifier it never defines",
      "define the value (`val name = ...`) or use the name the example defines")
def scala_undefined(card: Card, context) -> Iterator[Finding]:
    provided = vocab.runtime_names("sparknlp-scala") if card.dialect in ("jsl", "unknown") else frozenset()
    defined_before: set[str] = set()
    python_names = {name for _, report in python_reports(card) for name in report.defined}
    for snippet in card.snippets:
        if snippet.tab != "scala" or not snippet.code.strip() or is_placeholder(snippet.code):
            continue
        report = analyse_scala(snippet.code)
        known = provided | defined_before | set(report.defined)
        if not report.elided:
            used_names = {name for name, _ in report.used}
            unused = [name for name in report.defined if name not in used_names]
            reported: set[str] = set()
            for name, line in report.used:
                if name in known or name in reported:
                    continue
                reported.add(name)
                hint = None
                earlier = [n for n in unused if report.defined[n] < line]
                if len(earlier) == 1:
                    hint = (f"did you mean `{earlier[0]}` (defined at line "
                            f"{snippet.line + report.defined[earlier[0]] - 1} and never used)?")
                elif (close := did_you_mean(name, report.defined, 0.75)):
                    hint = f"did you mean `{close}`?"
                if name in python_names:
                    hint = (hint + " " if hint else "") + f"(the Python example defines `{name}`)"
                yield scala_undefined.rule.finding(card.path, snippet.line + line - 1,
                                                   f"`{name}` is used but never defined in the Scala example", hint)
        defined_before |= set(report.defined)


@rule("MH306", "incomplete-snippet", FAMILY, "info", "an example leaves code out (`...`) and cannot run as shown",
      "show the whole example, or link to a complete notebook")
def incomplete_snippet(card: Card, context) -> Iterator[Finding]:
    for snippet, report in python_reports(card):
        if report.elided and not report.syntax_error and report.undefined:
            names = ", ".join(dict.fromkeys(f"`{name}`" for name, _, _ in report.undefined))
            yield incomplete_snippet.rule.finding(card.path, snippet.line, f"the Python example leaves code out "
                                                  f"(`...`); it uses {names} from the omitted part")
    provided = vocab.runtime_names("sparknlp-scala") if card.dialect in ("jsl", "unknown") else frozenset()
    for snippet in card.snippets:
        if snippet.tab == "scala" and snippet.code.strip():
            report = analyse_scala(snippet.code)
            missing = [n for n, _ in report.used if n not in report.defined and n not in provided]
            if report.elided and missing:
                names = ", ".join(dict.fromkeys(f"`{n}`" for n in missing))
                yield incomplete_snippet.rule.finding(card.path, snippet.line, f"the Scala example leaves code out "
                                                      f"(`...`); it uses {names} from the omitted part")


def card_chains(card: Card, *tabs: str) -> list[tuple[Snippet, Chain]]:
    return [(snippet, chain) for snippet in card.snippets if snippet.tab in tabs
            for chain in builder_chains(snippet.code)]


def own_chains(card: Card, *tabs: str) -> list[tuple[Snippet, Chain]]:
    """The chains that load or configure the card's own model: by model name, else by the card's annotator class."""
    chains = card_chains(card, *tabs)
    name = card.name
    annotator = vocab.canonical_annotator(card.annotator) or card.annotator
    return [(s, c) for s, c in chains if (name and c.name == name) or (
        annotator and (vocab.canonical_annotator(c.cls) or c.cls) == annotator)]


@rule("MH304", "pretrained-disagrees-with-card", FAMILY, "error",
      "the example loads a different model name or language than the card describes",
      "make `.pretrained(name, lang)` use the card's `name` and `language`")
def pretrained_mismatch(card: Card, context) -> Iterator[Finding]:
    name, language = card.name, card.language
    if not name or card.dialect not in ("jsl", "unknown", "native"):
        return
    if isinstance(card.front_matter.get("language"), bool):
        language = None
    loads = [(s, c) for s, c in own_chains(card, "python", "scala") if c.pretrained is not None]
    for snippet, chain in loads:
        line = snippet.line + (chain.pretrained_line or chain.line) - 1  # the line with the name to edit
        tab = snippet.tab.capitalize()
        if chain.name is not None and chain.name != name:
            yield pretrained_mismatch.rule.finding(
                card.path, line, f"the {tab} example loads `{chain.name}` but the card is `{name}`",
                f"write `{chain.cls}.pretrained(\"{name}\", \"{language or 'en'}\")`")
            continue
        if chain.name is None:
            continue
        lang = chain.lang
        if lang is None:
            if language and language not in ("en",) and chain.cls != "PretrainedPipeline":
                yield pretrained_mismatch.rule.finding(
                    card.path, line, f"the {tab} example loads `{name}` without a language, so Spark NLP looks for "
                    f"it in `en`, but the card's language is `{language}`",
                    f"pass the language: `.pretrained(\"{name}\", \"{language}\")`")
            continue
        if language and lang != language:
            yield pretrained_mismatch.rule.finding(
                card.path, line, f"the {tab} example loads `{name}` for language {lang!r} but the card's "
                f"language is {language!r}", f"use \"{language}\"")


def _comparable(setter: str, values: tuple) -> tuple:
    if setter in ("setInputCols",):
        return tuple(sorted(map(str, values)))  # the order of input columns does not matter to an annotator
    return tuple(str(v).lower() if isinstance(v, bool) else v for v in values)


def _show(values: tuple) -> str:
    if len(values) == 1:
        value = values[0]
        return str(value).lower() if isinstance(value, bool) else repr(value)
    return "[" + ", ".join(_show((v,)) for v in values) + "]"


@rule("MH305", "tabs-disagree", FAMILY, "warning", "the Python and Scala examples configure the model differently",
      "give both tabs the same parameters, so readers of either get the same model behaviour")
def tabs_disagree(card: Card, context) -> Iterator[Finding]:
    python = card_chains(card, "python")
    scala = card_chains(card, "scala")
    if not python or not scala:
        return
    by_class: dict[str, list[tuple[Snippet, Chain]]] = {}
    for item in scala:
        by_class.setdefault(item[1].cls, []).append(item)
    used: dict[str, int] = {}
    for py_snippet, py_chain in python:
        candidates = by_class.get(py_chain.cls, [])
        index = used.get(py_chain.cls, 0)
        if index >= len(candidates):
            continue
        used[py_chain.cls] = index + 1
        sc_snippet, sc_chain = candidates[index]
        if py_chain.pretrained and sc_chain.pretrained and py_chain.name and sc_chain.name and (
                py_chain.name != sc_chain.name or (py_chain.lang or "en") != (sc_chain.lang or "en")):
            yield tabs_disagree.rule.finding(
                card.path, sc_snippet.line + sc_chain.line - 1,
                f"`{py_chain.cls}.pretrained`: Python loads {py_chain.name!r}/{py_chain.lang!r}, Scala loads "
                f"{sc_chain.name!r}/{sc_chain.lang!r}")
        scala_setters = {s: v for s, v, _ in sc_chain.setters}
        for setter, values, py_line in py_chain.setters:
            if setter not in scala_setters or not values or not scala_setters[setter]:
                continue
            if _comparable(setter, values) != _comparable(setter, scala_setters[setter]):
                sc_line = sc_chain.setter_line(setter) or sc_chain.line
                yield tabs_disagree.rule.finding(
                    card.path, sc_snippet.line + sc_line - 1,
                    f"`{py_chain.cls}.{setter}`: Python gives {_show(values)} (line {py_snippet.line + py_line - 1})"
                    f", Scala gives {_show(scala_setters[setter])}")


@rule("MH307", "renamed-module", FAMILY, "warning", "an example uses a module under its old, renamed name",
      "use the module's current name")
def renamed_module(card: Card, context) -> Iterator[Finding]:
    renamed = vocab.renamed_modules()
    if not renamed:
        return
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\b")
    for snippet in card.snippets:
        if snippet.tab not in ("python", "nlu"):
            continue
        for number, text in enumerate(snippet.code.splitlines(), snippet.line):
            match = pattern.search(text)
            if match:
                old = match.group(1)
                new = renamed[old]
                also = " (the card uses both)" if re.search(rf"\b{re.escape(new)}\b", card.text) else ""
                yield renamed_module.rule.finding(card.path, number, f"`{old}` was renamed `{new}`{also}",
                                                  f"write `{new}` instead of `{old}`", match.start() + 1)
                break


_CLASS_WORD = re.compile(r"\b([A-Z][A-Za-z0-9]{5,})\b")


@rule("MH308", "misspelt-class-in-code", FAMILY, "error",
      "an example uses a class name the library spells differently",
      "use the library's spelling; class names are case-sensitive")
def misspelt_class(card: Card, context) -> Iterator[Finding]:
    for snippet in card.snippets:
        if snippet.tab not in ("python", "scala", "java"):
            continue
        for offset, column, word, canonical in _misspelt_classes(snippet.code):
            yield misspelt_class.rule.finding(card.path, snippet.line + offset, f"`{word}` should be spelt "
                                              f"`{canonical}`", f"write `{canonical}`", column)


@lru_cache(maxsize=4096)
def _misspelt_classes(code: str) -> tuple[tuple[int, int, str, str], ...]:
    found: dict[str, tuple[int, int, str, str]] = {}
    for offset, text in enumerate(code.splitlines()):
        for match in _CLASS_WORD.finditer(text):
            word = match.group(1)
            canonical = vocab.canonical_annotator(word)
            if canonical and canonical != word and word not in found:
                found[word] = (offset, match.start() + 1, word, canonical)
    return tuple(found.values())


_PYTHON_IN_SCALA = re.compile(r"\\\s*$|\(\s*\[|^\s*(?:from\s+\w[\w.]*\s+)?import\s+\w+\s+as\s|^\s*def\s+\w+\(.*\)\s*:\s*$|"
                              r"\bTrue\b|\bFalse\b|\bNone\b")


@rule("MH309", "python-in-scala-tab", FAMILY, "error", "the Scala example is written in Python syntax",
      "write the Scala tab in Scala: no `\\` line continuations, `Array(...)` for lists, `true`/`false`")
def python_in_scala(card: Card, context) -> Iterator[Finding]:
    for snippet in card.snippets:
        if snippet.tab != "scala":
            continue
        found = _first_python_line(snippet.code)
        if found:
            offset, column, token, text = found
            yield python_in_scala.rule.finding(
                card.path, snippet.line + offset, f"Python syntax in the Scala example: `{token}` in `{text[:60]}`",
                column=column)


@lru_cache(maxsize=4096)
def _first_python_line(code: str) -> tuple[int, int, str, str] | None:
    """(line offset, column, matched text, the line) of the first Python-only construct in Scala code."""
    original = code.splitlines()
    for offset, text in enumerate(strip_scala(code).splitlines()):
        match = _PYTHON_IN_SCALA.search(text)
        if match:
            return offset, match.start() + 1, match.group(0).strip(), original[offset].strip()
    return None
