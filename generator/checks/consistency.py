"""Cross-field rules (MH4xx): the front matter, the Model Information table, the snippets, the download link and
the prose must tell the same story about one model."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache

from .. import vocab
from ..card import Card
from .registry import Finding, rule
from .snippets import card_chains, own_chains
from .util import (
    as_bool,
    as_items,
    card_date,
    description_text,
    is_pipeline,
    key_line,
    plain,
    same_version,
    split_url,
)

FAMILY = "cross-field"

# <name>_<lang>_<libversion>_<sparkversion>_<epoch ms>.zip
_ARTIFACT = re.compile(r"^(?P<stem>.+)_(?P<lib>\d+(?:\.\d+)+)_(?P<spark>\d+(?:\.\d+)*)_(?P<epoch>\d{12,13})\.zip$")
DATE_TOLERANCE_DAYS = 7


def _language(card: Card) -> str | None:
    value = card.front_matter.get("language")
    if isinstance(value, bool):
        return None
    if isinstance(value, list):
        return str(value[0]) if value else None
    if value is not None and str(value).strip():
        return str(value).strip()
    fallback = card.language  # older cards give the language only in the table
    return plain(fallback).strip("[] ") or None if fallback else None


@rule("MH401", "table-language", FAMILY, "warning", "the table's Language differs from the front matter's",
      "write the same ISO code in both places, as a plain code (`en`, not `[en]`)")
def table_language(card: Card, context) -> Iterator[Finding]:
    row = card.info.row("language") if card.info else None
    if row is None or not plain(row.value):
        return
    written = plain(row.value)
    codes = as_items(written)
    language = _language(card)
    if language and codes and language not in codes:
        yield table_language.rule.finding(card.path, row.line, f"table Language `{written}` differs from the front "
                                          f"matter's `language: {language}`", severity="error")
    elif written.startswith("[") and len(codes) == 1:
        yield table_language.rule.finding(card.path, row.line, f"table Language is written as a list `{written}`; "
                                          f"write `{codes[0]}`", f"write `{codes[0]}`", fix=(written, codes[0]))


def artifact_parts(url: str | None) -> dict[str, str] | None:
    """The naming-scheme parts of a Spark NLP model download URL, or None when it does not follow the scheme."""
    if not url:
        return None
    parts = split_url(url)
    match = _ARTIFACT.match(parts.path.rsplit("/", 1)[-1]) if parts is not None else None
    return match.groupdict() if match else None


@rule("MH402", "compatibility-disagrees", FAMILY, "warning",
      "the library or Spark version differs between edition, table and download file",
      "make `edition`, `spark_version`, the table's Compatibility rows and the download file name agree")
def compatibility(card: Card, context) -> Iterator[Finding]:
    info = card.info
    parts = artifact_parts(card.download_url)
    compat = info.row("compatibility") if info else None
    spark_compat = info.row("spark_compatibility") if info else None
    edition_version = vocab.edition_version(card.edition) if card.edition else None
    if compat is not None and edition_version and vocab.edition_version(plain(compat.value)) and not same_version(
            edition_version, vocab.edition_version(plain(compat.value))):
        yield compatibility.rule.finding(card.path, compat.line, f"table Compatibility `{plain(compat.value)}` "
                                         f"differs from `edition: {card.edition}`")
    if parts is None:
        return
    lib, spark = parts["lib"], parts["spark"]
    if compat is not None and spark_compat is not None:
        nlp_value = vocab.edition_version(plain(compat.value))
        spark_value = vocab.edition_version(plain(spark_compat.value))
        if nlp_value and spark_value and not same_version(nlp_value, lib) and not same_version(spark_value, spark):
            if same_version(nlp_value, spark) and _close_version(spark_value, lib):
                yield compatibility.rule.finding(
                    card.path, compat.line, f"table rows `{compat.key.strip()}` ({nlp_value}) and "
                    f"`{spark_compat.key.strip()}` ({spark_value}) look swapped: the download file is built with "
                    f"Spark NLP {lib} for Spark {spark}", "swap the two values")
                return
    if compat is not None and not card.edition:
        value = vocab.edition_version(plain(compat.value))
        if value and not same_version(value, lib) and not (spark_compat is not None and same_version(value, spark)):
            yield compatibility.rule.finding(card.path, compat.line, f"table Compatibility `{plain(compat.value)}` "
                                             f"differs from the download file's Spark NLP version {lib}")


def _close_version(a: str, b: str) -> bool:
    """Same major.minor: a table saying 2.6.2 for an artifact built with 2.6.0 is the swapped value, misremembered."""
    return a.split(".")[:2] == b.split(".")[:2]


def _expected_stem(card: Card) -> set[str]:
    name, language = card.name or "", _language(card) or ""
    stems = {f"{name}_{language}"} if language else set()
    if language and name.endswith(f"_{language}"):
        stems.add(name)
    return stems


@rule("MH403", "download-name-scheme", FAMILY, "error",
      "the download file name does not match the card (name, language, edition, Spark version, date)",
      "the file must be named <name>_<lang>_<libversion>_<sparkversion>_<epoch ms>.zip for this card")
def download_scheme(card: Card, context) -> Iterator[Finding]:
    url = card.download_url
    if not url or card.dialect not in ("jsl", "unknown"):
        return
    link = next((item for item in card.links if item.kind == "download"), None)
    line = link.line if link else key_line(card, "artifact")
    split = split_url(url)
    host = split.netloc if split is not None else ""
    parts = artifact_parts(url)
    if parts is None:
        if host.endswith("amazonaws.com") and url.endswith(".zip"):
            yield download_scheme.rule.finding(card.path, line, f"download file `{url.rsplit('/', 1)[-1]}` does not "
                                               "follow <name>_<lang>_<libversion>_<sparkversion>_<epoch ms>.zip")
        return
    stem = parts["stem"]
    expected = _expected_stem(card)
    if card.name and expected and stem not in expected:
        yield download_scheme.rule.finding(card.path, line, f"download file is for `{stem}` but the card is "
                                           f"`{sorted(expected)[0]}`", "link the artifact of this model")
    edition_version = vocab.edition_version(card.edition) if card.edition else None
    if edition_version and not same_version(edition_version, parts["lib"]):
        yield download_scheme.rule.finding(card.path, line, f"download file is built with Spark NLP {parts['lib']} "
                                           f"but `edition` says {edition_version}")
    if card.spark_versions and not any(same_version(v, parts["spark"]) for v in card.spark_versions):
        yield download_scheme.rule.finding(card.path, line, f"download file is built for Spark {parts['spark']} but "
                                           f"`spark_version` says {card.spark_version}")
    if card_date(card):
        built = dt.datetime.fromtimestamp(int(parts["epoch"]) / 1000, dt.timezone.utc).date()
        if abs((card_date(card) - built).days) > DATE_TOLERANCE_DAYS:
            yield download_scheme.rule.finding(
                card.path, line, f"download file's timestamp is {built.isoformat()} but the card's date is "
                f"{card_date(card).isoformat()}", "check the date, or that the link points to this release",
                severity="info")


def _s3_location(url: str) -> tuple[str, str] | None:
    """(bucket, key) of an s3:// URI or an https S3 URL (path or virtual-host style)."""
    parts = split_url(url)
    if parts is None:
        return None
    if parts.scheme == "s3":
        return parts.netloc, parts.path.lstrip("/")
    host = parts.netloc.lower()
    if parts.scheme in ("http", "https") and host.endswith("amazonaws.com"):
        if host.startswith("s3.") or host.startswith("s3-") or host == "s3.amazonaws.com":
            bucket, _, key = parts.path.lstrip("/").partition("/")
            return bucket, key
        bucket = host.split(".s3", 1)[0]
        return bucket, parts.path.lstrip("/")
    return None


