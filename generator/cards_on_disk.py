"""Finding card files on disk: the one place that knows which files under a folder are cards.

A file under a card folder is a card when its path relative to that folder matches one of the ``[cards] include``
globs (default ``**/*.md``) and none of the ``exclude`` globs, so a model's ``vocab.txt`` or a ``requirements.txt``
beside the cards is never read as one. In a glob, ``*`` and ``?`` stay within one folder name and ``**/`` spans any
number of folders (none included). Hidden files and folders (``.git``, ``.venv``, caches) are never entered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

DEFAULT_INCLUDE = ("**/*.md",)


@lru_cache(maxsize=256)
def glob_pattern(glob: str) -> re.Pattern[str]:
    """A compiled glob over '/'-separated relative paths."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2:]:
            end = glob.index("]", i + 2)
            body = glob[i + 1:end].replace("\\", "\\\\")
            body = "^" + body[1:] if body.startswith("!") else ("\\" + body if body.startswith("^") else body)
            out.append(f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def is_card(relative: str, include: Sequence[str] = DEFAULT_INCLUDE, exclude: Sequence[str] = ()) -> bool:
    """Whether the file at ``relative`` (posix, relative to its card folder) is a card."""
    return (any(glob_pattern(g).match(relative) for g in include)
            and not any(glob_pattern(g).match(relative) for g in exclude))


def iter_card_paths(paths: Iterable[str | Path], include: Sequence[str] = DEFAULT_INCLUDE,
                    exclude: Sequence[str] = ()) -> Iterator[Path]:
    """Expand folders into the card files below them (sorted); files named explicitly are kept as given."""
    for path in card_path_names(paths, include, exclude):
        yield Path(path)


def card_path_names(paths: Iterable[str | Path], include: Sequence[str] = DEFAULT_INCLUDE,
                    exclude: Sequence[str] = ()) -> list[str]:
    """``iter_card_paths`` as strings, in the same order (a catalog of many cards costs no path objects)."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = _cards_below(str(path), tuple(include), tuple(exclude))
            out.extend(name for _, name in sorted(found))  # by path components, as paths sort
        else:
            out.append(str(Path(path)))
    return out


def no_cards_message(paths: Iterable[str | Path], include: Sequence[str] = DEFAULT_INCLUDE) -> str:
    """What to say when ``paths`` hold no card file (a usage error, exit 2, for every command that reads cards)."""
    return (f"no card files ([cards] include: {', '.join(include)}) under {', '.join(map(str, paths))}: add cards "
            "there (`modelhub new` writes one) or name the folder that holds them")


def _cards_below(folder: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    """(path components below ``folder``, path) of every card file below it."""
    top = str(Path(folder))
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # never descend into .git, .venv, caches
        base = "" if root == top else os.path.relpath(root, top).replace(os.sep, "/") + "/"
        for name in files:
            relative = base + name
            if not name.startswith(".") and is_card(relative, include, exclude):
                yield tuple(relative.split("/")), os.path.join(root, name)
