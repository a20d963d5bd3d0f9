"""Jekyll, kramdown and Hugo markup is translated away; the prose stays."""

from __future__ import annotations

import pytest

from generator.render.markup import plain_text, relref_url, translate
from tests.timing import assert_linear

JSL_DESCRIPTION = """ALBERT is "A Lite" version of BERT.

{:.btn-box}
<button class="button button-orange" disabled>Live Demo</button>
[Download](https://s3.amazonaws.com/x.zip){:.button.button-orange}
[Copy S3 URI](s3://x.zip){:.button.button-copy-s3}

{:.h2_title}
More text with a [link](https://example.org){:target="_blank"}.
"""


def test_button_boxes_and_attribute_lists_go():
    text = translate(JSL_DESCRIPTION)
    assert text == 'ALBERT is "A Lite" version of BERT.\n\nMore text with a [link](https://example.org).'


def test_liquid_includes_and_tabs_box_wrappers_go():
    text = translate('<div class="tabs-box" markdown="1">\n{% include programmingLanguageSelectScalaPythonNLU.html %}'
                     '\n```python\nx = 1\n```\n</div>\n{{ site.baseurl }}')
    assert text == "```python\nx = 1\n```"


def test_hugo_shortcodes_become_links_or_go():
    text = translate('{{< keras/original checkedAt="2024-11-26" >}}\n\n'
                     '{{< keras/source link="https://github.com/keras-team/keras-hub/blob/x.py#L14" >}}\n\n'
                     'A [`Preprocessor`]({{< relref "/docs/api/keras_hub/base_classes/preprocessor#preprocessor-class" >}}).')
    assert "[View source](https://github.com/keras-team/keras-hub/blob/x.py#L14)" in text
    assert "(https://keras.io/api/keras_hub/base_classes/preprocessor/#preprocessor-class)" in text
    assert "{{" not in text and "checkedAt" not in text


def test_relref_url():
    assert relref_url("/docs/api/keras_hub/models/albert/") == "https://keras.io/api/keras_hub/models/albert/"


def test_plain_text_keeps_words_and_identifiers():
    text = plain_text("`albert_base_uncased` is **fast**: see [the paper](https://x.y) <br/> _now_")
    assert text == "albert_base_uncased is fast: see the paper now"


# Openers without their closers, built at a given size: each pattern used to scan to the end once per opener.
UNCLOSED = {
    "liquid tags": lambda n: "{% x " * n,
    "liquid output": lambda n: "{{ x " * n,
    "shortcodes": lambda n: "{{< x " * n,
    "buttons without an end tag": lambda n: "<button>a " * n,
    "buttons without a bracket": lambda n: "<button a " * n,
    "links without a bracket": lambda n: "[a " * n,
    "links without a parenthesis": lambda n: "[a](b " * n,
    "images": lambda n: "![a](b " * n,
    "tags": lambda n: "<a " * n,
    "an indented separator row": lambda n: " " * (4 * n) + "x\n",
    "a long separator row": lambda n: "|" + "---|" * n + "x\n",
    "inline attribute lists": lambda n: "{:a " * n,  # 20 s on a 200 KB card
    "a run of underscores": lambda n: "a" + "_" * (4 * n) + "b",  # 9 s on a 200 KB line
}


@pytest.mark.parametrize("name", UNCLOSED)
def test_markup_translation_and_plain_text_are_linear_in_the_text(name):
    assert_linear(UNCLOSED[name], plain_text.__wrapped__, 2_000)


def test_an_opener_that_never_closes_is_kept_as_written():
    assert translate("a {% b\n\n{{ c") == "a {% b\n\n{{ c"
    assert translate("x {% if %}y{% endif %} <button>z</button> {{< w >}}") == "x y  "
    assert plain_text("[a](b) [c] [d](e ![f](g) <i>h</i> <j") == "a [c] [d](e f h <j"
    assert translate("a {:.x} b {: c\nd") == "a  b {: c\nd"
    assert plain_text("snake_case _x_ __init__ a__") == "snake_case x init a"
