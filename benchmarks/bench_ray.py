"""Execution on a Ray cluster against the local executor: 8 runnable cards over 3 models.

The cards are the shipped runnable ones (all-MiniLM-L6-v2 through transformers, paraphrase-MiniLM-L3-v2 through
onnxruntime, the demo ALBERT sentiment classifier) and variants of their examples with other sentences: 3 + 3 + 2
cards, in two copies of one catalog made in a temporary folder. Each copy is run with ``modelhub run --mode force``'s
engine (``Executor``), one with the local executor, one with ``RayExecutor`` on a local Ray instance started here
with 2 CPUs (one actor per model, two at a time). Checked:

- identical results: every ``<card>.results.json`` of the Ray copy has the same bytes as the local one, measured
  durations aside (the only values that differ between two runs of the same card);
- wall time of both (the ratio is reported; on 2 cores two actors run two models at once);
- ``--shard 0/2`` and ``1/2`` together hold every card exactly once, and each model's cards in one shard;
- ``--bench`` also benchmarks both copies (``modelhub bench --mode force``): a speed measurement per model, not per
  card (the other cards' records name the card in ``speed.shared_from``) and the same quality figures both ways.

Prints one JSON object (and writes it to benchmarks/out/ray.json); exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.bench.store import record_path  # noqa: E402
from generator.card import read_card  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.execute import store  # noqa: E402
from generator.execute.runner import Executor  # noqa: E402
from generator.executors.shard import Shard, artifact_key  # noqa: E402

# card -> (the sentence its example starts with, the sentences its variants use instead)
RUNNABLE = {
    "all-minilm-l6-v2.md": ("The new phone has an excellent camera.",
                            ["The laptop's screen is bright and sharp.", "A quiet train crossed the valley."]),
    "paraphrase-minilm-l3-v2-onnx.md": ("The new phone has an excellent camera.",
                                        ["Fresh bread smells wonderful.", "The museum opens on Sundays."]),
    "demo-albert-sentiment.md": ("The staff were friendly and the food arrived quickly.",
                                 ["The hotel room was dirty and noisy."]),
}
DURATION = re.compile(rb'("duration": )[0-9.eE+-]+')
BENCH_SETTINGS = "\n[bench]\ntolerance = 0.02\nrepetitions = 2\nwarmup = 1\nbatch_sizes = [1, 8]\n"


def make_catalog(root: Path, bench_settings: bool) -> list[Path]:
    """The shipped runnable cards and their variants, with the catalog's configuration, data and artifacts."""
    cards = root / "cards"
    cards.mkdir(parents=True)
    config = (REPO / "modelhub.toml").read_text(encoding="utf-8")
    if bench_settings:
        config = re.sub(r"\n\[bench\]\n(?:[^\[\n].*\n)*", BENCH_SETTINGS, config)
    (root / "modelhub.toml").write_text(config, encoding="utf-8")
    for folder in ("artifacts", "data"):
        shutil.copytree(REPO / "cards" / folder, cards / folder)
    paths = []
    for name, (sentence, variants) in RUNNABLE.items():
        text = (REPO / "cards" / name).read_text(encoding="utf-8")
        if sentence not in text:
            raise RuntimeError(f"cards/{name} no longer says {sentence!r}; update RUNNABLE in this benchmark")
        paths.append(cards / name)
        paths[-1].write_text(text, encoding="utf-8")
        for number, other in enumerate(variants, start=2):
            paths.append(cards / name.replace(".md", f"-{number}.md"))
            paths[-1].write_text(text.replace(sentence, other), encoding="utf-8")
    return paths


def masked(path: Path) -> bytes:
    return DURATION.sub(rb"\1_", path.read_bytes())


def run_copy(root: Path, names: list[str], executor) -> tuple[float, dict, dict]:
    cards = [read_card(root / "cards" / name) for name in names]
    runner = Executor(load_config(root), "force", executor=executor)
    started = time.perf_counter()
    runs = runner.run(cards)
    return time.perf_counter() - started, runs, runner.counts


def bench_copy(root: Path, names: list[str], executor) -> tuple[float, dict]:
    from generator.bench.stage import BenchStage
    from generator.pipeline import BuildContext, CardRecord

    records = [CardRecord(read_card(root / "cards" / name)) for name in names]
    context = BuildContext(load_config(root), mode="force", quiet=True, executor=executor)
    started = time.perf_counter()
    BenchStage().process(records, context)
    return time.perf_counter() - started, {Path(r.path).name: r.bench for r in records}


