"""The sandbox every snippet runs in: a child process we can confine, time out, and clean up completely.

What protects what (see also the module docstring of ``child.py``, which applies the confinement):

* its own session and process group, so one signal ends the child and everything it started;
* when we are root, a dedicated numeric user per sandbox (reserved with a lock file), so RLIMIT_NPROC really
  limits processes (it does not apply to root) and every process of the sandbox can be found and killed, even one
  that called ``setsid``; as another user, RLIMIT_NPROC counts that user's processes, so the cap is raised by them;
* RLIMIT_AS (memory), RLIMIT_CPU (per worker, re-armed per cell), RLIMIT_NPROC, RLIMIT_FSIZE, no core files,
  PR_SET_NO_NEW_PRIVS;
* an environment built from an allow-list, a private temporary HOME and working directory, stdin from /dev/null;
* output caps: at most ``output_cap`` characters per stream and cell, what the child's Python code printed and what
  native code wrote to the raw file descriptors together (the worker cuts once);
* no network: a new network namespace when the kernel lets us (root, or unprivileged user namespaces), otherwise an
  audit hook that refuses IP sockets from Python code. ``network_isolation()`` says which one is in force;
* a private mount namespace, required (``mount_plan``): private /tmp, /var/tmp, /dev/shm, a hidden /run, private
  folders covered, and what the worker is handed (``expose``) as read-only bind mounts; host files are never
  re-owned or re-moded, and per-card files are copies of what the sandbox user may read (``copy_in``); the
  worker's own folder is read-only inside the sandbox but for HOME and the cards' folders (``WRITABLE``), so a
  card cannot rename, replace or add anything a later card loads, even where the sandbox user owns the folder;
* worker folders are claimed with a lock (``claim_folder``): one left by a killed run is removed at the next start.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ExecutionError
from ..settings import ExecuteSection

CHILD = Path(__file__).with_name("child.py")

# Names that may pass from the parent's environment into the sandbox; everything else is dropped.
ENV_ALLOW = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "SPARK_HOME", "JAVA_HOME")
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one sandbox; all of them are part of a run's cache key."""

    snippet_timeout: float = 120.0  # wall clock per cell, seconds
    card_timeout: float = 600.0  # wall clock per card, seconds
    startup_timeout: float = 300.0  # wall clock for a worker to start and load its runtime
    memory: int = 6 * 1024**3  # address space, bytes
    cpu_per_cell: int = 300  # CPU seconds per cell (re-armed before each cell)
    cpu_total: int = 3600  # CPU seconds over the worker's life
    processes: int = 256  # tasks (processes and threads) of the sandbox user
    file_size: int = 1024**3  # largest file a snippet may write, bytes
    open_files: int = 1024
    output_cap: int = 100_000  # characters kept per stream and cell
    network: str = "auto"  # auto | namespace | audit-hook | allow (tests only)
    seed: int = 0

    @classmethod
    def from_settings(cls, execute: ExecuteSection) -> SandboxLimits:
        """The limits the typed ``[execute]`` table sets (durations rounded up to whole CPU seconds)."""
        return cls(snippet_timeout=execute.snippet_timeout, card_timeout=execute.card_timeout,
                   startup_timeout=execute.startup_timeout, memory=execute.memory,
                   cpu_per_cell=math.ceil(execute.cpu_per_cell), cpu_total=math.ceil(execute.cpu_total),
                   processes=execute.processes, file_size=execute.file_size, open_files=execute.open_files,
                   output_cap=execute.output_cap, network=execute.network, seed=execute.seed)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclass_fields(self)}  # every field: a number or a string


class SandboxError(ExecutionError, RuntimeError):
    """The sandbox could not be set up; the message says what to change."""


def is_root() -> bool:
    return os.geteuid() == 0


# ---- a user per sandbox -----------------------------------------------------------------------------------------

@dataclass
class SandboxUser:
    uid: int | None
    gid: int | None
    lock: Any = field(default=None, repr=False)

    def release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None


UID_BASE, UID_COUNT = 1_700_000_000, 4096
LOCK_DIR = Path(tempfile.gettempdir()) / "modelhub-sandbox-uids"


def reserve_user(base: int = UID_BASE, count: int = UID_COUNT) -> SandboxUser:
    """A numeric user no other sandbox uses right now (root only); otherwise run as ourselves."""
    if not is_root():
        return SandboxUser(None, None)
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    start = os.getpid() % count
    for step in range(count):
        uid = base + (start + step) % count
        handle = open(LOCK_DIR / f"{uid}.lock", "w")  # noqa: SIM115 - held open as the reservation
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        kill_user_processes(uid)  # leftovers of a crashed earlier run
        return SandboxUser(uid, uid, handle)
    raise SandboxError(f"all {count} sandbox users are busy; lower the number of parallel runs")


# ---- processes ---------------------------------------------------------------------------------------------------

PF_EXITING = 0x4  # /proc/<pid>/stat flags: the thread is in exit(); it never returns to user space


class Process(NamedTuple):
    pid: int
    owner: int
    session: int
    parent: int
    live: bool  # may still run code (else it is exiting: SIGKILL'd, only being torn down)


def _processes(uid: int | None = None, *, dying: bool = False) -> list[Process]:
    """Every process we can see that may still run code, or only those of ``uid``; with ``dying``, those that are
    exiting too (not ``live``: they never run code again, but until they are zombies their children are still
    theirs). Zombies are left out: they cannot be killed, only reaped, and their children have a new parent; a
    zombie main thread with live threads is not a zombie process."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat().st_uid
            if uid is not None and owner != uid:
                continue
            fields = _stat_fields(f"/proc/{entry.name}/stat")
            if fields is None:
                continue
            live = _may_run(fields) or may_run_code(int(entry.name))
            if not live and (not dying or fields[0] in ("Z", "X")):
                continue
            found.append(Process(int(entry.name), owner, int(fields[3]), int(fields[1]), live))
        except (OSError, ValueError):
            continue
    return found


def _stat_fields(path: str) -> list[str] | None:
    """The fields of a /proc stat file after the command name (state, parent, group, session, tty, tpgid, flags)."""
    try:
        with open(path, "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def _may_run(fields: list[str]) -> bool:
    return fields[0] not in ("Z", "X") and not int(fields[6]) & PF_EXITING


def may_run_code(pid: int) -> bool:
    """Whether any thread of ``pid`` may still run code: not a zombie, not exiting. A main thread that called
    ``pthread_exit`` is a zombie while the other threads run, and they can write into a later card's output."""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for thread in threads:
        fields = _stat_fields(f"/proc/{pid}/task/{thread}/stat")
        if fields is not None and _may_run(fields):
            return True
    return False


def wait_exiting(pid: int, timeout: float) -> bool:
    """Wait until no thread of ``pid`` may run code any more (after SIGKILL: usually well under a millisecond, while
    tearing the process down takes several); False when ``timeout`` ran out first."""
    deadline, pause = time.monotonic() + timeout, 0.0001
    while may_run_code(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.005)
    return True


