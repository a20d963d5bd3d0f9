"""``RayExecutor``: groups of work on a Ray cluster, one actor per group (one warm model per actor).

Each group gets an actor (1 CPU) that calls ``work.run_group(items)``: the same code the local executor runs, so the
sandbox, the warm worker and the records are exactly the local ones. The driver asks the actor for one result at a
time and hands each back as soon as it arrives (``ray.wait`` over every running actor), so results are stored while
the rest is still running. At most as many actors run as the cluster has CPUs; the next group starts when one ends.

A lost actor (its process killed, its node gone, ``ray.kill``) costs only the item it was working on: the items it
had finished are already back, and the rest of its group goes to a new actor. The item in flight is tried again up
to ``attempts`` times in all; after that ``work.lost(item, reason)`` is its result and the group goes on without it.
When an actor dies its sandboxed interpreter sees its command pipe close and exits once its current cell ends.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ExecutorUnavailable, Work

INSTALL_HINT = "install it with pip install 'modelhub[ray]' (or pip install ray), or use --executor local"


def _ray() -> Any:
    try:
        import ray
    except ImportError as error:
        raise ExecutorUnavailable(f"--executor ray needs the ray package, which is not installed: {INSTALL_HINT}"
                                  ) from error
    return ray


class _GroupActor:
    """Runs one group; the driver pulls its results one by one (``step``), so each is back as soon as it exists."""

    def __init__(self, work: Work, cwd: str) -> None:
        if os.path.isdir(cwd):  # same machine or a shared checkout: card paths relative to the driver's folder work
            os.chdir(cwd)
        self.work = work
        self.stream: Iterator[Any] | None = None

    def start(self, items: list[Any]) -> int:
        self.stream = iter(self.work.run_group(items))
        return os.getpid()

    def step(self) -> Any:
        assert self.stream is not None
        return next(self.stream)

    def finish(self) -> None:
        if self.stream is not None and hasattr(self.stream, "close"):
            self.stream.close()  # the group's ``finally``: its warm worker is closed
        self.stream = None


@dataclass
class _Slot:
    items: list[Any]
    actor: Any = None
    done: int = 0
    tries: dict[int, int] = field(default_factory=dict)  # position in items -> attempts used

    @property
    def remaining(self) -> list[Any]:
        return self.items[self.done:]


class RayExecutor:
    """Groups on a Ray cluster. ``address`` as for ``ray.init`` (None: ``RAY_ADDRESS``, else a local instance);
    ``init`` options are used only when this executor starts Ray itself."""

    name = "ray"

    def __init__(self, address: str | None = None, *, attempts: int = 2, max_actors: int | None = None,
                 init: dict[str, Any] | None = None) -> None:
        self.ray = _ray()
        self.address = address
        self.attempts = max(1, attempts)
        self.max_actors = max_actors
        self.init_options = init or {}
        self.restarts = 0  # actors started again for the rest of a group after one was lost
        self.started = 0  # actors started in all
        self._owns_ray = False
        self._running: dict[Any, _Slot] = {}  # pending step ref -> slot

    # ---- public ----------------------------------------------------------------------------------------------
    def running(self) -> list[tuple[list[Any], Any]]:
        """(unfinished items, actor handle) of every group running now (for monitoring, and tests that kill)."""
        return [(slot.remaining, slot.actor) for slot in self._running.values()]

    def map_groups(self, work: Work, groups: Sequence[Sequence[Any]]) -> Iterator[tuple[Any, Any]]:
        ray = self._connect()
        actor_class = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(_GroupActor)
        waiting = deque(_Slot(list(group)) for group in groups if group)
        limit = self.max_actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        try:
            while waiting or self._running:
                while waiting and len(self._running) < limit:
                    slot = waiting.popleft()
                    slot.actor = actor_class.remote(work, os.getcwd())
                    self.started += 1
                    slot.actor.start.remote(slot.remaining)
                    self._running[slot.actor.step.remote()] = slot
                [ready], _ = ray.wait(list(self._running), num_returns=1)
                slot = self._running.pop(ready)
                try:
                    result = ray.get(ready)
                except ray.exceptions.RayError as error:  # the actor died, or the work raised (its stream ended)
                    yield from self._lost(work, slot, error, waiting)
                    continue
                item = slot.items[slot.done]
                slot.done += 1
                if slot.remaining:  # ask for the next one before handing this one back: the actor keeps busy
                    self._running[slot.actor.step.remote()] = slot
                else:
                    self._retire(slot)
                yield item, result
        finally:
            for slot in self._running.values():
                ray.kill(slot.actor)
            self._running.clear()

    def close(self) -> None:
        if self._owns_ray:
            self.ray.shutdown()
            self._owns_ray = False

    # ---- plumbing --------------------------------------------------------------------------------------------
    def _connect(self) -> Any:
        ray = self.ray
        if not ray.is_initialized():
            options = {"include_dashboard": False, "configure_logging": False, "log_to_driver": False,
                       **self.init_options}
            try:
                if self.address:
                    ray.init(address=self.address, **{k: v for k, v in options.items()
                                                      if k in ("configure_logging", "log_to_driver")})
                else:
                    ray.init(**options)
            except (ConnectionError, ValueError, RuntimeError) as error:
                raise ExecutorUnavailable(f"could not reach the Ray cluster {self.address or '(local)'}: {error}"
                                          ) from error
            self._owns_ray = True
        return ray

    def _retire(self, slot: _Slot) -> None:
        """The group is done: close its worker, then let the actor exit (its CPU goes to the next group)."""
        slot.actor.finish.remote()
        slot.actor.__ray_terminate__.remote()

    def _lost(self, work: Work, slot: _Slot, error: BaseException,
              waiting: deque[_Slot]) -> Iterator[tuple[Any, Any]]:
        """The actor died: count an attempt for the item in flight, give up on it after ``attempts``, and start a
        new actor for what is left of the group (first in line, so the group keeps its turn)."""
        self.ray.kill(slot.actor)
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
        tries = slot.tries[slot.done] = slot.tries.get(slot.done, 0) + 1
        if tries >= self.attempts:
            item = slot.items[slot.done]
            slot.done += 1
            yield item, work.lost(item, f"its Ray worker was lost {tries} times (last: {reason})")
        if slot.remaining:
            self.restarts += 1
            waiting.appendleft(slot)
