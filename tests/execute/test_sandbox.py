"""Hostile snippets are contained and reported, and the cards after them still run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from generator.card import read_card
from generator.execute import sandbox
from generator.execute.runner import Executor
from generator.execute.sandbox import SandboxLimits
from generator.execute.store import results_path
from generator.execute.worker import Worker

from .conftest import Catalog, listening, write_config

SECRET = "s3cr3t-value-that-must-not-leak"


def hostile_card(catalog: Catalog, name: str, code: str) -> Path:
    return catalog.card(f"{name}.md", f"---\nname: {name}\nruntime: python\n---\n\n# {name}\n\n```python\n{code}\n```\n")


def processes_of(uids: set[int]) -> list[int]:
    """Live processes owned by the given sandbox users (there must be none once a run is over)."""
    return [process.pid for process in sandbox._processes() if process.owner in uids]


@pytest.fixture(scope="module")
def hostile_listener():
    with listening() as server:
        yield server


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, hostile_listener):
    """One run over a catalog of hostile cards (and a harmless one after them), shared by the tests below."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "cards").mkdir()
    catalog = Catalog(root, root / "cards")
    write_config(root, {"snippet_timeout": 4, "card_timeout": 30, "memory": 512 * 1024**2, "processes": 48,
                        "cpu_per_cell": 30, "output_cap": 10_000})
    cards = {
        "loop": "while True:\n    pass",
        "memory": "hoard = []\nwhile True:\n    hoard.append(bytearray(64 * 1024 * 1024))",
        "forkbomb": "import os\nwhile True:\n    os.fork()",
        "network": f"import socket\nsocket.create_connection(('127.0.0.1', {hostile_listener.port}), timeout=3)",
        "secret": ("import os\nprint(os.environ.get('MODELHUB_TEST_SECRET'))\nprint(sorted(os.environ))\n"
                   "try:\n    print(open(f'/proc/{os.getppid()}/environ', 'rb').read())\n"
                   "except OSError as error:\n    print(type(error).__name__)"),
        "flood": "for _ in range(100):\n    print('x' * 1_000_000)",
        "after": "print('still running')\n6 * 7",
    }
    paths = {name: hostile_card(catalog, name, code) for name, code in cards.items()}
    used: set[int] = set()
    reserve = sandbox.reserve_user

    def recording_reserve(*args, **kwargs):
        user = reserve(*args, **kwargs)
        used.add(user.uid)
        return user

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODELHUB_TEST_SECRET", SECRET)
        patch.setattr(sandbox, "reserve_user", recording_reserve)
        executor = Executor(catalog.config, "force")
        runs = executor.run([read_card(path) for path in paths.values()])
    return {name: runs[str(path)] for name, path in paths.items()}, paths, executor, used - {None}


def test_an_infinite_loop_is_stopped_by_the_wall_clock_timeout(hostile_run):
    runs, _, _, _ = hostile_run
    assert runs["loop"]["status"] == "failed"
    assert "timed out after 4 s" in runs["loop"]["reason"]


def test_a_memory_hog_gets_a_memory_error_at_the_cap(hostile_run):
    runs, _, _, _ = hostile_run
    assert runs["memory"]["status"] == "failed"
    assert "MemoryError" in runs["memory"]["reason"]


def test_a_fork_bomb_hits_the_process_cap_and_leaves_nothing_behind(hostile_run):
    runs, _, _, uids = hostile_run
    assert runs["forkbomb"]["status"] == "failed"
    assert "Resource temporarily unavailable" in runs["forkbomb"]["reason"]
    assert processes_of(uids) == []


def test_a_connection_to_a_loopback_server_never_arrives(hostile_run, hostile_listener):
    runs, _, _, _ = hostile_run
    assert runs["network"]["status"] == "failed"
    assert "OSError" in runs["network"]["reason"] or "PermissionError" in runs["network"]["reason"]
    assert hostile_listener.accepted == []


