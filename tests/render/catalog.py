"""A small catalog on disk for the site tests: the seed cards, variants of one of them, a card that ships its
artifact, and a hostile card whose content tries to run script in every way card content can."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED_CARDS = [
    "2020-04-28-albert_base_uncased_en.md",
    "2021-12-16-albert_base_sequence_classifier_ag_news_en.md",
    "2021-12-16-albert_base_sequence_classifier_imdb_en.md",
    "2024-08-24-albert_base_toxicity_en.md",
    "albert-text-classifier.md",
]
VARIANT_LANGUAGES = ["de", "fr", "es", "it", "nl", "pt", "sv", "da", "fi", "pl"]
EDIT_URI = "https://example.test/catalog/edit/main/"

HOSTILE_CARD = """---
layout: model
title: Hostile card <script>window.__pwned = 'title'</script>
name: hostile_card
date: 2024-01-02
tags: [hostile, "<img src=x onerror=window.__pwned='tag'>"]
task: Named Entity Recognition
language: en
edition: Spark NLP 5.0.0
supported: true
annotator: NerDLModel
---

## Description

This card tries every trick. <script>window.__pwned = 'script'</script>
<img src="x" onerror="window.__pwned = 'onerror'">

[click me](javascript:window.__pwned='md-link') and <a href="javascript:window.__pwned='a-href'">this</a>
and <a href="#" onclick="window.__pwned='onclick'">that</a>.

<iframe src="javascript:window.__pwned='iframe'"></iframe>
<svg><script>window.__pwned='svg'</script></svg>
<form action="javascript:window.__pwned='form'"><button>go</button></form>
<div style="background:url(javascript:window.__pwned='css')">styled</div>

## Predicted Entities

`PER`, `<img src=x onerror=window.__pwned='label'>`

{:.btn-box}
[Download](javascript:window.__pwned='download'){:.button}
[Copy S3 URI](s3://bucket/hostile.zip){:.button.button-copy-s3}

## <img src=x onerror="window.__pwned='heading'"> Heading

Text under a hostile heading.

{:.model-param}
## Model Information

|---|---|
|Model Name:|<img src=x onerror=window.__pwned='cell'>|
|Size:|12 MB|
"""

BROKEN_CARD = """---
title: [unclosed
name: broken_card
---

## Description

A card whose front matter is not valid YAML still gets a page that shows the error.
"""

LOCAL_CARD = """---
modelhub: 1
name: tiny_local_model
title: Tiny local model (ships its artifact)
task: Text Classification
language: de
license: apache-2.0
engine: pytorch
tags: [tiny, local]
artifact:
  url: artifacts/tiny_local_model.zip
---

## Description

A tiny model whose artifact ships inside the catalog folder, for the Download link test.

## Predicted Entities

`POSITIVE`, `NEGATIVE`
"""


def tiny_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata/part-00000", '{"class":"tiny"}')
    return buffer.getvalue()


def variant(text: str, language: str, index: int) -> str:
    """A copy of the IMDB seed card under another name and language (enough to page and filter)."""
    name = f"albert_variant_{index:02d}_{language}"
    text = text.replace("name: albert_base_sequence_classifier_imdb", f"name: {name}", 1)
    text = text.replace("language: en", f"language: {language}", 1)
    text = text.replace("title: ALBERT Sequence Classification Base - IMDB (albert_base_sequence_classifier_imdb)",
                        f"title: ALBERT variant {index} ({language})", 1)
    return text.replace("date: 2021-12-16", f"date: 2022-{(index % 12) + 1:02d}-{(index % 27) + 1:02d}", 1)


def make_catalog(root: Path, variants: int = 20) -> dict:
    """Write the catalog under ``root/cards`` (and ``root/modelhub.toml``); returns what the tests need to know."""
    cards = root / "cards"
    (cards / "artifacts").mkdir(parents=True, exist_ok=True)
    for name in SEED_CARDS:
        (cards / name).write_bytes((REPO / "cards" / name).read_bytes())
    imdb = (REPO / "cards" / SEED_CARDS[2]).read_text(encoding="utf-8")
    names = ["albert_base_uncased", "albert_base_sequence_classifier_ag_news", "albert_base_sequence_classifier_imdb",
             "albert_base_toxicity", "AlbertTextClassifier"]
    for index in range(variants):
        language = VARIANT_LANGUAGES[index % len(VARIANT_LANGUAGES)]
        (cards / f"variant-{index:02d}.md").write_text(variant(imdb, language, index), encoding="utf-8")
        names.append(f"albert_variant_{index:02d}_{language}")
    (cards / "hostile.md").write_text(HOSTILE_CARD, encoding="utf-8")
    names.append("hostile_card")
    (cards / "broken.md").write_text(BROKEN_CARD, encoding="utf-8")
    names.append("broken_card")
    (cards / "tiny-local.md").write_text(LOCAL_CARD, encoding="utf-8")
    data = tiny_zip()
    (cards / "artifacts" / "tiny_local_model.zip").write_bytes(data)
    names.append("tiny_local_model")
    (root / "modelhub.toml").write_text(f'[site]\nedit_uri = "{EDIT_URI}"\n', encoding="utf-8")
    return {"cards": cards, "names": names, "tiny_sha256": hashlib.sha256(data).hexdigest()}
