"""A warm worker: one sandboxed Python process that keeps a runtime (and its model) loaded between code cells.

    with Worker.start(limits=SandboxLimits(), env_extra={...}) as worker:
        worker.runtime_code("import torch")            # once per worker: imports, model warm-up
        worker.begin_card("cards/x.md", text)          # fresh globals, fresh working folder
        cell = worker.execute("print(1 + 1)", line=12) # -> CellResult(stdout, stderr, value, error, duration)

Cells of one card share globals like notebook cells; ``begin_card`` gives the next card an empty namespace, a new
working folder and reseeded RNGs. A cell that times out, exhausts its CPU budget or crashes the interpreter ends the
worker: the result says why, and ``alive`` turns false so the caller starts a new one. Callers may send any code
(the benchmark stage sends its timing loops through ``execute``).
"""

from __future__ import annotations

import json
import os
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


class WorkerError(RuntimeError):
    """The worker could not start or answer; the message says why (and what limit was hit, if any)."""


class _Stream:
    """A capped buffer for a raw file descriptor of the child (native code and subprocesses write there)."""

    def __init__(self, cap: int) -> None:
        self.cap, self.data, self.dropped = cap, bytearray(), 0

    def feed(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def take(self) -> str:
        text = self.data.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes not kept: output cap is {self.cap}]\n"
        self.data, self.dropped = bytearray(), 0
        return text


