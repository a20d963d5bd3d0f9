"""10,000 fuzzed cards through parse, every static check, the catalog summary and the rendered page, in one process.

The inputs are seeded mutations (``tests/fuzzing.py``: byte flips, truncation, repeated spans and tokens, huge lines,
deep nesting, odd bytes, BOMs, CRLF, NULs, YAML anchors, unbalanced fences and brackets, ...) of the corpus cards
(MODELHUB_CORPUS) and the shipped ones; input ``i`` of seed ``s`` is always the same bytes. Targets: 0 exceptions
(an MH999 finding, a rule that crashed, counts as one) and 0 inputs over 1 s of CPU time (an input over it is timed
once more, so a page fault is not reported as a blowup). Reports the slowest 10 with their mutations, seed and index,
and the total; prints one JSON object, writes it to benchmarks/out/fuzz.json and exits 1 when a target is missed.

Then the dense cards (``tests.fuzzing.dense_card``: one shape of Markdown syntax repeated, or all of them mixed) of
0.25, 0.5, 1 and 2 MiB (just under MH004's cap): CPU seconds to render the model page (view and template), and
for the whole pipeline (parse and checks too). Target: every page renders in at most ``--dense-budget`` (2 s) of CPU.

    python benchmarks/bench_fuzz.py [--count 10000] [--seed 1] [--budget 1.0] [--dense-budget 2.0]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import card_files  # noqa: E402
from tests.fuzzing import DENSE_LINES, Pipeline, dense_card, fuzzed  # noqa: E402


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done)
    print(f"\r{done:,}/{total:,} inputs, {elapsed:.0f} s, ETA {eta:.0f} s ", end="", file=sys.stderr, flush=True)


def dense_cards(pipeline: Pipeline, budget: float) -> dict:
    """Render and pipeline CPU seconds of each dense card (see the module docstring)."""
    from generator.card import parse_card
    from generator.pipeline import CardRecord
    from generator.render.model_page import build_model_page
    from generator.render.templates import render as render_template

    rows = []
    for shape in [*DENSE_LINES, "mixed"]:
        for mib in (0.25, 0.5, 1, 2):
            data = dense_card(int(mib * 2**20) - 1024, shape)
            record = CardRecord(parse_card(data, "cards/dense.md"))
            started = time.process_time()
            render_template("model.html.j2", page=build_model_page(record, record.to_dict(), slug="dense"),
                            catalog_url="../")
            render = time.process_time() - started
            rows.append({"shape": shape, "bytes": len(data), "render_cpu_seconds": round(render, 3),
                         "pipeline_cpu_seconds": round(pipeline.process(data).seconds, 3)})
            print(f"dense {shape} {mib} MiB: render {render:.2f} s", file=sys.stderr, flush=True)
    slowest = max(rows, key=lambda row: row["render_cpu_seconds"])
    return {"budget_render_cpu_seconds": budget, "cards": rows, "slowest_render": slowest,
            "targets_met": slowest["render_cpu_seconds"] <= budget}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=1.0, help="CPU seconds per input")
    parser.add_argument("--dense-budget", type=float, default=2.0, help="CPU seconds to render a dense card's page")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "out" / "fuzz.json"))
    args = parser.parse_args()

    sources = [(str(path), path.read_bytes()) for path in card_files()]
    pipeline = Pipeline()
    pipeline.process(sources[0][1])  # imports, rule tables, template compilation: not the first input's cost
    started = time.perf_counter()
    cpu_started = time.process_time()
    timings, exceptions, over, total_bytes = [], [], [], 0
    for index in range(args.count):
        item = fuzzed(sources, args.seed, index)
        total_bytes += len(item.data)
        outcome = pipeline.process(item.data)
        if outcome.seconds > args.budget:
            outcome = pipeline.process(item.data)
        entry = {"seed": item.seed, "index": item.index, "source": Path(item.source_path).name,
                 "mutations": list(item.mutations), "bytes": len(item.data), "seconds": round(outcome.seconds, 4)}
        timings.append(entry)
        if outcome.error:
            exceptions.append({**entry, "error": outcome.error[-2000:]})
        if outcome.seconds > args.budget:
            over.append(entry)
        if (index + 1) % 100 == 0 or index + 1 == args.count:
            _progress(index + 1, args.count, started)
    print(file=sys.stderr)
    wall = time.perf_counter() - started
    slowest = sorted(timings, key=lambda entry: -entry["seconds"])[:10]
    report = {
        "inputs": args.count, "seed": args.seed, "sources": len(sources),
        "corpus": os.environ.get("MODELHUB_CORPUS") or None,
        "budget_cpu_seconds": args.budget,
        "exceptions": len(exceptions), "over_budget": len(over),
        "total_wall_seconds": round(wall, 1), "total_cpu_seconds": round(time.process_time() - cpu_started, 1),
        "mean_input_bytes": round(total_bytes / max(1, args.count)),
        "largest_input_bytes": max((entry["bytes"] for entry in timings), default=0),
        "slowest": slowest, "exception_inputs": exceptions[:50], "over_budget_inputs": over[:50],
        "dense_cards": (dense := dense_cards(pipeline, args.dense_budget)),
        "targets_met": not exceptions and not over and dense["targets_met"],
        "reproduce": "tests.fuzzing.fuzzed([(str(p), p.read_bytes()) for p in benchmarks.corpus.card_files()], "
                     "seed, index)",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    sys.exit(0 if report["targets_met"] else 1)


if __name__ == "__main__":
    main()
