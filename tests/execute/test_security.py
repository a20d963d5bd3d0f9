"""Attacks on the sandbox, performed for real: each one must fail, and a harmless card after them still gets the
same Results as in a catalog without them.

Covered here: one card forging another's Results (patching the warm worker's objects, stuffing the reply pipe,
leaving a process behind), writes that outlive a card (/tmp, /var/tmp, /dev/shm, HOME), host Unix sockets, the
handed-over model (rewritten, re-owned, replaced), stale worker folders after kill -9, and a sandbox whose
confinement cannot be set up (nothing runs). Loops, memory, fork bombs, the network and secrets are in
``test_sandbox.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from generator.card import read_card
from generator.execute import sandbox
from generator.execute.runner import Executor
from generator.execute.sandbox import SandboxLimits
from generator.execute.worker import Worker, WorkerError

from .conftest import Catalog, write_config

HARMLESS = "import random\nprint('harmless', random.random())\n6 * 7"


def card_text(name: str, code: str, front: str = "") -> str:
    return f"---\nname: {name}\nruntime: python\n{front}---\n\n# {name}\n\n```python\n{code}\n```\n"


def make_catalog(root: Path) -> Catalog:
    (root / "cards").mkdir(parents=True)
    write_config(root, {"snippet_timeout": 20, "card_timeout": 60, "memory": 1024**3, "processes": 64,
                        "cpu_per_cell": 20, "output_cap": 10_000})
    return Catalog(root, root / "cards")


def run_cards(catalog: Catalog, cards: dict[str, str]) -> dict[str, dict]:
    paths = {name: catalog.card(f"{name}.md", text) for name, text in cards.items()}
    runs = Executor(catalog.config, "force").run([read_card(path) for path in paths.values()])
    return {name: runs[str(path)] for name, path in paths.items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """The harmless card's run in a catalog of its own."""
    catalog = make_catalog(tmp_path_factory.mktemp("reference"))
    return run_cards(catalog, {"harmless": card_text("harmless", HARMLESS)})["harmless"]


def same_results(run: dict, reference: dict) -> bool:
    return run["status"] == reference["status"] == "ok" and run["results_text"] == reference["results_text"]


# ---- one card forging another's Results ------------------------------------------------------------------------

FORGER = textwrap.dedent('''
    import gc, json, os, sys, threading, time
    forged = {"ok": True, "stdout": "FORGED\\n", "stderr": "", "value": None, "error": None, "duration": 0, "cpu": 0}
    # 1. patch the worker's own objects: the session's execute, the reply encoder, print and the output class
    for obj in gc.get_objects():
        if type(obj).__name__ == "Session":
            obj.execute = lambda command, namespace=None: dict(forged)
            obj.new_card = lambda command: {"ok": True, "pid": os.getpid()}
    json.dumps = lambda *args, **kwargs: json.JSONEncoder().encode({**forged, "nonce": (args[0] or {}).get("nonce")})
    sys.modules["builtins"].print = lambda *args, **kwargs: None
    # 2. stuff every pipe we hold with forged replies, for any nonce
    line = (json.JSONEncoder().encode(forged) + "\\n").encode()
    for fd in range(3, 64):
        try:
            os.write(fd, line * 20 + b'{"ok": true, "stdout": "FORGED')  # and a half line to glue onto the next
        except OSError:
            pass
    # 3. leave something behind that keeps forging later
    def later():
        while True:
            for fd in range(3, 64):
                try:
                    os.write(fd, line)
                except OSError:
                    pass
            time.sleep(0.01)
    threading.Thread(target=later, daemon=True).start()
    if os.fork() == 0:
        os.setsid()
        later()
    print("patched")
''').strip()


@pytest.fixture(scope="module")
def forgery(tmp_path_factory) -> dict[str, dict]:
    catalog = make_catalog(tmp_path_factory.mktemp("forgery"))
    return run_cards(catalog, {
        "a-forger": card_text("a-forger", FORGER),
        "b-raises": card_text("b-raises", "raise ValueError('the real error of card b')"),
        "c-prints": card_text("c-prints", "print('the real output of card c')"),
        "d-harmless": card_text("d-harmless", HARMLESS),
    })


def test_a_card_that_patches_the_worker_cannot_forge_a_later_cards_error(forgery):
    run = forgery["b-raises"]
    assert run["status"] == "failed"
    assert "ValueError: the real error of card b" in run["reason"]
    assert "FORGED" not in str(run["cells"])


