"""Run cards: look results up in the store, execute what is missing or stale in warm workers, store the outcome.

    executor = Executor(config, mode="auto")
    runs = executor.run(cards)            # card path -> run record (JSON-able dict, see ``run_record``)
    executor.counts                       # {"cards": executed cards, "cells": executed cells, "workers": started}

One worker serves every card that uses the same (runtime, artifact): the model is loaded once; each card gets fresh
globals. Those groups run where ``executor`` puts them (``generator.executors``: in this process by default, or one
Ray actor per group with ``RayExecutor``); each group runs through ``GroupRun``, the same code wherever it is, and
every result is stored here, beside its card, as soon as it is back. Modes: ``frozen`` never executes (stored
results, marked ``stale`` or ``missing`` when they do not fit the card any more); ``auto`` executes what is missing
or stale; ``force`` executes everything; ``off`` is handled by callers (no run records at all).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..artifacts import ArtifactError
from ..artifacts.digest import tree_digest
from ..artifacts.local import ArtifactHandle, LocalArtifacts
from ..card import Card
from ..config import Config
from ..errors import ArtifactsError
from ..executors import GroupExecutor, LocalExecutor
from ..records import REASON_CODE, RunReason, RunStatus, status_of
from ..settings import ExecuteSection
from . import sandbox, store
from .compare import results_text
from .plan import CardPlan, cell_code, plan_card
from .runtimes import Runtime, get_runtime
from .sandbox import SandboxLimits
from .worker import CellResult, Worker, WorkerError

MODES = ("off", "frozen", "auto", "force")


class ArtifactUnavailable(ArtifactsError, RuntimeError):
    """The card's artifact or an asset could not be had as declared; ``kind`` as ArtifactError.kind."""

    def __init__(self, message: str, kind: str = "internal") -> None:
        super().__init__(message)
        self.kind = kind


def hardware() -> dict[str, Any]:
    """Where a run happened, shown next to its results."""
    model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"machine": platform.machine(), "cpu": model, "cores": os.cpu_count() or 1, "system": platform.system()}


@dataclass
class _Job:
    plan: CardPlan
    inputs: dict[str, Any]
    key: str
    artifact: Path | None
    assets: dict[str, Path]
    stored: dict[str, Any] | None


