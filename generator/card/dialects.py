"""Which family of card a file belongs to, from its front matter and the markup in its body."""

from __future__ import annotations

from typing import Any

DIALECTS = ("jsl", "huggingface", "keras", "native", "unknown")

_HF_KEYS = {"model-index", "library_name", "pipeline_tag", "base_model", "datasets", "widget", "inference"}
_JSL_KEYS = {"edition", "spark_version", "annotator", "nav_key", "use_language_switcher", "article_header"}


def detect_dialect(front_matter: dict[str, Any], scan) -> str:
    """native: ``modelhub:`` key; keras: Hugo shortcodes or ``type: docs``; huggingface: Hub metadata keys;
    jsl: Jekyll model layout, Spark NLP keys, or kramdown/Liquid markup in the body."""
    keys = set(front_matter)
    if "modelhub" in keys:
        return "native"
    if scan.markup.get("shortcode") or front_matter.get("type") == "docs":
        return "keras"
    if front_matter.get("layout") == "model" or keys & _JSL_KEYS:
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
