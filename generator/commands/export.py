"""``modelhub export --format huggingface CARD|DIR [-o OUT]``: each card as a Hugging Face README.

One ``<OUT>/<model name>/README.md`` per card (the Hub's layout), with the measured figures of the card's stored
benchmark record (``<card>.bench.json``) in ``model-index``. ``-o -`` prints a single card's README instead.
Exit status 0 = written, 2 = usage error (no such path, an unreadable benchmark record, two cards for one folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bench.store import StoreError, read_record
from ..card import read_card
from ..cards_on_disk import iter_card_paths
from ..export.huggingface import export_path, huggingface_readme
from ..fileio import write_bytes_atomic
from .common import EXIT_OK, UsageError, add_paths, existing_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser, required=True, metavar="CARD|DIR", help="card files or folders of cards")
    parser.add_argument("--format", choices=("huggingface",), default="huggingface",
                        help="huggingface: a README.md with Hub metadata and model-index (the only format so far)")
    parser.add_argument("--output", "-o", default="export", metavar="OUT",
                        help="folder to write <name>/README.md into (default: export); '-' prints one card")


def run(args: argparse.Namespace) -> int:
    paths = existing_paths(list(iter_card_paths(args.paths)))
    if not paths:
        raise UsageError("no cards found")
    if args.output == "-" and len(paths) != 1:
        raise UsageError(f"-o - prints one card, but {len(paths)} were given")
    written: dict[Path, Path] = {}
    out_dir = Path(args.output)
    for path in paths:
        card = read_card(path)
        try:
            measured = read_record(path)
        except StoreError as error:  # a usage error here: the stored record the export would publish is broken
            raise UsageError(str(error)) from error
        readme = huggingface_readme(card, measured)
        if args.output == "-":
            sys.stdout.write(readme)
            return EXIT_OK
        target = export_path(card, out_dir)
        if target in written:
            raise UsageError(f"{path} and {written[target]} are both `{target.parent.name}`; export them "
                             "separately or rename one")
        written[target] = path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, readme.encode("utf-8"))
        print(f"{path} -> {target}" + ("" if measured else " (no stored benchmark: no model-index)"))
    return EXIT_OK
