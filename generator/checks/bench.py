"""Benchmark rules (MH700-MH719): the card's evaluation entry, its Benchmarking claims against measurements, and
the state of the stored benchmark record.

MH700-MH701 read only the card; the others read the bench stage's record (``context.bench``) and are skipped when
the benchmark stage did not run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..card import Card
from ..records import BenchRecord, BenchStatus
from .registry import Finding, rule
from .util import key_line

FAMILY = "benchmarks"

_PLACEHOLDER = re.compile(r"^\s*(?:to\s*do|tbd|tba|todo:?|coming soon|n/?a|-+|lorem ipsum\b.*)\s*$",
                          re.IGNORECASE | re.DOTALL)


def _bench_line(card: Card) -> int:
    if card.benchmark is not None:
        return card.benchmark.line
    return key_line(card, "benchmark")


def _where(record: BenchRecord) -> str:
    data = record.quality.get("dataset") or {}
    if not data:
        return ""
    return f" on {data.get('source', data.get('dataset'))} ({data.get('used')} rows)"


@rule("MH700", "benchmark-entry-invalid", FAMILY, "error",
      "the front matter `benchmark:` entry cannot be used to measure the model",
      "write `benchmark: {dataset: cards/data/eval.csv, text_column: text, label_column: label}`")
def benchmark_entry_invalid(card: Card, context) -> Iterator[Finding]:
    from ..bench.evalset import EvalSetError, read_spec

    try:
        read_spec(card)
    except EvalSetError as error:
        yield benchmark_entry_invalid.rule.finding(card.path, error.line, str(error), error.hint or None)


@rule("MH701", "benchmark-placeholder", FAMILY, "warning",
      "the Benchmarking block is a placeholder, not results",
      "declare an evaluation set (`benchmark:` in front matter) and run `modelhub bench --write`, or remove the "
      "section")
def benchmark_placeholder(card: Card, context) -> Iterator[Finding]:
    block = card.benchmark
    if block is None or block.kind != "text":
        return
    if _PLACEHOLDER.match(block.raw.strip()) or "lorem ipsum" in block.raw[:200].lower():
        text = " ".join(block.raw.split())[:40]
        yield benchmark_placeholder.rule.finding(card.path, block.line,
                                                 f"the Benchmarking block says only {text!r}")


@rule("MH702", "claim-differs", FAMILY, "warning",
      "a quality number in the Benchmarking block differs from the measured one beyond the tolerance",
      "correct the block with `modelhub bench --write`, or explain the difference (other data, other split)",
      needs=("bench",))
def claim_differs(card: Card, context) -> Iterator[Finding]:
    record = context.bench
    for claim in record.claims:
        if claim.kind != "quality" or claim.within:
            continue
        name = f"{claim.metric} of {claim.label!r}" if claim.label else claim.metric
        written = f" ({claim.claimed_as})" if claim.claimed_as not in (None, claim.metric) else ""
        yield claim_differs.rule.finding(
            card.path, claim.line or _bench_line(card),
            f"card claims {name}{written} {claim.claimed:.4f}; measured {claim.measured:.4f}{_where(record)}"
            f": off by {claim.measured - claim.claimed:+.4f}, beyond ±{claim.tolerance:g}")


@rule("MH703", "speed-claim-differs", FAMILY, "info",
      "the throughput the card claims differs from the measured one (the card rarely says on what hardware)",
      "state the hardware next to speed figures, or replace them with measured ones",
      needs=("bench",))
def speed_claim_differs(card: Card, context) -> Iterator[Finding]:
    record = context.bench
    cpu = record.hardware.get("cpu", "this machine")
    cores = record.hardware.get("cores")
    for claim in record.claims:
        if claim.kind != "speed" or claim.within:
            continue
        yield speed_claim_differs.rule.finding(
            card.path, claim.line or _bench_line(card),
            f"card claims {claim.claimed_as} {claim.claimed:g} samples/s; measured {claim.measured:g} "
            f"samples/s on {cpu}{f' ({cores} cores)' if cores else ''}")


@rule("MH704", "not-measured", FAMILY, "info",
      "the model could not be benchmarked on this machine",
      "install the runtime the reason names, or accept that the page shows no measured figures",
      needs=("bench",))
def not_measured(card: Card, context) -> Iterator[Finding]:
    record = context.bench
    if record.status is BenchStatus.NOT_MEASURED and not record.error:
        yield not_measured.rule.finding(card.path, key_line(card, "runtime"),
                                        f"not benchmarked: {record.reason or 'no reason given'}")


@rule("MH705", "benchmark-missing", FAMILY, "info",
      "no stored benchmark for this card",
      "run `modelhub bench --mode auto` and commit the card's .bench.json file", needs=("bench",))
def benchmark_missing(card: Card, context) -> Iterator[Finding]:
    if context.bench.status is BenchStatus.MISSING:
        yield benchmark_missing.rule.finding(card.path, 1, context.bench.reason or None)


@rule("MH706", "benchmark-stale", FAMILY, "warning",
      "the stored benchmark was measured for a different version of the card, model or evaluation set",
      "run `modelhub bench --mode auto` to measure again and commit the new .bench.json", needs=("bench",))
def benchmark_stale(card: Card, context) -> Iterator[Finding]:
    stale = context.bench.stale
    if stale:
        yield benchmark_stale.rule.finding(card.path, 1, f"stored benchmark is stale: {stale}")


@rule("MH707", "evaluation-set-unusable", FAMILY, "error",
      "the evaluation set the card declares cannot be read",
      "fix the `benchmark:` entry or the data file it names", needs=("bench",))
def evaluation_set_unusable(card: Card, context) -> Iterator[Finding]:
    quality = context.bench.quality
    if quality.get("error"):
        yield evaluation_set_unusable.rule.finding(card.path, quality.get("line") or key_line(card, "benchmark"),
                                                   f"quality not measured: {quality['error']}",
                                                   quality.get("hint") or None)


@rule("MH708", "measurement-failed", FAMILY, "error",
      "measuring the model failed",
      "run `modelhub bench CARD --mode force` to see the traceback; the model may not load with its runtime",
      needs=("bench",))
def measurement_failed(card: Card, context) -> Iterator[Finding]:
    record = context.bench
    if record.error:
        yield measurement_failed.rule.finding(card.path, key_line(card, "runtime"),
                                              f"benchmark failed: {record.reason or record.error}")


@rule("MH709", "evaluation-labels-disagree", FAMILY, "warning",
      "the evaluation set's labels are not the model's labels, so its metrics are meaningless",
      "add `label_map:` to the card's benchmark entry", needs=("bench",))
def evaluation_labels_disagree(card: Card, context) -> Iterator[Finding]:
    warning = context.bench.quality.get("warning")
    if warning:
        yield evaluation_labels_disagree.rule.finding(card.path, key_line(card, "benchmark"), warning)


@rule("MH710", "claims-unverified", FAMILY, "info",
      "the Benchmarking block claims quality numbers, but the card declares no evaluation set to check them on",
      "declare the evaluation set in front matter (`benchmark: {dataset: ..., text_column: ..., label_column: ...}`)",
      needs=("bench",))
def claims_unverified(card: Card, context) -> Iterator[Finding]:
    from ..bench.claims import claimed_metrics

    record = context.bench
    if record.status is not BenchStatus.MEASURED or record.quality or card.benchmark is None:
        return
    quality_claims = [written for name, (written, _) in claimed_metrics(card.benchmark).items()
                      if name != "samples_per_second"]
    if quality_claims or card.benchmark.per_label:
        names = ", ".join(quality_claims[:4]) or "per-label scores"
        yield claims_unverified.rule.finding(card.path, card.benchmark.line,
                                             f"quality claims ({names}) are not verified: no evaluation set declared")