def tasks_of(uid: int) -> int:
    """Processes and threads of ``uid`` (what RLIMIT_NPROC counts)."""
    total = 0
    for pid, *_ in _processes(uid):
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def _kill_everything_as(uid: int) -> None:
    """kill(-1, SIGKILL) from a helper process running as ``uid``: the kernel signals every process of that user
    in one sweep, which outpaces a fork bomb better than killing pids one by one."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the helper process
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def kill_user_processes(uid: int, keep: Collection[int] = ()) -> int:
    """SIGKILL every process of ``uid`` (except the pids in ``keep``) until none is left; returns how many were
    killed."""
    if not keep and is_root() and _processes(uid):
        _kill_everything_as(uid)
    return _kill_until_gone(lambda: [process.pid for process in _processes(uid) if process.pid not in keep])


def kill_descendants(ancestor: int, keep: Collection[int] = ()) -> int:
    """SIGKILL every live descendant of ``ancestor`` (except the pids in ``keep``; their own descendants too) until
    none is left; returns how many were killed. Without root the sandbox's processes have our own uid, and one that
    starts its own session (``setsid``) left the session sweep: it wrote into a later card's output. The warm parent
    is a child subreaper, so whatever a card orphans is re-parented to it and stays its descendant."""
    def victims() -> list[int]:
        children: dict[int, list[Process]] = {}
        for process in _processes(os.getuid(), dying=True):  # an exiting process's children are not yet re-parented
            children.setdefault(process.parent, []).append(process)
        found, pending = [], [ancestor]
        while pending:
            for child in children.get(pending.pop(), ()):
                pending.append(child.pid)
                if child.live and child.pid not in keep:
                    found.append(child.pid)
        return found

    return _kill_until_gone(victims)


def _kill_until_gone(victims: Callable[[], list[int]]) -> int:
    """SIGKILL ``victims()`` again and again until it finds none (a fork bomb may still be forking while we kill),
    for at most 10 s; returns how many were killed."""
    killed = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = victims()
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return killed


def kill_session_processes(session: int, keep: Collection[int] = ()) -> int:
    killed = 0
    for pid, _, sid, *_ in _processes():
        if sid == session and pid not in keep:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


# ---- environment and files -----------------------------------------------------------------------------------------

def sandbox_environment(home: Path, extra: dict[str, str] | None = None,
                        allow: tuple[str, ...] = ()) -> dict[str, str]:
    """The child's whole environment: an allow-list from ours plus what the runtime sets."""
    env = {name: os.environ[name] for name in (*ENV_ALLOW, *allow) if name in os.environ}
    env.update({
        "PATH": SAFE_PATH if not os.environ.get("VIRTUAL_ENV") else f"{Path(sys.executable).parent}:{SAFE_PATH}",
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": env.get("LANG", "C.UTF-8"),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "TQDM_DISABLE": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "NO_COLOR": "1",
    })
    env.update(extra or {})
    return env


def readable_by_others(path: Path) -> bool:
    """Whether a user that is neither owner nor group member may read ``path`` (a folder: also list it)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o004) and (not path.is_dir() or bool(mode & 0o001))


def refuse_unreadable(source: Path) -> None:
    """SandboxError unless the sandbox user may read ``source`` and everything in it (as root we could read
    anything; handing a private file to the sandbox would give it away)."""
    paths = [source] if not source.is_dir() else [source, *(Path(folder, name) for folder, dirs, names in
                                                             os.walk(source, followlinks=True)
                                                             for name in dirs + names)]
    for path in paths:
        if not readable_by_others(path):
            try:
                mode = f"mode {path.stat().st_mode & 0o777:o}"
            except OSError:
                mode = "missing"
            raise SandboxError(f"{path} is not readable by the sandbox user ({mode}); only world-readable files "
                               "are handed to snippets (chmod o+r it if it is meant to be)")


# Files a worker is handed while it starts: read-only bind mounts the child makes in its own mount namespace.
_BINDS: ContextVar[list[dict[str, str]] | None] = ContextVar("modelhub_sandbox_binds", default=None)


@contextmanager
def collecting_binds() -> Iterator[list[dict[str, str]]]:
    """``expose`` calls inside the block become read-only bind mounts of the worker being prepared."""
    binds: list[dict[str, str]] = []
    token = _BINDS.set(binds)
    try:
        yield binds
    finally:
        _BINDS.reset(token)


def expose(source: Path, target: Path, uid: int | None = None) -> None:
    """Make ``source`` (a file or folder) appear at ``target``.

    While a worker is prepared (``Worker.start(prepare=...)``) this is a read-only bind mount in the sandbox's
    mount namespace: the sandbox reads the original with its own permissions (a 0600 file stays unreadable to the
    sandbox user), can change neither its content nor its owner or mode, and the host sees only an empty
    placeholder; with a separate sandbox user (``uid``), a file that user may not read is refused (SandboxError).
    Anywhere else (laying out a hub cache for the host) it is a symlink.
    """
    source = Path(source).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    binds = _BINDS.get()
    if binds is not None and uid is not None:
        refuse_unreadable(source)
    if binds is None:
        target.symlink_to(source)
        return
    if source.is_dir():
        target.mkdir()
    else:
        target.touch()
    binds.append({"source": str(source), "target": str(target)})


def copy_in(source: Path, target: Path, uid: int | None) -> None:
    """Copy ``source`` (file or folder) to ``target`` for one card: the sandbox gets a copy, never the original,
    and only of what its own user may read (as root we could read anything: we refuse instead)."""
    source = Path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    if uid is not None:
        refuse_unreadable(source)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False, copy_function=shutil.copyfile)
    else:
        shutil.copyfile(source, target)


def give(folder: Path, user: SandboxUser) -> None:
    """Make ``folder`` (one we created, never a host file) the sandbox user's own."""
    if user.uid is not None:
        os.chown(folder, user.uid, user.gid)


