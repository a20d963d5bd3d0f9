"""Progress of long work (``run``, ``bench``, and both inside ``build``): the card and its model, done/total, ETA.

    with run_progress(label="running examples") as (on_start, on_card):
        on_start(total)
        on_card(path, record)        # once per finished card; record: a run or benchmark record

On a terminal: a rich progress bar with the time remaining, and one line per card. Elsewhere (CI logs, pipes): a
plain line every ``interval`` seconds and one at the end, each with done/total, the last card and model, and the ETA.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

STATUS_STYLE = {"ok": "green", "failed": "red", "not_executed": "yellow", "stale": "yellow", "missing": "yellow",
                "measured": "green", "not_measured": "yellow"}

Callbacks = tuple[Callable[[int], None], Callable[[str, dict[str, Any]], None]]


def model_label(record: dict[str, Any]) -> str:
    """The model a run or benchmark record is about, short: the artifact's last path part, else the runtime."""
    inputs = record.get("inputs") or {}
    url = inputs.get("artifact_url") or inputs.get("url")
    name = PurePosixPath(str(url).rstrip("/")).name if url else ""
    return name or str(record.get("runtime") or "no model")


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@contextmanager
def run_progress(console: Console | None = None, enabled: bool = True, label: str = "running examples",
                 interval: float = 10.0) -> Iterator[Callbacks]:
    """``with run_progress() as (on_start, on_card):`` - hand both to ``Executor`` (or call them yourself)."""
    if not enabled:
        yield (lambda total: None), (lambda path, record: None)
        return
    console = console or Console(stderr=True)
    if not console.is_terminal:
        with _plain_progress(console, label, interval) as callbacks:
            yield callbacks
        return
    progress = Progress(TextColumn(f"[bold]{escape(label)}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.description}"), console=console,
                        transient=True)
    task = progress.add_task("", total=None)

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_card(path: str, record: dict[str, Any]) -> None:
        status = record.get("status", "?")
        how = "" if "executed" not in record else ", executed" if record["executed"] else ", stored"
        progress.console.print(f"[{STATUS_STYLE.get(status, 'white')}]{status:>12}[/] {escape(path)} "
                               f"({escape(model_label(record))}{how})", highlight=False)
        progress.update(task, advance=1, description=f"{path} ({model_label(record)})")

    with progress:
        yield on_start, on_card


@contextmanager
def _plain_progress(console: Console, label: str, interval: float) -> Iterator[Callbacks]:
    state = {"total": 0, "done": 0, "started": time.monotonic(), "printed": time.monotonic()}

    def on_start(total: int) -> None:
        state.update(total=total, started=time.monotonic(), printed=time.monotonic())

    def on_card(path: str, record: dict[str, Any]) -> None:
        state["done"] += 1
        now = time.monotonic()
        if now - state["printed"] < interval and state["done"] < state["total"]:
            return
        state["printed"] = now
        elapsed = now - state["started"]
        left = max(0, state["total"] - state["done"])
        eta = clock(elapsed / state["done"] * left) if left else "done"
        console.print(f"{label}: {state['done']}/{state['total']} cards, {clock(elapsed)} elapsed, ETA {eta} "
                      f"(last: {path} ({model_label(record)}): {record.get('status', '?')})",
                      highlight=False, markup=False, soft_wrap=True)

    yield on_start, on_card