def test_a_card_that_patches_the_worker_cannot_forge_a_later_cards_output(forgery):
    run = forgery["c-prints"]
    assert run["status"] == "ok"
    assert run["results_text"] == "the real output of card c"


def test_a_harmless_card_after_the_forger_gets_the_same_results(forgery, reference):
    assert same_results(forgery["d-harmless"], reference)
    assert forgery["a-forger"]["sandbox"]["network"] == "namespace" or not sandbox.is_root()


GHOST = textwrap.dedent('''
    import ctypes, os, threading, time
    if os.fork() == 0:  # a process whose main thread exits while another thread keeps writing into the output pipe
        def forge():
            while True:
                os.write(1, b"FORGED by an earlier card\\n")
                time.sleep(0.02)
        threading.Thread(target=forge).start()
        ctypes.CDLL(None).pthread_exit(None)
    time.sleep(0.5)  # the main thread is a zombie before the sweep looks: /proc/<pid>/stat says "Z"
    print("ghost started")
''').strip()


def test_a_process_whose_main_thread_exited_dies_with_its_card():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.begin_card("cards/ghost.md")
        assert worker.execute(GHOST).stdout.startswith("ghost started")
        for name in ("b", "c"):
            worker.begin_card(f"cards/{name}.md")
            cell = worker.execute("import time\ntime.sleep(0.3)\nprint('the real output')")
            assert cell.stdout == "the real output\n"


# ---- the next card's process, forked while a card runs (the spare) ---------------------------------------------

FIND_SPARE = textwrap.dedent('''
    import os, resource, signal
    def siblings():
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != os.getpid():
                try:
                    stat = open(f"/proc/{name}/stat").read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == os.getppid():
                    found.append(int(name))
        return found
''').strip()

SPARE_ATTACKS = {
    "stop": "os.kill(pid, signal.SIGSTOP)",
    "signal": "os.kill(pid, signal.SIGUSR1); os.kill(pid, signal.SIGTERM)",
    "kill": "os.kill(pid, signal.SIGKILL)",
    "prlimit": "resource.prlimit(pid, resource.RLIMIT_NOFILE, (16, 16)); resource.prlimit(pid, resource.RLIMIT_AS, "
               "(1 << 26, 1 << 26))",
    "renice": "os.setpriority(os.PRIO_PROCESS, pid, 19)",
    "affinity": "os.sched_setaffinity(pid, {sorted(os.sched_getaffinity(pid))[0]})",
}
STATE = ("import os, resource\n(resource.getrlimit(resource.RLIMIT_NOFILE), resource.getrlimit(resource.RLIMIT_AS), "
         "os.getpriority(os.PRIO_PROCESS, 0), len(os.sched_getaffinity(0)))")


@pytest.mark.parametrize("attack", sorted(SPARE_ATTACKS))
def test_a_card_that_tampers_with_the_next_cards_process_changes_nothing(attack):
    """The spare runs as the card's user while the card runs: signals, prlimit, setpriority and affinity reach
    it. The next card must run as if nothing happened: a changed spare is discarded and a fresh one forked."""
    limits = SandboxLimits(snippet_timeout=20, processes=64)
    with Worker.start(limits) as reference:
        reference.begin_card("cards/reference.md")
        expected = reference.execute(STATE).value
    with Worker.start(limits) as worker:
        worker.begin_card("cards/attacker.md")
        assert worker.spare_ready()
        cell = worker.execute(f"{FIND_SPARE}\nfor pid in siblings():\n    {SPARE_ATTACKS[attack]}\nsiblings()")
        assert cell.error is None, cell.error
        assert cell.value == f"[{worker.spare}]"  # the attack reached the spare, and only it
        worker.begin_card("cards/victim.md")
        started = time.monotonic()
        assert worker.execute(STATE).value == expected
        assert worker.execute(HARMLESS).value == "42"
        assert time.monotonic() - started < 10
        if attack in ("signal", "prlimit", "renice", "affinity") and len(os.sched_getaffinity(0)) > 1:
            assert any("discarded" in reason or "changed" in reason or "signals" in reason
                       for reason in worker.discarded), worker.discarded


def test_a_card_cannot_read_the_spares_memory_nor_forge_the_parents_news():
    """Forged news naming a leftover process as the spare would keep it alive into the next card."""
    with Worker.start(SandboxLimits(snippet_timeout=20, processes=64)) as worker:
        worker.begin_card("cards/attacker.md")
        assert worker.spare_ready()
        spare = worker.spare
        cell = worker.execute(FIND_SPARE + textwrap.dedent('''
            import json, time
            refused = []
            for pid in siblings():
                for what in ("mem", "environ", "fd/0"):
                    try:
                        open(f"/proc/{pid}/{what}", "rb").read(1)
                    except OSError:
                        refused.append(what)
            leftover = os.fork()
            if leftover == 0:
                time.sleep(60)
                os._exit(0)
            for fd in range(3, 256):
                try:
                    os.write(fd, (json.dumps({"event": "spare", "pid": leftover}) + "\\n").encode())
                except OSError:
                    pass
            print(leftover, refused)
        '''))
        leftover, refused = cell.stdout.split(" ", 1)
        assert refused.strip() == "['mem', 'environ', 'fd/0']"
        assert worker.spare == spare
        assert not Path(f"/proc/{leftover}").exists() or Path(f"/proc/{leftover}/stat").read_text().split()[2] == "Z"
        worker.begin_card("cards/next.md")
        assert worker.execute("import os\nos.getpid()").value == str(spare)


# ---- writes that outlive a card, host sockets ------------------------------------------------------------------

@pytest.fixture(scope="module")
def host_socket():
    """A Unix-domain socket on the host's /tmp that anyone may connect to, and a host file beside it."""
    path = Path("/tmp") / f"modelhub-test-{uuid.uuid4().hex[:8]}.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    path.chmod(0o777)
    server.listen(4)
    server.settimeout(0.2)
    marker = path.with_suffix(".txt")
    marker.write_text("host file")
    marker.chmod(0o644)
    yield path, marker, server
    server.close()
    path.unlink(missing_ok=True)
    marker.unlink(missing_ok=True)


SCRATCH_WRITER = textwrap.dedent('''
    import os
    for folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")):
        with open(os.path.join(folder, "left-by-{tag}"), "w") as handle:
            handle.write("left behind")
    print(sorted(os.listdir("/tmp")))
''').strip()

SCRATCH_READER = textwrap.dedent('''
    import os
    found = [folder for folder in ("/tmp", "/var/tmp", "/dev/shm")
             if any(name.startswith("left-by-") for name in os.listdir(folder))]
    print("leftovers:", found)
    print("host file:", os.path.exists("{marker}"))
    import socket
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect("{socket}")
        print("connected")
    except OSError as error:
        print("socket:", type(error).__name__)
''').strip()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, host_socket) -> tuple[dict[str, dict], str]:
    path, marker, _ = host_socket
    tag = uuid.uuid4().hex[:8]
    catalog = make_catalog(tmp_path_factory.mktemp("scratch"))
    runs = run_cards(catalog, {
        "a-writer": card_text("a-writer", SCRATCH_WRITER.format(tag=tag)),
        "b-reader": card_text("b-reader", SCRATCH_READER.format(marker=marker, socket=path)),
    })
    return runs, tag


def test_each_card_sees_a_private_empty_tmp(scratch):
    runs, tag = scratch
    assert runs["a-writer"]["status"] == "ok"
    listed = runs["a-writer"]["results_text"]
    assert "modelhub-test-" not in listed  # the host's /tmp is out of sight
    assert "leftovers: []" in runs["b-reader"]["results_text"]  # the next card starts with empty scratch folders


def test_scratch_writes_are_gone_from_the_host_after_the_run(scratch):
    _, tag = scratch
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        if Path(folder).is_dir():
            assert not (Path(folder) / f"left-by-{tag}").exists()


def test_host_unix_sockets_and_files_in_tmp_are_unreachable(scratch, host_socket):
    runs, _ = scratch
    _, _, server = host_socket
    text = runs["b-reader"]["results_text"]
    assert "host file: False" in text
    assert "socket: FileNotFoundError" in text and "connected" not in text
    with pytest.raises(socket.timeout):
        server.accept()


# ---- the model the sandbox is handed ---------------------------------------------------------------------------

