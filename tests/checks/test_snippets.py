"""Snippet rules (MH3xx): Python through pyflakes with the runtime's implicit names, Scala identifiers, the model the
example loads, and the two tabs agreeing."""

from __future__ import annotations

import ast
import warnings

import pytest

from generator import vocab
from generator.card import read_card
from generator.checks import check_card
from generator.card.code import analyse_scala, builder_chains, literal_values
from generator.execute.runtimes.keras_hub import KerasHubRuntime
from generator.execute.runtimes.transformers import TransformersRuntime
from tests.checks.conftest import CLEAN, broken, only, run
from tests.conftest import seed

PY_CLASSIFIER = ".pretrained('albert_base_sequence_classifier_imdb', 'en')"


@pytest.mark.parametrize("code, replacements, expected", [
    ("MH301", [("pipeline = Pipeline(stages=[document_assembler,", "pipeline = Pipeline(stages=[document_assembler,,")],
     "Python syntax error"),
    ("MH302", [("result = pipeline.fit(example).transform(example)", "result = pipeline.fit(exmaple).transform(example)")],
     "undefined name `exmaple`"),
    ("MH302", [(PY_CLASSIFIER, ".pretrained(albert_base_sequence_classifier_imdb, 'en')")],
     "is an undefined name, not a string"),
    ("MH302", [("result.select(F.col(\"class.result\")).show()", "result.select(F.col(\"class.result\")).show()\n"
                "Output: ['pos']")], "output pasted into the code"),
    ("MH302", [("result.select(F.col(\"class.result\")).show()", "print(json.dumps({}))")],
     "`json` is used without `import json`"),
    ("MH303", [("val sequenceClassifier = AlbertForSequenceClassification", "val tokenClassifier = "
                "AlbertForSequenceClassification")], "`sequenceClassifier` is used but never defined"),
    ("MH304", [(PY_CLASSIFIER, ".pretrained('albert_base_sequence_classifier_ag_news', 'en')")],
     "loads `albert_base_sequence_classifier_ag_news` but the card is `albert_base_sequence_classifier_imdb`"),
    ("MH304", [(PY_CLASSIFIER, ".pretrained('albert_base_sequence_classifier_imdb', ' en')")],
     "for language ' en' but the card's language is 'en'"),
    ("MH305", [(".setMaxSentenceLength(512)\n\nval pipeline", ".setMaxSentenceLength(256)\n\nval pipeline")],
     "`AlbertForSequenceClassification.setMaxSentenceLength`: Python gives 512"),
    ("MH305", [('.setInputCols("document")\n.setOutputCol("token")', '.setInputCols("sentence")\n.setOutputCol("token")')],
     "`Tokenizer.setInputCols`"),
    ("MH306", [("document_assembler = DocumentAssembler() \\\n.setInputCol('text') \\\n.setOutputCol('document')",
                "...")], "leaves code out (`...`); it uses `document_assembler`"),
    ("MH307", [("import nlu\n", "import nlu\nimport keras_nlp\n")], "`keras_nlp` was renamed `keras_hub`"),
    ("MH308", [("val sequenceClassifier = AlbertForSequenceClassification", "val sequenceClassifier = "
                "AlBertForSequenceClassification")], "`AlBertForSequenceClassification` should be spelt"),
    ("MH309", [('.setInputCols("document", "token")', '.setInputCols(["document", "token"]) \\')],
     "Python syntax in the Scala example"),
])
def test_rule_fires_on_the_defect(code, replacements, expected):
    findings = only(code, broken(*replacements))
    assert any(expected in f.message for f in findings), [f.message for f in findings]


def test_undefined_name_line_and_column_point_into_the_card():
    text = broken(("result = pipeline.fit(example).transform(example)",
                   "result = pipeline.fit(exmaple).transform(example)"))
    [finding] = only("MH302", text)
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1:].startswith("exmaple")


def test_code_too_deep_to_analyse_or_with_compile_warnings_is_neither_a_crash_nor_terminal_noise():
    deep = "total = " + " + ".join(["1"] * 1000) + "\n"
    escapes = 'pattern = "\\d+ \\w"\n'
    first = "document_assembler = DocumentAssembler()"
    text = broken((first, deep + escapes + first))
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        findings = run(text)
    assert [f.message for f in findings if f.code == "MH999"] == []
    assert [str(w.message) for w in shown] == []


def test_the_spark_nlp_runtime_names_are_not_undefined():
    # spark, Pipeline, F and every annotator class come from the page's assumed setup
    text = broken(("result.select(F.col(\"class.result\")).show()",
                   "light = LightPipeline(pipeline.fit(example))\nner = NerDLModel.pretrained()\n"
                   "emb = BertEmbeddings.pretrained()\nchunks = NerConverter()\nsparknlp.version()"))
    assert only("MH302", text) == []


def test_names_defined_in_an_earlier_block_count():
    text = broken(("import nlu\n", "import nlu\nprint(sequenceClassifier, pipeline)\n"))
    assert only("MH302", text) == []


