"""Python's cyclic garbage collector during a site build: off in the building process, relaxed in its workers.

A build holds every card's summary (tens of thousands of small dicts, lists and strings) for its whole length and
loads them at once (from the build cache, or as the workers send them back). Each collection walks that heap, and
allocating it triggers hundreds of collections: measured on 10,000 cards, unpickling the cache's summaries took
2.1 s with the collector on and 0.38 s with it off, and 1,505 collections took 2.9 s of a 7.6 s one-edit rebuild;
none of what they walked was garbage. The building process makes little cyclic garbage besides (the catalog-wide
pages are few), so ``pause`` turns the collector off for the length of a build and ``resume`` turns it back on (a
long-lived ``serve`` frees each build's cycles after it). Workers render thousands of pages, whose template and
Markdown objects do form cycles: ``relax_in_worker`` keeps their collector on, with fewer young collections, and
out of what they inherited from the building process.
"""

from __future__ import annotations

import gc

WORKER_THRESHOLD = 50_000  # allocations between a worker's young collections (Python's default: 700)


class Collection:
    """``pause()`` at the start of a build and ``resume()`` at its end (both idempotent).

    ``resume`` freezes what the build left (``gc.freeze``) before it turns the collector back on: the first young
    collection after it, and the last collection of an exiting interpreter, would otherwise walk every object the
    build made (measured at 50,000 cards: 0.7 s after the build and 1.1 s at exit, for some 14,000 cycles). A
    process that builds again (``serve``, the plugin in ``mkdocs serve``) collects them at its next ``pause``."""

    _frozen = False  # whether a build of this process froze what it left (class-wide: the interpreter's collector)

    def __init__(self) -> None:
        self._was_enabled: bool | None = None

    def pause(self) -> None:
        if self._was_enabled is None:
            self._was_enabled = gc.isenabled()
            if Collection._frozen:  # the last build's objects: what is garbage now goes
                Collection._frozen = False
                gc.unfreeze()
                gc.collect()
            gc.disable()

    def resume(self) -> None:
        if self._was_enabled is not None:
            if self._was_enabled:
                gc.freeze()
                Collection._frozen = True
                gc.enable()
            self._was_enabled = None


def relax_in_worker() -> None:
    """In a worker process forked from a paused build: what it inherited moved out of the collector's sight (a
    collection walking it would also copy every page of it the fork shares), then the collector on, with young
    collections rarer."""
    gc.freeze()
    gc.enable()
    first, *rest = gc.get_threshold()
    gc.set_threshold(max(first, WORKER_THRESHOLD), *rest)
