"""Which family of card a file belongs to, from its front matter and the markup in its body."""

from __future__ import annotations

from typing import Any

DIALECTS = ("jsl", "huggingface", "keras", "native", "unknown")

_HF_KEYS = {"model-index", "library_name", "pipeline_tag", "base_model", "datasets", "widget", "inference"}
_JSL_KEYS = {"edition", "spark_version", "annotator", "nav_key"}
# Keys of the Jekyll theme the JSL site uses: on their own they make a page of that site (a blog post, the theme's
# samples), not a model card; with a model's own keys they are a JSL card.
_JSL_THEME_KEYS = {"use_language_switcher", "article_header"}
_MODEL_KEYS = {"name", "class", "language", "model_name"}


def detect_dialect(front_matter: dict[str, Any], scan) -> str:
    """native: ``modelhub:`` key; keras: Hugo shortcodes or ``type: docs``; huggingface: Hub metadata keys;
    jsl: Jekyll model layout, Spark NLP keys, or kramdown/Liquid markup in the body."""
    keys = set(front_matter)
    if "modelhub" in keys:
        return "native"
    if scan.markup.get("shortcode") or front_matter.get("type") == "docs":
        return "keras"
    if front_matter.get("layout") == "model":
        return "jsl"
    if keys & {"model-index", "library_name", "pipeline_tag"}:
        return "huggingface"  # the Hub's own keys win over Spark NLP ones (a JSL card exported for the Hub)
    if keys & _JSL_KEYS or (keys & _JSL_THEME_KEYS and keys & _MODEL_KEYS):
        return "jsl"
    if keys & _HF_KEYS:
        return "huggingface"
    if scan.markup.get("ial") or scan.markup.get("liquid"):
        return "jsl"
    if keys & {"name", "author", "categories", "date", "class"}:
        return "jsl"
    if "license" in keys or "language" in keys:
        return "huggingface"
    return "unknown"
