"""The collector during a build: off while it runs; afterwards, what the build left is frozen so no collection walks
it again (an exiting ``modelhub build`` pays nothing for it), and a process that builds again collects it then."""

from __future__ import annotations

import gc
import weakref

import pytest

from generator.render.collection import Collection


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    Collection._frozen = False
    (gc.enable if enabled else gc.disable)()


def test_a_build_runs_with_the_collector_off_and_leaves_it_on():
    collection = Collection()
    collection.pause()
    assert not gc.isenabled()
    collection.pause()  # idempotent
    collection.resume()
    assert gc.isenabled()
    collection.resume()
    assert gc.isenabled()


def test_what_a_build_left_is_not_walked_until_the_next_build_collects_it():
    first = Collection()
    first.pause()
    left = Node()  # made during the build, dropped after it
    seen = weakref.ref(left)
    first.resume()
    assert gc.get_freeze_count() > 0
    del left
    gc.collect()
    assert seen() is not None  # frozen: a collection after the build does not walk it
    Collection().pause()  # the next build of this process
    assert seen() is None and gc.get_freeze_count() == 0


def test_a_collector_the_caller_turned_off_stays_off_and_nothing_is_frozen():
    gc.disable()
    collection = Collection()
    collection.pause()
    collection.resume()
    assert not gc.isenabled() and gc.get_freeze_count() == 0