MODEL_ATTACKER = textwrap.dedent('''
    import os, shutil
    def attempt(action):
        try:
            action()
            return "done"
        except OSError as error:
            return type(error).__name__
    target = os.path.realpath("weights.bin")
    print("write", attempt(lambda: open("weights.bin", "r+b").write(b"POISON")))
    print("chmod", attempt(lambda: os.chmod("weights.bin", 0o666)))
    print("unlink", attempt(lambda: os.unlink(target)))
    print("rename", attempt(lambda: os.rename(os.path.dirname(target), os.path.dirname(target) + "-old")))
    print("replace", attempt(lambda: open(os.path.join(os.path.dirname(target), "extra.bin"), "wb")))
    print("config", attempt(lambda: open("{config}", "a").write('network = "allow"')))
''').strip()


@pytest.fixture(scope="module")
def handed_model(tmp_path_factory) -> dict:
    catalog = make_catalog(tmp_path_factory.mktemp("model"))
    model = catalog.root / "model"
    model.mkdir()
    weights = model / "weights.bin"
    weights.write_bytes(b"real weights")
    weights.chmod(0o644)
    before = weights.stat()
    front = "artifact:\n  url: ../model\n"
    runs = run_cards(catalog, {
        "a-attacker": card_text("a-attacker", MODEL_ATTACKER.replace("{config}", str(catalog.root / "pyproject.toml")),
                                front),
        "b-reader": card_text("b-reader", "print(open('weights.bin', 'rb').read())", front),
    })
    return {"runs": runs, "weights": weights, "before": before, "root": catalog.root}


def test_the_handed_model_is_read_only_to_the_sandbox(handed_model):
    text = handed_model["runs"]["a-attacker"]["results_text"]
    assert handed_model["runs"]["a-attacker"]["status"] == "ok", handed_model["runs"]["a-attacker"]
    for action in ("write", "chmod", "unlink", "rename", "replace", "config"):
        assert f"{action} done" not in text, text


def test_the_original_keeps_its_content_owner_and_mode(handed_model):
    weights, before = handed_model["weights"], handed_model["before"]
    after = weights.stat()
    assert weights.read_bytes() == b"real weights"
    assert (after.st_uid, after.st_gid, after.st_mode, after.st_nlink) == \
        (before.st_uid, before.st_gid, before.st_mode, before.st_nlink)
    assert 'network = "allow"' not in (handed_model["root"] / "pyproject.toml").read_text()


def test_a_later_card_reads_the_real_model(handed_model):
    run = handed_model["runs"]["b-reader"]
    assert run["status"] == "ok" and run["results_text"] == "b'real weights'"


@pytest.mark.skipif(not sandbox.is_root(), reason="a separate sandbox user needs root")
def test_a_file_the_sandbox_user_may_not_read_is_not_handed_over(tmp_path):
    catalog = make_catalog(tmp_path)
    private = catalog.root / "private"
    private.mkdir()
    (private / "secret.bin").write_text("root only")
    (private / "secret.bin").chmod(0o600)
    runs = run_cards(catalog, {"thief": card_text("thief", "print(open('secret.bin').read())",
                                                  "artifact:\n  url: ../private\n")})
    assert runs["thief"]["status"] == "not_executed"
    assert "not readable by the sandbox user (mode 600)" in runs["thief"]["reason"]
    assert (private / "secret.bin").stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not sandbox.is_root(), reason="creating a file owned by another user needs root")
def test_a_0600_model_file_of_another_user_is_refused_before_anything_runs(tmp_path):
    model = tmp_path / "weights.bin"
    model.write_text("another user's weights")
    os.chown(model, 12345, 12345)
    model.chmod(0o600)

    def prepare(root: Path, uid: int | None) -> None:
        sandbox.expose(model, root / "model" / "weights.bin", uid)

    with pytest.raises(sandbox.SandboxError, match="not readable by the sandbox user \\(mode 600\\)"):
        Worker.start(SandboxLimits(snippet_timeout=20), prepare=prepare)
    assert (model.stat().st_uid, model.stat().st_mode & 0o777) == (12345, 0o600)


# ---- worker folders and fail-closed set-up ---------------------------------------------------------------------

