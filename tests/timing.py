"""Growth of work with input size, for the tests that prove a pattern or a stage is linear.

Absolute times depend on the machine and its load; the ratio between two sizes does not: ``factor`` for linear
work, ``factor ** 2`` for quadratic. Each size is timed a few times (CPU time, best of) after a warm-up run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LINEAR_LIMIT = 3  # a ratio up to 3 x factor passes: linear work is about 1 x factor, quadratic factor x factor


def growth(make: Callable[[int], Any], work: Callable[[Any], Any], size: int, factor: int = 8, repeat: int = 3
           ) -> float:
    """How many times longer ``work(make(size * factor))`` takes than ``work(make(size))``."""
    def best(n: int) -> float:
        data = make(n)
        work(data)
        times = []
        for _ in range(repeat):
            start = time.process_time()
            work(data)
            times.append(time.process_time() - start)
        return min(times)

    small = best(size)
    return best(size * factor) / max(small, 1e-4)


def assert_linear(make: Callable[[int], Any], work: Callable[[Any], Any], size: int, factor: int = 8) -> None:
    ratio = growth(make, work, size, factor)
    assert ratio < LINEAR_LIMIT * factor, f"{factor}x the input took {ratio:.0f}x the time: not linear"
