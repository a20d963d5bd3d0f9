"""``modelhub serve [PATHS]``: the site on a local address, rebuilt whenever a card or template changes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..pipeline import MODES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="card files or folders of cards (default: cards/)")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    parser.add_argument("--mode", choices=MODES, default="frozen", help="execution and benchmarks (see build)")
    parser.add_argument("--offline", action="store_true", help="never touch the network")
    parser.add_argument("--config-file", metavar="MKDOCS_YML", help="mkdocs configuration (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from ..config import ConfigError, load_config
    from ..render.build import SiteBuildError, find_mkdocs_yml, quiet_mkdocs_logging
    from ..render.plugin import ENV_CARDS, ENV_MODE, ENV_OFFLINE

    paths = [Path(p).resolve() for p in args.paths] or [Path("cards").resolve()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"modelhub serve: {', '.join(missing)}: no such file or folder", file=sys.stderr)
        return 2
    try:
        yml = find_mkdocs_yml(args.config_file, load_config(paths[0]))
    except (SiteBuildError, ConfigError) as error:
        print(f"modelhub serve: {error}", file=sys.stderr)
        return 2
    # mkdocs reloads its configuration (and a fresh plugin) on every rebuild; the environment carries our options.
    os.environ[ENV_CARDS] = os.pathsep.join(map(str, paths))
    os.environ[ENV_MODE] = args.mode
    os.environ[ENV_OFFLINE] = "1" if args.offline else ""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    quiet_mkdocs_logging(verbose=True)
    try:
        serve(config_file=str(yml), livereload=True, dev_addr=args.dev_addr)
    except MkDocsException as error:
        print(f"modelhub serve: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
