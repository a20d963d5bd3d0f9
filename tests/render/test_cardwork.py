"""Running the per-card passes: results in the order of the items, and the building process's own work done while the
workers do theirs (``meanwhile``), not after them."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator.render import cardwork
from generator.render.cardwork import WorkSettings, run_passes


def settings(tmp_path: Path) -> WorkSettings:
    return WorkSettings(config_root=str(tmp_path), config_data={}, config_source=None, mode="off", offline=True,
                        stages=(), checked=False, cache_dir=str(tmp_path / "cache"), fingerprint="", templates=())


def mark_and_double(batch: list[int], folder: str) -> list[tuple[int, int]]:
    """Leaves a file per batch in ``folder`` (named by the process), so the caller sees that work has started."""
    Path(folder, f"{os.getpid()}-{batch[0]}").touch()
    return [(item, item * 2) for item in batch]


@pytest.mark.parametrize("jobs", [1, 2])
def test_meanwhile_runs_once_before_the_first_result(tmp_path, jobs):
    calls = []
    results = run_passes(mark_and_double, list(range(200)), settings(tmp_path), jobs, extra=(str(tmp_path),),
                         meanwhile=lambda: calls.append(len(calls)))
    assert calls == []  # nothing runs before the results are asked for
    first = next(results)
    assert calls == [0] and first == (0, 0)
    assert list(results) == [(n, n * 2) for n in range(1, 200)]
    assert calls == [0]


def test_meanwhile_runs_with_no_items(tmp_path):
    calls = []
    assert list(run_passes(mark_and_double, [], settings(tmp_path), 2, extra=(str(tmp_path),),
                           meanwhile=lambda: calls.append(1))) == []
    assert calls == [1]


def test_meanwhile_overlaps_the_workers(tmp_path, monkeypatch):
    """In a pool, the building process's work runs while the workers write: a worker's mark appears during it."""
    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)
    seen = []

    def meanwhile() -> None:
        deadline = time.monotonic() + 60
        while not any(name.split("-")[0] != str(os.getpid()) for name in os.listdir(tmp_path / "marks")):
            assert time.monotonic() < deadline, "no worker started while the building process worked"
            time.sleep(0.01)
        seen.append(sorted(os.listdir(tmp_path / "marks")))

    (tmp_path / "marks").mkdir()
    out = list(run_passes(mark_and_double, list(range(64)), settings(tmp_path), 2, extra=(str(tmp_path / "marks"),),
                          meanwhile=meanwhile))
    assert out == [(n, n * 2) for n in range(64)]
    assert len(seen) == 1 and seen[0]


def test_items_made_as_they_are_handed_out_reach_the_workers_before_the_last_is_made(tmp_path, monkeypatch):
    """A generator of items (the page jobs, whose keys take a while to make): full batches go to the workers at
    once, so they work while the building process makes the rest."""
    monkeypatch.setattr(cardwork, "MIN_PARALLEL", 1)
    marks = tmp_path / "marks"
    marks.mkdir()
    started_before_the_end = []

    def items():
        yield from range(100)  # 100 items of at most 200 make batches of 16: the first six are handed out by now
        deadline = time.monotonic() + 60
        while not any(name.split("-")[0] != str(os.getpid()) for name in os.listdir(marks)):
            assert time.monotonic() < deadline, "no worker started before the last item was made"
            time.sleep(0.01)
        started_before_the_end.append(True)
        yield from range(100, 200)

    out = list(run_passes(mark_and_double, items(), settings(tmp_path), 2, extra=(str(marks),), total=200))
    assert out == [(n, n * 2) for n in range(200)] and started_before_the_end == [True]
    assert list(run_passes(mark_and_double, iter(range(5)), settings(tmp_path), 1, extra=(str(marks),),
                           total=5)) == [(n, n * 2) for n in range(5)]
