"""``modelhub inspect URL|PATH``: what an artifact really is (format, class, labels, sizes, parameters), read
with Range requests or from the cache, as JSON or a table."""

from __future__ import annotations

import argparse
import json

from ..artifacts import inspect_artifact
from .common import EXIT_FINDINGS, EXIT_OK, config_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="URL|PATH", help="artifact URL (http, https, s3, file) or local path")
    parser.add_argument("--format", choices=("json", "text"), default="text")
    parser.add_argument("--offline", action="store_true", help="use only the cache and mirrors")
    parser.add_argument("--checksum", action="store_true", help="also compute the sha256 (downloads the artifact)")
    parser.add_argument("--refresh", action="store_true", help="ask the server even if cached facts are fresh")
    parser.add_argument("--card", metavar="CARD", help="resolve a relative path against this card's folder")


def run(args: argparse.Namespace) -> int:
    config = config_for([args.card] if args.card else None)
    facts = inspect_artifact(args.target, card_path=args.card, config=config, offline=args.offline or None,
                             checksum=args.checksum, refresh=args.refresh, confined=False)
    if args.format == "json":
        print(json.dumps(facts.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_table(facts.to_dict())
    return EXIT_OK if facts.ok else EXIT_FINDINGS


SHOWN = ("format", "source", "size", "sha256", "class_name", "architectures", "model_type", "labels",
         "case_sensitive", "max_sentence_length", "dimension", "parameters", "spark_version", "versions",
         "bytes_transferred", "requests")


def _print_table(facts: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if facts["status"] != "ok":
        style = "yellow" if facts["status"] == "not-checked" else "red"
        console.print(f"[{style}]{facts['status']}[/]: {facts['error']}")
        return
    table = Table(title=facts.get("resolved_url") or facts["url"], show_lines=False)
    table.add_column("fact")
    table.add_column("value", overflow="fold")
    table.add_column("from", style="dim", overflow="fold")
    for name in SHOWN:
        value = facts.get(name)
        if value in (None, [], {}):
            continue
        if name in ("size", "parameters", "bytes_transferred") and isinstance(value, int):
            shown = f"{value:,}"
        elif isinstance(value, (list, dict)):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = str(value)
        table.add_row(name, shown, facts.get("origin", {}).get(name, ""))
    for key in ("inputs", "outputs", "opset"):
        if key in facts.get("details", {}):
            table.add_row(key, json.dumps(facts["details"][key]), "ONNX graph")
    console.print(table)
