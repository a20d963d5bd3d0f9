"""Reporters: the same findings for people (rich, grouped by file, with the offending line), for programs (JSON),
for CI dashboards (JUnit XML) and for GitHub pull requests (workflow annotations)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from ..fileio import read_regular_bytes
from .registry import Finding


def summary_counts(findings: Sequence[Finding]) -> Counter:
    return Counter(f.severity for f in findings)


def to_json(cards: int, findings: Sequence[Finding]) -> str:
    """``{"cards": N, "findings": [{"code", "severity", "path", "line", "message", "hint", ...}]}``."""
    return json.dumps({"cards": cards, "findings": [f.to_dict() for f in findings],
                       "summary": dict(summary_counts(findings))}, ensure_ascii=False, indent=1)


def to_junit(paths: Sequence[str], findings: Sequence[Finding]) -> str:
    """One test suite per card, one test case per finding (a clean card gets one passing case). Errors and warnings
    are failures; an info finding is a passing case that carries its message (``system-out`` and properties), so a
    dashboard shows it without counting the card as failed."""
    by_path: dict[str, list[Finding]] = {path: [] for path in paths}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    failing = sum(f.severity != "info" for f in findings)
    root = ET.Element("testsuites", name="modelhub check", tests=str(sum(max(1, len(v)) for v in by_path.values())),
                      failures=str(failing))
    for path, items in by_path.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(items))),
                              failures=str(sum(f.severity != "info" for f in items)))
        if not items:
            ET.SubElement(suite, "testcase", name="modelhub check", classname=path)
            continue
        for finding in items:
            case = ET.SubElement(suite, "testcase", name=f"{finding.code} {finding.name}".strip(), classname=path,
                                 file=path, line=str(finding.line))
            text = f"{path}:{finding.line}: {finding.code} {finding.message}" + (
                f"\nhint: {finding.hint}" if finding.hint else "")
            if finding.severity == "info":
                properties = ET.SubElement(case, "properties")
                for name, value in (("severity", "info"), ("code", finding.code), ("message", finding.message)):
                    ET.SubElement(properties, "property", name=name, value=value)
                ET.SubElement(case, "system-out").text = text
                continue
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity)
            failure.text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def repo_relative(path: str, cwd: Path | None = None) -> str:
    """``path`` as GitHub expects it in an annotation: relative to the root of the git repository it is in, else to
    the working folder, else as given."""
    resolved = Path(path).resolve()
    for folder in resolved.parents:
        if (folder / ".git").exists():
            return resolved.relative_to(folder).as_posix()
    try:
        return resolved.relative_to((cwd or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path


def to_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff, its file
    named relative to the repository root (``repo_relative``)."""
    lines = []
    relative: dict[str, str] = {}
    for finding in findings:
        if finding.path not in relative:
            relative[finding.path] = repo_relative(finding.path)
        props = [f"file={_escape_property(relative[finding.path])}", f"line={finding.line}"]
        if finding.column:
            props.append(f"col={finding.column}")
        props.append(f"title={_escape_property(f'{finding.code} {finding.name}'.strip())}")
        message = finding.message + (f" (hint: {finding.hint})" if finding.hint else "")
        lines.append(f"::{_GITHUB_LEVEL.get(finding.severity, 'warning')} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _source_lines(path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        try:
            cache[path] = read_regular_bytes(path).decode("utf-8", "replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def print_human(findings: Sequence[Finding], cards: int, file: IO[str] | None = None,
                source: Callable[[str], list[str]] | None = None, color: bool | None = None) -> None:
    """Findings grouped by file, each with its source line and a caret under the column, then a summary."""
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    console = Console(file=file, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)
    cache: dict[str, list[str]] = {}
    read = source or (lambda p: _source_lines(p, cache))
    current = None
    for finding in findings:
        if finding.path != current:
            if current is not None:
                console.print()
            current = finding.path
            console.print(Text(finding.path, style="bold underline"))
        style = _STYLE.get(finding.severity, "")
        where = f"{finding.line}" + (f":{finding.column}" if finding.column else "")
        console.print(f"  [dim]{where:>7}[/dim]  [{style}]{finding.code}[/{style}] "
                      f"[{style}]{finding.severity:<7}[/{style}] {escape(finding.message)}")
        lines = read(finding.path)
        if 0 < finding.line <= len(lines):
            text = lines[finding.line - 1].rstrip()
            shown = text[:160] + ("…" if len(text) > 160 else "")
            console.print(Text(f"  {finding.line:>7} | ", style="dim") + Text(shown))
            if finding.column and finding.column <= len(shown) + 1:
                console.print(Text(" " * 12 + " " * (finding.column - 1) + "^", style=style))
        if finding.hint:
            console.print(f"  {'':>7}  [green]hint:[/green] {escape(finding.hint)}")
    counts = summary_counts(findings)
    files = len({f.path for f in findings})
    if findings:
        console.print()
    parts = [f"{counts.get(level, 0)} {level}{'s' if counts.get(level, 0) != 1 and level != 'info' else ''}"
             for level in ("error", "warning", "info")]
    verdict = "[bold green]All clear.[/bold green] " if not findings else ""
    console.print(f"{verdict}Checked {cards} card{'s' if cards != 1 else ''}: {', '.join(parts)}"
                  + (f" in {files} file{'s' if files != 1 else ''}." if findings else "."))


def print_statistics(findings: Sequence[Finding], file: IO[str] | None = None) -> None:
    """Counts per rule, most frequent first (``--statistics``)."""
    from rich.console import Console

    console = Console(file=file, highlight=False)
    counts = Counter((f.code, f.name, f.severity) for f in findings)
    for (code, name, severity), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        console.print(f"{count:>6}  {code}  {severity:<7}  {name}")
