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
_FIELDS: dict[type, tuple[str, ...]] = {}  # the init fields of a dataclass, by class
_intern = sys.intern
_NONE = (type(None), None)
_LONGEST = 200  # longer strings (descriptions, summaries) are seldom repeated: not worth a table entry


class ValueTable:
    def __init__(self) -> None:
        self._shared: dict[tuple, Any] = {}
        self._ids: set[int] = set()  # the table's containers (it keeps them alive, so their ids stay theirs)

    def share(self, value: Any) -> Any:
        """``value`` with its repeated parts replaced by the table's objects (containers rebuilt, others kept).

        One function with the common cases inline (a catalog's summaries are a few hundred thousand small values):
        the building process does this for every card while the workers send them."""
        kind = type(value)
        if kind is str:
            return _intern(value) if len(value) <= _LONGEST else value
        if kind is dict:
            shared: dict = {}
            parts: list = [dict]  # the table's key; None when something in it cannot be shared
            for key, item in value.items():
                if type(key) is str:
                    key = _intern(key) if len(key) <= _LONGEST else key
                else:
                    key, parts = self.share(key), None
                item, part = self._item(item)
                if parts is not None:
                    if part is None:
                        parts = None
                    else:
                        parts.append(key)
                        parts.append(part)
                shared[key] = item
            return shared if parts is None else self._keep(tuple(parts), shared)
        if kind is tuple:
            items = []
            parts = [tuple]
            for item in value:
                item, part = self._item(item)
                items.append(item)
                if parts is not None:
                    if part is None:
                        parts = None
                    else:
                        parts.append(part)
            return tuple(items) if parts is None else self._keep(tuple(parts), tuple(items))
        if kind is list:
            return [self.share(item) for item in value]
        return value

    def _item(self, item: Any) -> tuple[Any, Any]:
        """An item of a container, shared, and its part of the container's key (None: the container is not shared)."""
        kind = type(item)
        if kind is str:
            if len(item) <= _LONGEST:
                item = _intern(item)
            return item, item  # a plain string stands for itself: no other part of a key is a str
        if item is None:
            return None, _NONE
        if isinstance(item, Enum):
            return item, (kind, item)
        item = self.share(item)
        return item, (id(item) if id(item) in self._ids else None)  # an int: the table's container

    def _keep(self, key: tuple, value: Any) -> Any:
        shared = self._shared.setdefault(key, value)
        if shared is value:
            self._ids.add(id(shared))
        return shared

    def dataclass(self, value: T, *, skip: tuple[str, ...] = ()) -> T:
        """A copy of the dataclass instance ``value`` with each field (but ``skip``) shared."""
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in fields(value) if f.init)
        return replace(value, **{name: self.share(getattr(value, name)) for name in names if name not in skip})
