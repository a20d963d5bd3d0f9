"""Pygments lexers whose rules are compiled once per machine, not once per process.

A pygments lexer compiles its regular expressions when its class is first used in a process: Scala's 91 rules, with
their long Unicode classes, take about 0.23 s and Python's 0.05 s, paid again by every process that highlights a code
block (each worker of a build's page pass, and the building process itself on a rebuild after an edit, where it was
the largest single cost). ``lexer_by_name`` gives the lexer pygments gives, but its rules are built from what
Python's regular-expression compiler made of each pattern the last time (the compiled program, kept in the per-user
environment cache beside keras-hub's registry). The file is named by the Python build and pygments' version; a pattern
it lacks, or a program Python refuses, is compiled as usual, and anything unexpected falls back to pygments' own way.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import pygments
from pygments.lexer import Future, RegexLexer
from pygments.lexers import find_lexer_class_by_name

from ..config import environment_cache_dir
from ..fileio import write_bytes_atomic

try:  # CPython's regular-expression compiler; elsewhere, lexers compile as pygments does
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - not CPython
    _sre = None

# what _sre.compile takes after the pattern: flags, code, groups, group index, index group
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class CompiledPatterns:
    """Patterns compiled from (and into) the programs kept in one file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: no place to keep them (no home folder): compiled as usual, kept by nobody
        self.programs: dict[tuple[str, int], Program] = {}
        self.added = False
        try:
            loaded = pickle.loads(path.read_bytes()) if path is not None else None
        except Exception:  # noqa: BLE001 - missing or damaged: compile as usual
            return
        if isinstance(loaded, dict):
            self.programs = loaded

    def compile(self, pattern: str, flags: int) -> re.Pattern:
        if _sre is None or not isinstance(pattern, str) or not isinstance(flags, int):
            return re.compile(pattern, flags)
        program = self.programs.get((pattern, flags))
        if program is not None:
            try:
                compiled = _sre.compile(pattern, *program)
                if compiled.pattern == pattern and compiled.groups == program[2]:
                    return compiled
            except Exception:  # noqa: BLE001 - a program this Python does not take: compile it again
                pass
        parsed = _parser.parse(pattern, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # plain ints: the compiler's opcodes are int subclasses that do not pickle
        program = (int(flags | parsed.state.flags), [int(op) for op in _compiler._code(parsed, flags)],
                   parsed.state.groups - 1, groupindex, tuple(indexgroup))
        compiled = _sre.compile(pattern, *program)
        self.programs[(pattern, flags)] = program
        self.added = True
        return compiled

    def save(self) -> None:
        """Keep the programs for the next process (atomically: a concurrent process finds this file or its own)."""
        if not self.added or self.path is None:
            return
        try:
            write_bytes_atomic(self.path, pickle.dumps(self.programs, pickle.HIGHEST_PROTOCOL))
            self.added = False
        except OSError:  # a read-only home: the next process compiles again
            pass


_patterns: dict[str, CompiledPatterns] = {}  # lexer class name -> its kept programs, as this process read them


def store_path(lexer: str) -> Path:
    """The file of the programs of ``lexer`` (a class name) for this Python build and pygments version: one file per
    lexer, so a process reads only the lexers it uses, however many languages a catalog's cards name."""
    build = f"{sys.version}\0{sys.implementation.cache_tag}\0{getattr(_sre, 'MAGIC', '')}\0{pygments.__version__}"
    return environment_cache_dir() / "pygments" / f"{lexer}-{hashlib.sha256(build.encode()).hexdigest()[:16]}.pickle"


def lexer_by_name(name: str, **options: Any):
    """``pygments.lexers.get_lexer_by_name(name, **options)``, with a regular-expression lexer's rules built from the
    kept programs the first time its class is used in this process (raises ``ClassNotFound`` as pygments does)."""
    cls = find_lexer_class_by_name(name)
    if not (isinstance(cls, type) and issubclass(cls, RegexLexer)) or "_tokens" in cls.__dict__ \
            or getattr(cls, "token_variants", False) or "_process_regex" in cls.__dict__:
        return cls(**options)
    patterns = _patterns.get(cls.__name__)
    if patterns is None:
        try:
            path: Path | None = store_path(cls.__name__)
        except RuntimeError:  # no home folder to keep them in (Path.home() could not tell)
            path = None
        patterns = _patterns[cls.__name__] = CompiledPatterns(path)

    def process_regex(klass, regex, rflags, state):  # what pygments' RegexLexerMeta._process_regex does
        if isinstance(regex, Future):
            regex = regex.get()
        return patterns.compile(regex, rflags).match

    cls._process_regex = classmethod(process_regex)  # the class's own attribute wins over its metaclass's method
    try:
        lexer = cls(**options)  # the first instance compiles the class's rules
    except Exception:  # noqa: BLE001 - pygments' own way, with its own errors
        del cls._process_regex
        if "_tokens" in cls.__dict__:
            del cls._tokens
        return cls(**options)
    del cls._process_regex
    patterns.save()
    return lexer