def quality_view(bench: dict) -> dict:
    quality = dict(bench.get("quality") or {})
    quality.pop("eval_seconds", None)
    quality.pop("eval_samples_per_second", None)
    return {"status": bench.get("status"), "metrics": quality.get("metrics"),
            "outputs": quality.get("similarities") or quality.get("predictions")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", action="store_true", help="benchmark both copies too (a few minutes more)")
    parser.add_argument("--object-store-mb", type=int, default=100, help="the local Ray instance's object store")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "ray.json")
    args = parser.parse_args()
    import ray

    from generator.executors.ray_cluster import RayExecutor

    checks: dict[str, bool] = {}
    result: dict = {"benchmark": "ray", "cpus": 2}
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as temp:
        local_root, ray_root = Path(temp) / "local", Path(temp) / "ray"
        paths = make_catalog(local_root, args.bench)
        make_catalog(ray_root, args.bench)
        names = [path.name for path in paths]
        result["cards"] = len(names)
        result["models"] = len({artifact_key(read_card(path)) for path in paths})

        local_seconds, local_runs, local_counts = run_copy(local_root, names, None)
        ray.init(num_cpus=2, include_dashboard=False, object_store_memory=args.object_store_mb * 1024**2,
                 configure_logging=False, log_to_driver=False)
        try:
            executor = RayExecutor()
            ray_seconds, ray_runs, ray_counts = run_copy(ray_root, names, executor)
            result["run"] = {
                "local_seconds": round(local_seconds, 2), "ray_seconds": round(ray_seconds, 2),
                "local_over_ray": round(local_seconds / ray_seconds, 2), "actors": executor.started,
                "statuses": {Path(p).name: r["status"] for p, r in sorted(ray_runs.items())},
                "local_counts": local_counts, "ray_counts": ray_counts,
            }
            differing = [name for name in names
                         if masked(store.results_path(local_root / "cards" / name))
                         != masked(store.results_path(ray_root / "cards" / name))]
            result["run"]["results_files_differing"] = differing
            checks["all cards ran ok"] = all(r["status"] == "ok" for r in [*local_runs.values(), *ray_runs.values()])
            checks["identical results files (durations aside)"] = not differing

            if args.bench:
                local_bench_seconds, local_bench = bench_copy(local_root, names, None)
                ray_bench_seconds, ray_bench = bench_copy(ray_root, names, RayExecutor())
                measured = sorted(n for n, b in ray_bench.items() if b.get("speed") and
                                  not b["speed"].get("shared_from"))
                result["bench"] = {
                    "local_seconds": round(local_bench_seconds, 2), "ray_seconds": round(ray_bench_seconds, 2),
                    "local_over_ray": round(local_bench_seconds / ray_bench_seconds, 2),
                    "speed_measured_on": measured,
                    "shared_from": {n: b["speed"]["shared_from"] for n, b in sorted(ray_bench.items())
                                    if b.get("speed") and b["speed"].get("shared_from")},
                    "stored": sum(record_path(ray_root / "cards" / n).is_file() for n in names),
                }
                checks["bench: one speed measurement per model"] = len(measured) == result["models"]
                checks["bench: same quality both ways"] = all(
                    quality_view(local_bench[n]) == quality_view(ray_bench[n]) for n in names)
        finally:
            ray.shutdown()

        cards = [read_card(path) for path in paths]
        shards = [Shard(i, 2).select(cards, artifact_key) for i in range(2)]
        held = sorted(card.path for shard in shards for card in shard)
        result["shards"] = {str(Shard(i, 2)): sorted(Path(c.path).name for c in shard) for i, shard in enumerate(shards)}
        checks["shards 0/2 and 1/2 hold every card exactly once"] = held == sorted(c.path for c in cards)
        checks["each model's cards in one shard"] = all(
            len({i for i, shard in enumerate(shards) for c in shard if artifact_key(c) == key}) == 1
            for key in {artifact_key(c) for c in cards})
    result["checks"] = checks
    result["ok"] = all(checks.values())
    text = json.dumps(result, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
