"""``modelhub serve [PATHS]``: the site on a local address, rebuilt whenever a card or template changes."""

from __future__ import annotations

import argparse
import os

from ..pipeline import MODES
from .common import EXIT_OK, UsageError, add_paths, config_for, existing_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser, help="card files or folders of cards (default: cards/)")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    parser.add_argument("--mode", choices=MODES, default=None, help="execution and benchmarks (see build)")
    parser.add_argument("--offline", action="store_true", help="never touch the network")
    parser.add_argument("--config-file", metavar="MKDOCS_YML", help="mkdocs configuration (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from ..render.build import find_mkdocs_yml, plugin_options, quiet_mkdocs_logging

    paths = [p.resolve() for p in existing_paths(args.paths or ["cards"])]
    config = config_for(paths)
    yml = find_mkdocs_yml(args.config_file, config)
    try:
        # mkdocs loads its configuration (and a fresh plugin) again on every rebuild, each time with these options
        plugins = plugin_options(yml, cards=[str(p) for p in paths], root=str(config.root), mode=args.mode,
                                 offline=args.offline)
    except MkDocsException as error:
        raise UsageError(str(error)) from error
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    quiet_mkdocs_logging(verbose=True)
    try:
        serve(config_file=str(yml), livereload=True, dev_addr=args.dev_addr, plugins=plugins)
    except MkDocsException as error:
        raise UsageError(str(error)) from error
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK
