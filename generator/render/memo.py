"""Memoise pure text functions of the page pass for the texts catalogs repeat.

Catalogs repeat text across cards: a model family's cards share their How to use, Benchmarking and license
sections, and table cells (`Named Entity Recognition`, `Apache 2.0`) recur on every page. Each distinct text is
rendered once per process; a text longer than the size limit is rendered every time, so a few huge cards cannot
fill the memory the cache keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps


def text_memo(*, entries: int, longest: int) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """A decorator for ``function(text, **options) -> str``: results for texts up to ``longest`` characters are
    kept, the ``entries`` most recently used of them."""

    def decorate(function: Callable[..., str]) -> Callable[..., str]:
        cached = lru_cache(maxsize=entries)(function)

        @wraps(function)
        def memoised(text: str, **options) -> str:
            return cached(text, **options) if len(text) <= longest else function(text, **options)

        memoised.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        memoised.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return memoised

    return decorate
