"""``modelhub run [PATHS] [--mode ...] [--write] [--check] [--strict]``: run the cards' examples in the sandbox.

Results are stored beside each card (``<stem>.results.json``) and reused while the card, its artifact and the
libraries stay the same. ``--write`` puts the real output in each card's Results block (only that block changes);
``--check`` reports cards whose Results block differs from their example's output, with a diff.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..card import read_card
from ..card.edit import replace_results
from ..cards_on_disk import iter_card_paths, no_cards_message
from .. import executors
from ..executors.shard import artifact_key
from ..execute.compare import fresh_output, normalize_results, results_diff
from ..execute.progress import STATUS_STYLE, run_progress
from ..execute.runner import MODES, Executor
from ..execute.sandbox import describe
from ..fileio import write_bytes_atomic
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, config_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="card files or folders (default: cards/)")
    parser.add_argument("--mode", choices=MODES, default="auto",
                        help="frozen: stored results only; auto: run what is missing or stale (default); "
                             "force: run everything; off: nothing")
    parser.add_argument("--write", action="store_true", help="replace each card's Results block with the real output")
    parser.add_argument("--check", action="store_true",
                        help="report cards whose Results block differs from their example's output (exit 1)")
    parser.add_argument("--strict", action="store_true",
                        help="also exit 1 when a card's artifact is refused (unavailable, truncated, too large, not "
                             "the declared sha256, outside the catalog), so it was not executed")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress, only problems and the summary")
    executors.add_arguments(parser)


def write_results(path: Path, run: dict[str, Any]) -> bool:
    """Put the run's output in the card's Results block; returns whether the card changed."""
    output = fresh_output(run)
    if output is None:
        return False
    card = read_card(path)  # re-read: the file on disk is what we edit
    if card.results is not None and normalize_results(card.results.text) == normalize_results(output):
        return False
    data = replace_results(card, output, language="text")
    if data == card.source:
        return False
    write_bytes_atomic(path, data)
    return True


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    paths = args.paths or ["cards"]
    config = config_for(paths)
    card_paths = [path for path in iter_card_paths(paths, **config.settings.cards.globs())]
    missing = [path for path in card_paths if not path.exists()]
    for path in missing:
        print(f"modelhub: {path}: no such file", file=sys.stderr)
    card_paths = [path for path in card_paths if path.exists()]
    if missing and not card_paths:
        return EXIT_USAGE
    if not card_paths:
        raise UsageError(no_cards_message(paths, config.settings.cards.include))
    cards = [read_card(path) for path in card_paths]
    if args.shard is not None:
        cards = args.shard.select(cards, artifact_key)
    if args.mode == "off":
        console.print("execution is off (--mode off): nothing to do")
        return EXIT_OK
    backend = executors.make_executor(args.executor, args.address)
    try:
        with run_progress(enabled=not args.quiet) as (on_start, on_card):
            executor = Executor(config, args.mode, on_start=on_start, on_card=on_card, executor=backend)
            if not args.quiet and args.mode in ("auto", "force"):
                console.print(describe(executor.limits), style="dim")
            runs = executor.run(cards)
    finally:
        backend.close()

    problems = 0
    written = 0
    for card in cards:
        result = runs.get(card.path)
        if result is None:
            continue
        status = result.get("status")
        if status == "failed":
            problems += 1
            console.print(f"[red]{escape(card.path)}: example fails: {escape(str(result.get('reason')))}[/]")
            for cell in result.get("cells", []):
                if cell.get("error") and cell["error"].get("traceback"):
                    console.print(escape(cell["error"]["traceback"].rstrip()), style="dim")
        elif result.get("refused") and args.strict:
            problems += 1
            console.print(f"[red]{escape(card.path)}: not executed: {escape(str(result.get('reason')))}[/]")
        elif status in ("not_executed", "stale", "missing") and not args.quiet:
            console.print(f"[yellow]{escape(card.path)}: {status.replace('_', ' ')}: "
                          f"{escape(str(result.get('reason')))}[/]")
        if args.write and write_results(Path(card.path), result):
            written += 1
            console.print(f"wrote the Results block of {escape(card.path)}")
        if args.check:
            current = read_card(card.path) if args.write else card
            diff = results_diff(current, result)
            if diff is not None:
                problems += 1
                console.print(f"{escape(card.path)}:{current.results.line}: [yellow]MH620[/] the Results block "
                              "differs from the output of the example (modelhub run --write to update it)")
                for line in diff:
                    style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
                    console.print(escape(line), style=style)

    tally: dict[str, int] = {}
    for result in runs.values():
        tally[result["status"]] = tally.get(result["status"], 0) + 1
    summary = ", ".join(f"[{STATUS_STYLE.get(k, 'white')}]{v} {k.replace('_', ' ')}[/]" for k, v in sorted(tally.items()))
    counts = executor.counts
    console.print(f"{f'shard {args.shard}: ' if args.shard else ''}{len(runs)} cards: {summary or 'none'}; executed {counts['cards']} cards ({counts['cells']} "
                  f"snippets, {counts['workers']} workers), {counts['cached']} from the store"
                  + (f"; wrote {written} Results blocks" if args.write else ""))
    return EXIT_FINDINGS if problems or missing else EXIT_OK
