"""Snippet analysis runs in time linear in the snippet, whatever it holds, and finds what it found before: builder
chains, Scala definitions and uses, literal arguments."""

from __future__ import annotations

import pytest

from generator.artifacts.resolve import ResolveError, resolve
from generator.artifacts.settings import ArtifactSettings
from generator.card.code import analyse_scala, builder_chains, literal_values
from generator.config import Config
from tests.timing import assert_linear

# One hostile snippet each, built at a given size. Each was quadratic (or worse) before: a scan to the end of the
# snippet from every opener, or a copy of everything before every identifier.
SNIPPETS = {
    "a long identifier": lambda n: "val x = " + "a" * (8 * n) + "\n",
    "a long dotted path": lambda n: "x." * (4 * n) + "y\n",
    "package segments before a class": lambda n: "a." * (4 * n) + "B(\n",
    "unclosed constructors": lambda n: "Foo(" * n,
    "unclosed pretrained calls": lambda n: "Foo.pretrained(" * n,
    "setters that never close": lambda n: "Foo.pretrained()" + ".setX(" * n,
    "unclosed quotes": lambda n: "Foo(" + '"a\\' * n,
    "unclosed single quotes": lambda n: "Foo.pretrained(" + "'x, " * n,
    "many chains": lambda n: 'Foo.pretrained("a", "en").setX(1)\n' * (n // 8),
    "many arguments": lambda n: "Foo.pretrained().setX(" + "1, " * n + '"\n',
    "many identifiers on a line": lambda n: "val a = " + "b + " * n + "\n",
    "imports then names": lambda n: "import a.b.{c, d}\n" + "x y " * n + "\n",
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_builder_chains_are_linear_in_the_snippet(name):
    assert_linear(SNIPPETS[name], builder_chains.__wrapped__, 500)


@pytest.mark.parametrize("name", SNIPPETS)
def test_scala_analysis_is_linear_in_the_snippet(name):
    assert_linear(SNIPPETS[name], analyse_scala.__wrapped__, 500)


def test_literal_values_are_linear_in_the_arguments():
    assert_linear(lambda n: "1, true, " * n + '"unclosed', literal_values, 1_000)
    assert literal_values('"a", 1, 2.5, true, False, [\'b\', "c"], x') == ("a", 1, 2.5, True, False, "b", "c")


def test_chains_are_found_as_before():
    code = ('val tokenizer = new com.johnsnowlabs.nlp.Tokenizer()\n  .setInputCols("document")\n'
            '  .setOutputCol("token")\n'
            'embeddings = BertEmbeddings.pretrained("bert_base", "en") \\\n    .setInputCols(["document", "token"])'
            '\nx = Foo.Bar.pretrained(name="a", lang="de")\ns = "Quoted(" + Other.pretrained("q(", \'en\')\n')
    chains = builder_chains.__wrapped__(code)
    assert [(c.cls, c.line, c.variable, c.pretrained, c.lang, c.setters) for c in chains] == [
        ("Tokenizer", 1, "tokenizer", None, None, (("setInputCols", ("document",), 2),
                                                   ("setOutputCol", ("token",), 3))),
        ("BertEmbeddings", 4, "embeddings", ("bert_base", "en"), "en",
         (("setInputCols", ("document", "token"), 5),)),
        ("Bar", 6, None, (None,), "de", ()),
        ("Other", 7, None, ("q(", "en"), "en", ()),
    ]


def test_an_unclosed_call_ends_at_its_line():
    [chain] = builder_chains.__wrapped__('a = Foo.pretrained("x", "en"\n.setY(1)\nb = 2\n')
    assert chain.pretrained == ("x", "en") and chain.setters == (("setY", (1,), 2),)


def test_scala_uses_and_definitions_are_read_as_before():
    report = analyse_scala.__wrapped__(
        'import com.x.{Tokenizer, Finisher => F}\nimport a.b._\nval document = new DocumentAssembler()\n'
        '  .setInputCol("text")\nval pipeline = new Pipeline().setStages(Array(document, tokenizer))\n'
        'def f(x: Int) = x + y\nval result = pipeline.fit(data).transform(data)\nimport\n  q\n')
    assert {"document": 3, "pipeline": 5, "f": 6, "result": 7, "x": 6, "q": 8}.items() <= report.defined.items()
    assert report.used == (("document", 5), ("tokenizer", 5), ("x", 6), ("y", 6), ("pipeline", 7), ("data", 7),
                           ("data", 7))


@pytest.mark.parametrize("url", ["http://[::1/x.zip", "models/a\x00b.zip", "file:///tmp/\x00"])
def test_a_url_that_points_nowhere_is_a_resolve_error_not_a_crash(tmp_path, url):
    settings = ArtifactSettings.from_config(Config(tmp_path, {}, None))
    with pytest.raises(ResolveError, match="not a usable URL or path"):
        resolve(url, settings, tmp_path / "card.md")