def test_api_signatures_and_elided_snippets_are_not_undefined_names():
    keras = ("---\ntitle: AlbertTextClassifier model\ntype: docs\n---\n\n```python\n"
             "keras_hub.models.AlbertTextClassifier(backbone, num_classes, preprocessor=None)\n```\n")
    assert only("MH302", keras, path="albert.md") == []
    elided = broken(("document_assembler = DocumentAssembler() \\\n.setInputCol('text') \\\n.setOutputCol('document')",
                     "..."))
    assert only("MH302", elided) == []
    assert only("MH306", elided)[0].severity == "info"


def test_scala_hint_names_the_defined_but_unused_value():
    text = broken(("val sequenceClassifier = AlbertForSequenceClassification",
                   "val tokenClassifier = AlbertForSequenceClassification"))
    [finding] = only("MH303", text)
    assert "did you mean `tokenClassifier` (defined at line" in finding.hint and "Python example defines `sequenceClassifier`" in finding.hint


def test_scala_strings_comments_members_and_named_arguments_are_not_identifiers():
    code = ('import com.johnsnowlabs.nlp.annotator.{Tokenizer, NerDLModel => Ner}\n'
            'val x = Seq("undefinedInString").toDF("text") // undefinedInComment\n'
            'val y = x.map(row => row.getString(0)).filter { case (a, b) => a == b }\n'
            'def f(count: Int) = count + 1\n'
            'val z = spark.read.option(key = "v").load(x.columns.mkString)\n')
    report = analyse_scala(code)
    undefined = {name for name, _ in report.used if name not in report.defined}
    assert undefined == {"spark"}  # provided by the runtime, filtered by the rule


def test_pretrained_without_language_on_a_non_english_card():
    text = broken((PY_CLASSIFIER, ".pretrained('albert_base_sequence_classifier_imdb')"),
                  ("language: en", "language: de"), ("|Language:|en|", "|Language:|de|"))
    findings = only("MH304", text, path="cards/2021-12-16-albert_base_sequence_classifier_imdb_de.md")
    assert any("without a language" in f.message for f in findings)


def test_input_column_order_does_not_matter_between_tabs():
    # Python reads ['token', 'document'], Scala ("document", "token"): the same columns
    assert only("MH305", CLEAN) == []


def test_builder_chains_read_both_languages():
    python = "x = Foo.pretrained('n', lang='de') \\\n  .setInputCols(['a', 'b']) \\\n  .setFlag(True).setSize(3)"
    [chain] = builder_chains(python)
    assert (chain.cls, chain.name, chain.lang, chain.variable) == ("Foo", "n", "de", "x")
    assert chain.setter("setInputCols") == ("a", "b") and chain.setter("setFlag") == (True,)
    scala = 'val x = new Foo()\n  .setInputCols(Array("a", "b"))\n  .setFlag(false)'
    [chain] = builder_chains(scala)
    assert chain.setter("setInputCols") == ("a", "b") and chain.setter("setFlag") == (False,)
    assert literal_values('"a, b", 1.5, true') == ("a, b", 1.5, True)


def test_seed_scala_snippets_use_a_classifier_they_never_define():
    for number in (0, 1, 2):
        from generator.card import read_card
        from generator.checks import CheckContext, RuleSelection, check_card

        findings = check_card(read_card(seed(number)), CheckContext(selection=RuleSelection(select=("MH303",))))
        assert [f.message.split("`")[1] for f in findings] == ["sequenceClassifier"]


def _bound_names(prelude: str | None) -> frozenset[str]:
    """The names a prelude's imports and assignments bind in the card's namespace."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(prelude or "")):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return frozenset(names)


@pytest.mark.parametrize("checks_runtime, runtime", [("keras", KerasHubRuntime()),
                                                     ("transformers", TransformersRuntime())])
def test_the_names_a_runtime_provides_are_exactly_what_its_prelude_binds(checks_runtime, runtime):
    # a name the checks accept but the runtime does not bind is a NameError when the example runs
    assert vocab.runtime_names(checks_runtime) == _bound_names(runtime.prelude(None))


def test_the_keras_seed_using_tf_without_importing_it_is_flagged():
    # the Keras page's "Custom backbone" example uses tf.data without importing TensorFlow (not installed; the
    # keras-hub runtime does not bind it), so running it could only fail
    findings = [f for f in check_card(read_card(seed(3))) if f.code == "MH302"]
    assert ("`tf` is used but never imported or defined", 99) in [(f.message, f.line) for f in findings]


def test_each_python_block_is_analysed_once_per_card_and_in_linear_time():
    # each block's names were copied into a new set for the next block and hashed into the analysis' memo key, and
    # the four rules re-analysed every block once a card had more blocks than the memo holds: 2 MiB of blocks took
    # minutes
    from generator.card import parse_card
    from generator.card.code import _analyse_python
    from tests.timing import assert_linear

    def card(n):
        blocks = "".join(f"```python\nx_{i} = len([{i}])\nprint(x_{i}, y)\n```\n\n" for i in range(n))
        return parse_card("---\nname: many\nruntime: python\n---\n\n# Many\n\n## Usage\n\n" + blocks, "cards/many.md")

    _analyse_python.cache_clear()
    findings = check_card(card(40))
    assert (_analyse_python.cache_info().misses, _analyse_python.cache_info().hits) == (40, 0)
    assert [f.line for f in findings if f.code == "MH302"] == [12 + 5 * i for i in range(40)]  # `y`: still found
    assert_linear(card, check_card, 200, factor=8)