@rule("MH404", "s3-disagrees-with-download", FAMILY, "error", "the S3 URI and the Download link name different files",
      "point the Copy S3 URI button at the same object as the Download button")
def s3_vs_download(card: Card, context) -> Iterator[Finding]:
    s3 = next((link for link in card.links if link.kind == "s3" and link.url.startswith("s3://")), None)
    download = next((link for link in card.links if link.kind == "download"), None)
    if s3 is None or download is None:
        return
    s3_at, download_at = _s3_location(s3.url), _s3_location(download.url)
    if download_at is None:
        return  # a download not on S3: nothing to compare
    if s3_at != download_at:
        yield s3_vs_download.rule.finding(card.path, s3.line, f"S3 URI `{s3.url}` is not the Download link's object "
                                          f"`s3://{download_at[0]}/{download_at[1]}`",
                                          f"write `s3://{download_at[0]}/{download_at[1]}`")


_DOWNLOAD_TAIL = re.compile(r"(?:_[a-z]{2})?_\d+(?:\.\d+)+_\d+(?:\.\d+)*")  # `_en_5.0.2_3.0` after the name


@rule("MH405", "table-name", FAMILY, "error", "the table's Model Name differs from the front matter's name",
      "use the card's `name` in the table")
def table_name(card: Card, context) -> Iterator[Finding]:
    row = card.info.row("name") if card.info else None
    name = card._str("name") if hasattr(card, "_str") else card.name
    if row is None or not name or not plain(row.value):
        return
    written = plain(row.value)
    if written != name and written != f"{name}_{_language(card)}":
        stem = written.startswith(name) and _DOWNLOAD_TAIL.fullmatch(written, len(name))
        detail = " (it is the download file's name, not the model's)" if stem else ""
        yield table_name.rule.finding(card.path, row.line, f"table Model Name `{written}` differs from "
                                      f"`name: {name}`{detail}", f"write `{name}`")


