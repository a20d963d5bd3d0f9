"""What every command shares: the paths argument, the configuration, the card files, exit codes, progress.

A command reports a usage problem by raising ``UsageError`` (or any ``ModelhubError``) with the message for the
user; ``generator.cli`` prints it as ``modelhub COMMAND: message`` and exits with the error's code, in one place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..cards_on_disk import iter_card_paths, no_cards_message
from ..config import Config, load_config
from ..errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "UsageError", "add_paths", "card_files", "config_for",
           "existing_paths", "show_progress"]

PATHS_HELP = "card files or folders of cards (default: the configured `cards` folder, or cards/)"


def add_paths(parser: argparse.ArgumentParser, *, required: bool = False, metavar: str = "PATH",
              help: str = PATHS_HELP) -> None:
    """The positional ``paths`` argument every command that reads cards takes."""
    parser.add_argument("paths", nargs="+" if required else "*", metavar=metavar, help=help)


def existing_paths(paths: Sequence[str | Path]) -> list[Path]:
    """``paths`` as ``Path``s; a ``UsageError`` naming those that do not exist."""
    out = [Path(p) for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise UsageError(f"{', '.join(missing)}: no such file or folder")
    return out


def config_for(paths: Sequence[str | Path] | None) -> Config:
    """The configuration of the catalog the first path is in (a ``ConfigError``, exit 2, when it is wrong)."""
    return load_config(paths[0] if paths else None)


def card_files(paths: Sequence[str | Path], config: Config) -> list[Path]:
    """The card files under ``paths`` (the configuration's ``[cards]`` globs choose them in folders); a
    ``UsageError`` when there are none."""
    files = list(iter_card_paths(paths, **config.settings.cards.globs()))
    if not files:
        raise UsageError(no_cards_message([Path(p) for p in paths], config.settings.cards.include))
    return files


def show_progress(quiet: bool, total: int, minimum: int = 200) -> bool:
    """Whether a progress bar is worth drawing: not quiet, enough work, and a terminal to draw it on."""
    return not quiet and total >= minimum and sys.stderr.isatty()
