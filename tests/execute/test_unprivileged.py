"""The sandbox without root, run for real: as root, this test starts a process as ``nobody`` and lets it run cards.

Without root there is no user per sandbox: the sandbox runs as the invoking user, in an unprivileged user namespace
that gives it its own network and mount namespaces. The cards must still get nothing that user could not read,
nothing a card writes in /tmp, /var/tmp or /dev/shm may reach the next card, and the worker's own folder (bound
back into the private /tmp) must survive the wipe between cards: it did not, so no card ran without root. The
sandbox user owns the worker's folder here and held every capability in its user namespace: a card renamed the
model's folder (and could put its own weights there for the next card) and unmounted the private /tmp.

The other user needs a Python it may run: the one running the tests if it is outside folders only root may enter,
else the system's interpreter of the same version (the packages are the same: this checkout and its
site-packages, read where they are).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.execute import sandbox

REPO = Path(__file__).resolve().parents[2]
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


def _reachable_by_others(path: Path) -> bool:
    """Every folder above ``path`` may be entered, and ``path`` read (and run), by any user."""
    path = path.resolve()
    return all(os.stat(folder).st_mode & 0o001 for folder in path.parents) and os.stat(path).st_mode & 0o005 == 0o005


def _interpreter() -> Path | None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.executable), Path(f"/usr/bin/python{version}")):
        if candidate.exists() and _reachable_by_others(candidate):
            return candidate
    return None


def _nobody() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


INTERPRETER, NOBODY = _interpreter(), _nobody()
pytestmark = [
    pytest.mark.skipif(not sandbox.is_root(), reason="switching to another user needs root (without root, the "
                                                     "whole suite runs the sandbox's unprivileged path)"),
    pytest.mark.skipif(NOBODY is None, reason="no user 'nobody' on this machine"),
    pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed"),
    pytest.mark.skipif(INTERPRETER is None, reason="no Python interpreter of this version that another user may run"),
    pytest.mark.skipif(not (os.stat("/tmp").st_mode & 0o001), reason="other users may not enter /tmp"),
    pytest.mark.skipif(not (_reachable_by_others(REPO) and _reachable_by_others(SITE_PACKAGES)),
                       reason="this checkout or its site-packages is not readable by other users"),
]

# Run as nobody, who owns the worker's folder: rename the folder of the model's binds (then put a poisoned copy in
# its place), add a file there, make the next card's folder ahead (names as they were), and undo the private mounts
# (unmount /tmp to reach the host's, remount the model's bind writable): all with the capabilities the sandbox had in
# its user namespace.
SWAP = textwrap.dedent('''
    import ctypes, os
    libc = ctypes.CDLL('libc.so.6', use_errno=True)
    def attempt(action):
        try:
            return 'done' if action() in (None, 0) else 'refused'
        except OSError as error:
            return type(error).__name__
    def plant_cards():
        for number in range(1, 10):
            os.mkdir(os.path.join(os.path.dirname(os.getcwd()), f'card-{number}'))
            open(os.path.join(os.path.dirname(os.getcwd()), f'card-{number}', 'planted'), 'w').close()
    folder = os.path.dirname(os.path.realpath('weights.bin'))
    print('rename', attempt(lambda: os.rename(folder, folder + '-old')))
    print('plant', attempt(lambda: open(os.path.join(folder, 'planted.bin'), 'wb').close()))
    print('card-folder', attempt(plant_cards))
    print('remount', attempt(lambda: libc.mount(None, os.path.realpath('weights.bin').encode(), None, 32 | 4096, None)))
    print('umount', attempt(lambda: libc.umount2(b'/tmp', 2)))
    print('host-tmp', os.path.exists(MARKER))
''').strip()

# A process that starts its own session (so the sweep by session id missed it) and writes into the output pipes it
# inherited once the next card runs.
LEAVE = ("import subprocess\n"
         "subprocess.Popen(['sh', '-c', 'sleep 2; echo FORGED; echo FORGED >&2'], start_new_session=True)\n"
         "print('left')")

# What runs as nobody: cards through the real Executor, in a catalog that user owns, beside a root-only file.
DRIVER = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from generator.execute import sandbox
    from tests.execute.test_security import GHOST, card_text, make_catalog, run_cards
    from tests.execute.test_unprivileged import LEAVE, SWAP

    root = Path(sys.argv[1])
    catalog = make_catalog(root / "catalog")
    leave = ("import os\\n"
             "for folder in ('/tmp', '/var/tmp', '/dev/shm', os.environ['HOME']):\\n"
             "    open(os.path.join(folder, 'left-behind'), 'w').write('x')\\n"
             "print(os.getuid(), os.getppid())")
    look = ("import os\\n"
            "print(sorted(folder for folder in ('/tmp', '/var/tmp', '/dev/shm', os.environ['HOME'])\\n"
            "             if os.path.exists(os.path.join(folder, 'left-behind'))), os.getppid())")
    (catalog.root / "model").mkdir()
    (catalog.root / "model" / "weights.bin").write_bytes(b"real weights")
    swap = SWAP.replace("MARKER", repr(sys.argv[2]))
    read = "import os\\nprint(open('weights.bin', 'rb').read(), sorted(os.listdir('.')))"
    model = "artifact:\\n  url: ../model\\n"
    runs = run_cards(catalog, {
        "a-writer": card_text("a-writer", leave),
        "b-looker": card_text("b-looker", look),
        "c-thief": card_text("c-thief", "print(open('secret.bin').read())", "artifact:\\n  url: ../private\\n"),
        "d-swapper": card_text("d-swapper", swap, model),
        "e-reader": card_text("e-reader", read, model),
        "f-leaver": card_text("f-leaver", LEAVE),
        "g-sleeper": card_text("g-sleeper", "import time\\ntime.sleep(4)\\nprint('mine')"),
        "h-ghost": card_text("h-ghost", GHOST),
        "i-sleeper": card_text("i-sleeper", "import time\\ntime.sleep(1)\\nprint('mine')"),
    })
    print(json.dumps({"uid": os.getuid(), "network": sandbox.network_isolation(),
                      "runs": {name: {key: str(run.get(key)) for key in ("status", "reason", "results_text")}
                               for name, run in runs.items()}}))
""")


