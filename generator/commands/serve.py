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
    parser.add_argument("--mode", choices=MODES, default=None, help="execution and benchmarks (see build)")
    parser.add_argument("--offline", action="store_true", help="never touch the network")
    parser.add_argument("--config-file", metavar="MKDOCS_YML", help="mkdocs configuration (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from ..config import ConfigError, load_config
    from ..render.build import SiteBuildError, find_mkdocs_yml, plugin_options, quiet_mkdocs_logging

    paths = [Path(p).resolve() for p in args.paths] or [Path("cards").resolve()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"modelhub serve: {', '.join(missing)}: no such file or folder", file=sys.stderr)
        return 2
    try:
        config = load_config(paths[0])
        yml = find_mkdocs_yml(args.config_file, config)
        # mkdocs loads its configuration (and a fresh plugin) again on every rebuild, each time with these options
        plugins = plugin_options(yml, cards=[str(p) for p in paths], root=str(config.root), mode=args.mode,
                                 offline=args.offline)
    except (SiteBuildError, ConfigError, MkDocsException) as error:
        print(f"modelhub serve: {error}", file=sys.stderr)
        return 2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    quiet_mkdocs_logging(verbose=True)
    try:
        serve(config_file=str(yml), livereload=True, dev_addr=args.dev_addr, plugins=plugins)
    except MkDocsException as error:
        print(f"modelhub serve: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
