"""Static check of 10,000 cards (the reference corpus replicated), end to end from files on disk.

Target: at most 10 s on this 2-core machine. Two catalogs are measured: the corpus copied as it is (identical
snippets across copies, so the snippet analysis memo hits, as it does for real catalogs full of templated cards)
and a "unique" one where every copy's code blocks differ (no memo hits: the worst case). The baseline in the same
run is parsing the same files without checking them. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.card import read_card  # noqa: E402
from generator.checks import default_rules  # noqa: E402
from generator.checks.runner import check_paths  # noqa: E402
from benchmarks.corpus import card_files  # noqa: E402

TARGET_SECONDS = 10.0


def replicate(sources: list[tuple[str, bytes]], total: int, folder: Path, unique: bool) -> list[Path]:
    paths = []
    for index in range(total):
        name, data = sources[index % len(sources)]
        copy = index // len(sources)
        if unique:
            data = data.replace(b"```python\n", f"```python\n# copy {index}\n".encode()).replace(
                b"```scala\n", f"```scala\n// copy {index}\n".encode())
        path = folder / f"{copy:03d}-{name}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--modes", default="replicated,unique", help="which catalogs to measure (comma-separated)")
    args = parser.parse_args()
    sources = [(p.name, p.read_bytes()) for p in card_files()]
    default_rules()  # imported before the clock starts
    report: dict[str, object] = {"benchmark": "check", "cards": args.cards, "jobs": args.jobs,
                                 "corpus_cards": len(sources), "target_seconds": TARGET_SECONDS,
                                 "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        for label, unique in (("replicated", False), ("unique", True)):
            if label not in args.modes.split(","):
                continue
            folder = Path(tmp) / label
            folder.mkdir()
            paths = replicate(sources, args.cards, folder, unique)
            parse_s, _ = timed(lambda: [read_card(p) for p in paths])
            check_s, checked = timed(lambda: check_paths(paths, jobs=args.jobs))
            findings = sum(len(item.findings) for item in checked)
            report[label] = {
                "parse_only_one_core_s": round(parse_s, 2),
                "check_s": round(check_s, 2),
                "cards_per_second": round(args.cards / check_s),
                "check_vs_parse_ratio": round(check_s / parse_s, 2),
                "findings": findings,
                "meets_target": check_s <= TARGET_SECONDS,
            }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
