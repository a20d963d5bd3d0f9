"""Reading loosely typed values from JSON metadata written by other tools."""

from __future__ import annotations

from typing import Any


def as_int(value: Any) -> int | None:
    """512, "512", 512.0 -> 512; booleans, blanks and junk -> None."""
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def as_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
