"""``modelhub build [PATHS]``: parse, check, inspect, execute and benchmark the cards, then write the site."""

from __future__ import annotations

import argparse

from .. import executors
from ..pipeline import MODES
from .common import EXIT_FINDINGS, EXIT_OK, UsageError, add_paths, existing_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser, help="card files or folders of cards (default: cards/)")
    parser.add_argument("--site-dir", default="site", help="where to write the site (default: site)")
    parser.add_argument("--mode", choices=MODES, default=None,
                        help="execution and benchmarks: off, frozen (stored results only), auto (run what changed), "
                             "force (run everything); default: [execute] mode in modelhub.toml, else frozen")
    parser.add_argument("--offline", action="store_true", help="never touch the network (artifacts from cache only)")
    parser.add_argument("--config-file", metavar="MKDOCS_YML", help="mkdocs configuration (default: ./mkdocs.yml)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any card has an error finding")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="processes for parsing, checking and rendering (default: every core)")
    parser.add_argument("--no-cache", action="store_true",
                        help="ignore the build cache: parse, check and render every card again")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--verbose", action="store_true", help="show mkdocs' own progress messages")
    executors.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..render.build import build_site, quiet_mkdocs_logging

    console = Console(stderr=True, quiet=args.quiet)
    paths = existing_paths(args.paths or ["cards"])
    quiet_mkdocs_logging(args.verbose)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes, 1 or more")
    executors.make_executor(args.executor, args.address).close()  # a usage error before anything is built
    console.print(f"Building the catalog from {', '.join(map(str, paths))}"
                  + (f", executing shard {args.shard}" if args.shard else "") + "…")
    # progress bars (cards, model pages) come from the plugin, on a terminal
    result = build_site(paths, args.site_dir, mode=args.mode, offline=args.offline, mkdocs_yml=args.config_file,
                        quiet=args.quiet, jobs=args.jobs, cache=not args.no_cache, executor=args.executor,
                        address=args.address, shard=args.shard)
    counts = result.severities
    timings = result.timings
    console.print(
        f"[bold]{result.cards}[/bold] cards → [bold]{result.site_dir}[/bold] in {timings['total']:.1f} s "
        f"(pipeline {timings['pipeline']:.1f} s, site {timings['mkdocs']:.1f} s); findings: "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes",
        soft_wrap=True,
    )
    if args.strict and counts["error"]:
        console.print("[red]--strict: cards have errors; run `modelhub check` for the list[/red]")
        return EXIT_FINDINGS
    return EXIT_OK