# ---- the worker's folder -----------------------------------------------------------------------------------------

WORKER_PREFIX = "modelhub-worker-"
LOCK_NAME = ".lock"


def claim_folder() -> tuple[Path, Any]:
    """A new worker folder (root-owned, 0755) and the open, locked file that marks it as in use; a later start
    removes folders whose lock is free (their worker was killed, e.g. by kill -9)."""
    clean_stale_folders()
    root = Path(tempfile.mkdtemp(prefix=WORKER_PREFIX))
    root.chmod(0o755)
    handle = open(root / LOCK_NAME, "w")  # noqa: SIM115 - held open as the claim
    fcntl.flock(handle, fcntl.LOCK_EX)
    return root, handle


def clean_stale_folders(grace: float = 60.0) -> list[Path]:
    """Remove the folders of workers that are gone; returns them. A folder without a lock file is left alone for
    ``grace`` seconds (it may be one being created right now)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(WORKER_PREFIX + "*"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            handle = open(folder / LOCK_NAME, "a")  # noqa: SIM115
        except OSError:
            try:
                stale = time.time() - folder.stat().st_mtime > grace
            except OSError:
                continue
            if stale:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live worker holds it
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# ---- the mount namespace -------------------------------------------------------------------------------------------

SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # private, empty, writable per worker
HIDDEN = ("/run",)  # host daemons' sockets and state: covered, read-only
WRITABLE = ("home", "cards")  # the only writable folders of a worker's folder inside its sandbox (HOME, the cards')


def _traversable(folder: Path) -> bool:
    try:
        return bool(folder.stat().st_mode & 0o001)
    except OSError:
        return True  # what does not exist needs no cover


def _outermost(paths: set[Path]) -> list[str]:
    return sorted(str(p) for p in paths if not any(other != p and other in p.parents for other in paths))


def _real_folders(names: tuple[str, ...]) -> list[Path]:
    found = []
    for name in names:
        path = Path(name)
        if path.is_dir() and not path.is_symlink() and path.resolve() not in found:
            found.append(path.resolve())
    return found


def mount_plan(root: Path, binds: list[dict[str, str]], user: SandboxUser, size: int) -> dict[str, Any]:
    """What the child mounts in its private mount namespace (see ``child.isolate_filesystem``).

    Every covered folder gets back what the sandbox needs inside it: Python (its prefix, the interpreter, the
    entries of ``sys.path``), ``child.py`` and this worker's folder. As root, folders the sandbox user could not
    traverse (a Python under /root) are covered too, so that user reaches Python but nothing else there.
    """
    needed = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).parent, CHILD.parent, root}
    needed |= {Path(entry) for entry in sys.path if entry and Path(entry).exists()}
    needed = {path.resolve() for path in needed}
    covers: dict[Path, set[Path]] = {}
    if user.uid is not None:
        for real in needed:
            for ancestor in reversed(real.parents):
                if ancestor != Path("/") and not _traversable(ancestor):
                    covers.setdefault(ancestor, set()).add(real)
                    break

    def keep(folder: Path) -> list[str]:
        return _outermost({path for path in needed if folder in path.parents})

    return {
        "binds": binds,
        "cover": [{"folder": str(folder), "keep": _outermost(inside)} for folder, inside in sorted(covers.items())],
        "scratch": [{"folder": str(folder), "keep": keep(folder)} for folder in _real_folders(SCRATCH)],
        "hide": [{"folder": str(folder), "keep": keep(folder)} for folder in _real_folders(HIDDEN)],
        "worker": {"folder": str(root), "writable": [str(root / name) for name in WRITABLE]},
        "size": size,
    }


# ---- network isolation ---------------------------------------------------------------------------------------------

_ISOLATION: str | None = None


def network_isolation() -> str:
    """Which mechanism keeps sandboxes off the network on this machine: "namespace" or "audit-hook"."""
    global _ISOLATION
    if _ISOLATION is None:
        probe = subprocess.run(
            [sys.executable, "-s", "-P", "-c",
             "import sys; sys.path.insert(0, sys.argv[1]); import child; print(child.leave_network())", str(CHILD.parent)],
            capture_output=True, text=True, env={"PATH": SAFE_PATH}, timeout=60,
        )
        _ISOLATION = "namespace" if probe.returncode == 0 and "namespace" in probe.stdout else "audit-hook"
    return _ISOLATION


def _user_name(uid: int) -> str:
    """The login name of ``uid``, or the number itself when it has no passwd entry (containers, CI runners)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def describe(limits: SandboxLimits | None = None) -> str:
    """One line on what confines snippets on this machine under ``limits`` (printed by ``modelhub run``)."""
    wanted = (limits or SandboxLimits()).network
    if wanted == "allow":
        network = "network allowed (network = \"allow\")"
    elif wanted == "audit-hook" or network_isolation() == "audit-hook":
        network = "no network from Python code (audit hook; namespaces are not permitted here)"
    else:
        network = "no network (own network namespace)"
    who = "a dedicated user per sandbox, private folders covered" if is_root() else f"user {_user_name(os.getuid())}"
    return (f"sandbox: {network}; {who}; private /tmp, /var/tmp, /dev/shm; a fresh process per card; "
            "memory, CPU, process and output caps")


