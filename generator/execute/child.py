"""The program that runs inside the sandbox: it confines itself, then executes code cells sent by the parent.

It is started by path (``python -s -P child.py``) and imports only the standard library, so it works whatever the
snippet's environment holds and never imports the ``generator`` package. Startup, in this order, while still
privileged: read the setup message, leave the network (a fresh network namespace, else an audit hook), enter a
private mount namespace (read-only binds of what it is handed, private /tmp, /var/tmp, /dev/shm, hidden /run and
private homes; refused by the kernel = nothing runs), set resource limits, forbid privilege gain, drop to the
sandbox user, become non-dumpable. Then it is the warm parent: it runs the runtime's code (imports, the model) and
forks one child per card, so cards never share a process and none can change what a later card runs in.

Protocol: one JSON line per command, one per reply; every command carries a random ``nonce`` that its reply
echoes, so a card cannot answer for a later card (it never sees that card's nonces):

    {"op": "runtime", "code": ...}                                    parent: run in the runtime's namespace
    {"op": "card", "cwd": ..., "filename": ..., "text": ...}          parent: hand the card to a process forked for
                                                                      it, which replies {"ok": true, "pid": ...}
    {"op": "exec", "code": ..., "line": 12, "filename": "cards/x.md"}  card: run a cell in the card's globals
    {"op": "ping"} / {"op": "exit"}

Commands arrive on the fd named by the first argument and replies leave on the second; fd 0 is /dev/null and fds 1/2
are drained by the parent, so a snippet cannot read the protocol through ``input()`` nor flood it through ``print``.
Only the warm parent reads the commands: it forwards a card's ("exec", "ping") on a channel only it and that
card's process hold. The third fd is the parent's news channel, which no card holds: {"event": "spare", "pid": ...}
names the spare (the next card's process, forked while a card runs: the worker's sweeps must spare it), each spare
says {"event": "spare-ready", "pid": ...} once its at-fork hooks have run, and {"event": "card-ended", "nonce": ...,
"exit" or "signal": ...} says a card's process is gone (reaped), with the nonce of its "card" command.
"""

from __future__ import annotations

import ast
import builtins
import ctypes
import ctypes.util
import gc
import io
import json
import linecache
import os
import random
import re
import resource
import select
import signal
import socket
import stat
import sys
import time
import traceback

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 4, 24, 36, 38
MADV_COLLAPSE, HUGE_PAGE = 25, 2 << 20
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]{4,}")
THIS_FILE = os.path.abspath(__file__)


def strip_addresses(text: str) -> str:
    """Memory addresses differ on every run; a Results block must not."""
    return ADDRESS.sub("", text)


class CappedText(io.TextIOBase):
    """A text stream that keeps the first ``cap`` characters and counts the rest."""

    def __init__(self, cap: int, name: str) -> None:
        self.cap, self.name, self.parts, self.size, self.dropped = cap, name, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.cap - self.size
        if room > 0:
            kept = text[:room]
            self.parts.append(kept)
            self.size += len(kept)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"

    def getvalue(self) -> str:
        """What was kept; the parent adds what native code wrote to the same stream and marks the cut once."""
        return "".join(self.parts)


# ---- confinement --------------------------------------------------------------------------------------------------

def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _unshare(libc: ctypes.CDLL, flags: int, what: str) -> None:
    if libc.unshare(flags) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"unshare({what}) failed: {os.strerror(error)}")
    if flags & CLONE_NEWUSER:  # map ourselves to ourselves, so files we create in the new mounts have an owner
        uid, gid = os.getuid(), os.getgid()
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)


def leave_network() -> str:
    """Enter a new, empty network namespace (only a loopback that is down; no abstract Unix sockets of the host);
    returns what happened. Without root this needs an unprivileged user namespace, which also gives us the
    right to make a private mount namespace afterwards."""
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    _unshare(_libc(), flags, "CLONE_NEWNET")
    return "namespace"


def _mount(libc: ctypes.CDLL, source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    encode = (lambda text: text.encode() if text is not None else None)
    if libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target} failed: {os.strerror(error)}")


