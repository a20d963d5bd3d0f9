"""Which snippets run, in which runtime, and why a card cannot run here: decided before anything executes."""

from __future__ import annotations

import pytest

from generator.card import parse_card
from generator.execute.plan import cell_code, plan_card, runnable_snippets
from generator.execute.runtimes import get_runtime, infer_runtime_name
from generator.execute.runtimes import base as runtime_base

from ..conftest import seed


def card(front: str, *blocks: str):
    body = "\n\n".join(f"```python\n{block}\n```" for block in blocks)
    return parse_card(f"---\n{front}\n---\n\n# Card\n\n{body}\n", "cards/card.md")


@pytest.mark.parametrize("code, expected", [
    ("from transformers import pipeline\npipeline('text-classification', model='x')", "transformers"),
    ("from sentence_transformers import SentenceTransformer", "transformers"),
    ("import onnxruntime as ort\nort.InferenceSession('m.onnx')", "onnx"),
    ("import keras_hub\nkeras_hub.models.BertClassifier.from_preset('bert_tiny_en_uncased')", "keras-hub"),
    ("document = DocumentAssembler().setInputCol('text')", "sparknlp"),
    ("clf = AlbertForSequenceClassification.pretrained('albert_base', 'en')", "sparknlp"),
    ("import sparknlp\nspark = sparknlp.start()", "sparknlp"),
    ("print(sum(range(10)))", "python"),
])
def test_the_runtime_is_inferred_from_imports_and_calls(code, expected):
    assert infer_runtime_name(code) == expected


def test_front_matter_runtime_wins_over_imports_and_accepts_common_spellings():
    plan = plan_card(card("name: x\nruntime: spark-nlp", "from transformers import pipeline"))
    assert plan.runtime_name == "sparknlp"
    assert plan_card(card("name: x\nruntime: keras_hub", "print(1)")).runtime_name == "keras-hub"


def test_jsl_cards_run_their_python_tab_only_in_the_sparknlp_runtime():
    plan = plan_card(parse_card(seed(1).read_bytes(), str(seed(1))))
    assert plan.runtime_name == "sparknlp"
    assert [snippet.tab for snippet in plan.cells] == ["python"]  # not scala, not the nlu one-liner


def test_notebook_magics_become_blank_lines_so_line_numbers_hold():
    snippet = runnable_snippets(card("name: x", "!pip install foo\nprint(1)"))[0]
    assert cell_code(snippet) == "\nprint(1)\n"


def test_a_card_without_python_or_opting_out_is_blocked_with_the_reason():
    assert plan_card(card("name: x")).blocked == "the card has no Python example to run"
    assert plan_card(card("name: x\nexecute: false", "print(1)")).blocked.startswith("the card opts out")


def test_an_unknown_runtime_is_named_with_the_known_ones():
    blocked = plan_card(card("name: x\nruntime: cobol", "print(1)")).blocked
    assert blocked.startswith("unknown runtime 'cobol' (known: ")
    assert "transformers" in blocked


def test_transformers_cards_need_an_artifact():
    blocked = plan_card(card("name: x\nruntime: transformers", "print(1)")).blocked
    assert "needs the model" in blocked and "artifact" in blocked


def test_sparknlp_without_pyspark_is_not_executed_with_the_precise_reason(monkeypatch):
    monkeypatch.setattr(runtime_base.importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyspark" else object())
    blocked = plan_card(card("name: x", "document = DocumentAssembler()")).blocked
    assert blocked == ("runtime sparknlp unavailable: pyspark is not installed here "
                       "(pip install pyspark spark-nlp, plus Java 8/11/17)")


def test_sparknlp_without_a_local_jar_says_how_to_provide_one(monkeypatch):
    sparknlp = get_runtime("sparknlp")
    monkeypatch.setattr("generator.execute.runtimes.sparknlp.missing_module", lambda *names: None)
    monkeypatch.setattr("generator.execute.runtimes.sparknlp.shutil.which", lambda name: "/usr/bin/java")
    monkeypatch.setattr("generator.execute.runtimes.sparknlp.find_jar", lambda settings: None)
    assert "sparknlp_jar" in sparknlp.unavailable_reason({})


def test_keras_hub_without_the_package_is_not_executed(monkeypatch):
    monkeypatch.setattr(runtime_base.importlib.util, "find_spec",
                        lambda name, *a: None if name == "keras_hub" else object())
    blocked = plan_card(card("name: x", "import keras_hub")).blocked
    assert blocked.startswith("runtime keras-hub unavailable: keras_hub is not installed here")


def test_the_real_environment_decides_for_the_optional_runtimes():
    """No faking: what is reported matches what is importable on this machine."""
    import importlib.util

    if not all(importlib.util.find_spec(name) for name in ("pyspark", "sparknlp")):
        assert get_runtime("sparknlp").unavailable_reason({}) is not None
    if importlib.util.find_spec("keras_hub") is None:
        assert "keras_hub is not installed" in get_runtime("keras-hub").unavailable_reason({})
    if importlib.util.find_spec("transformers") and importlib.util.find_spec("torch"):
        assert get_runtime("transformers").unavailable_reason({}) is None


def test_the_keras_api_page_seed_is_not_executed_here_unless_keras_hub_exists():
    import importlib.util

    plan = plan_card(parse_card(seed(3).read_bytes(), str(seed(3))))
    assert plan.runtime_name == "keras-hub"
    if importlib.util.find_spec("keras_hub") is None:
        assert "keras_hub is not installed" in plan.blocked


def test_aliases_are_the_hub_id_and_the_card_name():
    plan = plan_card(card("name: demo-albert\nhub_id: org/demo-albert\nartifact: {url: x.zip}",
                          "from transformers import pipeline"))
    assert plan.aliases == ["org/demo-albert", "demo-albert"]
    assert plan.artifact_url == "x.zip"