def start_child(root: Path, env: dict[str, str], user: SandboxUser, limits: SandboxLimits,
                binds: list[dict[str, str]], nonce: str) -> tuple[subprocess.Popen, int, int, int]:
    """Start ``child.py`` confined by ``limits``; returns the process and our ends of its command, reply and news
    pipes."""
    command_read, command_write = os.pipe()
    reply_read, reply_write = os.pipe()
    news_read, news_write = os.pipe()
    processes = limits.processes
    if user.uid is None:  # RLIMIT_NPROC counts every task of our own user: the cap comes on top of those
        processes += tasks_of(os.getuid())
    message = {
        "nonce": nonce,
        "mounts": mount_plan(root, binds, user, limits.file_size),
        "home": env["HOME"],
        "uid": user.uid,
        "gid": user.gid,
        "network": limits.network,
        "output_cap": limits.output_cap,
        "seed": limits.seed,
        "cpu_per_cell": limits.cpu_per_cell,
        "limits": {"memory": limits.memory, "cpu": limits.cpu_total, "processes": processes,
                   "file_size": limits.file_size, "open_files": limits.open_files},
    }
    try:
        process = subprocess.Popen(
            [sys.executable, "-s", "-P", str(CHILD), str(command_read), str(reply_write), str(news_write)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=str(root), env=env, start_new_session=True,
            pass_fds=(command_read, reply_write, news_write),
        )
    except BaseException:
        for fd in (command_write, reply_read, news_read):
            os.close(fd)
        raise
    finally:
        for fd in (command_read, reply_write, news_write):
            os.close(fd)
    # The first line (it may be larger than a pipe holds: hundreds of mounts) is read by the child before it
    # confines itself; a child that died meanwhile is noticed when its hello never comes.
    try:
        write_all(command_write, (json.dumps(message) + "\n").encode())
    except OSError:
        pass
    return process, command_write, reply_read, news_read


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a blocking pipe (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
