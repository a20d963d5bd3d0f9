"""``modelhub parse CARD...``: what the parser read from each card, as JSON lines or a short table."""

from __future__ import annotations

import argparse
import json
import sys

from ..card import read_card
from ..cards_on_disk import iter_card_paths
from .common import EXIT_OK, EXIT_USAGE, add_paths, config_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser, required=True, metavar="CARD", help="card files or folders of cards")
    parser.add_argument("--format", choices=("json", "text"), default="text",
                        help="json: one record per line; text: a summary per card")


def run(args: argparse.Namespace) -> int:
    missing = 0
    globs = config_for(args.paths).settings.cards.globs()  # which files in a folder are cards
    for path in iter_card_paths(args.paths, **globs):
        if not path.exists():
            print(f"modelhub: {path}: no such file", file=sys.stderr)
            missing += 1
            continue
        card = read_card(path)
        if args.format == "json":
            line = json.dumps(card.to_record(), ensure_ascii=False) + "\n"
            sys.stdout.flush()
            sys.stdout.buffer.write(line.encode("utf-8", "backslashreplace"))
        else:
            problems = ", ".join(f"{d.code}@{d.line}" for d in card.diagnostics) or "ok"
            print(f"{path}: {card.dialect} {card.name or '-'} ({len(card.snippets)} snippets, "
                  f"{len(card.labels)} labels) {problems}")
    return EXIT_USAGE if missing else EXIT_OK
