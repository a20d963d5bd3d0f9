"""``modelhub schema``: the front-matter JSON Schema, for editors (completion, validation) and other tools."""

from __future__ import annotations

import argparse
import json
import sys

DIALECTS = ("all", "jsl", "native", "huggingface", "keras")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", choices=DIALECTS, default="all",
                        help="schema of one card dialect (adds its required keys); default: every known key")
    parser.add_argument("--no-vocabulary", action="store_true",
                        help="leave out the controlled vocabularies (language enum, task/annotator examples)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the schema to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    from ..checks.schema import front_matter_schema

    schema = front_matter_schema(None if args.dialect == "all" else args.dialect, not args.no_vocabulary)
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from pathlib import Path

        target = Path(args.output)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    else:
        sys.stdout.write(text)
    return 0
