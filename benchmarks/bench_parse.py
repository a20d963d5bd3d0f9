"""Cards parsed per second over the reference corpus, on one core (target: at least 2,000 cards/s).

Reads every file once into memory, then parses the whole set several times and reports the median pass, so
disk speed is not measured. Prints one JSON object; ``--repeat`` sets the passes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import card_files  # noqa: E402
from generator.card import parse_card  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sources = [(str(p), p.read_bytes()) for p in card_files()]
    passes = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for path, data in sources:
            parse_card(data, path)
        passes.append(time.perf_counter() - start)
    median = statistics.median(passes)
    print(json.dumps({
        "benchmark": "parse", "cards": len(sources), "median_pass_s": round(median, 4),
        "cards_per_second": round(len(sources) / median), "target_cards_per_second": 2000,
        "meets_target": len(sources) / median >= 2000,
    }))


if __name__ == "__main__":
    main()