def test_secrets_in_the_parent_environment_are_not_visible(hostile_run):
    runs, _, _, _ = hostile_run
    output = runs["secret"]["results_text"]
    assert runs["secret"]["status"] == "ok"
    assert SECRET not in output
    assert output.splitlines()[0] == "None"
    assert "MODELHUB_TEST_SECRET" not in output
    if sandbox.is_root():  # a separate user cannot read our /proc/<pid>/environ either
        assert output.splitlines()[-1] == "PermissionError"


def test_printing_100_mb_keeps_only_the_output_cap_once(hostile_run):
    runs, paths, _, _ = hostile_run
    stdout = runs["flood"]["cells"][0]["stdout"]
    assert runs["flood"]["status"] == "ok"
    assert 10_000 < len(stdout) < 10_200  # the cap, once, plus one marker
    assert stdout.count("not kept") == 1
    assert "more characters of stdout not kept: output cap is 10000" in stdout
    assert len(runs["flood"]["results_text"]) < 10_200
    assert results_path(paths["flood"]).stat().st_size < 15_000  # the output is stored once


def test_native_and_python_output_share_one_cap():
    with Worker.start(SandboxLimits(snippet_timeout=20, output_cap=1000)) as worker:
        worker.begin_card("cards/both.md")
        cell = worker.execute("import os, sys\nprint('p' * 5000)\nsys.stdout.flush()\nos.write(1, b'n' * 5000)")
    assert len(cell.stdout) < 1100 and cell.stdout.count("not kept") == 1 and cell.truncated
    assert cell.stdout.startswith("p" * 1000)


def test_cards_after_hostile_ones_still_run(hostile_run):
    runs, _, executor, _ = hostile_run
    assert runs["after"]["status"] == "ok"
    assert runs["after"]["results_text"] == "still running\n42"
    assert executor.counts["workers"] == 1  # each attack ended its own card's process; the warm worker served all


def test_the_cpu_time_cap_stops_a_busy_loop_before_the_wall_clock(tmp_path):
    limits = SandboxLimits(snippet_timeout=60, cpu_per_cell=1)
    with Worker.start(limits) as worker:
        worker.begin_card("cards/busy.md")
        cell = worker.execute("while True:\n    pass", line=7)
    assert cell.error is not None
    assert "CPU-time limit exceeded" in cell.error["message"]
    assert cell.duration < 30


def test_background_processes_are_killed_after_each_cell():
    with Worker.start(SandboxLimits(snippet_timeout=20)) as worker:
        worker.begin_card("cards/bg.md")
        started = worker.execute("import subprocess\np = subprocess.Popen(['sleep', '300'])\np.pid")
        pid = int(started.value)
        assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
        assert worker.execute("1 + 1").value == "2"


def test_the_audit_hook_fallback_also_blocks_connections(listener):
    with Worker.start(SandboxLimits(snippet_timeout=20, network="audit-hook")) as worker:
        worker.begin_card("cards/net.md")
        cell = worker.execute(f"import socket\nsocket.create_connection(('127.0.0.1', {listener.port}), timeout=3)")
    assert worker.hello["network"] == "audit-hook"
    assert cell.error["type"] == "PermissionError"
    assert "network access is disabled" in cell.error["message"]
    assert listener.accepted == []


def test_network_isolation_reports_the_mechanism_in_force():
    mechanism = sandbox.network_isolation()
    assert mechanism in ("namespace", "audit-hook")
    with Worker.start(SandboxLimits()) as worker:
        assert worker.hello["network"] == mechanism


