"""``modelhub bench [PATHS]``: measure each card's model (speed, and quality on its declared evaluation set),
compare with what the card claims, store ``<card>.bench.json`` beside it, and with ``--write`` put the measured
report in the card's Benchmarking block."""

from __future__ import annotations

import argparse
import json
import sys

from .. import executors
from ..pipeline import MODES, BuildContext, load_records, run_stages
from ..records import BenchStatus, status_of, to_json
from .common import EXIT_FINDINGS, EXIT_OK, add_paths, config_for, existing_paths

DEFAULT_PATHS = ("cards",)


def _batch_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"batch sizes must be whole numbers separated by commas: {text!r}") from error
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("batch sizes must be 1 or more")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser, help="cards or folders of cards (default: cards/)")
    parser.add_argument("--mode", choices=MODES, default="auto",
                        help="frozen: only read stored records; auto: measure what is missing or stale (default); "
                             "force: measure everything again; off: do nothing")
    parser.add_argument("--write", action="store_true",
                        help="write the measured quality report into each card's Benchmarking block")
    parser.add_argument("--repetitions", type=int, metavar="N", help="timed repetitions per batch (default 5)")
    parser.add_argument("--warmup", type=int, metavar="N", help="untimed warm-up calls per batch (default 1)")
    parser.add_argument("--batch-sizes", type=_batch_sizes, metavar="1,8,32", help="batch sizes to time")
    parser.add_argument("--tolerance", type=float, help="allowed absolute difference of quality claims (0.02)")
    parser.add_argument("--offline", action="store_true", help="fetch no artifacts; use the cache and mirrors")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings (differing claims) too")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one benchmark record per line")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    executors.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..bench.record import BenchSettings
    from ..bench.stage import BenchStage
    from ..checks import RuleSelection
    from ..checks.stage import CheckStage

    paths = args.paths or list(DEFAULT_PATHS)
    existing_paths(paths)
    config = config_for(paths)
    overrides = {"repetitions": args.repetitions, "warmup": args.warmup, "batch_sizes": args.batch_sizes,
                 "tolerance": args.tolerance}
    settings = BenchSettings.from_config(config, **overrides)  # configuration errors before measuring anything
    records = load_records(paths, config)
    if args.shard is not None:
        records = args.shard.select_records(records)
    backend = executors.make_executor(args.executor, args.address)
    context = BuildContext(config, mode=args.mode, offline=args.offline, quiet=args.quiet, executor=backend)
    try:
        run_stages(records, context, [BenchStage(settings)])
    finally:
        backend.close()
    claims = CheckStage(selection=RuleSelection(select=("MH7",)))  # the benchmark rules (MH7xx)
    failed = warned = 0
    for record in records:
        bench = to_json(record.bench) or {}
        if args.write and status_of(bench, BenchStatus) is BenchStatus.MEASURED:
            _write_block(record, bench, settings)
        findings = run_stages([record], context, [claims])[0].findings  # the card as it now reads
        failed += sum(f.severity == "error" for f in findings)
        warned += sum(f.severity == "warning" for f in findings)
        if args.format == "json":
            sys.stdout.write(json.dumps({k: v for k, v in bench.items() if k != "chart_svg"}, ensure_ascii=False)
                             + "\n")
            continue
        print(summary_line(record.card.path, bench))
        for finding in findings:
            print(f"  {finding.path}:{finding.line}: {finding.code} {finding.severity}: {finding.message}")
    return EXIT_FINDINGS if failed or (args.strict and warned) else EXIT_OK


def _write_block(record, bench: dict, settings) -> None:
    """Put the measured report in the card, then compare the stored claims with the card as it now reads."""
    from ..bench.record import refresh_claims
    from ..bench.store import read_record, write_record
    from ..fileio import write_bytes_atomic
    from ..bench.tables import jsl_block
    from ..card import read_card, replace_benchmark

    block = jsl_block(bench)
    if block is None:
        return
    card = read_card(record.card.path)
    new = replace_benchmark(card, block)
    if new == card.source:
        return
    write_bytes_atomic(card.path, new)
    print(f"{card.path}: Benchmarking block written")
    record.card = read_card(card.path)
    refresh_claims(record.card, bench, settings)
    stored = read_record(card.path)
    if stored is not None and stored.get("key") == bench.get("key"):
        stored["claims"] = bench["claims"]
        write_record(card.path, stored)


def summary_line(path: str, bench: dict) -> str:
    """One line per card: the headline figures, or why there are none."""
    status = bench.get("status")
    if status != "measured":
        label = "not measured" if status == "not_measured" else status
        return f"{path}: {label}: {bench.get('reason')}"
    speed = bench.get("speed") or {}
    rows = speed.get("latency") or []
    single = next((r for r in rows if r["input"] == "short" and r["batch_size"] == min(x["batch_size"] for x in rows)),
                  None)
    best = max((r.get("samples_per_second") or 0 for r in rows), default=0)
    parts = [f"load {speed.get('load_seconds', 0):.2f} s"]
    if single:
        parts.append(f"p50 {single['p50_ms']:.1f} ms at batch {single['batch_size']}")
    parts.append(f"up to {best:.1f} samples/s")
    quality = bench.get("quality") or {}
    metrics = quality.get("metrics") or {}
    if "accuracy" in metrics:
        parts.append(f"accuracy {metrics['accuracy']:.4f} on {quality.get('samples')} rows")
    if metrics.get("spearman_cosine") is not None:
        parts.append(f"spearman {metrics['spearman_cosine']:.4f} on {quality.get('samples')} pairs")
    if quality.get("error"):
        parts.append("quality not measured")
    differ = sum(not c.get("within") for c in bench.get("claims") or [])
    if bench.get("claims"):
        parts.append(f"{differ} of {len(bench['claims'])} claims differ")
    stale = " (stale)" if bench.get("stale") else ""
    return f"{path}: measured{stale} ({bench.get('runtime')}, {bench.get('task')}): " + ", ".join(parts)
