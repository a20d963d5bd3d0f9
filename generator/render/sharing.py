"""One object for each value the catalog's summaries repeat.

The building process keeps every card's summary for the length of a build: at 50,000 cards that was most of its
memory. Summaries repeat the same small values card after card (field names, facet labels such as
``('no', 'Norwegian')``, section titles, ``{"code": "MH704", "severity": "info"}``), and each arrives from a worker
as new objects. ``ValueTable`` makes equal values one object and rebuilds the containers around them.

Shared values are read-only: summaries are never changed in place (a change makes a new dict or list). Values are
matched by type as well as by equality, so ``1 == 1.0 == True`` or a status enum equal to its string can never
swap one value for another; only strings, None, enum members, and tuples and dicts made of them are shared.
"""

from __future__ import annotations

import sys
from dataclasses import fields, replace
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")
_LONGEST = 200  # longer strings (descriptions, summaries) are seldom repeated: not worth a table entry


class ValueTable:
    def __init__(self) -> None:
        self._shared: dict[tuple, Any] = {}
        self._ids: set[int] = set()  # the table's containers (it keeps them alive, so their ids stay theirs)

    def share(self, value: Any) -> Any:
        """``value`` with its repeated parts replaced by the table's objects (containers rebuilt, others kept)."""
        kind = type(value)
        if kind is str:
            return sys.intern(value) if len(value) <= _LONGEST else value
        if kind is tuple:
            items = tuple(self.share(item) for item in value)
            return self._one(tuple, items, items)
        if kind is list:
            return [self.share(item) for item in value]
        if kind is dict:
            shared = {self.share(key): self.share(item) for key, item in value.items()}
            return self._one(dict, tuple(shared.items()), shared, keys=True)
        return value

    def _one(self, kind: type, items: tuple, value: Any, *, keys: bool = False) -> Any:
        parts = []
        for item in items:
            if keys:
                key, item = item
                if type(key) is not str:
                    return value
                parts.append(key)
            if type(item) is str or item is None or isinstance(item, Enum):
                parts.append((type(item), item))
            elif id(item) in self._ids:
                parts.append(id(item))
            else:
                return value
        shared = self._shared.setdefault((kind, *parts), value)
        self._ids.add(id(shared))
        return shared

    def dataclass(self, value: T, *, skip: tuple[str, ...] = ()) -> T:
        """A copy of the dataclass instance ``value`` with each field (but ``skip``) shared."""
        return replace(value, **{f.name: self.share(getattr(value, f.name)) for f in fields(value)
                                 if f.init and f.name not in skip})
