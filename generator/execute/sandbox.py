"""The sandbox every snippet runs in: a child process we can confine, time out, and clean up completely.

What protects what (see also the module docstring of ``child.py``, which applies the confinement):

* its own session and process group, so one signal ends the child and everything it started;
* when we are root, a dedicated numeric user per sandbox (reserved with a lock file), so RLIMIT_NPROC really
  limits processes (it does not apply to root) and every process of the sandbox can be found and killed, even one
  that called ``setsid``; as another user, RLIMIT_NPROC counts that user's processes, so the cap is raised by them;
* RLIMIT_AS (memory), RLIMIT_CPU (per worker, re-armed per cell), RLIMIT_NPROC, RLIMIT_FSIZE, no core files,
  PR_SET_NO_NEW_PRIVS;
* an environment built from an allow-list, a private temporary HOME and working directory, stdin from /dev/null;
* output caps: the child keeps at most ``output_cap`` characters per stream and cell, the parent drains the raw file
  descriptors and keeps at most as much;
* no network: a new network namespace when the kernel lets us (root, or unprivileged user namespaces), otherwise an
  audit hook that refuses IP sockets from Python code. ``network_isolation()`` says which one is in force.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    def from_config(cls, section: dict[str, Any]) -> SandboxLimits:
        """``[tool.modelhub.execute]`` keys with the same names override the defaults."""
        known = {key: section[key] for key in cls.__dataclass_fields__ if key in section}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SandboxError(RuntimeError):
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

def _processes() -> list[tuple[int, int, int]]:
    """(pid, uid, session id) of every live process we can see (zombies are dead already: they cannot be killed,
    only reaped by their parent)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] in ("Z", "X"):
                continue
            session = int(fields[3])
            uid = os.stat(f"/proc/{entry.name}").st_uid
        except (OSError, ValueError):
            continue
        found.append((int(entry.name), uid, session))
    return found


def tasks_of(uid: int) -> int:
    """Processes and threads of ``uid`` (what RLIMIT_NPROC counts)."""
    total = 0
    for pid, owner, _ in _processes():
        if owner == uid:
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


def kill_user_processes(uid: int, keep: int | None = None) -> int:
    """SIGKILL every process of ``uid`` (except ``keep``) until none is left; returns how many were killed."""
    if keep is None and is_root() and any(owner == uid for _, owner, _ in _processes()):
        _kill_everything_as(uid)
    killed = 0
    deadline = time.monotonic() + 10  # a fork bomb may still be forking while we kill: repeat until it is gone
    while time.monotonic() < deadline:
        victims = [pid for pid, owner, _ in _processes() if owner == uid and pid != keep]
        if not victims:
            break
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return killed


def kill_session_processes(session: int, keep: int | None = None) -> int:
    killed = 0
    for pid, _, sid in _processes():
        if sid == session and pid != keep:
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
    """Whether a user that is neither owner nor group member can read ``path`` (every folder above must be x)."""
    try:
        path = path.resolve()
        mode = path.stat().st_mode
        if not mode & 0o004:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in path.parents)
    except OSError:
        return False


def expose(source: Path, target: Path, uid: int | None) -> None:
    """Make ``source`` appear at ``target`` for the sandbox: a symlink when the sandbox user can read it there,
    else a hard link (same file system) or a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if uid is None or readable_by_others(source):
        target.symlink_to(source.resolve())
        return
    try:
        os.link(source.resolve(), target)
        if not os.stat(target).st_mode & 0o004:
            target.unlink()
            raise OSError("not world-readable")
    except OSError:
        shutil.copyfile(source, target)
        target.chmod(0o644)


def hand_over(root: Path, user: SandboxUser) -> None:
    """Give the sandbox user the folders it works in (files exposed by symlink stay the owner's)."""
    if user.uid is None:
        return
    for folder, dirs, files in os.walk(root):
        os.lchown(folder, user.uid, user.gid)
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), user.uid, user.gid)


def _traversable(folder: Path) -> bool:
    try:
        return bool(folder.stat().st_mode & 0o001)
    except OSError:
        return True  # what does not exist needs no cover


def mount_plan(root: Path) -> dict[str, Any] | None:
    """Folders to cover in the child's mount namespace so the sandbox user reaches Python but nothing else there.

    A Python installed under a private home (e.g. pyenv in /root, mode 700) is unreadable to another user; the child
    covers that home with an empty tmpfs and binds back only the installation (and this worker's folder).
    """
    needed = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).parent, CHILD.parent, root}
    needed |= {Path(entry) for entry in sys.path if entry and Path(entry).exists()}
    covers: dict[Path, set[Path]] = {}
    for path in needed:
        real = path.resolve()
        for ancestor in reversed(real.parents):
            if ancestor != Path("/") and not _traversable(ancestor):
                covers.setdefault(ancestor, set()).add(real)
                break
    if not covers:
        return None
    plan = []
    for folder, keep in sorted(covers.items()):
        outer = sorted(p for p in keep if not any(other != p and other in p.parents for other in keep))
        plan.append({"folder": str(folder), "keep": [str(p) for p in outer]})
    stage = root / ".stage"
    stage.mkdir(exist_ok=True)
    return {"cover": plan, "stage": str(stage)}


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


def describe() -> str:
    """One line on what confines snippets on this machine (printed by ``modelhub run``)."""
    network = {"namespace": "no network (own network namespace)",
               "audit-hook": "no network from Python code (audit hook; namespaces are not permitted here)"}
    who = ("a dedicated user per sandbox, private folders covered" if is_root()
           else f"user {pwd.getpwuid(os.getuid()).pw_name}")
    return f"sandbox: {network[network_isolation()]}; {who}; memory, CPU, process and output caps"


def start_child(root: Path, env: dict[str, str], user: SandboxUser, limits: SandboxLimits,
                setup: dict[str, Any]) -> tuple[subprocess.Popen, int, int]:
    """Start ``child.py`` confined by ``limits``; returns the process and our ends of its command/reply pipes."""
    command_read, command_write = os.pipe()
    reply_read, reply_write = os.pipe()
    processes = limits.processes
    if user.uid is None:  # RLIMIT_NPROC counts every task of our own user: the cap comes on top of those
        processes += tasks_of(os.getuid())
    message = {
        **setup,
        "mounts": mount_plan(root) if user.uid is not None else None,
        "uid": user.uid,
        "gid": user.gid,
        "network": limits.network,
        "output_cap": limits.output_cap,
        "seed": limits.seed,
        "cpu_per_cell": limits.cpu_per_cell,
        "limits": {"memory": limits.memory, "cpu": limits.cpu_total, "processes": processes,
                   "file_size": limits.file_size, "open_files": limits.open_files},
    }
    # The child is privileged only until it has read this first line; write it before it can block on us.
    os.write(command_write, (json.dumps(message) + "\n").encode())
    try:
        process = subprocess.Popen(
            [sys.executable, "-s", "-P", str(CHILD), str(command_read), str(reply_write)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=str(root), env=env, start_new_session=True,
            pass_fds=(command_read, reply_write),
        )
    except BaseException:
        os.close(command_write)
        os.close(reply_read)
        raise
    finally:
        os.close(command_read)
        os.close(reply_write)
    return process, command_write, reply_read
