"""Timing: warm-up calls are not timed, percentiles match numpy, throughput follows from the median."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from generator.bench.speed import long_text, measure_latency, percentile, summarize, time_calls


def test_percentile_matches_numpy():
    samples = [0.3, 0.1, 0.7, 0.2, 0.25, 0.9]
    for q in (0, 50, 95, 100):
        assert percentile(samples, q) == pytest.approx(np.percentile(samples, q))


def test_warmup_calls_run_but_are_not_timed():
    calls = []
    ticks = itertools.count()
    samples = time_calls(lambda: calls.append(1), warmup=2, repetitions=3, clock=lambda: next(ticks))
    assert len(calls) == 5 and samples == [1, 1, 1]


def test_summary_in_milliseconds_with_throughput_from_the_median():
    summary = summarize([0.010, 0.020, 0.030], batch_size=8)
    assert summary["p50_ms"] == 20.0 and summary["min_ms"] == 10.0
    assert summary["p95_ms"] == pytest.approx(29.0)
    assert summary["samples_per_second"] == pytest.approx(400.0)


def test_one_row_per_input_and_batch_size_with_the_batch_really_that_big():
    seen = []
    rows = measure_latency(lambda batch: seen.append(len(batch)), {"short": "a", "long": "a b c"}, [1, 4],
                           warmup=1, repetitions=2, token_counts={"short": 1, "long": 3})
    assert [(r["input"], r["batch_size"], r["tokens"]) for r in rows] == [
        ("short", 1, 1), ("short", 4, 1), ("long", 1, 3), ("long", 4, 3)]
    assert seen == [1, 1, 1, 4, 4, 4] * 2
    assert all(r["p50_ms"] >= 0 and r["repetitions"] == 2 for r in rows)


def test_long_text_reaches_the_token_budget():
    text = long_text(lambda t: len(t.split()), 300)
    assert len(text.split()) >= 300


def test_zero_repetitions_is_refused():
    with pytest.raises(ValueError):
        time_calls(lambda: None, warmup=0, repetitions=0)
