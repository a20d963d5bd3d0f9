"""The Ray executor on a real local Ray instance (2 CPUs, a small object store): the same stored results as the
local executor, byte for byte (measured durations aside); an actor killed mid-run costs only the card it was on;
an item that kills its actor every time is given up after its attempts and the rest still finish."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.card import read_card
from generator.config import load_config
from generator.execute import store
from generator.execute.runner import Executor
from tests.execute.conftest import FAST_LIMITS, write_config

ray = pytest.importorskip("ray")
from generator.executors.ray_cluster import RayExecutor  # noqa: E402

pytestmark = pytest.mark.slow
DURATION = re.compile(rb'("duration": )[0-9.eE+-]+')


@pytest.fixture(scope="module")
def ray_cluster():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=100 * 1024**2, configure_logging=False,
             log_to_driver=False)
    yield
    ray.shutdown()


def card_text(name: str, model: str | None, body: str) -> str:
    artifact = f"artifact:\n  url: ../models/{model}\n" if model else ""
    return (f"---\nmodelhub: 1\nname: {name}\nruntime: python\n{artifact}---\n\n# {name}\n\n"
            f"```python\n{body}\n```\n")


def make_catalog(root: Path, cards: dict[str, tuple[str | None, str]]) -> list[Path]:
    (root / "cards").mkdir(parents=True)
    for model in {model for model, _ in cards.values() if model}:
        (root / "models" / model).mkdir(parents=True)
        (root / "models" / model / "weights.txt").write_text(f"the weights of {model}\n")
    write_config(root, FAST_LIMITS)
    paths = []
    for name, (model, body) in cards.items():
        path = root / "cards" / f"{name}.md"
        path.write_text(card_text(name, model, body), encoding="utf-8")
        paths.append(path)
    return paths


CARDS = {
    "alpha-1": ("alpha", "print('alpha', sum(range(10)))"),
    "alpha-2": ("alpha", "import math\nprint(round(math.pi, 5))"),
    "alpha-3": ("alpha", "values = {}\nvalues['missing']"),  # fails: stored with its traceback
    "beta-1": ("beta", "print('beta'.upper())"),
    "beta-2": ("beta", "print(sorted('beta'))"),
    "gamma-1": ("gamma", "print(2 ** 20)"),
    "plain": (None, "print('no model')"),
}


def run_catalog(root: Path, executor=None, names=CARDS, **options) -> tuple[dict, Executor]:
    os.chdir(root)  # card paths as a user passes them, relative: the records must not depend on the folder
    cards = [read_card(Path("cards") / f"{name}.md") for name in names]
    runner = Executor(load_config(root), "auto", executor=executor, **options)
    return runner.run(cards), runner


def test_ray_results_equal_the_local_executors_byte_for_byte(ray_cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_catalog(tmp_path / "local", CARDS)
    make_catalog(tmp_path / "ray", CARDS)
    local_runs, local = run_catalog(tmp_path / "local")
    executor = RayExecutor()
    ray_runs, remote = run_catalog(tmp_path / "ray", executor)
    assert executor.started == 4  # one actor per model (alpha, beta, gamma) and one for the card without one
    assert remote.counts == local.counts == {"cards": 7, "cells": 7, "workers": 4, "cached": 0}
    assert {Path(p).name: r["status"] for p, r in ray_runs.items()} == \
        {Path(p).name: r["status"] for p, r in local_runs.items()}
    assert ray_runs["cards/alpha-3.md"]["status"] == "failed"
    for name in CARDS:
        ours = store.results_path(tmp_path / "ray" / "cards" / f"{name}.md").read_bytes()
        theirs = store.results_path(tmp_path / "local" / "cards" / f"{name}.md").read_bytes()
        assert DURATION.sub(rb"\1_", ours) == DURATION.sub(rb"\1_", theirs), name
        assert DURATION.search(ours)  # the mask hides only durations, and there are some


def test_an_actor_killed_mid_run_costs_only_its_current_card(ray_cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slow = {f"slow-{i}": ("alpha", f"import time\ntime.sleep(1.5)\nprint('slow {i}')") for i in range(1, 5)}
    make_catalog(tmp_path / "cat", slow)
    executor = RayExecutor()
    kept: dict[str, bytes] = {}

    def on_card(path: str, run: dict) -> None:
        if not kept:  # the first card is back: kill the actor while it works on the second
            kept[path] = store.results_path(tmp_path / "cat" / path).read_bytes()
            [(unfinished, actor)] = executor.running()
            assert len(unfinished) == 3
            ray.kill(actor)

    runs, runner = run_catalog(tmp_path / "cat", executor, slow, on_card=on_card)
    assert executor.restarts == 1 and executor.started == 2
    assert {path: run["status"] for path, run in runs.items()} == {f"cards/{name}.md": "ok" for name in slow}
    assert runner.counts["cards"] == 4  # the card that was in flight ran again; the finished one did not
    [(path, data)] = kept.items()
    assert store.results_path(tmp_path / "cat" / path).read_bytes() == data


def test_an_item_that_kills_its_actor_every_time_is_given_up_and_the_rest_finish(ray_cluster):
    class Poison:
        def run_group(self, items):
            for item in items:
                if item == "poison":
                    os._exit(3)  # the actor's process exits, as a crash in native code would end it
                yield f"{item} done in {os.getpid()}"

        def lost(self, item, reason):
            return f"{item} lost: {reason}"

    executor = RayExecutor(attempts=2)
    results = dict(executor.map_groups(Poison(), [["a", "b", "poison", "c"], ["d", "e"]]))
    assert set(results) == {"a", "b", "poison", "c", "d", "e"}
    assert results["poison"].startswith("poison lost: its Ray worker was lost 2 times")
    assert all(results[item].startswith(f"{item} done") for item in "abcde")
    assert executor.restarts == 2  # once to retry the poison, once for "c" after giving up on it
    assert results["a"].split()[-1] != results["c"].split()[-1]  # c ran in another process