def test_a_worker_folder_left_by_kill_9_is_removed_at_the_next_start(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    script = ("import sys, tempfile, time\n"
              f"tempfile.tempdir = {str(tmp_path)!r}\n"
              "from generator.execute.worker import Worker\n"
              "worker = Worker.start()\n"
              "print(worker.root, flush=True)\n"
              "time.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        left = Path(owner.stdout.readline().strip())
        assert left.is_dir()
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert left.is_dir()  # nobody cleaned up: the owner was killed
    with Worker.start(SandboxLimits()) as worker:
        assert worker.root.is_dir()
        assert not left.exists()


def test_the_folder_of_a_live_worker_is_spared_by_the_next_start(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Worker.start(SandboxLimits()) as live:
        live.begin_card("cards/live.md")
        with Worker.start(SandboxLimits()) as other:  # its start cleans stale folders: the live one holds its lock
            assert other.root != live.root
        assert live.root.is_dir()
        assert live.execute("6 * 7").value == "42"


def test_a_sandbox_whose_mounts_fail_runs_nothing(monkeypatch):
    original = sandbox.mount_plan

    def broken(*args, **kwargs):
        plan = original(*args, **kwargs)
        plan["binds"].append({"source": "/nonexistent/modelhub-model", "target": "/nonexistent/target"})
        return plan

    monkeypatch.setattr(sandbox, "mount_plan", broken)
    with pytest.raises(WorkerError, match="sandbox setup failed: .*mount"):
        Worker.start(SandboxLimits())


def test_a_card_that_floods_the_reply_pipe_ends_only_itself():
    with Worker.start(SandboxLimits(snippet_timeout=20, output_cap=1000)) as worker:
        worker.begin_card("cards/flood.md")
        cell = worker.execute("import os\nfor fd in range(3, 32):\n    try:\n        os.write(fd, b'x' * (1 << 21))\n"
                              "    except OSError:\n        pass\n")
        assert cell.error is not None
        worker.begin_card("cards/next.md")
        started = time.monotonic()
        assert worker.execute("6 * 7").value == "42"
        assert time.monotonic() - started < 10


# ---- paths that lead outside the catalog -----------------------------------------------------------------------

def path_cards(catalog: Catalog) -> dict[str, str]:
    (catalog.root / "inside.txt").write_text("inside the catalog")
    (catalog.root / "inside.txt").chmod(0o644)
    (catalog.root / "escape").symlink_to("/etc")
    reader = "import os\nprint(sorted(os.listdir('.')))"
    return {
        "asset-shadow": card_text("asset-shadow", "print(open('x').read())", "assets:\n  x: /etc/shadow\n"),
        "artifact-file-url": card_text("artifact-file-url", reader, "artifact:\n  url: file:///etc/passwd\n"),
        "artifact-dotdot": card_text("artifact-dotdot", reader, "artifact: {url: ../../../../../../etc/hostname}\n"),
        "asset-symlink": card_text("asset-symlink", reader, "assets:\n  ok: ../inside.txt\n  y: ../escape/passwd\n"),
        "asset-pkg-escape": card_text("asset-pkg-escape", reader, "assets:\n  z: pkg://json/../../../../etc/passwd\n"),
        "inside": card_text("inside", "print(open('ok').read())", "assets:\n  ok: ../inside.txt\n"),
    }


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> tuple[Catalog, dict[str, dict]]:
    catalog = make_catalog(tmp_path_factory.mktemp("outside"))
    return catalog, run_cards(catalog, path_cards(catalog))


@pytest.mark.parametrize("name", ["asset-shadow", "artifact-file-url", "artifact-dotdot", "asset-symlink",
                                  "asset-pkg-escape"])
def test_a_path_outside_the_catalog_is_refused_and_nothing_runs(outside, name):
    _, runs = outside
    run = runs[name]
    assert run["status"] == "not_executed" and run["cells"] == []
    assert "outside the catalog root" in run["reason"] and "nothing was executed" in run["reason"]
    assert "root:" not in str(run)  # no byte of the file in the record


def test_a_path_inside_the_catalog_still_works(outside):
    _, runs = outside
    assert runs["inside"]["status"] == "ok" and runs["inside"]["results_text"] == "inside the catalog"


def test_check_reports_the_escape_as_mh513_on_the_line_to_edit(outside):
    from generator.checks import CheckContext, RuleSelection, check_card

    catalog, _ = outside
    found = {}
    for name in ("asset-shadow", "artifact-file-url", "asset-symlink", "inside"):
        card = read_card(catalog.cards / f"{name}.md")
        findings = check_card(card, CheckContext(config=catalog.config, selection=RuleSelection(select=("MH513",))))
        found[name] = [(f.code, f.line) for f in findings]
    assert found["asset-shadow"] == [("MH513", 5)]  # the `x: /etc/shadow` line
    assert found["artifact-file-url"] == [("MH513", 5)]
    assert found["asset-symlink"] == [("MH513", 6)]  # `y:`; `ok:` on line 5 stays inside
    assert found["inside"] == []


# ---- artifacts that are not what the card declares --------------------------------------------------------------

def zipped(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_run_refuses_missing_truncated_oversized_and_mismatching_artifacts(tmp_path, artifact_server, capsys):
    import hashlib

    from generator.cli import main

    catalog = make_catalog(tmp_path)
    (catalog.root / "pyproject.toml").write_text((catalog.root / "pyproject.toml").read_text()
                                                 + '\n[tool.modelhub.artifacts]\nmax_size = "64 KB"\n')
    model = zipped({"model/config.json": b'{"a": 1}', "model/sub/vocab.txt": b"hello\nworld\n"})
    good = artifact_server.add("/good.zip", model)
    digest = hashlib.sha256(model).hexdigest()
    artifact_server.add("/truncated.zip", model)
    artifact_server.fault("/truncated.zip", "truncate")
    big = artifact_server.add("/big.bin", os.urandom(200_000))
    lister = "import os\nprint(sorted(os.path.join(d, n) for d, _, ns in os.walk('.', followlinks=True) for n in ns))"
    cards = {
        "missing": card_text("missing", lister, f"artifact: {{url: {artifact_server.url('/gone.zip')}}}\n"),
        "truncated": card_text("truncated", lister,
                               f"artifact: {{url: {artifact_server.url('/truncated.zip')}}}\n"),
        "oversized": card_text("oversized", lister, f"artifact: {{url: {big}}}\n"),
        "mismatch": card_text("mismatch", lister, f"artifact: {{url: {good}, sha256: {'ab' * 32}}}\n"),
        "verified": card_text("verified", lister, f"artifact: {{url: {good}, sha256: {digest}}}\n"),
    }
    paths = {name: catalog.card(f"{name}.md", text) for name, text in cards.items()}
    runs = Executor(catalog.config, "force").run([read_card(path) for path in paths.values()])
    runs = {name: runs[str(path)] for name, path in paths.items()}
    for name, words in (("missing", "HTTP 404"), ("truncated", "broke off"), ("oversized", "max_size"),
                        ("mismatch", "the card declares " + "ab" * 32)):
        assert runs[name]["status"] == "not_executed", (name, runs[name])
        assert "nothing was executed" in runs[name]["reason"] and words in runs[name]["reason"], runs[name]["reason"]
    # the zip with a sub-folder works: its files, nested folder included, are in the card's folder
    assert runs["verified"]["status"] == "ok", runs["verified"]
    assert "'./sub/vocab.txt'" in runs["verified"]["results_text"]
    capsys.readouterr()
    assert main(["run", str(paths["mismatch"]), "--mode", "force", "--quiet"]) == 0
    assert main(["run", str(paths["mismatch"]), "--mode", "force", "--quiet", "--strict"]) == 1
    assert "mismatch.md: not executed: artifact refused" in capsys.readouterr().out


def test_a_zip_extracted_in_the_cache_is_immutable_to_cards(tmp_path, artifact_server):
    # the extracted copy of a downloaded zip is what every later card (and run) of that artifact loads under the
    # same recorded digest: a card tried to rewrite, re-mode, remove, rename and add to it
    catalog = make_catalog(tmp_path)
    url = artifact_server.add("/model.zip", zipped({"model/weights.bin": b"real weights"}))
    front = f"artifact: {{url: {url}}}\n"
    runs = run_cards(catalog, {
        "a-attacker": card_text("a-attacker", MODEL_ATTACKER.replace("{config}", "/dev/null/x"), front),
        "b-reader": card_text("b-reader", "print(open('weights.bin', 'rb').read())", front),
    })
    text = runs["a-attacker"]["results_text"]
    assert runs["a-attacker"]["status"] == "ok", runs["a-attacker"]
    for action in ("write", "chmod", "unlink", "rename", "replace"):
        assert f"{action} done" not in text, text
    assert runs["b-reader"]["status"] == "ok" and runs["b-reader"]["results_text"] == "b'real weights'"
    extracted = [path for path in (catalog.root / ".cache").rglob("weights.bin")]
    assert extracted, "the zip was not extracted in the cache"
    for path in extracted:  # never re-owned or re-moded for the sandbox
        info = path.stat()
        assert path.read_bytes() == b"real weights"
        assert (info.st_uid, info.st_mode & 0o022) == (os.getuid(), 0), (path, info)