@pytest.fixture(scope="module")
def unprivileged_run() -> Iterator[dict]:
    # pytest's temporary folders are root's alone (0700): nobody's catalog goes in the shared /tmp instead
    base = Path(tempfile.mkdtemp(prefix="modelhub-unprivileged-", dir="/tmp"))
    base.chmod(0o755)
    try:
        home = base / "nobody"
        home.mkdir()
        catalog = home / "work"
        catalog.mkdir()
        private = catalog / "catalog" / "private"
        private.mkdir(parents=True)
        (private / "secret.bin").write_text("root only")
        (private / "secret.bin").chmod(0o600)  # root's: nobody may not read it
        marker = base / "host-only"  # in the host's /tmp, which the sandbox's private /tmp hides
        marker.write_text("host")
        for path in (home, catalog, catalog / "catalog"):
            os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)
        env = {"HOME": str(home), "TMPDIR": str(home), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1",
               "OMP_NUM_THREADS": "1", "PYTHONPATH": f"{REPO}:{SITE_PACKAGES}"}
        result = subprocess.run(
            ["setpriv", f"--reuid={NOBODY.pw_uid}", f"--regid={NOBODY.pw_gid}", "--clear-groups",
             str(INTERPRETER), "-c", DRIVER, str(catalog), str(marker)],
            cwd=home, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        if report["network"] != "namespace":
            pytest.skip("this kernel refuses unprivileged user namespaces: without root no card runs here (by design)")
        report["secret"] = private / "secret.bin"
        yield report
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_cards_run_as_the_invoking_user_in_their_own_namespaces(unprivileged_run):
    assert unprivileged_run["uid"] == NOBODY.pw_uid
    assert unprivileged_run["runs"]["a-writer"]["status"] == "ok", unprivileged_run["runs"]["a-writer"]
    assert unprivileged_run["runs"]["a-writer"]["results_text"].split()[0] == str(NOBODY.pw_uid)


def test_nothing_a_card_writes_reaches_the_next_card(unprivileged_run):
    looker = unprivileged_run["runs"]["b-looker"]
    assert looker["status"] == "ok", looker
    left, warm_parent = looker["results_text"].rsplit(" ", 1)
    assert left == "[]"
    assert warm_parent == unprivileged_run["runs"]["a-writer"]["results_text"].split()[1]  # the same worker


def test_a_file_the_invoking_user_may_not_read_is_not_handed_over(unprivileged_run):
    thief = unprivileged_run["runs"]["c-thief"]
    assert thief["status"] == "not_executed", thief
    assert "secret.bin is not readable by this user" in thief["reason"]
    assert "root only" not in json.dumps(thief)
    secret = unprivileged_run["secret"]
    assert (secret.stat().st_uid, secret.stat().st_mode & 0o777) == (0, 0o600)


def test_the_run_banner_names_a_user_without_a_passwd_entry_by_number():
    # CI runners and containers start processes as uids no passwd file lists: the banner crashed with KeyError
    uid = 4000000
    with pytest.raises(KeyError):
        pwd.getpwuid(uid)
    result = subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", str(INTERPRETER), "-c",
         "from generator.execute.sandbox import describe; print(describe())"],
        cwd="/", env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": f"{REPO}:{SITE_PACKAGES}"},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"; user {uid};" in result.stdout


def test_a_card_cannot_swap_the_model_or_undo_its_mounts_without_root(unprivileged_run):
    # the sandbox user owns the worker's folder: it renamed the folder of the model's binds and put its own
    # weights there for the next card; with all capabilities in its user namespace it could also unmount the
    # private /tmp (the host's files and sockets) and remount the model writable
    swapper = unprivileged_run["runs"]["d-swapper"]
    assert swapper["status"] == "ok", swapper
    attempts = dict(line.split(" ", 1) for line in swapper["results_text"].splitlines())
    assert attempts == {"rename": "OSError", "plant": "OSError", "card-folder": "done", "remount": "refused",
                        "umount": "refused", "host-tmp": "False"}, attempts


def test_a_harmless_card_after_the_swap_reads_the_real_model_in_a_fresh_folder(unprivileged_run):
    reader = unprivileged_run["runs"]["e-reader"]
    assert reader["status"] == "ok", reader
    assert reader["results_text"] == "b'real weights' ['weights.bin']"


def test_a_process_a_card_leaves_in_its_own_session_is_killed_before_the_next_card(unprivileged_run):
    assert unprivileged_run["runs"]["f-leaver"]["results_text"] == "left"
    sleeper = unprivileged_run["runs"]["g-sleeper"]
    assert sleeper["status"] == "ok", sleeper
    assert sleeper["results_text"] == "mine", sleeper  # no FORGED from the earlier card's process


def test_a_process_whose_main_thread_exited_is_killed_before_the_next_card(unprivileged_run):
    assert unprivileged_run["runs"]["h-ghost"]["results_text"].startswith("ghost started")  # and its own FORGED
    sleeper = unprivileged_run["runs"]["i-sleeper"]
    assert (sleeper["status"], sleeper["results_text"]) == ("ok", "mine"), sleeper