@rule("MH406", "table-annotator", FAMILY, "warning", "the table's Model Class differs from the front matter's class",
      "use the same annotator class in both places")
def table_annotator(card: Card, context) -> Iterator[Finding]:
    row = card.info.row("model_class") if card.info else None
    declared = card._str("annotator") or card._str("class")
    if row is None or not declared or not plain(row.value):
        return
    written = plain(row.value)
    fold = lambda v: (vocab.canonical_annotator(v) or v).lower()  # noqa: E731
    if fold(written) != fold(declared):
        yield table_annotator.rule.finding(card.path, row.line, f"table Model Class `{written}` differs from "
                                           f"the front matter's `{declared}`")


def _own_setter(card: Card, setter: str) -> list[tuple[str, tuple, int]]:
    """(tab, values, line in the card) for each own-model chain that calls ``setter``."""
    out = []
    for snippet, chain in own_chains(card, "python", "scala"):
        values = chain.setter(setter)
        if values:
            out.append((snippet.tab, values, snippet.line + (chain.setter_line(setter) or chain.line) - 1))
    return out


def _first_disagreement(card: Card, row_key: str, setter: str, read_table, agrees):
    """(row, table value, tab, code values, code line) of the first own-model chain whose ``setter`` call disagrees
    with the Model Information row ``row_key``; None when they agree or either side is missing."""
    row = card.info.row(row_key) if card.info else None
    table = read_table(row.value) if row is not None else None
    if table is None:
        return None
    for tab, values, line in _own_setter(card, setter):
        if not agrees(table, values):
            return row, table, tab.capitalize(), values, line
    return None


def _int_or_none(value: str) -> int | None:
    text = plain(value)
    return int(text) if re.fullmatch(r"\d+", text) else None


@rule("MH407", "case-sensitivity-disagrees", FAMILY, "warning",
      "the table's Case sensitive differs from the example's setCaseSensitive",
      "make the table say what the example configures (or configure what the table says)")
def case_sensitivity(card: Card, context) -> Iterator[Finding]:
    found = _first_disagreement(card, "case_sensitive", "setCaseSensitive", as_bool,
                                lambda table, values: not isinstance(values[0], bool) or values[0] == table)
    if found:
        row, _, tab, values, line = found
        yield case_sensitivity.rule.finding(
            card.path, row.line, f"table says Case sensitive `{plain(row.value)}` but the {tab} example calls "
            f"setCaseSensitive({str(values[0]).lower()}) (line {line})")