@pytest.mark.skipif(not sandbox.is_root(), reason="a separate sandbox user needs root")
def test_the_sandbox_runs_as_its_own_user_and_cannot_read_private_files():
    probe = ("import os\n"
             "def attempt(action):\n"
             "    try:\n"
             "        return action()\n"
             "    except OSError as error:\n"
             "        return type(error).__name__\n")
    with Worker.start(SandboxLimits()) as worker:
        worker.begin_card("cards/who.md")
        worker.execute(probe)
        uid = worker.execute("os.getuid()").value
        home = worker.execute("os.path.expanduser('~')").value
        shadow = worker.execute("attempt(lambda: open('/etc/shadow').read()[:0])").value
        root_home = worker.execute("attempt(lambda: sorted(os.listdir('/root')))").value
    assert sandbox.UID_BASE <= int(uid) < sandbox.UID_BASE + sandbox.UID_COUNT
    assert "modelhub-worker-" in home
    if Path("/etc/shadow").exists():
        assert shadow == "'PermissionError'"
    private = sorted(name for name in os.listdir("/root") if name != ".pyenv")
    # /root is either unreadable, or covered by an empty tmpfs that only holds the Python installation
    assert root_home in ("'PermissionError'", "[]", "['.pyenv']"), (root_home, private)


# ---- telling a live process from one that can no longer run code ---------------------------------------------------

def _child(code: str) -> int:
    """A forked child of this test that runs ``code`` (Python) and then sleeps; the caller kills and reaps it."""
    pid = os.fork()
    if pid == 0:
        try:
            exec(code, {})
            time.sleep(60)
        finally:
            os._exit(0)
    return pid


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def test_a_sleeping_or_stopped_process_may_run_code_and_a_killed_one_may_not():
    pid = _child("")
    try:
        assert sandbox.may_run_code(pid)
        assert not sandbox.wait_exiting(pid, 0.05)  # alive: waiting for it to exit times out
        os.kill(pid, signal.SIGSTOP)
        assert sandbox.may_run_code(pid)  # stopped is not dead: SIGCONT resumes it
        os.kill(pid, signal.SIGKILL)
        assert sandbox.wait_exiting(pid, 10)
        assert not sandbox.may_run_code(pid)  # exiting or a zombie, not reaped yet
        assert pid not in {process.pid for process in sandbox._processes(os.getuid())}
    finally:
        _reap(pid)
    assert not sandbox.may_run_code(pid)  # gone


def test_a_process_whose_main_thread_exited_may_still_run_code():
    pid = _child("import ctypes, threading, time\n"
                 "threading.Thread(target=time.sleep, args=(60,)).start()\n"
                 "ctypes.CDLL(None).pthread_exit(None)")
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert sandbox.may_run_code(pid)  # its main thread is a zombie; its other thread is not
        assert pid in {process.pid for process in sandbox._processes(os.getuid())}
    finally:
        _reap(pid)


def test_the_descendant_sweep_reaches_a_live_grandchild_through_an_exiting_child():
    """A process that is exiting keeps its children until it is a zombie (tearing down 1 GiB takes a while): the
    sweep must walk through it to them, or the grandchild outlives its card."""
    read, write = os.pipe()
    ancestor = os.fork()
    if ancestor == 0:  # the warm parent's stand-in: it forks the child and waits
        try:
            child = os.fork()
            if child == 0:
                memory = bytearray(1 << 30)  # touched: its teardown takes long enough to be seen exiting
                for offset in range(0, len(memory), 4096):
                    memory[offset] = 1
                grandchild = os.fork()
                if grandchild == 0:
                    time.sleep(60)
                    os._exit(0)
                os.write(write, f"{os.getpid()} {grandchild}\n".encode())
                time.sleep(60)
            os.waitpid(child, 0)
            time.sleep(60)
        finally:
            os._exit(0)
    grandchild = 0
    try:
        child, grandchild = (int(pid) for pid in os.read(read, 100).split())
        os.kill(child, signal.SIGKILL)  # the grandchild is still the child's until the child is a zombie
        assert sandbox.wait_exiting(child, 10)
        sandbox.kill_descendants(ancestor, keep=(ancestor,))
        deadline = time.monotonic() + 10
        while sandbox.may_run_code(grandchild):
            assert time.monotonic() < deadline, "the grandchild survived the sweep"
            time.sleep(0.01)
    finally:
        if grandchild and sandbox.may_run_code(grandchild):
            os.kill(grandchild, signal.SIGKILL)  # only when the test failed: it is not ours to reap
        _reap(ancestor)
        os.close(read)
        os.close(write)