@dataclass
class Worker:
    """A running sandboxed interpreter; use ``Worker.start`` and ``close`` (or ``with``)."""

    process: Any
    command_fd: int
    reply_fd: int
    root: Path
    user: SandboxUser
    limits: SandboxLimits
    hello: dict[str, Any] = field(default_factory=dict)
    alive: bool = True
    death: str | None = None  # why the worker ended, when it did
    cards: int = 0
    cpu_used: float = 0.0  # CPU seconds the cells have used: the worker's whole life is capped (cpu_total)
    card_files: dict[str, Path] = field(default_factory=dict)  # exposed in every card's folder (the runtime's)
    notes: list[str] = field(default_factory=list)  # what the runtime or the sandbox had to say at start
    _pending: bytes = b""

    def __post_init__(self) -> None:
        cap = self.limits.output_cap
        self._out, self._err = _Stream(cap), _Stream(cap)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.reply_fd, selectors.EVENT_READ, "reply")
        for stream, name in ((self.process.stdout, "stdout"), (self.process.stderr, "stderr")):
            os.set_blocking(stream.fileno(), False)
            self._selector.register(stream.fileno(), selectors.EVENT_READ, name)

    # ---- life cycle ----------------------------------------------------------------------------------------------
    @classmethod
    def start(cls, limits: SandboxLimits | None = None, env_extra: dict[str, str] | None = None,
              prepare: Any = None, env_allow: tuple[str, ...] = ()) -> Worker:
        """Start a sandboxed worker. ``prepare(root, uid)`` may lay out files (a model cache) in its folder first."""
        limits = limits or SandboxLimits()
        user = sandbox.reserve_user()
        root = Path(tempfile.mkdtemp(prefix="modelhub-worker-"))
        try:
            home = root / "home"
            home.mkdir()
            env_extra = dict(env_extra or {})
            if prepare is not None:
                env_extra.update(prepare(root, user.uid) or {})
            sandbox.hand_over(root, user)
            env = sandbox.sandbox_environment(home, env_extra, env_allow)
            process, command_fd, reply_fd = sandbox.start_child(root, env, user, limits, {})
        except BaseException:
            user.release()
            shutil.rmtree(root, ignore_errors=True)
            raise
        worker = cls(process, command_fd, reply_fd, root, user, limits)
        try:
            hello = worker._receive(limits.startup_timeout)
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
            try:
                os.write(self.command_fd, b'{"op": "exit"}\n')
                self.process.wait(timeout=2)
            except (OSError, Exception):  # noqa: BLE001 - we kill it below anyway
                pass
        self._kill("closed")
        for fd in (self.command_fd, self.reply_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.command_fd = self.reply_fd = -1
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

    # ---- commands ------------------------------------------------------------------------------------------------
    def runtime_code(self, code: str, timeout: float | None = None) -> CellResult:
        """Run code once in the runtime's own namespace (imports, loading the model); cards do not see it."""
        return self._cell({"op": "runtime", "code": code, "line": 1, "filename": "<runtime>",
                           "cpu": self.limits.cpu_total}, 1, timeout or self.limits.startup_timeout)

    def begin_card(self, filename: str, text: str | None = None,
                   files: dict[str, Path] | None = None) -> Path:
        """A fresh namespace and working folder for the next card; ``files`` are exposed in that folder."""
        self._require_alive()
        self.cards += 1
        cwd = self.root / f"card-{self.cards}"
        cwd.mkdir()
        for name, source in {**self.card_files, **(files or {})}.items():
            source = Path(source)
            if self.root in source.parents:  # staged in our folder already: the sandbox user can read it
                (cwd / name).symlink_to(source)
            else:
                sandbox.expose(source, cwd / name, self.user.uid)
        sandbox.hand_over(cwd, self.user)
        self._send({"op": "card", "cwd": str(cwd), "filename": filename, "text": text})
        answer = self._receive(30)
        if not answer.get("ok"):
            raise WorkerError(answer.get("error") or self.death or "the worker did not start the card")
        return cwd

    def execute(self, code: str, *, line: int = 1, filename: str | None = None, timeout: float | None = None,
                cpu: float | None = None) -> CellResult:
        """Run one cell in the current card's namespace; never raises for anything the code does."""
        command = {"op": "exec", "code": code, "line": line, "cpu": cpu or self.limits.cpu_per_cell}
        if filename:
            command["filename"] = filename
        return self._cell(command, line, timeout or self.limits.snippet_timeout)

    @property
    def cpu_left(self) -> float:
        """CPU seconds left before the worker's lifetime cap; callers start a new worker before it runs out."""
        return self.limits.cpu_total - self.cpu_used

    def ping(self, timeout: float = 10) -> bool:
        if not self.alive:
            return False
        try:
            self._send({"op": "ping"})
            return bool(self._receive(timeout).get("ok"))
        except WorkerError:
            return False

    # ---- plumbing ------------------------------------------------------------------------------------------------
    def _cell(self, command: dict[str, Any], line: int, timeout: float) -> CellResult:
        if not self.alive:
            return CellResult(line, error=_died(self.death or "the worker is not running"))
        started = time.perf_counter()
        try:
            self._send(command)
            answer = self._receive(timeout)
        except WorkerError as error:
            answer = {"ok": False, "error": str(error)}
        self._sweep()
        native_out, native_err = self._out.take(), self._err.take()
        if not answer.get("ok") or "stdout" not in answer:
            return CellResult(line, native_out, native_err, error=_died(str(answer.get("error"))),
                              duration=time.perf_counter() - started)
        self.cpu_used += float(answer.get("cpu", 0.0))
        return CellResult(
            line=line,
            stdout=answer.get("stdout", "") + native_out,
            stderr=answer.get("stderr", "") + native_err,
            value=answer.get("value"),
            error=answer.get("error"),
            duration=float(answer.get("duration", 0.0)),
            cpu=float(answer.get("cpu", 0.0)),
            truncated=bool(answer.get("truncated")),
        )

    def _require_alive(self) -> None:
        if not self.alive:
            raise WorkerError(self.death or "the worker is not running")

    def _send(self, command: dict[str, Any]) -> None:
        self._require_alive()
        data = (json.dumps(command, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                written = os.write(self.command_fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError) as error:
            self._kill(self._exit_reason() or f"the worker stopped reading commands ({error})")
            raise WorkerError(self.death or "the worker is gone") from error

    def _receive(self, timeout: float) -> dict[str, Any]:
        """Wait for one reply line, draining the child's stdout/stderr meanwhile; kill the worker on timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill(f"timed out after {timeout:.3g} s (wall clock)")
                raise WorkerError(self.death)
            events = self._selector.select(min(remaining, 1.0))
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
                elif chunk:
                    (self._out if key.data == "stdout" else self._err).feed(chunk)
                else:
                    self._selector.unregister(key.fd)
            if not events and self.process.poll() is not None and b"\n" not in self._pending:
                reason = self._exit_reason() or "the worker exited"
                self._kill(reason)
                raise WorkerError(reason)
        line, _, self._pending = self._pending.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError as error:
            return {"ok": False, "error": f"unreadable reply from the worker: {error}"}

    def _exit_reason(self, wait: bool = False) -> str | None:
        """Why the child process ended, in words (signals of resource limits named)."""
        code = self.process.poll()
        if code is None and wait:
            try:
                code = self.process.wait(timeout=2)
            except Exception:  # noqa: BLE001
                code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            return {
                signal.SIGXCPU: "CPU-time limit exceeded: the worker was stopped",
                signal.SIGXFSZ: "file-size limit exceeded: the worker was stopped",
                signal.SIGKILL: "the worker was killed (SIGKILL)",
                signal.SIGSEGV: "the worker crashed (segmentation fault)",
            }.get(-code, f"the worker was killed by signal {signal.Signals(-code).name}")
        return f"the worker exited with status {code}"

    def _sweep(self) -> None:
        """Kill processes a cell left behind (background children, fork bombs) so the next cell starts clean."""
        if not self.alive:
            return
        if self.user.uid is not None:
            sandbox.kill_user_processes(self.user.uid, keep=self.process.pid)
        else:
            sandbox.kill_session_processes(self.process.pid, keep=self.process.pid)

    def _kill(self, reason: str) -> None:
        if self.alive:
            self.death = reason
        self.alive = False
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
