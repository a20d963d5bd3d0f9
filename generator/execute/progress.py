"""Progress display for runs (rich), shared by the execute stage and ``modelhub run``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STATUS_STYLE = {"ok": "green", "failed": "red", "not_executed": "yellow", "stale": "yellow", "missing": "yellow"}

Callbacks = tuple[Callable[[int], None], Callable[[str, dict[str, Any]], None]]


@contextmanager
def run_progress(console: Console | None = None, enabled: bool = True) -> Iterator[Callbacks]:
    """``with run_progress() as (on_start, on_card):`` - hand both to ``Executor``."""
    if not enabled:
        yield (lambda total: None), (lambda path, run: None)
        return
    console = console or Console(stderr=True)
    progress = Progress(TextColumn("[bold]running examples"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("{task.description}"), console=console, transient=True)
    task = progress.add_task("", total=None)

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_card(path: str, run: dict[str, Any]) -> None:
        status = run.get("status", "?")
        how = "executed" if run.get("executed") else "stored"
        progress.console.print(f"[{STATUS_STYLE.get(status, 'white')}]{status:>12}[/] {path} ({how})",
                               highlight=False)
        progress.update(task, advance=1, description=path)

    with progress:
        yield on_start, on_card