def _cover(libc: ctypes.CDLL, folder: str, keep: list, data: str, readonly: bool) -> None:
    """Mount an empty tmpfs on ``folder`` and bind back the paths in ``keep`` (opened first, so they are still
    reachable once covered)."""
    held = []
    for path in keep:
        try:
            held.append((os.open(path, os.O_PATH), path))
        except OSError:
            continue  # gone meanwhile: nothing to keep
    _mount(libc, "tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, data)
    for fd, path in held:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    if readonly:
        _mount(libc, None, folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def isolate_filesystem(plan: dict, in_user_namespace: bool) -> list:
    """A private mount namespace (fail closed: the caller refuses to run anything when this raises):

    * ``binds``: read-only bind mounts of the files the sandbox is handed (the model, assets), so it reads them
      with their own permissions and can change neither them nor their owner or mode;
    * ``cover``: folders the sandbox user must not see (e.g. /root) under an empty read-only tmpfs, with only the
      paths it needs bound back (the Python installation, the worker's folder);
    * ``scratch``: /tmp, /var/tmp, /dev/shm as fresh, size-capped tmpfs private to this worker (host files and
      Unix sockets there are out of sight, and what the sandbox writes vanishes with the namespace);
    * ``hide``: folders such as /run (host daemons' sockets) under an empty read-only tmpfs;
    * ``worker``: the worker's own folder, read-only but for its ``writable`` sub-folders (HOME, the cards'
      folders): without root the sandbox user owns it, and a card renamed the folder of the model's binds and put
      its own files in their place for the next card.

    ``plan`` = {"binds": [{"source", "target"}], "cover": [{"folder", "keep"}], "scratch": [{"folder", "keep"}],
    "hide": [{"folder", "keep"}], "worker": {"folder", "writable"}, "size": bytes}. Returns the folders given
    private scratch space.
    """
    libc = _libc()
    flags = CLONE_NEWNS if os.geteuid() == 0 or in_user_namespace else CLONE_NEWUSER | CLONE_NEWNS
    try:
        _unshare(libc, flags, "CLONE_NEWNS")
    except OSError as error:
        raise OSError(error.errno, f"{error.strerror}: this kernel refuses the private mount namespace every "
                                   "sandbox needs, so no snippet runs here (run as root, or allow unprivileged "
                                   "user namespaces: sysctl kernel.unprivileged_userns_clone=1 / "
                                   "user.max_user_namespaces)") from None
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    for bind in plan.get("binds", []):
        _mount(libc, bind["source"], bind["target"], None, MS_BIND | MS_REC)
        _mount(libc, None, bind["target"], None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for cover in plan.get("cover", []):
        _cover(libc, cover["folder"], cover["keep"], "mode=0755,size=1m", readonly=True)
    for hidden in plan.get("hide", []):
        _cover(libc, hidden["folder"], hidden["keep"], "mode=0755,size=1m", readonly=True)
    scratch = []
    for folder in plan.get("scratch", []):
        _cover(libc, folder["folder"], folder["keep"], f"mode=1777,size={int(plan.get('size', 1 << 30))}",
               readonly=False)
        scratch.append(folder["folder"])
    worker = plan.get("worker")
    if worker:  # last: the worker's folder as the sandbox sees it after the covers above bound it back
        for path in worker["writable"]:
            _mount(libc, path, path, None, MS_BIND)
        _mount(libc, worker["folder"], worker["folder"], None, MS_BIND | MS_REC)
        _mount(libc, None, worker["folder"], None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    return scratch


def collapse_memory() -> int:
    """Back the warm parent's large private anonymous mappings (the heap, the loaded model's tensors) with 2 MiB
    pages where the kernel can (``MADV_COLLAPSE``, Linux 6.1 and later; elsewhere nothing changes). A card's process
    then inherits one page-table entry per 2 MiB instead of 512: forking it costs less, and so does tearing it down
    when the card ends, which is on the next card's path. Pages a card writes are still copied 4 KiB at a time.
    Returns how many bytes were collapsed."""
    libc = _libc()
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return 0
    for fields in regions:
        backed = len(fields) > 5 and fields[5] != "[heap]"
        if len(fields) < 5 or fields[1][:2] != "rw" or fields[1][3] != "p" or backed:
            continue  # only writable private memory that no file backs
        low, high = (int(bound, 16) for bound in fields[0].split("-"))
        start, end = -(-low // HUGE_PAGE) * HUGE_PAGE, high // HUGE_PAGE * HUGE_PAGE
        if end - start >= HUGE_PAGE and libc.madvise(start, end - start, MADV_COLLAPSE) == 0:
            collapsed += end - start
    return collapsed


def wipe_scratch(folders: list) -> None:
    """Remove what the sandbox user wrote in its scratch folders (between cards: the next card starts empty).

    Paths bound back into a scratch folder (this worker's own folder, Python) are other file systems: never
    entered, whoever owns them. Owners could not tell them apart without root: the sandbox user is then us, and
    the worker's folder, its lock and the next card's folder were removed with what the card wrote."""
    me = os.getuid()
    for folder in folders:
        try:
            device = os.stat(folder).st_dev
        except OSError:
            continue
        pending, emptied = [folder], []  # a loop, not recursion: a card may nest folders thousands deep
        while pending:
            try:
                entries = list(os.scandir(pending.pop()))
            except OSError:
                continue
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                    if info.st_dev != device:
                        continue
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(entry.path)
                        if info.st_uid == me:
                            emptied.append(entry.path)
                    elif info.st_uid == me:
                        os.unlink(entry.path)
                except OSError:
                    continue
        for path in reversed(emptied):  # each folder after those inside it
            try:
                os.rmdir(path)
            except OSError:
                continue  # it holds a bound-back path or another owner's file


def _blocked_families() -> set[int]:
    import socket

    return {socket.AF_INET, socket.AF_INET6}


def block_sockets() -> str:
    """Fallback when namespaces are not allowed: refuse IP connections from Python code (native code can bypass)."""
    blocked = _blocked_families()

    def hook(event: str, args: tuple) -> None:
        if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            sock = args[0]
            if getattr(sock, "family", None) in blocked:
                raise PermissionError(f"network access is disabled in the modelhub sandbox ({event})")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            raise PermissionError(f"network access is disabled in the modelhub sandbox ({event})")

    sys.addaudithook(hook)
    return "audit-hook"


def set_limits(limits: dict) -> dict:
    """Apply resource limits; returns the limits actually in force (soft, hard)."""
    applied = {}
    table = {
        "memory": resource.RLIMIT_AS,
        "cpu": resource.RLIMIT_CPU,
        "processes": resource.RLIMIT_NPROC,
        "file_size": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
    }
    for key, which in table.items():
        value = limits.get(key)
        if value:
            resource.setrlimit(which, (int(value), int(value)))
            applied[key] = int(value)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return applied


def drop_capabilities(libc: ctypes.CDLL) -> None:
    """Give up every capability, for good. Without root the sandbox created its own user namespace and holds all
    capabilities in it: a card would unmount the private /tmp (the host's files and sockets are under it), remount
    the model's read-only binds writable, or ptrace the spare despite it being non-dumpable. The bounding set goes
    first (that needs CAP_SETPCAP), then the effective, permitted and inheritable sets; ``execve`` cannot give any
    back (no new privileges, and the sandbox user is not root in its namespace)."""
    try:
        last = int(open("/proc/sys/kernel/cap_last_cap").read())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # two {effective, permitted, inheritable} records, all empty
    if libc.capset(header, data) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"capset failed: {os.strerror(error)}")
    status = open("/proc/self/status").read()
    if any(line.split()[1].strip("0") for line in status.splitlines() if line.startswith(("CapEff", "CapPrm"))):
        raise OSError("capabilities are still held after dropping them")


def drop_privileges(uid: int | None, gid: int | None) -> None:
    """No privilege gain ever (setuid binaries), then the sandbox user, without any capability (in the user
    namespace of an unprivileged sandbox too). The process is made non-dumpable, so a card (which runs in a child
    of this process, as the same user) can neither ptrace it nor write its memory."""
    libc = _libc()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if uid is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise OSError("could not drop to the sandbox user")
    drop_capabilities(libc)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    # what a card orphans (a process that started its own session, say) is re-parented to this warm parent, not to
    # init: the worker's sweeps find and kill it as a descendant (reaped here before the next card starts)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


# ---- determinism -------------------------------------------------------------------------------------------------

def keep_compiled_patterns(size: int = 8192) -> None:
    """Let ``re`` keep more compiled patterns than its default 512. Importing torch and transformers compiles more
    than that in the warm parent, so the oldest were dropped and every card's fresh process compiled them again
    (two of them, about 5 ms, in a sentence-transformers card); now a card inherits them compiled."""
    if isinstance(getattr(re, "_MAXCACHE", None), int):
        re._MAXCACHE = max(re._MAXCACHE, size)


def seed_everything(seed: int) -> None:
    """Seed the RNGs a snippet may use, now and when numpy or torch is imported later."""
    random.seed(seed)
    if "numpy" in sys.modules:
        try:
            sys.modules["numpy"].random.seed(seed)
        except Exception:  # noqa: BLE001 - a broken numpy is the snippet's problem, not ours
            pass
    if "torch" in sys.modules:
        try:
            seed_torch(sys.modules["torch"], seed)
        except Exception:  # noqa: BLE001
            pass


def seed_torch(torch, seed: int) -> None:  # noqa: ANN001
    """``torch.manual_seed`` seeds every device's generator. In a build without GPU support it still queues a lazy
    CUDA call that records the stack, which took 2-9 ms in each card's fresh process, on the card's path: there the
    CPU generator is seeded directly, to the same state. (Whether a GPU is present is not asked: that may initialise
    CUDA in the warm parent, and a CUDA context does not survive the fork into a card's process.)"""
    version = getattr(torch, "version", None)
    if any(getattr(version, name, None) for name in ("cuda", "hip", "xpu")) or torch.backends.mps.is_built():
        torch.manual_seed(seed)
    else:
        torch.default_generator.manual_seed(seed)


class SeedOnImport:
    """A meta-path finder that seeds numpy/torch right after a snippet first imports them."""

    names = ("numpy", "torch")

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001, ANN201
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None or spec.loader is None:
                continue
            original, seed = spec.loader.exec_module, self.seed

            def exec_module(module, _original=original):  # noqa: ANN001, ANN202
                _original(module)
                seed_everything(seed)

            try:
                spec.loader.exec_module = exec_module
            except (AttributeError, TypeError):
                pass
            return spec
        return None


# ---- running cells -----------------------------------------------------------------------------------------------

class Session:
    def __init__(self, setup: dict) -> None:
        self.cap = int(setup.get("output_cap", 100_000))
        self.seed = int(setup.get("seed", 0))
        self.cpu_per_cell = setup.get("cpu_per_cell")
        self.main_pid = self.parent_pid = os.getpid()
        self.namespace: dict = {}
        self.filename = "<snippet>"
        self.runtime_namespace: dict = {"__name__": "__modelhub_runtime__", "__builtins__": builtins}

    def new_card(self, command: dict) -> dict:
        """Set up the card in this (freshly forked) process: globals, working folder, HOME and TMPDIR, RNGs."""
        self.main_pid = os.getpid()
        self.namespace = {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}
        self.filename = command.get("filename") or "<snippet>"
        text = command.get("text")
        if text is not None:
            lines = text.splitlines(keepends=True)
            linecache.cache[self.filename] = (len(text), None, lines, self.filename)
        if command.get("cwd"):
            os.chdir(command["cwd"])
            os.environ["HOME"] = os.environ["TMPDIR"] = command["cwd"]
            if "tempfile" in sys.modules:
                sys.modules["tempfile"].tempdir = None
        seed_everything(self.seed)
        return {"ok": True, "pid": self.main_pid}

    def execute(self, command: dict, namespace: dict | None = None) -> dict:
        code = command.get("code", "")
        line = int(command.get("line", 1))
        filename = command.get("filename") or self.filename
        namespace = self.namespace if namespace is None else namespace
        out, err = CappedText(self.cap, "stdout"), CappedText(self.cap, "stderr")
        saved = sys.stdout, sys.stderr
        value, error = None, None
        self._arm_cpu_limit(command.get("cpu"))
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            sys.stdout, sys.stderr = out, err
            body, last = self._compile(code, line, filename)
            exec(body, namespace)
            if last is not None:
                result = eval(last, namespace)
                if result is not None:
                    value = self._repr(result)
                    namespace["_"] = result
        except BaseException as exc:  # noqa: BLE001 - everything a snippet raises is its result
            if os.getpid() != self.main_pid:
                os._exit(1)
            if isinstance(exc, SystemExit) and exc.code in (None, 0):
                pass
            else:
                error = self._error(exc, filename)
        finally:
            if os.getpid() != self.main_pid:  # a snippet forked and this is the copy: it must never answer
                os._exit(0)
            sys.stdout, sys.stderr = saved
        duration = time.perf_counter() - started
        return {
            "ok": True,
            "stdout": strip_addresses(out.getvalue()),
            "stderr": strip_addresses(err.getvalue()),
            "value": value,
            "error": error,
            "duration": round(duration, 6),
            "cpu": round(time.process_time() - cpu_started, 6),
            "dropped": {"stdout": out.dropped, "stderr": err.dropped},
        }

    def _arm_cpu_limit(self, seconds) -> None:  # noqa: ANN001
        seconds = seconds or self.cpu_per_cell
        if not seconds:
            return
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        wanted = int(usage.ru_utime + usage.ru_stime + float(seconds)) + 1
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (wanted, hard))
        except (ValueError, OSError):
            pass

    @staticmethod
    def _compile(code: str, line: int, filename: str):  # noqa: ANN205
        try:
            tree = ast.parse(code, filename, "exec")
        except SyntaxError as error:
            if error.lineno is not None:
                error.lineno += line - 1
                if getattr(error, "end_lineno", None):
                    error.end_lineno += line - 1
            error.filename = filename
            raise error.with_traceback(None) from None  # the parser's own frames are not the user's business
        ast.increment_lineno(tree, line - 1)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = compile(ast.Expression(tree.body.pop().value), filename, "eval")
        return compile(tree, filename, "exec"), last

    def _repr(self, value) -> str:  # noqa: ANN001
        try:
            text = repr(value)
        except Exception as exc:  # noqa: BLE001
            text = f"<repr failed: {type(exc).__name__}: {exc}>"
        if len(text) > self.cap:
            text = text[: self.cap] + f"\n[... {len(text) - self.cap} more characters not kept]"
        return strip_addresses(text)

    def _error(self, exc: BaseException, filename: str) -> dict:
        """The exception with a traceback that starts at the card and shows card line numbers."""
        tb = exc.__traceback__
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == THIS_FILE:
            tb = tb.tb_next
        exc = exc.with_traceback(tb)
        lines = traceback.format_exception(type(exc), exc, tb)
        line = None
        if isinstance(exc, SyntaxError) and exc.filename == filename:
            line = exc.lineno
        for frame in traceback.extract_tb(tb):
            if frame.filename == filename:
                line = frame.lineno
        text = strip_addresses("".join(lines))
        if len(text) > self.cap:
            text = text[: self.cap // 2] + "\n[...]\n" + text[-self.cap // 2:]
        message = strip_addresses(str(exc))[:2000]
        return {"type": type(exc).__name__, "message": message, "traceback": text, "line": line}


def reap_children() -> dict:
    """Collect exited children (a fork bomb's remains) so they stop counting against the process cap; returns their
    wait statuses by pid."""
    reaped = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped[pid] = status


def _read_command(raw: str | bytes) -> dict:
    try:
        command = json.loads(raw)
    except ValueError:
        return {"op": None}
    return command if isinstance(command, dict) else {"op": None}


def run_card(session: Session, command: dict, commands, reply) -> None:  # noqa: ANN001
    """The forked process of one card: answers "exec" (and "ping") read from ``commands``, its own channel from the
    parent (which forwards them), until it is killed. Never returns."""
    try:
        reply(session.new_card(command), command.get("nonce"))
        for raw in commands:
            reap_children()
            cell = _read_command(raw)
            op, nonce = cell.get("op"), cell.get("nonce")
            if op == "exec":
                reply(session.execute(cell), nonce)
            elif op == "ping":
                reply({"ok": True, "pid": os.getpid()}, nonce)
            else:
                reply({"ok": False, "error": f"{op!r} is not available inside a card"}, nonce)
    finally:
        os._exit(0)


# ---- spares: the next card's process, forked ahead --------------------------------------------------------------

def fingerprint() -> dict:
    """What another process of the sandbox user can change in a waiting spare from outside (prlimit, setpriority,
    sched_setaffinity, sched_setscheduler); the spare compares it with the parent's before it accepts a card.
    Its memory, file descriptors and credentials are out of reach: it is not dumpable (no ptrace, /proc/<pid>/mem,
    pidfd_getfd or process_vm_writev)."""
    limits = {}
    for name in sorted(vars(resource)):
        if name.startswith("RLIMIT_"):
            try:
                limits[name] = resource.getrlimit(getattr(resource, name))
            except (ValueError, OSError):
                continue
    return {"limits": limits, "nice": os.getpriority(os.PRIO_PROCESS, 0), "cpus": sorted(os.sched_getaffinity(0)),
            "policy": os.sched_getscheduler(0)}


def tampering(expected: dict) -> str:
    """Why a spare must not run a card (empty when it may): signals another process sent it while it waited (they
    are blocked, so they are still pending; SIGCONT is the parent's own), or a changed ``fingerprint``."""
    pending = signal.sigpending() - {signal.SIGCONT}
    if pending:
        return "signals sent to it while it waited: " + ", ".join(sorted(sig.name for sig in pending))
    now = fingerprint()
    changed = [key for key in expected if now.get(key) != expected[key]]
    return f"its {', '.join(changed)} changed while it waited" if changed else ""


class Spare:
    """A child forked from the warm parent before its card is known (the fork and the libraries' at-fork hooks run
    while the current card still runs). It waits, every signal blocked, for its card on a socket only it and the
    parent hold; it accepts the card only if nothing changed it from outside meanwhile (``tampering``), else the
    parent discards it and forks another."""

    def __init__(self, session: Session, parent_only: list, reply, news: int) -> None:  # noqa: ANN001
        expected = fingerprint()
        ours, theirs = socket.socketpair()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        gc.freeze()  # the card's collections skip the parent's objects: fewer copy-on-write page copies
        try:
            pid = os.fork()
        finally:
            if os.getpid() == session.parent_pid:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pid == 0:
            ours.close()
            for fd in parent_only:  # the command pipe, the cards' pidfds: the parent's alone
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._wait(session, theirs, expected, mask, reply, news)
        theirs.close()
        self.pid, self.channel = pid, ours

    @staticmethod
    def _wait(session: Session, channel: socket.socket, expected: dict, mask, reply, news: int) -> None:  # noqa: ANN001
        """The spare's side: say it is ready, wait for the card, check itself, run the card (reading its commands
        from the same channel). Never returns."""
        try:
            os.write(news, (json.dumps({"event": "spare-ready", "pid": os.getpid()}) + "\n").encode())
            os.close(news)  # cards never hold the parent's news channel
            commands = channel.makefile("rb")
            data = commands.readline()
            if not data.endswith(b"\n"):
                os._exit(0)  # discarded
            problem = tampering(expected)
            channel.sendall(((problem or "ok") + "\n").encode())
            if problem:
                os._exit(0)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            command = _read_command(data)
        except BaseException:  # noqa: BLE001 - a spare that cannot wait cleanly ends; the parent forks another
            os._exit(1)
        run_card(session, command, commands, reply)

    def hand_over(self, raw: bytes) -> str:
        """Give the card (its command line) to this spare; empty when it took it, else why not (then it is gone)."""
        try:
            os.kill(self.pid, signal.SIGCONT)  # one another process stopped would never answer
            self.channel.settimeout(30)
            self.channel.sendall(raw if raw.endswith(b"\n") else raw + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = self.channel.recv(4096)
                if not chunk:
                    answer = b"it ended while it waited\n"
                    break
                answer += chunk
            problem = answer.decode("utf-8", "replace").strip()
        except OSError as error:
            problem = f"it did not answer ({error})"
        if problem != "ok":
            self.discard()
            return problem
        self.channel.settimeout(None)  # from now on the card's command stream: the parent forwards its commands
        return ""

    def discard(self) -> None:
        """Kill and reap it (its pid stays ours until reaped, so this never signals another process)."""
        try:
            self.channel.close()
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


class Cards:
    """The warm parent's record of its cards' processes. The one running now reads the commands the parent forwards
    on its own channel; the worker kills it when its card is over and does not wait for it to be reaped (tearing
    down a process that mapped the model takes milliseconds). Each process is watched through a pidfd (else polled),
    and when it is reaped the parent tells the worker on the news channel, with the card's nonce."""

    def __init__(self, tell) -> None:  # noqa: ANN001
        self.tell = tell
        self.current: tuple[int, str, socket.socket] | None = None  # pid, nonce, the channel its commands go to
        self.unreaped: dict[int, tuple[str, int]] = {}  # pid -> (nonce, pidfd or -1)

    def pidfds(self) -> list[int]:
        return [fd for _, fd in self.unreaped.values() if fd >= 0]

    def parent_only(self, commands: int) -> list[int]:
        """File descriptors a spare must close: the command pipe, the pidfds, the current card's channel."""
        return [commands, *self.pidfds(), *([self.current[2].fileno()] if self.current else [])]

    @property
    def watched(self) -> bool:
        """Whether every unreaped card's end wakes the parent (else it polls)."""
        return all(fd >= 0 for _, fd in self.unreaped.values())

    def start(self, pid: int, nonce: str, channel: socket.socket) -> None:
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # Linux before 5.3, or Python without it
            pidfd = -1
        self.current, self.unreaped[pid] = (pid, nonce, channel), (nonce, pidfd)

    def forward(self, raw: bytes) -> bool:
        """Hand a command to the current card; False when there is none or it no longer reads."""
        if self.current is None:
            return False
        try:
            self.current[2].sendall(raw)
            return True
        except OSError:
            return False

    def stop(self) -> None:
        """No more commands for the current card. The worker has killed it already; killing it again here (our
        child, not reaped yet: the pid cannot name another process) makes that the parent's own guarantee."""
        if self.current is None:
            return
        pid, _, channel = self.current
        self.current = None
        channel.close()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass

    def reaped(self, statuses: dict) -> None:
        """Tell the worker about each card whose process was reaped, with how it ended."""
        for pid, status in statuses.items():
            if pid not in self.unreaped:
                continue
            nonce, pidfd = self.unreaped.pop(pid)
            if pidfd >= 0:
                os.close(pidfd)
            if self.current is not None and self.current[0] == pid:
                self.current[2].close()
                self.current = None
            code = os.waitstatus_to_exitcode(status)
            self.tell({"event": "card-ended", "nonce": nonce, **({"signal": -code} if code < 0 else {"exit": code})})


def main() -> None:
    commands = int(sys.argv[1])
    replies = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
    news = int(sys.argv[3])  # the parent's own channel to the worker (spares); no card ever holds it

    def reply(data: dict, nonce: str | None) -> None:
        replies.write(json.dumps({**data, "nonce": nonce}, ensure_ascii=False) + "\n")
        replies.flush()

    pending = b""
    while b"\n" not in pending and (chunk := os.read(commands, 1 << 16)):
        pending += chunk
    line, _, pending = pending.partition(b"\n")
    setup = json.loads(line or b"{}")
    hello = setup.get("nonce")
    network = "none"
    try:
        wanted = setup.get("network", "auto")
        if wanted in ("auto", "namespace"):
            try:
                network = leave_network()
            except OSError as error:
                if wanted == "namespace":
                    raise
                network = block_sockets()
                setup.setdefault("notes", []).append(str(error))
        elif wanted == "audit-hook":
            network = block_sockets()
        elif wanted == "allow":
            network = "allowed"
        scratch = isolate_filesystem(setup.get("mounts") or {}, in_user_namespace=network == "namespace")
        scratch.append(setup.get("home") or os.environ.get("HOME", ""))
        limits = set_limits(setup.get("limits", {}))
        drop_privileges(setup.get("uid"), setup.get("gid"))
    except Exception as error:  # noqa: BLE001 - a sandbox that cannot confine must not run anything
        reply({"ok": False, "error": f"sandbox setup failed: {type(error).__name__}: {error}"}, hello)
        return
    sys.meta_path.insert(0, SeedOnImport(int(setup.get("seed", 0))))
    keep_compiled_patterns()
    sys.argv = ["snippet"]
    session = Session(setup)
    reply({"ok": True, "pid": os.getpid(), "uid": os.getuid(), "network": network, "limits": limits,
           "python": sys.version.split()[0], "notes": setup.get("notes", [])}, hello)
    # The warm parent: it never runs card code itself. Each card runs in a child forked from it (copy-on-write keeps
    # the loaded model); the parent forwards it the commands meant for it. The next card's child is forked as soon
    # as a card starts (a spare), so fork and at-fork hooks are off its path.
    def tell(event: dict) -> None:
        try:
            os.write(news, (json.dumps(event) + "\n").encode())
        except OSError:
            pass  # the worker stopped listening: it is closing

    cards, spare, running = Cards(tell), None, True
    os.set_blocking(commands, False)
    while running:
        poller = select.poll()  # a new one each time: it holds no file descriptor a card's process could inherit
        for fd in (commands, *cards.pidfds()):
            poller.register(fd, select.POLLIN)
        poller.poll(None if cards.watched else 100)
        statuses = reap_children()
        if spare is not None and spare.pid in statuses:
            spare.channel.close()
            spare = None  # it died (another card's process killed it): reaped, so it is no longer ours to kill
        cards.reaped(statuses)
        try:
            chunk = os.read(commands, 1 << 20)
        except BlockingIOError:
            chunk = None
        if chunk == b"":
            break  # the worker is gone
        pending += chunk or b""
        while running and b"\n" in pending:
            raw, _, pending = pending.partition(b"\n")
            raw += b"\n"
            command = _read_command(raw)
            op, nonce = command.get("op"), command.get("nonce")
            if op in ("exec", "ping") and cards.current is not None:
                if not cards.forward(raw):
                    reply({"ok": False, "error": "the card's process no longer reads its commands"}, nonce)
            elif op == "card":
                cards.stop()
                wipe_scratch(scratch)  # what the previous card wrote is gone before the next one starts
                pid, problems = 0, []
                for _ in range(2):  # the spare, else one forked now (nothing runs meanwhile: it cannot be tampered)
                    try:
                        spare = spare or Spare(session, cards.parent_only(commands), reply, news)
                    except OSError as error:
                        problems.append(f"fork failed: {error}")
                        break
                    problem = spare.hand_over(raw)
                    if not problem:
                        cards.start(spare.pid, nonce, spare.channel)
                        pid = spare.pid
                    spare = None
                    if pid:
                        break
                    problems.append(f"a spare process was discarded: {problem}")
                if not pid:
                    reply({"ok": False, "error": "the card's process did not start: " + "; ".join(problems)}, nonce)
                    continue
                try:
                    spare = Spare(session, cards.parent_only(commands), reply, news)
                except OSError:
                    spare = None
                tell({"event": "spare", "pid": spare.pid if spare else 0, "discarded": problems})
            elif op == "runtime":  # code the runtime runs in the warm parent (imports, the model): every card sees it
                cards.stop()
                if spare is not None:
                    spare.discard()  # forked before this code ran: it would not see it
                    spare = None
                answer = session.execute(command, session.runtime_namespace)
                collapse_memory()  # before the next spare is forked: every card's process inherits the result
                reply(answer, nonce)
            elif op == "ping":
                reply({"ok": True, "pid": os.getpid()}, nonce)
            elif op == "exit":
                reply({"ok": True}, nonce)
                running = False
            elif op == "exec":
                reply({"ok": False, "error": "the card's process has ended"}, nonce)
            else:
                reply({"ok": False, "error": f"unknown op {op!r}"}, nonce)
    cards.stop()
    if spare is not None:
        spare.discard()
    replies.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
