"""Model families: cards grouped by the architecture their annotator (or Keras class) is built on.

``AlbertForSequenceClassification``, ``AlBertEmbeddings`` and Keras' ``AlbertTextClassifier`` all belong to the
ALBERT family: the family is the class name without its task head. A family page lists every member in a presets
table (name, parameters, description, link), the way Keras Hub lists the presets of one architecture.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import vocab

# Task heads and component kinds appended to an architecture's name, longest first.
_HEADS = sorted((
    "ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering", "ForZeroShotClassification",
    "ForMultipleChoice", "ForMaskedLM", "ForCausalLM", "ForConditionalGeneration", "ForImageClassification",
    "ForAudioClassification", "ForCTC", "ForTextGeneration", "TextClassifierPreprocessor", "TextClassifier",
    "MaskedLMPreprocessor", "MaskedLM", "CausalLMPreprocessor", "CausalLM", "Seq2SeqLMPreprocessor", "Seq2SeqLM",
    "Preprocessor", "Backbone", "Tokenizer", "SentenceEmbeddings", "Embeddings", "Transformer", "Model",
    "Approach", "Annotator",
), key=len, reverse=True)
_CLASS_HEADING = re.compile(r"`?([A-Z][A-Za-z0-9]+)`?\s+(?:class|model)\b")


def strip_head(class_name: str) -> str:
    """The architecture part of a class name: ``AlbertForSequenceClassification`` -> ``Albert``."""
    name = class_name.strip()
    for head in _HEADS:
        if name.endswith(head) and len(name) > len(head):
            return name[: -len(head)]
    return name


def class_name_of(record: dict[str, Any]) -> str | None:
    """The class a card documents: its annotator, or for a Keras API page the class in its title or headings."""
    annotator = record.get("annotator")
    if annotator:
        known = vocab.canonical_annotator(annotator)
        if known:
            return known
        # "BertModel + mean pooling (sentence-transformers)": the class is the leading identifier
        match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", str(annotator))
        return match.group(1) if match else None
    if record.get("dialect") == "keras":
        candidates = [record.get("title") or ""] + [s.get("title", "") for s in record.get("sections") or []]
        for text in candidates:
            match = _CLASS_HEADING.search(text)
            if match:
                return match.group(1)
    return None


def family_of(record: dict[str, Any]) -> str | None:
    """The family a card belongs to, as spelled by its class (``Albert``), or None when it names no class."""
    class_name = class_name_of(record)
    return strip_head(class_name) if class_name else None


def family_key(family: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")


def parse_parameters(text: Any) -> int | None:
    """``"11.68M"`` -> 11680000, ``"222.60M"``, ``"1.1B"``, ``"340K"``, ``"4,385,920"``; None when unreadable."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text)
    match = re.fullmatch(r"\s*([\d.,]+)\s*([KMBT]?)\s*", str(text), re.I)
    if not match:
        return None
    number = match.group(1).replace(",", "")
    try:
        value = float(number)
    except ValueError:
        return None
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[match.group(2).upper()]
    return int(round(value * scale))


def format_parameters(count: int | None) -> str:
    """Parameters the way preset tables print them: ``11.68M``, ``1.10B``, ``340.00K``."""
    if count is None:
        return "—"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if count >= scale:
            return f"{count / scale:.2f}{suffix}"
    return str(count)


@dataclass
class Family:
    key: str
    name: str  # display name, e.g. "ALBERT"
    members: list[int] = field(default_factory=list)  # indexes into the records list
    api_pages: list[int] = field(default_factory=list)  # Keras-style API pages: rendered on the family page


def _display_name(spellings: Counter[str], titles: list[str], key: str) -> str:
    """The family's name as people write it: a word in the members' titles that spells the key (``ALBERT``)."""
    found: Counter[str] = Counter()
    for title in titles:
        for word in re.findall(r"[A-Za-z][A-Za-z0-9\-]*", title):
            if family_key(word) == key:
                found[word] += 1
    if found:
        # Prefer the most frequent spelling; among equals the one with more capitals (ALBERT over Albert).
        return max(found, key=lambda w: (found[w], sum(c.isupper() for c in w)))
    return spellings.most_common(1)[0][0]


def group_families(records: list[dict[str, Any]]) -> dict[str, Family]:
    """Families by key, each with its members (record indexes) and display name, sorted by name."""
    members: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for index, record in enumerate(records):
        family = family_of(record)
        if not family:
            continue
        key = family_key(family)
        if not key:
            continue
        members[key].append(index)
        spellings[key][family] += 1
    families: dict[str, Family] = {}
    for key, indexes in members.items():
        titles = [records[i].get("title") or "" for i in indexes]
        name = _display_name(spellings[key], titles, key)
        api = [i for i in indexes if records[i].get("dialect") == "keras"]
        families[key] = Family(key, name, indexes, api)
    return dict(sorted(families.items(), key=lambda item: item[1].name.lower()))
