"""A finding points at the line to edit: the wrong `.pretrained` name, the opening of an unterminated quote, the
raw HTML that runs code. The parser reads what a reader sees: URLs with parentheses, chains past a missing `)`,
a prompt quoted in the Description as text."""

from __future__ import annotations

from generator.card import parse_card
from generator.card.code import builder_chains
from tests.checks.conftest import broken, only


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_mh304_points_at_the_line_with_the_wrong_name():
    wrong = '.pretrained("albert_base_sequence_classifier_ag_news", "en")'
    text = broken(('AlbertForSequenceClassification.pretrained("albert_base_sequence_classifier_imdb", "en")',
                   f"AlbertForSequenceClassification\\\n    {wrong}"))
    findings = only("MH304", text)
    assert findings and findings[0].line == line_of(text, wrong)


def test_mh002_points_at_the_unterminated_quote_not_the_closing_fence():
    card = parse_card('---\nname: ner_x\ntitle: "Detect entities\ndate: 2023-01-02\nauthor: me\n---\n# T\n')
    [diagnostic] = card.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("MH002", 3, 8)
    assert "quoted value opened here is never closed" in diagnostic.message


def test_a_missing_parenthesis_in_scala_does_not_swallow_the_next_stage():
    code = ('val embeddings = BertEmbeddings.pretrained("bert_base_cased", "en")\n'
            '  .setInputCols(Array("document", "token")\n'
            '  .setOutputCol("embeddings")\n\n'
            'val ner = NerDLModel.pretrained("ner_dl", "en")\n'
            '  .setInputCols(Array("sentence", "token", "embeddings"))\n'
            '  .setOutputCol("ner")\n')
    first, second = builder_chains(code)
    assert first.setter("setOutputCol") == ("embeddings",)
    assert (second.cls, second.name, second.setter("setOutputCol"), second.line) == ("NerDLModel", "ner_dl",
                                                                                       ("ner",), 5)


def test_link_urls_keep_their_parentheses():
    card = parse_card("---\nname: x\n---\n# T\nSee [Python](https://en.wikipedia.org/wiki/Python_(programming_"
                      "language)) and [docs](https://example.org/a).\n")
    assert [link.url for link in card.links] == ["https://en.wikipedia.org/wiki/Python_(programming_language)",
                                                 "https://example.org/a"]


def test_raw_html_that_runs_code_is_reported_at_its_line():
    text = broken(("## Model Information", '<img src="x.png" onerror="alert(1)">\n<script>steal()</script>\n'
                   '<a href=" javascript:alert(1)">demo</a>\n<a href="https://example.org">fine</a>\n\n'
                   "## Model Information"))
    findings = only("MH205", text)
    assert [(f.line, f.message.split(" in the")[0]) for f in findings] == [
        (line_of(text, "onerror"), "event handler `onerror=`"),
        (line_of(text, "<script>"), "raw `<script>` tag"),
        (line_of(text, "javascript:"), "`javascript:` URL in an HTML attribute"),
    ]


def test_html_inside_code_blocks_is_code_not_markup():
    text = broken(("## Model Information", "```html\n<script>shown as code</script>\n```\n\n## Model Information"))
    assert only("MH205", text) == []


def test_a_prompt_in_the_description_is_text_not_a_snippet():
    card = parse_card("---\nname: llm_x\n---\n## Description\n\nPrompt used:\n\n```\n<s>[INST] Summarise: "
                      "{text} [/INST]\n```\n\n## How to use\n\n```python\nprint(1)\n```\n")
    assert [s.code for s in card.snippets] == ["print(1)\n"]
    assert [b.line for b in card.text_blocks] == [9]