@rule("MH408", "max-sentence-length-disagrees", FAMILY, "warning",
      "the table's Max sentence length differs from the example's setMaxSentenceLength",
      "make the table and the example agree")
def max_sentence_length(card: Card, context) -> Iterator[Finding]:
    found = _first_disagreement(card, "max_sentence_length", "setMaxSentenceLength", _int_or_none,
                                lambda table, values: not isinstance(values[0], int) or values[0] == table)
    if found:
        row, table, tab, values, line = found
        yield max_sentence_length.rule.finding(
            card.path, row.line, f"table says Max sentence length {table} but the {tab} example calls "
            f"setMaxSentenceLength({values[0]}) (line {line})")


@rule("MH409", "input-labels-disagree", FAMILY, "warning", "the table's Input Labels differ from setInputCols",
      "list the columns the example passes to setInputCols")
def input_labels(card: Card, context) -> Iterator[Finding]:
    found = _first_disagreement(card, "input_labels", "setInputCols", lambda value: as_items(value) or None,
                                lambda table, values: sorted(map(str, values)) == sorted(table))
    if found:
        row, table, tab, values, line = found
        yield input_labels.rule.finding(
            card.path, row.line, f"table Input Labels [{', '.join(table)}] but the {tab} example reads "
            f"[{', '.join(map(str, values))}] (line {line})")


@rule("MH410", "output-labels-disagree", FAMILY, "warning", "the table's Output Labels differ from setOutputCol",
      "name the column the example writes with setOutputCol")
def output_labels(card: Card, context) -> Iterator[Finding]:
    def read(value: str) -> list[str] | None:
        items = as_items(value)
        if card.labels and len(items) > 1 and set(items) <= set(card.labels):
            return None  # older cards list the predicted labels here, not a column
        return items or None

    found = _first_disagreement(card, "output_labels", "setOutputCol", read,
                                lambda table, values: table == [str(values[0])])
    if found:
        row, table, tab, values, line = found
        yield output_labels.rule.finding(
            card.path, row.line, f"table Output Labels [{', '.join(table)}] but the {tab} example writes "
            f"`{values[0]}` (line {line})", f"write `[{values[0]}]` in the table, or change setOutputCol")


_MODEL_ID = re.compile(r"(?<![\w/.-])([a-z][a-z0-9]*(?:_[a-z0-9]+){2,})(?![\w/-]|\.\w)")


@rule("MH411", "description-names-other-model", FAMILY, "error",
      "the description names a different model than the card (copy-paste)",
      "rewrite the description for this model")
def description_other_model(card: Card, context) -> Iterator[Finding]:
    name = card.name
    found = description_text(card)
    if not name or found is None:
        return
    text, first_line = found
    if name in text:
        return
    others = {chain.name for _, chain in card_chains(card, "python", "scala") if chain.name}
    dependencies = card.info.row("dependencies") if card.info else None
    info_values = dependencies.value if dependencies is not None else ""
    family = name.split("_")[0]
    pipeline = is_pipeline(card)
    for match in _MODEL_ID.finditer(text):
        token = match.group(1)
        if token == name or token in others or token in info_values or not token.startswith(family + "_"):
            continue
        if pipeline and (name.startswith(token + "_") or (f"[{token}](" in text and not token.endswith("_pipeline"))):
            continue  # a pipeline's description names (and links) the model it is built on
        line = first_line + text.count("\n", 0, match.start())
        yield description_other_model.rule.finding(
            card.path, line, f"the description is about `{token}`, but this card is `{name}`",
            f"replace `{token}` with `{name}` and check the rest of the text")
        return


def _label_key(label: str) -> str:
    text = label.strip().strip("`").strip()
    text = re.sub(r"^[BIES]-", "", text)
    return text.lower()


@rule("MH412", "labels-disagree-with-benchmark", FAMILY, "warning",
      "the Predicted Entities and the labels in the Benchmarking block differ",
      "list every label the model predicts, exactly as the benchmark names it")
