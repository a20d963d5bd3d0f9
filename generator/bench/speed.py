"""Timing helpers: warm-up, repetitions, percentiles. Pure functions over a callable, so they are testable with
any stand-in and identical in every runtime."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

SHORT_TEXT = "The service was quick and the staff were friendly."
LONG_SOURCE = (
    "The committee reviewed the quarterly report in detail, comparing the figures for every region with the "
    "forecasts made at the start of the year, and noted that demand had grown faster than expected in the north "
    "while supply problems had slowed deliveries to the coast. "
)


def percentile(samples: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (the numpy default), without numpy."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_calls(call: Callable[[], Any], *, warmup: int, repetitions: int,
               clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Seconds taken by each of ``repetitions`` calls, after ``warmup`` untimed calls."""
    if repetitions < 1:
        raise ValueError("repetitions must be at least 1")
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repetitions):
        start = clock()
        call()
        samples.append(clock() - start)
    return samples


def summarize(samples: Sequence[float], batch_size: int) -> dict[str, float | int]:
    """Latency percentiles in milliseconds and the throughput the median latency implies."""
    median = statistics.median(samples)
    return {
        "p50_ms": round(median * 1000, 3),
        "p95_ms": round(percentile(samples, 95) * 1000, 3),
        "min_ms": round(min(samples) * 1000, 3),
        "repetitions": len(samples),
        "samples_per_second": round(batch_size / median, 3) if median > 0 else None,
    }


def long_text(count_tokens: Callable[[str], int], max_length: int) -> str:
    """A natural-looking text that fills ``max_length`` tokens (the tokenizer truncates the last partial piece)."""
    text = LONG_SOURCE
    while count_tokens(text) < max_length and len(text) < 200 * max_length:
        text += LONG_SOURCE
    return text


def measure_latency(run_batch: Callable[[list[str]], Any], inputs: dict[str, str], batch_sizes: Sequence[int], *,
                    warmup: int, repetitions: int, token_counts: dict[str, int] | None = None,
                    clock: Callable[[], float] = time.perf_counter) -> list[dict[str, Any]]:
    """One row per (input length, batch size): the batch is ``batch_size`` copies of the input text."""
    rows = []
    for name, text in inputs.items():
        for batch_size in batch_sizes:
            batch = [text] * batch_size
            samples = time_calls(lambda: run_batch(batch), warmup=warmup, repetitions=repetitions, clock=clock)
            row: dict[str, Any] = {"input": name, "batch_size": batch_size}
            if token_counts and name in token_counts:
                row["tokens"] = token_counts[name]
            row.update(summarize(samples, batch_size))
            rows.append(row)
    return rows
