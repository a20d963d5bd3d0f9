"""The ``modelhub`` command. Thin: each subcommand lives in ``generator.commands.<name>`` and is imported only
when used, so ``modelhub parse`` never pays for torch or mkdocs.

This is the one place a ``ModelhubError`` becomes a message and an exit status: ``modelhub COMMAND: message`` on
stderr, and the error's ``exit_code`` (2 for usage and configuration errors, 1 otherwise)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import EXIT_USAGE, ModelhubError

# name -> (module, one-line help). A command module defines add_arguments(parser) and run(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("generator.commands.parse", "parse cards and print what was read from them"),
    "check": ("generator.commands.check", "check cards statically: schema, cross-field consistency, snippets"),
    "schema": ("generator.commands.schema", "print the front-matter JSON Schema (for editors)"),
    "inspect": ("generator.commands.inspect", "read an artifact's facts without downloading it"),
    "new": ("generator.commands.new", "scaffold a card from an artifact's facts"),
    "run": ("generator.commands.run", "run the cards' examples in the sandbox and store (or --write) their real output"),
    "bench": ("generator.commands.bench", "measure models' speed and quality, and check the cards' claims"),
    "build": ("generator.commands.build", "run every stage over the cards and write the static site"),
    "export": ("generator.commands.export", "write cards as Hugging Face READMEs (model-index: measured figures)"),
    "serve": ("generator.commands.serve", "serve the site locally and rebuild it when a card changes"),
    "init": ("generator.commands.init", "scaffold a catalog repository: config, example card, CI workflow, hooks"),
}

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modelhub", description="Build a verified, searchable model catalog.")
    parser.add_argument("--version", action="version", version=f"modelhub {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(_module=module_name)
        importlib.import_module(module_name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except ModelhubError as error:  # wherever a command first meets it: a configuration value, a path, ...
        print(f"modelhub {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("modelhub: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
