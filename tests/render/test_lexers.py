"""A lexer's rules are compiled once per machine: the next process builds them from the kept programs, without the
regular-expression compiler, and highlights exactly as pygments does; a damaged file, or a program Python refuses,
is compiled again."""

from __future__ import annotations

import pickle

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers.jvm import ScalaLexer

from generator.render import lexers

SCALA = ('val pipeline = new Pipeline().setStages(Array(document, ner)) // é\n'
         'object Ünïcode { def f(a: Int) = s"$a" }\n')


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A new process as far as the Scala lexer is concerned: its rules not compiled yet, an empty per-user cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(lexers, "_patterns", {})
    reference = highlight(SCALA, ScalaLexer(stripnl=False), HtmlFormatter(nowrap=True))

    def new_process() -> None:
        monkeypatch.delattr(ScalaLexer, "_tokens", raising=False)
        monkeypatch.setattr(lexers, "_patterns", {})

    new_process()
    return reference, new_process


def test_the_next_process_builds_the_rules_from_the_kept_programs_and_highlights_the_same(fresh, monkeypatch):
    reference, new_process = fresh
    first = lexers.lexer_by_name("scala", stripnl=False)
    kept = lexers.store_path("ScalaLexer")
    assert kept.is_file() and len(pickle.loads(kept.read_bytes())) > 50
    assert highlight(SCALA, first, HtmlFormatter(nowrap=True)) == reference
    new_process()

    def compiler(*args, **kwargs):
        raise AssertionError("a kept program was compiled again")

    monkeypatch.setattr(lexers._parser, "parse", compiler)
    again = lexers.lexer_by_name("scala", stripnl=False)
    assert highlight(SCALA, again, HtmlFormatter(nowrap=True)) == reference


def test_a_damaged_file_or_a_program_python_refuses_is_compiled_again(fresh):
    reference, new_process = fresh
    lexers.store_path("ScalaLexer").parent.mkdir(parents=True)
    lexers.store_path("ScalaLexer").write_bytes(b"not a pickle")
    assert highlight(SCALA, lexers.lexer_by_name("scala", stripnl=False), HtmlFormatter(nowrap=True)) == reference
    programs = pickle.loads(lexers.store_path("ScalaLexer").read_bytes())  # written again, whole
    refused = {key: (flags, [999999] * len(code), groups, index, names)
               for key, (flags, code, groups, index, names) in programs.items()}
    lexers.store_path("ScalaLexer").write_bytes(pickle.dumps(refused))
    new_process()
    assert highlight(SCALA, lexers.lexer_by_name("scala", stripnl=False), HtmlFormatter(nowrap=True)) == reference
    assert pickle.loads(lexers.store_path("ScalaLexer").read_bytes()) == programs


def test_each_lexer_keeps_its_own_file_so_a_process_reads_only_the_lexers_it_uses(fresh, monkeypatch):
    from pygments.lexers.shell import BashLexer

    monkeypatch.delattr(BashLexer, "_tokens", raising=False)
    lexers.lexer_by_name("scala", stripnl=False)
    lexers.lexer_by_name("bash", stripnl=False)
    files = sorted(path.name.split("-")[0] for path in lexers.store_path("ScalaLexer").parent.iterdir())
    assert files == ["BashLexer", "ScalaLexer"]


def test_without_a_home_folder_the_rules_are_compiled_as_usual(fresh, monkeypatch):
    reference, _ = fresh

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(lexers, "environment_cache_dir", no_home)
    assert highlight(SCALA, lexers.lexer_by_name("scala", stripnl=False), HtmlFormatter(nowrap=True)) == reference


def test_a_name_pygments_does_not_know_raises_as_pygments_does():
    from pygments.util import ClassNotFound

    with pytest.raises(ClassNotFound):
        lexers.lexer_by_name("no-such-language")
