"""``modelhub init DIR``: scaffold a catalog repository.

It writes a commented ``modelhub.toml``, ``cards/`` with one example card that passes ``modelhub check --strict``,
a ``.gitignore``, a GitHub Actions workflow for the catalog (modelhub pinned, pip and artifact caches, changed
cards checked and run in pull requests, the site built and published to GitHub Pages) and a pre-commit config.
modelhub is pinned to the running version unless ``--version`` says otherwise, installed from a package index
(optionally ``--index-url``) or from a tag of a git repository (``--git URL``, tag ``v<version>`` or ``--tag``).
Existing files are never overwritten without ``--force``: the command lists them and exits 2 before writing any.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .. import __version__
from ..fileio import write_bytes_atomic
from .common import EXIT_OK, UsageError

SCAFFOLD = files("generator") / "scaffold"
# What may go into the workflow's YAML and shell lines and the pre-commit config: no quotes, spaces or $.
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+!_-]*$")
URL = re.compile(r"^(https?|ssh|git|file)://[^\s\"'`$\\]+$")


@dataclass(frozen=True)
class Pin:
    """How the catalog installs modelhub: ``version`` from a package index, or ``tag`` of the ``git`` repository."""

    version: str
    git: str | None = None
    tag: str | None = None
    index_url: str | None = None

    @property
    def git_tag(self) -> str:
        return self.tag or f"v{self.version}"

    @property
    def requirement(self) -> str:
        """The pip requirement: ``modelhub==0.1.0`` or ``modelhub @ git+https://...@v0.1.0``."""
        return f"modelhub @ git+{self.git}@{self.git_tag}" if self.git else f"modelhub=={self.version}"

    @property
    def pip_options(self) -> str:
        return f" --extra-index-url {self.index_url}" if self.index_url else ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="the catalog's folder (created when missing)")
    parser.add_argument("--version", dest="pin_version", default=__version__,
                        help="the modelhub version the catalog's CI and pre-commit install (default: %(default)s, "
                             "this modelhub)")
    parser.add_argument("--git", metavar="URL",
                        help="install modelhub from this git repository (at tag v<version>) instead of a package "
                             "index, e.g. https://github.com/your-org/modelhub")
    parser.add_argument("--tag", help="the git tag to install with --git (default: v<version>)")
    parser.add_argument("--index-url", metavar="URL",
                        help="a package index that has modelhub, besides PyPI (pip --extra-index-url)")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")


def _scaffold(name: str) -> str:
    return SCAFFOLD.joinpath(name).read_text(encoding="utf-8")


PRE_COMMIT_HEAD = ("# pre-commit (https://pre-commit.com): `pre-commit install` once, then every commit checks the "
                   "cards it\n# changes (static checks: no network, no execution), with modelhub pinned as in the CI "
                   "workflow.\n")


def pre_commit_config(pin: Pin) -> str:
    """The repository's own hook (.pre-commit-hooks.yaml) at the tag, or a local hook that installs the pin."""
    if pin.git:
        return PRE_COMMIT_HEAD + (f"repos:\n  - repo: {pin.git}\n    rev: {pin.git_tag}\n    hooks:\n"
                                  "      - id: modelhub-check\n")
    index = f"\n        # modelhub comes from {pin.index_url}: set PIP_EXTRA_INDEX_URL to it" if pin.index_url else ""
    return PRE_COMMIT_HEAD + (
        "repos:\n  - repo: local\n    hooks:\n      - id: modelhub-check\n        name: modelhub check (cards)\n"
        "        entry: modelhub check --strict\n        language: python\n"
        f"        additional_dependencies: [\"{pin.requirement}\"]{index}\n"
        "        files: '(^|/)cards/.*\\.(md|markdown)$'\n")


def catalog_files(pin: Pin, today: _dt.date) -> dict[str, str]:
    """Every file ``init`` writes, by path relative to the catalog's folder."""
    workflow = (_scaffold("catalog.yml").replace("@INSTALL@", pin.requirement).replace("@PIP_OPTIONS@", pin.pip_options)
                .replace("@VERSION@", pin.git_tag if pin.git else pin.version))
    card = _scaffold("example-card.md").replace("@DATE@", today.isoformat()).replace("@AUTHOR@", "your team")
    return {
        "modelhub.toml": _scaffold("modelhub.toml"),
        "cards/example-keyword-sentiment.md": card,
        ".gitignore": _scaffold("gitignore"),
        ".github/workflows/catalog.yml": workflow,
        ".pre-commit-config.yaml": pre_commit_config(pin),
    }


def run(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: exists and is not a folder")
    problem = next((message for bad, message in (
        (not VERSION.match(args.pin_version), f"--version {args.pin_version!r} is not a version, like 0.1.0"),
        (args.tag is not None and not VERSION.match(args.tag), f"--tag {args.tag!r} is not a tag name, like v0.1.0"),
        (args.tag is not None and not args.git, "--tag needs --git URL (from a package index, --version says it)"),
        (args.git is not None and not URL.match(args.git), f"--git {args.git!r} is not a URL, like "
                                                            "https://github.com/your-org/modelhub"),
        (args.index_url is not None and not URL.match(args.index_url), f"--index-url {args.index_url!r} is not a "
                                                                       "URL, like https://pypi.example.com/simple"),
    ) if bad), None)
    if problem:
        raise UsageError(problem)
    pin = Pin(args.pin_version, args.git, args.tag, args.index_url)
    planned = catalog_files(pin, _dt.date.today())
    existing = [name for name in planned if (root / name).exists()]
    if existing and not args.force:
        raise UsageError(f"{root}: would overwrite {', '.join(existing)}; nothing was written. Move them away "
                         "or pass --force to replace them.")
    for name, text in planned.items():
        write_bytes_atomic(root / name, text.encode("utf-8"))
    print(f"A modelhub catalog in {root} (modelhub pinned: {pin.requirement}):")
    for name in planned:
        print(f"  {name}")
    print(f"Next: cd {root} && modelhub check --strict && modelhub run && modelhub build (run stores each card's "
          f"real output beside it: commit it), then git init and push to GitHub (Settings > Pages > Source: GitHub "
          f"Actions).")
    return EXIT_OK
