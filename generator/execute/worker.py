"""A warm worker: one sandboxed Python process that keeps a runtime (and its model) loaded, and runs each card in
a fresh forked child of itself.

    with Worker.start(limits=SandboxLimits(), env_extra={...}) as worker:
        worker.runtime_code("import torch")            # in the warm parent: imports, model warm-up
        worker.begin_card("cards/x.md", text)          # a new process: fresh globals, working folder, /tmp
        cell = worker.execute("print(1 + 1)", line=12) # -> CellResult(stdout, stderr, value, error, duration)

This is the whole interface other executors build on (the runner, the benchmark stage, remote executors):
``start``/``close``, ``runtime_code``, ``begin_card``/``end_card``, ``execute``, ``alive``, ``cpu_left``.

Cells of one card share globals like notebook cells. Cards never share a process: ``begin_card`` kills whatever
the previous card left and hands the next card to a new child of the warm parent (copy-on-write keeps the loaded
model), so a card that patches objects, monkeypatches libraries or leaves processes behind cannot touch a later card;
replies carry a per-command random nonce, so nothing a card leaves in the reply pipe passes for a later card's
answer. It waits until every thread of the previous card's process is exiting (then nothing of it can run), not
until the kernel has torn that process down. The new child is a spare the parent forked when the previous card
started (fork and the libraries' at-fork hooks cost milliseconds, spent while a card runs): the sweeps that kill a
card's leftovers spare it, and it takes its card only if nothing changed it meanwhile (``child.Spare``), else a
fresh one is forked on the spot. A cell that times out, exhausts its CPU budget or crashes ends its card (the
result says why) and the worker stays warm for the next one; ``alive`` turns false only when the warm parent itself
is gone, and the caller then starts a new worker.
Callers may send any code (the benchmark stage sends its timing loops through ``execute``).
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExecutionError
from . import sandbox
from .sandbox import SandboxLimits, SandboxUser


@dataclass
class CellResult:
    """What one code cell did. ``error`` is None or {type, message, traceback, line}."""

    line: int
    stdout: str = ""
    stderr: str = ""
    value: str | None = None
    error: dict[str, Any] | None = None
    duration: float = 0.0
    cpu: float = 0.0
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "stdout": self.stdout, "stderr": self.stderr, "value": self.value,
                "error": self.error, "duration": round(self.duration, 4)}


class WorkerError(ExecutionError, RuntimeError):
    """The worker could not start or answer; the message says why (and what limit was hit, if any)."""


class _Timeout(WorkerError):
    pass


class _Flood(WorkerError):
    pass


def _nonce() -> str:
    return secrets.token_hex(16)


def exit_reason(code: int, who: str = "the worker") -> str:
    """How a process ended, in words (signals of resource limits named)."""
    if code < 0:
        return {
            signal.SIGXCPU: f"CPU-time limit exceeded: {who} was stopped",
            signal.SIGXFSZ: f"file-size limit exceeded: {who} was stopped",
            signal.SIGKILL: f"{who} was killed (SIGKILL)",
            signal.SIGSEGV: f"{who} crashed (segmentation fault)",
        }.get(-code, f"{who} was killed by signal {signal.Signals(-code).name}")
    return f"{who} exited with status {code}"


class _Stream:
    """A capped buffer for a raw file descriptor of the child (native code and subprocesses write there)."""

    def __init__(self, cap: int) -> None:
        self.cap, self.data, self.dropped = cap, bytearray(), 0

    def feed(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def take(self) -> tuple[str, int]:
        """What was kept (and how much was not) since the last take."""
        text, dropped = self.data.decode("utf-8", "replace"), self.dropped
        self.data, self.dropped = bytearray(), 0
        return text, dropped


def capped(python: str, native: str, dropped: int, cap: int, name: str) -> tuple[str, bool]:
    """One stream of a cell: what Python code printed, then what native code wrote, cut once at ``cap``
    characters with one marker saying how much was dropped."""
    text = python + native
    if len(text) > cap:
        dropped += len(text) - cap
        text = text[:cap]
    if dropped:
        text += f"\n[... {dropped} more characters of {name} not kept: output cap is {cap}]\n"
    return text, bool(dropped)


@dataclass
class _Card:
    """The card running now: its process, the nonce that names it, its folder."""

    pid: int
    nonce: str
    cwd: Path
    death: str | None = None  # why its process ended, when it did
    ended: dict[str, Any] | None = None  # the warm parent's news that the process is gone (reaped), how it ended


@dataclass
class Worker:
    """A running sandboxed interpreter; use ``Worker.start`` and ``close`` (or ``with``)."""

    process: Any
    command_fd: int
    reply_fd: int
    root: Path
    user: SandboxUser
    limits: SandboxLimits
    claim: Any = None  # the locked file that marks ``root`` as in use
    news_fd: int = -1  # the warm parent's own channel: which process is the spare, and when it is ready
    hello: dict[str, Any] = field(default_factory=dict)
    alive: bool = True
    death: str | None = None  # why the worker ended, when it did
    cards: int = 0
    cpu_used: float = 0.0  # CPU seconds the cells have used: the worker's whole life is capped (cpu_total)
    card_files: dict[str, Path] = field(default_factory=dict)  # exposed in every card's folder (the runtime's)
    notes: list[str] = field(default_factory=list)  # what the runtime or the sandbox had to say at start
    card: _Card | None = None
    spare: int = 0  # pid of the next card's process, forked ahead by the parent; kept alive by the sweeps
    discarded: list[str] = field(default_factory=list)  # why spares were not used (changed from outside, gone)
    _spare_expected: bool = False  # the parent announces a spare after each card start
    _ready: set[int] = field(default_factory=set)  # spares that said they are ready
    _pending: bytes = b""
    _news: bytes = b""

    def __post_init__(self) -> None:
        cap = self.limits.output_cap
        self._out, self._err = _Stream(cap), _Stream(cap)
        self._selector = selectors.DefaultSelector()
        os.set_blocking(self.reply_fd, False)
        self._selector.register(self.reply_fd, selectors.EVENT_READ, "reply")
        if self.news_fd >= 0:
            os.set_blocking(self.news_fd, False)
            self._selector.register(self.news_fd, selectors.EVENT_READ, "news")
        for stream, name in ((self.process.stdout, "stdout"), (self.process.stderr, "stderr")):
            os.set_blocking(stream.fileno(), False)
            self._selector.register(stream.fileno(), selectors.EVENT_READ, name)

    # ---- life cycle ----------------------------------------------------------------------------------------------
    @classmethod
    def start(cls, limits: SandboxLimits | None = None, env_extra: dict[str, str] | None = None,
              prepare: Any = None, env_allow: tuple[str, ...] = ()) -> Worker:
        """Start a sandboxed worker. ``prepare(root, uid)`` may lay out files (a model cache) in its folder first;
        what it hands over with ``sandbox.expose`` becomes read-only bind mounts."""
        limits = limits or SandboxLimits()
        user = sandbox.reserve_user()
        root, claim = sandbox.claim_folder()
        nonce = _nonce()
        try:
            for name in sandbox.WRITABLE:  # HOME and the cards' folders: all the sandbox may write in its folder
                (root / name).mkdir()
                sandbox.give(root / name, user)
            home = root / "home"
            env_extra = dict(env_extra or {})
            with sandbox.collecting_binds() as binds:
                if prepare is not None:
                    env_extra.update(prepare(root, user.uid) or {})
            env = sandbox.sandbox_environment(home, env_extra, env_allow)
            process, command_fd, reply_fd, news_fd = sandbox.start_child(root, env, user, limits, binds, nonce)
        except BaseException:
            user.release()
            shutil.rmtree(root, ignore_errors=True)
            claim.close()
            raise
        worker = cls(process, command_fd, reply_fd, root, user, limits, claim, news_fd)
        try:
            hello = worker._receive(nonce, limits.startup_timeout)
        except BaseException:  # timed out or died while starting: no folder, process or uid reservation stays
            worker.close()
            raise
        if not hello.get("ok"):
            worker.close()
            raise WorkerError(hello.get("error") or worker.death or "the sandbox did not start")
        worker.hello = hello
        return worker

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker, kill everything it started, remove its folder. Safe to call twice."""
        if self.process is not None and self.alive:
            self.end_card()
            try:
                os.write(self.command_fd, (json.dumps({"op": "exit", "nonce": _nonce()}) + "\n").encode())
                self.process.wait(timeout=2)
            except (OSError, Exception):  # noqa: BLE001 - we kill it below anyway
                pass
        self._kill("closed")
        for fd in (self.command_fd, self.reply_fd, self.news_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.command_fd = self.reply_fd = self.news_fd = -1
        try:
            self._selector.close()
        except Exception:  # noqa: BLE001
            pass
        for stream in (self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:
                pass
        self.user.release()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.claim is not None:
            self.claim.close()
            self.claim = None

    # ---- commands ------------------------------------------------------------------------------------------------
    def runtime_code(self, code: str, timeout: float | None = None) -> CellResult:
        """Run code in the warm parent, in the runtime's own namespace (imports, loading the model): every later
        card starts from what it leaves in memory, but cards do not see its names. Ends the current card."""
        self.end_card()
        self.spare, self._spare_expected = 0, False  # the parent discards it: it was forked before this code ran
        return self._cell({"op": "runtime", "code": code, "line": 1, "filename": "<runtime>",
                           "cpu": self.limits.cpu_total}, 1, timeout or self.limits.startup_timeout)

    def begin_card(self, filename: str, text: str | None = None,
                   files: dict[str, Path] | None = None) -> Path:
        """End the current card and start the next in a new process with fresh globals and an empty working folder
        (its HOME and TMPDIR); ``files`` are copied into that folder (the runtime's files are read-only mounts)."""
        self._require_alive()
        self.end_card()
        self.cards += 1
        # a name no card can guess: the cards' folder is writable in the sandbox, and one made ahead by an earlier
        # card would be the next card's working folder, with that card's files in it
        cwd = Path(tempfile.mkdtemp(prefix=f"card-{self.cards}-", dir=self.root / "cards"))
        for name, source in self.card_files.items():
            (cwd / name).symlink_to(source)
        for name, source in (files or {}).items():
            sandbox.copy_in(Path(source), cwd / name, self.user.uid)
        sandbox.give(cwd, self.user)
        nonce = _nonce()
        self.spare, self._spare_expected = 0, True  # the parent hands this card to the spare and forks the next
        self._ready.clear()
        self._send({"op": "card", "nonce": nonce, "cwd": str(cwd), "filename": filename, "text": text})
        try:
            answer = self._receive(nonce, 30)
        except _Timeout:
            self._kill("the worker did not start the card within 30 s")
            raise WorkerError(self.death) from None
        if not answer.get("ok") or answer.get("event"):
            self._spare_expected = False  # no card started: the parent forked no spare
            raise WorkerError(answer.get("error") or self.death or "the worker did not start the card")
        self.card = _Card(int(answer.get("pid") or 0), nonce, cwd)
        return cwd

    def end_card(self) -> None:
        """Kill the current card's process and everything it started, drop its leftover output and its folder."""
        card, self.card = self.card, None
        if card is None:
            return
        self._kill_card(card)
        # Once every thread of the card's process is exiting it cannot run another instruction: it can neither
        # write nor read a command. Its teardown (unmapping what it inherited) goes on while the next card starts.
        killed = 0 < card.pid != self.process.pid
        if killed and not card.ended and self.alive and not sandbox.wait_exiting(card.pid, 10):
            self._kill("the card's process did not die within 10 s of SIGKILL")
        self._sweep(keep_card=False)  # then whatever the card left running; once they are dead, nothing of
        self._drain()                 # the card can write any more, and what it wrote is dropped
        shutil.rmtree(card.cwd, ignore_errors=True)

    def execute(self, code: str, *, line: int = 1, filename: str | None = None, timeout: float | None = None,
                cpu: float | None = None) -> CellResult:
        """Run one cell in the current card's namespace (a card is begun if none is); never raises for anything
        the code does."""
        if self.card is None and self.alive:
            try:
                self.begin_card(filename or "<snippet>")
            except WorkerError as error:
                return CellResult(line, error=_died(str(error)))
        command = {"op": "exec", "code": code, "line": line, "cpu": cpu or self.limits.cpu_per_cell}
        if filename:
            command["filename"] = filename
        return self._cell(command, line, timeout or self.limits.snippet_timeout)

    @property
    def cpu_left(self) -> float:
        """CPU seconds left before the worker's lifetime cap; callers start a new worker before it runs out."""
        return self.limits.cpu_total - self.cpu_used

    def spare_ready(self, timeout: float = 30) -> bool:
        """Wait until the next card's process is forked and its at-fork hooks have run (benchmarks call this
        between cards, untimed, so that work never overlaps another worker's timing)."""
        deadline = time.monotonic() + timeout
        while self.alive and not (self.spare and self.spare in self._ready):
            if self._spare_expected is False and not self.spare:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                self._pump(remaining)
            except WorkerError:
                return False
        return bool(self.alive and self.spare)

    def ping(self, timeout: float = 10) -> bool:
        if not self.alive:
            return False
        try:
            nonce = _nonce()
            self._send({"op": "ping", "nonce": nonce})
            return bool(self._receive(nonce, timeout).get("ok"))
        except WorkerError:
            return False

    # ---- plumbing ------------------------------------------------------------------------------------------------
    def _cell(self, command: dict[str, Any], line: int, timeout: float) -> CellResult:
        card = self.card
        if not self.alive or (card is not None and card.death):
            return CellResult(line, error=_died((card.death if card else None) or self.death
                                                or "the worker is not running"))
        started = time.perf_counter()
        nonce = command["nonce"] = _nonce()
        try:
            self._send(command)
            answer = self._receive(nonce, timeout, card.nonce if card else None)
        except (_Timeout, _Flood) as error:
            answer = {"ok": False, "error": str(error)}
            if card is not None:
                card.death = str(error)
                self._kill_card(card)
            else:
                self._kill(str(error))
        except WorkerError as error:
            answer = {"ok": False, "error": str(error)}
        if answer.get("event") == "card-ended" and card is not None:
            card.death = exit_reason(-int(answer["signal"]) if "signal" in answer else int(answer.get("exit", 0)),
                                     "the card's process")
            answer = {"ok": False, "error": card.death}
        self._sweep(keep_card=True)
        cap = self.limits.output_cap
        honest = answer.get("ok") and "stdout" in answer
        dropped = answer.get("dropped") if honest and isinstance(answer.get("dropped"), dict) else {}
        streams = {}
        for name, native in (("stdout", self._out.take()), ("stderr", self._err.take())):
            python = str(answer.get(name) or "") if honest else ""
            streams[name] = capped(python, native[0], int(dropped.get(name) or 0) + native[1], cap, name)
        (stdout, cut_out), (stderr, cut_err) = streams["stdout"], streams["stderr"]
        if not honest:
            return CellResult(line, stdout, stderr, error=_died(str(answer.get("error"))),
                              duration=time.perf_counter() - started, truncated=cut_out or cut_err)
        self.cpu_used += float(answer.get("cpu", 0.0))
        return CellResult(
            line=line,
            stdout=stdout,
            stderr=stderr,
            value=answer.get("value"),
            error=answer.get("error"),
            duration=float(answer.get("duration", 0.0)),
            cpu=float(answer.get("cpu", 0.0)),
            truncated=cut_out or cut_err,
        )

    def _require_alive(self) -> None:
        if not self.alive:
            raise WorkerError(self.death or "the worker is not running")

    def _send(self, command: dict[str, Any]) -> None:
        self._require_alive()
        data = (json.dumps(command, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            sandbox.write_all(self.command_fd, data)
        except (BrokenPipeError, OSError) as error:
            self._kill(self._exit_reason() or f"the worker stopped reading commands ({error})")
            raise WorkerError(self.death or "the worker is gone") from error

    def _receive(self, nonce: str, timeout: float, card_nonce: str | None = None) -> dict[str, Any]:
        """The reply to the command sent with ``nonce`` (or, once the parent's news says the card named
        ``card_nonce`` ended and its last words are read, that news), draining the child's stdout/stderr meanwhile.
        Lines with any other nonce are dropped: they can only be forgeries or replies to cards already over. Raises
        ``_Timeout`` when ``timeout`` runs out and ``_Flood`` when a line grows past any honest reply."""
        deadline = time.monotonic() + timeout
        limit = 16 * self.limits.output_cap + (1 << 20)  # the largest honest reply, with room to spare
        while True:
            while b"\n" in self._pending:
                line, _, self._pending = self._pending.partition(b"\n")
                try:
                    answer = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(answer, dict):
                    continue
                if answer.get("nonce") == nonce:
                    return answer
            ended = self.card.ended if self.card is not None and self.card.nonce == card_nonce else None
            if ended is not None:
                if self._drain_replies():  # what it wrote before it ended is all in the pipe now
                    continue
                return ended
            if len(self._pending) > limit:
                self._pending = b""
                raise _Flood(f"a reply over {limit:,} bytes: the card flooded the worker's reply channel")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout(f"timed out after {timeout:.3g} s (wall clock)")
            if not self._pump(remaining) and self.process.poll() is not None and b"\n" not in self._pending:
                reason = self._exit_reason() or "the worker exited"
                self._kill(reason)
                raise WorkerError(reason)

    def _pump(self, timeout: float) -> int:
        """Wait up to ``timeout`` (at most 1 s) for the child's pipes and take in what arrived: replies, the
        parent's news, output. Returns how many pipes had something; raises WorkerError when the reply pipe ends."""
        events = self._selector.select(min(timeout, 1.0))
        for key, _ in events:
            chunk = _read(key.fd)
            if chunk is None:
                continue
            if key.data == "reply":
                if not chunk:
                    reason = self._exit_reason(wait=True) or "the worker exited"
                    self._kill(reason)
                    raise WorkerError(reason)
                self._pending += chunk
            elif key.data == "news":
                if chunk:
                    self._take_news(chunk)
                else:
                    self._selector.unregister(key.fd)
            elif chunk:
                (self._out if key.data == "stdout" else self._err).feed(chunk)
            else:
                self._selector.unregister(key.fd)
        return len(events)

    def _take_news(self, chunk: bytes) -> None:
        """The warm parent's news (only it and its spares, before they run a card, hold that pipe)."""
        self._news += chunk
        while b"\n" in self._news:
            line, _, self._news = self._news.partition(b"\n")
            try:
                news = json.loads(line)
                event, pid = news["event"], int(news.get("pid") or 0)
            except (ValueError, KeyError, TypeError):
                continue
            if event == "card-ended":  # about the current card, else about one over already
                if self.card is not None and news.get("nonce") == self.card.nonce and self.card.ended is None:
                    self.card.ended = {"ok": False, "event": event,
                                       **{key: news[key] for key in ("signal", "exit") if key in news}}
            elif event == "spare" and self._spare_expected:
                self.spare, self._spare_expected = pid, False
                self.discarded.extend(str(reason) for reason in news.get("discarded") or [])
            elif event == "spare-ready":
                self._ready.add(pid)

    def _drain_replies(self) -> bool:
        """Take in what is waiting on the reply pipe now; whether anything was."""
        got = False
        while chunk := _read(self.reply_fd):
            self._pending += chunk
            got = True
        return got

    def _drain(self) -> None:
        """Drop what is waiting on the child's pipes now (a card is over: its last words are nobody's output)."""
        for key in list(self._selector.get_map().values()):
            while chunk := _read(key.fd):
                if key.data == "news":
                    self._take_news(chunk)
        self._pending = b""
        self._out.take(), self._err.take()

    def _exit_reason(self, wait: bool = False) -> str | None:
        """Why the warm parent ended, in words."""
        code = self.process.poll()
        if code is None and wait:
            try:
                code = self.process.wait(timeout=2)
            except Exception:  # noqa: BLE001
                code = self.process.poll()
        return None if code is None else exit_reason(code)

    def _sweep(self, keep_card: bool) -> None:
        """Kill the processes of the sandbox except the warm parent, its spare (and, with ``keep_card``, the
        card's own process): what a cell left running (background children, fork bombs) dies before the next cell."""
        if not self.alive:
            return
        deadline = time.monotonic() + 10
        while self._spare_expected and self.alive and time.monotonic() < deadline:  # which process is the spare
            try:
                self._pump(deadline - time.monotonic())
            except WorkerError:
                return
        keep = {self.process.pid}
        if self.spare:
            keep.add(self.spare)
        if keep_card and self.card is not None and not self.card.death and self.card.pid > 0:
            keep.add(self.card.pid)
        if self.user.uid is not None:
            sandbox.kill_user_processes(self.user.uid, keep=keep)
        else:
            sandbox.kill_descendants(self.process.pid, keep=keep)

    def _kill_card(self, card: _Card) -> None:
        if card.pid <= 0 or card.pid == self.process.pid:
            return
        try:
            os.kill(card.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _kill(self, reason: str) -> None:
        if self.alive:
            self.death = reason
        self.alive = False
        if self.user.uid is None:  # first, while the warm parent still adopts what its cards orphaned
            sandbox.kill_descendants(self.process.pid)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.user.uid is not None:
            sandbox.kill_user_processes(self.user.uid)
        else:
            sandbox.kill_session_processes(self.process.pid)
        try:
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001
            pass


def _read(fd: int) -> bytes | None:
    """Up to 1 MiB from ``fd``; b"" at end of file, None when there is nothing to read right now."""
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _died(reason: str) -> dict[str, Any]:
    return {"type": "SandboxLimit" if "limit" in reason or "timed out" in reason else "WorkerDied",
            "message": reason, "traceback": "", "line": None}


@contextmanager
def warm_worker(limits: SandboxLimits | None = None, **options: Any) -> Iterator[Worker]:
    """``with warm_worker(...) as worker:`` - start, yield, always close."""
    worker = Worker.start(limits, **options)
    try:
        yield worker
    finally:
        worker.close()
