"""``modelhub check [PATHS]``: static checks of the cards, reported for people, programs, CI or GitHub.

Exit status: 0 when no card has an error (with ``--strict``: when there is no finding at all), 1 otherwise,
2 for usage errors (a path that does not exist, an unknown rule code, a broken configuration).
"""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_FINDINGS, EXIT_OK, add_paths, card_files, config_for, existing_paths, show_progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--strict", action="store_true", help="fail on any finding, not only on errors")
    parser.add_argument("--format", choices=("human", "json", "junit", "github"), default="human",
                        help="human (default), json, junit (XML) or github (workflow annotations)")
    parser.add_argument("--select", action="append", metavar="CODES",
                        help="only these rules: codes, prefixes (MH3) or families, comma-separated")
    parser.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules (added to config)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--statistics", action="store_true",
                        help="counts per rule: instead of each finding (human), or on stderr after the report "
                             "(json, junit, github)")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--fix", action="store_true",
                        help="apply the fixes fixable findings carry (only those characters change), then report")
    parser.add_argument("--diff", action="store_true", help="with --fix: print the changes as a diff, write nothing")
    parser.add_argument("--artifacts", action="store_true",
                        help="also inspect each card's artifact (HTTP Range reads, cache, mirrors) and run MH5xx")
    parser.add_argument("--offline", action="store_true",
                        help="with --artifacts: use only the cache and mirrors, never the network")


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def list_rules(out) -> None:
    from ..checks import default_rules

    rules = default_rules()
    for code, rule_ in sorted(rules.items()):
        needs = f" (needs {', '.join(rule_.needs)})" if rule_.needs else ""
        print(f"{code}  {rule_.severity:<7}  {rule_.family:<15}  {rule_.name}: {rule_.summary}{needs}", file=out)


def run(args: argparse.Namespace) -> int:
    from ..checks import RuleSelection
    from ..checks.report import print_human, print_statistics, to_github, to_json, to_junit
    from ..pipeline import BuildContext
    from ..stages import default_stages

    if args.list_rules:
        list_rules(sys.stdout)
        return EXIT_OK
    config = config_for(args.paths)
    selection = RuleSelection.from_config(config, _split(args.select) or None, _split(args.ignore))
    paths = existing_paths(args.paths or [config.path(p) for p in config.settings.cards.paths])
    files = card_files(paths, config)
    show = args.format == "human" and args.output is None
    if args.fix:
        fixed = _fix(_run_checks(files, config, selection, args.jobs, show), write=not args.diff)
        show = show and not fixed
    # one pass: each card parsed once, its artifact inspected (--artifacts), every rule run once
    stages = default_stages(["artifacts"]) if args.artifacts else []
    context = BuildContext(config, offline=args.offline, quiet=args.format != "human")
    checked = _run_checks(files, config, selection, args.jobs, show, stages, context)
    if args.artifacts:  # the artifact rules' findings (MH5xx) after the static ones, card by card
        for item in checked:
            item.findings.sort(key=lambda f: "facts" in selection.rules[f.code].needs if f.code in selection.rules
                               else False)
    findings = [f for item in checked for f in item.findings]
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.statistics and args.format == "human":
            print_statistics(findings, out)
        elif args.format == "json":
            out.write(to_json(len(checked), findings) + "\n")
        elif args.format == "junit":
            out.write(to_junit([item.path for item in checked], findings))
        elif args.format == "github":
            out.write(to_github(findings))
        else:
            print_human(findings, len(checked), out)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.statistics and args.format != "human":  # machine-read output stays intact on stdout / --output
        print_statistics(findings, sys.stderr)
    failing = findings if args.strict else [f for f in findings if f.severity == "error"]
    return EXIT_FINDINGS if failing else EXIT_OK


def _fix(checked, write: bool) -> int:
    """Apply fixable findings card by card; with ``write`` False print a unified diff instead."""
    import difflib

    from ..card import read_card
    from ..checks.fixes import apply_fixes
    from ..fileio import write_bytes_atomic

    total = 0
    for item in checked:
        if not any(f.fix for f in item.findings):
            continue
        card = read_card(item.path)
        new, applied = apply_fixes(card, item.findings)
        if not applied:
            continue
        total += len(applied)
        if write:
            write_bytes_atomic(item.path, new)
            print(f"{item.path}: fixed {', '.join(f'{f.code}@{f.line}' for f in applied)}", file=sys.stderr)
        else:
            old_lines = card.source.decode("utf-8", "replace").splitlines(keepends=True)
            new_lines = new.decode("utf-8", "replace").splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(old_lines, new_lines, f"a/{item.path}", f"b/{item.path}"))
    if total:
        print(f"modelhub check: {'fixed' if write else 'would fix'} {total} finding(s)", file=sys.stderr)
    return total


def _run_checks(files, config, selection, jobs, show: bool, stages=(), context=None):
    from ..checks.runner import check_paths

    if not show_progress(not show, len(files)):
        return check_paths(files, config, selection, jobs, stages=stages, context=context)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("checking cards", total=len(files))
        return check_paths(files, config, selection, jobs, lambda n: progress.advance(task, n), stages=stages,
                           context=context)
