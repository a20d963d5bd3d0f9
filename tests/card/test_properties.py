"""Property: no text, however odd, makes the parser raise, and writing back is always identity."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.card import parse_card
from generator.card.edit import serialize

FRAGMENTS = st.sampled_from([
    "---\n", "name: x\n", "title: [a\n", "## Results\n", "```python\n", "```\n", "|a|b|\n", "|---|---|\n",
    "{:.table-model}\n", "{% include x.html %}\n", "<div>\n", "[Download](s3://a/b.zip)\n", "\t", ":", "\r\n",
    "## Benchmarking\n", "{\n", "}\n", "`neg`, `pos`\n", "## Predicted Entities\n", "{{< keras/x >}}\n", "\x00",
    "\ufeff", "\u2028", "- a\n", "  key: v\n", "precision recall f1-score support\n", "a 0.5 0.5 0.5 10\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS | st.text(max_size=30), max_size=40))
def test_structured_noise_never_raises(parts):
    text = "".join(parts)
    card = parse_card(text)
    card.to_record()
    assert serialize(card) == text.encode("utf-8", "surrogateescape")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    card = parse_card(data)
    card.to_record()
    assert serialize(card) == data