def labels_vs_benchmark(card: Card, context) -> Iterator[Finding]:
    if not card.labels or card.benchmark is None or not card.benchmark.per_label:
        return
    predicted = {_label_key(label): label for label in card.labels}
    measured = {_label_key(label): label for label in card.benchmark.per_label
                if _label_key(label) not in ("o", "")}
    missing = [label for key, label in measured.items() if key not in predicted]
    extra = [label for key, label in predicted.items() if key not in measured]
    if missing:  # the line to edit: the benchmark row of the first label the list lacks
        line = card.benchmark.label_lines.get(missing[0], card.benchmark.line)
        yield labels_vs_benchmark.rule.finding(card.path, line, "the benchmark measures labels the Predicted "
                                               f"Entities do not list: {', '.join(missing)}")
    if extra:  # the line to edit: where the list names the first label the benchmark lacks
        line = card.label_lines.get(extra[0]) or card.labels_line or card.benchmark.line
        yield labels_vs_benchmark.rule.finding(card.path, line, "Predicted Entities lists labels the benchmark "
                                               f"does not measure: {', '.join(extra)}")


@rule("MH413", "table-edition-disagrees", FAMILY, "warning",
      "the table's Edition names a different product than the front matter's edition",
      "use the same product in both places (Official/Spark NLP, Healthcare, ...)")
def table_edition(card: Card, context) -> Iterator[Finding]:
    row = card.info.row("edition") if card.info else None
    if row is None or not card.edition or not plain(row.value):
        return
    words = getattr(context, "vocab", None) or vocab.DEFAULT
    table = words.lookup("editions", plain(row.value))
    declared = words.lookup("editions", card.edition)
    if table and declared and table != declared:
        yield table_edition.rule.finding(card.path, row.line, f"table Edition `{plain(row.value)}` is "
                                         f"{words.name('editions', plain(row.value))}, but `edition: {card.edition}` "
                                         f"is {words.name('editions', card.edition)}")


_DOTTED = re.compile(r"\b([a-z_][a-z0-9_]*(?:\.[A-Za-z_]\w*)+)\b")
_CAMEL = re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*){2,})\b")


def _code_identifiers(card: Card) -> set[str]:
    names: set[str] = set()
    for snippet in card.snippets:
        names.update(_identifiers_in(snippet.code))
    return names


@lru_cache(maxsize=4096)
def _identifiers_in(code: str) -> frozenset[str]:
    return frozenset(_DOTTED.findall(code)) | frozenset(_CAMEL.findall(code))


@rule("MH414", "misspelt-identifier", FAMILY, "warning",
      "the prose names a class or module path that differs by a letter from one the examples use",
      "use the spelling the code uses")
def misspelt_identifier(card: Card, context) -> Iterator[Finding]:
    code_names = _code_identifiers(card)
    if not code_names:
        return
    code_lines = {n for s in card.snippets for n in range(s.fence_line, s.end_line + 1)}
    reported: set[str] = set()
    for number, text in enumerate(card.text.splitlines(), 1):
        if number < card.body_line or number in code_lines or "`" not in text:
            continue
        for tick in re.findall(r"`([^`]+)`", text):
            for pattern in (_DOTTED, _CAMEL):
                for word in pattern.findall(tick):
                    if word in code_names or word in reported or len(word) < 10:
                        continue
                    close = [c for c in code_names if abs(len(c) - len(word)) <= 1 and (
                        pattern is _CAMEL or c.count(".") == word.count("."))]
                    match = [c for c in close if c.lower() != word.lower() and _one_edit(c, word)]
                    if match:
                        reported.add(word)
                        yield misspelt_identifier.rule.finding(
                            card.path, number, f"`{word}` is not used anywhere else; the examples use `{match[0]}`",
                            f"write `{match[0]}`")


def _one_edit(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one character inserted, deleted or replaced."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[index + 1:] == b[index + 1:] if len(a) == len(b) else a[index:] == b[index + 1:]
    return True
