"""Body-structure rules (MH2xx)."""

from __future__ import annotations

import pytest

from tests.checks.conftest import broken, only, run


@pytest.mark.parametrize("code, replacements, expected", [
    ("MH201", [("## Description\n\n`albert_base_sequence_classifier_imdb` is a fine-tuned ALBERT model for "
                "sentiment analysis of movie reviews.\n", "## Description\n\n{:.h2_title}\n")],
     "the Description section is empty"),
    ("MH201", [("## Description", "## Overwiew")], "no Description section"),
    ("MH202", [("|Max sentence length:|512|", "|Max sentense length:|512|")],
     "`Max sentense length` is misspelt; write `Max sentence length`"),
    ("MH202", [("|Size:|44.9 MB|", "|Sise:|44.9 MB|")], "did you mean `Size`?"),
    ("MH203", [("```scala\nval document_assembler", "```scala\n\n```\n```scala\nval document_assembler")],
     "Scala code block is empty"),
    ("MH203", [("```scala\nval document_assembler", "```scala\nN/A\n```\n```scala\nval document_assembler")],
     "empty or a placeholder"),
    ("MH204", [("for sentiment analysis", "for sentiment analysis ðŸš€")], "`ðŸš€` is mojibake for `🚀`"),
    ("MH204", [("is a fine-tuned", "is a â€œfine-tunedâ€\x9d")], "`â€œ` is mojibake for `“`"),
    ("MH205", [("[https://huggingface.co/datasets/imdb](https://huggingface.co/datasets/imdb)",
                "[imdb](javascript:alert(1))")], "unsafe scheme `javascript:`"),
    ("MH206", [("[Download](https://", "[Download](||https://")], "junk before its scheme"),
    ("MH206", [("<button class=\"button button-orange\" disabled>Live Demo</button>", "[Live Demo]()")],
     "has no target"),
    ("MH206", [("(https://huggingface.co/datasets/imdb)", "(\\assets\\images\\imdb.png)")], "backslashes"),
    ("MH206", [("(https://s3.amazonaws.com/auxdata", "(https://s3.amazon.com/auxdata")],
     "not an S3 endpoint (did you mean `s3.amazonaws.com`?)"),
    ("MH207", [("(https://huggingface.co/datasets/imdb)", "(http://huggingface.co/datasets/imdb)")], "plain http"),
    ("MH208", [("## Data Source", "## Results\n\nmore\n\n## Data Source")], "repeats the one at line"),
])
def test_rule_fires_on_the_defect(code, replacements, expected):
    findings = only(code, broken(*replacements))
    assert any(expected in f.message for f in findings), [f.message for f in findings]


def test_a_broken_download_link_is_an_error_other_links_warnings():
    download = only("MH206", broken(("[Download](https://", "[Download](||https://")))
    demo = only("MH206", broken(("<button class=\"button button-orange\" disabled>Live Demo</button>",
                                 "[Live Demo](#)")))
    assert download[0].severity == "error" and demo[0].severity == "warning"


def test_an_address_urlsplit_refuses_is_a_finding_not_a_rule_crash():
    text = broken(("[Download](https://s3.amazonaws.com", "[Download](https://[s3.amazonaws.com"))
    assert [f.message for f in only("MH206", text)] == [
        "link `Download` is not a valid address: `https://[s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/"
        "albert_base_sequence_classifier_imdb_en_3.4.0_3.0_1639652560396.zip`"]
    assert [f.message for f in run(text) if f.code == "MH999"] == []


def test_mojibake_rule_leaves_real_non_ascii_text_alone():
    text = broken(("for sentiment analysis", "for sentiment analysis — “quoted” 🚀 Grüße, naïve café, Ça, â"))
    assert only("MH204", text) == []


def test_model_information_spellings_that_are_fine():
    text = broken(("|Max sentence length:|512|", "|Max Sentence Length:|512|\n|Spark inputs:|x|"))
    assert only("MH202", text) == []


def test_blog_posts_need_no_model_sections():
    post = "---\ntitle: Welcome\nauthor: me\ndate: 2018-07-01\ntags: TeXt\n---\nHello.\n"
    assert only("MH201", post, path="_posts/2018-07-01-welcome.md") == []