class Executor:
    def __init__(self, config: Config, mode: str = "auto", *, limits: SandboxLimits | None = None,
                 on_card: Callable[[str, dict[str, Any]], None] | None = None,
                 on_start: Callable[[int], None] | None = None, write_store: bool = True,
                 offline: bool | None = None, executor: GroupExecutor | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        self.config = config
        self.mode = mode
        self.settings = config.settings.execute
        self.limits = limits or SandboxLimits.from_settings(self.settings)
        self._limit_values = self.limits.to_dict()  # part of every card's inputs
        self.on_card = on_card or (lambda path, run: None)
        self.on_start = on_start or (lambda total: None)
        self.write_store = write_store
        self.offline = offline
        self.executor = executor or LocalExecutor()
        self.counts = {"cards": 0, "cells": 0, "workers": 0, "cached": 0}
        self._hardware: dict[str, Any] | None = None
        self._reasons: dict[str, str | None] = {}  # runtime name -> why it cannot run here (None: it can)
        self._artifacts: LocalArtifacts | None = None  # artifacts no handle was given for

    # ---- public ----------------------------------------------------------------------------------------------
    def run(self, cards: Iterable[Card], artifacts: Mapping[str, ArtifactHandle] | None = None,
            plans: Mapping[str, CardPlan] | None = None) -> dict[str, dict[str, Any]]:
        """Each card's run record. ``artifacts`` (card path -> handle, from the artifacts stage) are the cards'
        artifacts as the build resolved them: a card runs on ``handle.local()``, materialised once per build.
        ``plans`` (card path -> plan) are plans already made (``plan``); the others are made here."""
        cards = list(cards)
        handles = dict(artifacts or {})
        self.on_start(len(cards))
        runs: dict[str, dict[str, Any]] = {}
        jobs: list[_Job] = []
        for card in cards:
            plan = (plans or {}).get(card.path) or self.plan(card)
            stored = store.read_stored(card.path)
            if self.mode == "off":
                continue
            if self.mode == "frozen":
                self.counts["cached"] += stored is not None
                runs[card.path] = self._finish(card.path, self.frozen_run(plan, stored))
                continue
            if plan.blocked:  # cannot run here: stored results (made elsewhere) still count, else say why
                runs[card.path] = self._finish(card.path, self.frozen_run(plan, stored))
                continue
            try:
                job = self._job(plan, stored, handles.get(card.path))
            except ArtifactUnavailable as error:  # never run a card on an artifact other than the one declared
                refused = self._not_executed(plan, f"artifact refused, nothing was executed: {error}",
                                             self._inputs(plan), RunReason.ARTIFACT_REFUSED)
                runs[card.path] = self._finish(card.path, {**refused, "refused": error.kind})
                continue
            if self.mode == "auto" and stored and stored.get("key") == job.key:
                self.counts["cached"] += 1
                runs[card.path] = self._finish(card.path, {**stored, "executed": False, "cached": True})
                continue
            jobs.append(job)
        work = GroupRun(self.config, self.mode, self.limits, self.offline)
        for job, (run, counts) in self.executor.map_groups(work, self._groups(jobs)):
            for name, value in counts.items():
                self.counts[name] += value
            self._store(job.plan.path, run)
            runs[job.plan.path] = self._finish(job.plan.path, run)
        return {card.path: runs[card.path] for card in cards if card.path in runs}

    def frozen_run(self, plan: CardPlan, stored: dict[str, Any] | None) -> dict[str, Any]:
        """The stored run as it applies to the card now: as stored, ``stale`` (with what changed) or ``missing``."""
        current = self._inputs(plan)
        if stored is None:
            if plan.blocked:
                return self._not_executed(plan, plan.blocked, current, plan.blocked_code)
            return {"status": RunStatus.MISSING,
                    "reason": "no stored results: run `modelhub run --mode auto` to create them",
                    "runtime": plan.runtime_name, "cells": [], "results_text": None, "executed": False,
                    "cached": False, "inputs": current}
        reasons = stale_reasons(stored.get("inputs") or {}, current, compare_versions=not plan.blocked)
        if reasons:
            return {**stored, "status": RunStatus.STALE, "stored_status": stored.get("status"),
                    "reason": "stored results are out of date: " + "; ".join(reasons), "stale_reasons": reasons,
                    "executed": False, "cached": True}
        return {**stored, "executed": False, "cached": True}

    # ---- planning ----------------------------------------------------------------------------------------------
    def plan(self, card: Card) -> CardPlan:
        """The card's runtime plan (each runtime's availability is asked once per executor)."""
        return plan_card(card, self.settings, self._reasons, self.config.settings.mirrors)

    def _inputs(self, plan: CardPlan) -> dict[str, Any]:
        runtime = plan.runtime
        return {
            "code": plan.code_digest(),
            "runtime": plan.runtime_name,
            "versions": runtime.versions() if runtime else {},
            "artifact_url": plan.artifact_url if (runtime and runtime.needs_artifact) or plan.artifact_url else None,
            "assets": dict(sorted(plan.assets.items())),
            "settings": dict(self._limit_values),
        }

    def _handle(self, url: str, card_path: str, expected_sha256: str | None = None) -> ArtifactHandle:
        if self._artifacts is None:
            self._artifacts = LocalArtifacts(self.config, self.offline)
        return self._artifacts.handle(url, card_path, expected_sha256)

    def _job(self, plan: CardPlan, stored: dict[str, Any] | None, handle: ArtifactHandle | None = None) -> _Job:
        inputs = self._inputs(plan)
        artifact = None
        if plan.artifact_url:
            if handle is None or (handle.url, handle.expected_sha256) != (plan.artifact_url, plan.artifact_sha256):
                handle = self._handle(plan.artifact_url, plan.path, plan.artifact_sha256)
            try:
                local = handle.local()
            except ArtifactError as error:
                # Offline with no copy, for a runtime that can do without the model: run the card without it.
                # Anything else (missing, truncated, too large, not what the card declares, outside the catalog)
                # refuses the card.
                if plan.runtime.needs_artifact or error.kind != "offline":
                    raise ArtifactUnavailable(str(error), error.kind) from error
            else:
                artifact, inputs["artifact"] = local.path, local.digest
        assets = {}
        digests = {}
        for name, url in plan.assets.items():
            try:
                local = self._handle(url, plan.path).local()
            except ArtifactError as error:
                raise ArtifactUnavailable(f"asset {name}: {error}", error.kind) from error
            assets[name], digests[name] = local.path, local.digest
        if digests:
            inputs["asset_digests"] = digests
        return _Job(plan, inputs, store.cache_key(inputs), artifact, assets, stored)

    @staticmethod
    def _groups(jobs: list[_Job]) -> list[list[_Job]]:
        groups: dict[tuple[str, str], list[_Job]] = {}
        for job in jobs:
            groups.setdefault((job.plan.runtime_name, job.inputs.get("artifact", "")), []).append(job)
        return list(groups.values())

    # ---- running -----------------------------------------------------------------------------------------------
    def run_group(self, group: list[_Job]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Run jobs that share a (runtime, artifact) in one warm worker, restarted when a card ends it."""
        runtime = group[0].plan.runtime
        artifact = group[0].artifact
        aliases = list(dict.fromkeys(alias for job in group for alias in job.plan.aliases))
        revision = (group[0].inputs.get("artifact") or "0" * 40)[:40]
        worker: Worker | None = None
        try:
            for job in group:
                if worker is not None and worker.cpu_left < self.limits.cpu_per_cell:
                    worker.close()  # recycle before the lifetime CPU cap could stop a card half-way
                    worker = None
                if worker is None or not worker.alive:
                    if worker is not None:
                        worker.close()
                    try:
                        worker = self._start_worker(runtime, artifact, aliases, revision)
                    except (WorkerError, sandbox.SandboxError, OSError) as error:
                        worker = None
                        yield job.plan.path, self._not_executed(job.plan, f"the sandbox could not start: {error}",
                                                                job.inputs, RunReason.SANDBOX_FAILED)
                        continue
                yield job.plan.path, self._run_card(worker, job)
        finally:
            if worker is not None:
                worker.close()

    def _start_worker(self, runtime: Runtime, artifact: Path | None, aliases: list[str],
                      revision: str) -> Worker:
        worker = worker_for_runtime(runtime, artifact, aliases=aliases, revision=revision, limits=self.limits,
                                    settings=self.settings)
        self.counts["workers"] += 1
        return worker

    def display_path(self, path: str) -> str:
        """The card's path as tracebacks show it: relative to the catalog root, so results do not depend on where
        the repository is checked out."""
        try:
            return os.path.relpath(Path(path).resolve(), self.config.root.resolve())
        except ValueError:
            return path

    def _run_card(self, worker: Worker, job: _Job) -> dict[str, Any]:
        plan = job.plan
        card = plan.card
        filename = self.display_path(card.path)
        started = time.monotonic()
        deadline = started + self.limits.card_timeout
        cells: list[CellResult] = []
        reason = None
        self.counts["cards"] += 1
        try:
            worker.begin_card(filename, card.text, job.assets)
        except (WorkerError, sandbox.SandboxError, OSError) as error:
            return self._not_executed(plan, f"the sandbox could not start the card: {error}", job.inputs,
                                      RunReason.SANDBOX_FAILED)
        prelude = plan.runtime.prelude(card)
        if prelude:
            cell = worker.execute(prelude, line=1, filename="<prelude>", timeout=self.limits.snippet_timeout)
            if cell.error:
                reason = f"the {plan.runtime_name} prelude failed: {cell.error['type']}: {cell.error['message']}"
        failures = []
        for snippet in plan.cells if reason is None else []:
            if snippet.line in plan.skipped:
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                reason = f"the card's time limit ({self.limits.card_timeout:g} s) ran out before line {snippet.line}"
                break
            cell = worker.execute(cell_code(snippet), line=snippet.line, filename=filename,
                                  timeout=min(self.limits.snippet_timeout, remaining))
            if cell.error and cell.error["type"] == "SandboxLimit" and remaining < self.limits.snippet_timeout \
                    and "timed out" in cell.error["message"]:
                cell.error["message"] = f"the card's time limit ({self.limits.card_timeout:g} s) ran out"
            self.counts["cells"] += 1
            cells.append(cell)
            if cell.error:
                where = cell.error.get("line") or snippet.line
                failures.append(f"line {where}: {cell.error['type']}: {first_line(cell.error['message'])}")
                if not (plan.independent and worker.alive):
                    break
        if failures and reason is None:
            reason = failures[0] if len(failures) == 1 else f"{len(failures)} examples fail; {failures[0]}"
        run = self._record(plan, RunStatus.FAILED if reason else RunStatus.OK, reason, job.inputs, cells,
                           time.monotonic() - started)
        if plan.skipped:
            run["skipped"] = [{"line": line, "reason": why} for line, why in sorted(plan.skipped.items())]
        run["sandbox"] = {"network": worker.hello.get("network"), "uid_separate": worker.user.uid is not None,
                          "notes": worker.notes}
        return run

    # ---- records -----------------------------------------------------------------------------------------------
    def _record(self, plan: CardPlan, status: RunStatus, reason: str | None, inputs: dict[str, Any],
                cells: list[CellResult], duration: float | None) -> dict[str, Any]:
        if self._hardware is None:
            self._hardware = hardware()
        return {
            "format": store.FORMAT,
            "card": Path(plan.path).name,
            "status": status,
            "reason": reason,
            "runtime": plan.runtime_name,
            "versions": inputs.get("versions", {}),
            "date": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
            "hardware": self._hardware if cells else None,
            "duration": round(duration, 3) if duration is not None else None,
            "cells": [cell.to_dict() for cell in cells],
            "results_text": results_text(cells) if cells else None,
            "key": store.cache_key(inputs),
            "inputs": inputs,
            "executed": bool(cells),
            "cached": False,
        }

    def _not_executed(self, plan: CardPlan, reason: str, inputs: dict[str, Any],
                      code: RunReason | None) -> dict[str, Any]:
        return {**self._record(plan, RunStatus.NOT_EXECUTED, reason, inputs, [], None), REASON_CODE: code}

    def _store(self, path: str, run: dict[str, Any]) -> None:
        """Keep runs that executed (ok or failed, with tracebacks). "Not executed" is never stored: its reason is
        worked out afresh wherever the catalog is built."""
        if self.write_store and status_of(run, RunStatus) in (RunStatus.OK, RunStatus.FAILED):
            store.write_stored(path, run)

    def _finish(self, path: str, run: dict[str, Any]) -> dict[str, Any]:
        self.on_card(path, run)
        return run


@dataclass
class GroupRun:
    """The ``Work`` the executors run (``generator.executors``): one group of jobs in a fresh ``Executor`` that only
    executes (the calling one stores). Yields ``(run, counts)`` per job: the run record and what it executed. It
    pickles, so a Ray actor can run it; an artifact that is not where the caller found it (another machine) is
    fetched again through the cache and mirrors."""

    config: Config
    mode: str
    limits: SandboxLimits
    offline: bool | None = None

    def run_group(self, jobs: list[_Job]) -> Iterator[tuple[dict[str, Any], dict[str, int]]]:
        runner = Executor(self.config, self.mode, limits=self.limits, write_store=False, offline=self.offline)
        for job in jobs:
            if job.artifact is not None and not job.artifact.exists():
                job.artifact = runner._handle(job.plan.artifact_url or "", job.plan.path,
                                              job.plan.artifact_sha256).local().path
        before = dict(runner.counts)
        for _path, run in runner.run_group(jobs):
            counts = {name: value - before[name] for name, value in runner.counts.items()}
            before = dict(runner.counts)
            yield run, counts

    def lost(self, job: _Job, reason: str) -> tuple[dict[str, Any], dict[str, int]]:
        runner = Executor(self.config, self.mode, limits=self.limits, write_store=False)
        return runner._not_executed(job.plan, f"not executed: {reason}", job.inputs, RunReason.WORK_LOST), {}


def worker_for_runtime(runtime: str | Runtime, artifact: str | Path | None = None, *, aliases: Iterable[str] = (),
                       limits: SandboxLimits | None = None, settings: ExecuteSection | None = None,
                       revision: str | None = None, warm: bool = True) -> Worker:
    """A sandboxed worker for ``runtime`` with ``artifact`` (a local model folder or file) ready to use: the model
    cache laid out (``aliases`` resolve to it offline) and, when ``warm``, the libraries imported and the model loaded
    once. Close it with ``worker.close()`` (or ``with``). This is what the benchmark stage times snippets in."""
    if isinstance(runtime, str):
        found = get_runtime(runtime)
        if found is None:
            raise ValueError(f"unknown runtime {runtime!r}")
        runtime = found
    settings = settings or ExecuteSection()
    artifact = Path(artifact) if artifact is not None else None
    revision = revision or (tree_digest(artifact)[:40] if artifact is not None else "0" * 40)
    holder: dict[str, Any] = {}

    def prepare(root: Path, uid: int | None) -> dict[str, str]:
        holder["plan"] = runtime.plan(root, uid, artifact, list(aliases), revision, settings)
        return holder["plan"].env

    worker = Worker.start(limits or SandboxLimits.from_settings(settings), prepare=prepare,
                          env_allow=tuple(settings.env_allow))
    plan = holder["plan"]
    worker.card_files = dict(plan.card_files)
    worker.notes = list(plan.notes) + list(worker.hello.get("notes", []))
    if warm and plan.warmup:
        warmed = worker.runtime_code(plan.warmup)
        if warmed.error:
            worker.notes.append(f"warm-up failed: {warmed.error['type']}: {warmed.error['message'][:300]}")
        for line in warmed.stderr.splitlines():
            if line.startswith("warm-up"):
                worker.notes.append(line)
    return worker


def first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def stale_reasons(stored: dict[str, Any], current: dict[str, Any], compare_versions: bool = True) -> list[str]:
    """Why stored results no longer fit the card (empty when they do). Digests are compared only when both sides
    have them: frozen mode does not download artifacts to hash them."""
    reasons = []
    if stored.get("code") != current.get("code"):
        reasons.append("the example code changed")
    if stored.get("runtime") != current.get("runtime"):
        reasons.append(f"the runtime changed ({stored.get('runtime')} -> {current.get('runtime')})")
    if stored.get("artifact_url") != current.get("artifact_url"):
        reasons.append("the artifact URL changed")
    if stored.get("assets", {}) != current.get("assets", {}):
        reasons.append("the assets changed")
    for name in ("artifact", "asset_digests"):
        if name in stored and name in current and stored[name] != current[name]:
            reasons.append(f"the {name.replace('_', ' ')} content changed")
    if stored.get("settings") != current.get("settings"):
        reasons.append("the sandbox settings changed")
    if compare_versions:
        changed = version_changes(stored.get("versions", {}), current.get("versions", {}))
        if changed:
            reasons.append("library versions changed (" + ", ".join(changed) + ")")
    return reasons


def version_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """"name old -> new" for each library whose version differs ("-" for none): what makes stored results (and
    stored measurements, ``bench.stage.stale_reason``) out of date when the libraries change."""
    return [f"{name} {old.get(name, '-')} -> {new.get(name, '-')}" for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)]
