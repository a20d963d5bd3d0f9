"""A warm worker runs cells like notebook cells: shared globals within a card, a clean slate for the next card,
the value of a final expression, tracebacks at card line numbers, and the same output every time."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pytest

from generator.execute.sandbox import SandboxLimits
from generator.execute.worker import Worker

CARD_TEXT = "\n".join(f"line {n}" for n in range(1, 30)) + "\n"


@pytest.fixture(scope="module")
def worker():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as started:
        yield started


@pytest.fixture
def card(worker):
    worker.begin_card("cards/demo.md", CARD_TEXT)
    return worker


def test_cells_of_one_card_share_globals(card):
    card.execute("greeting = 'hello'", line=3)
    assert card.execute("greeting.upper()", line=8).value == "'HELLO'"


def test_a_new_card_starts_with_empty_globals(card):
    card.execute("leftover = 1")
    card.begin_card("cards/other.md")
    cell = card.execute("leftover")
    assert cell.error["type"] == "NameError"


def test_a_new_card_gets_a_fresh_working_folder(card):
    card.execute("open('notes.txt', 'w').write('x')")
    card.begin_card("cards/next.md")
    assert card.execute("import os\nos.path.exists('notes.txt')").value == "False"


def test_the_final_expression_is_shown_like_a_repl_and_none_is_not(card):
    assert card.execute("x = 2\nx * 21").value == "42"
    assert card.execute("print('printed')\nNone").value is None
    assert card.execute("{'b': 1, 'a': [1, 2]}").value == "{'b': 1, 'a': [1, 2]}"
    assert card.execute("for i in range(2):\n    i").value is None  # a statement, not an expression


def test_stdout_and_stderr_are_captured_per_cell(card):
    cell = card.execute("import sys\nprint('out')\nprint('err', file=sys.stderr)")
    assert (cell.stdout, cell.stderr) == ("out\n", "err\n")
    assert card.execute("1").stdout == ""


def test_exceptions_carry_a_traceback_at_card_line_numbers(card):
    cell = card.execute("def f():\n    return 1 / 0\n\nf()", line=20)
    assert cell.error["type"] == "ZeroDivisionError"
    assert cell.error["line"] == 21  # the line inside f, as numbered in the card
    assert 'File "cards/demo.md", line 23, in <module>' in cell.error["traceback"]
    assert 'File "cards/demo.md", line 21, in f' in cell.error["traceback"]
    assert "line 21" in cell.error["traceback"].splitlines()[-3] or "line 21" in cell.error["traceback"]
    assert "child.py" not in cell.error["traceback"]  # the runner's own frames are not the user's business


def test_the_traceback_quotes_the_card_source(card):
    cell = card.execute("undefined_name", line=12)
    assert "line 12" in cell.error["traceback"]
    assert "    line 12\n" in cell.error["traceback"]  # the card's own text at that line


def test_syntax_errors_point_at_the_card_line(card):
    cell = card.execute("x = 1\ndef broken(:\n    pass", line=5)
    assert cell.error["type"] == "SyntaxError"
    assert cell.error["line"] == 6
    assert "ast.py" not in cell.error["traceback"]


def test_output_is_deterministic_seeded_rngs_and_no_memory_addresses(card):
    first = card.execute("import random\nrandom.random(), object()").value
    card.begin_card("cards/demo.md")
    second = card.execute("import random\nrandom.random(), object()").value
    assert first == second
    assert "0x" not in first
    assert first.startswith("(0.844421851")  # random.seed(0)


def test_numpy_imported_by_the_snippet_is_seeded(card):
    pytest.importorskip("numpy")
    first = card.execute("import numpy as np\nfloat(np.random.rand())").value
    card.begin_card("cards/demo.md")
    assert card.execute("import numpy as np\nfloat(np.random.rand())").value == first == "0.5488135039273248"


def test_torch_is_seeded_in_every_card_whether_the_runtime_or_the_snippet_imports_it():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    expected = repr(torch.rand(3).tolist())
    draw = "import torch\ntorch.rand(3).tolist()"
    with Worker.start(SandboxLimits(snippet_timeout=60)) as worker:
        worker.begin_card("cards/a.md")
        assert worker.execute(draw).value == expected  # imported by the snippet
        worker.runtime_code("import torch")  # imported by the runtime, in the warm parent
        for name in ("b", "c"):
            worker.begin_card(f"cards/{name}.md")
            assert worker.execute(draw).value == expected
            assert worker.execute(draw).value != expected  # the card's own draws advance its generator


def test_a_snippet_that_forks_gets_one_answer_only(card):
    cell = card.execute("import os\npid = os.fork()\n'parent' if pid else 'child'")
    assert cell.value == "'parent'"
    assert card.execute("'next'").value == "'next'"


def test_sys_exit_zero_is_not_an_error_but_other_exits_are(card):
    assert card.execute("import sys\nsys.exit(0)").error is None
    assert card.execute("import sys\nsys.exit(3)").error["type"] == "SystemExit"


def test_input_reads_nothing_instead_of_hanging(card):
    cell = card.execute("input()")
    assert cell.error["type"] == "EOFError"


def test_a_crash_ends_the_card_not_the_warm_worker():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.begin_card("cards/crash.md")
        cell = worker.execute("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
        assert "segmentation fault" in cell.error["message"]
        assert worker.execute("1").error["type"] == "WorkerDied"  # the card is over
        assert worker.alive
        worker.begin_card("cards/next.md")
        assert worker.execute("6 * 7").value == "42"


def test_arbitrary_code_chunks_can_be_timed_by_callers(card):
    """The benchmark stage sends its own timing loops; durations come back with every cell."""
    cell = card.execute("import time\nstart = time.perf_counter()\nsum(range(10000))\n"
                        "elapsed = time.perf_counter() - start\nround(elapsed, 9) >= 0")
    assert cell.value == "True"
    assert cell.duration > 0


def test_runtime_code_runs_outside_the_cards_namespace(worker):
    worker.runtime_code("private_to_runtime = 1")
    worker.begin_card("cards/a.md")
    assert worker.execute("private_to_runtime").error["type"] == "NameError"


def test_a_worker_that_does_not_start_in_time_leaves_no_folder_behind(tmp_path, monkeypatch):
    import tempfile

    from generator.execute.worker import WorkerError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(WorkerError, match="timed out"):
        Worker.start(SandboxLimits(startup_timeout=0.01))
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("modelhub-worker-")] == []


def test_a_worker_handed_hundreds_of_files_starts(tmp_path):
    """Each handed file is a read-only mount listed in the setup line, which then outgrows a pipe's buffer."""
    from generator.execute import sandbox

    model = tmp_path / "model"
    model.mkdir()
    for number in range(600):
        (model / f"shard-{number:04d}-{'x' * 60}.bin").write_bytes(b"w")

    def prepare(root, uid):
        for path in sorted(model.iterdir()):
            sandbox.expose(path, root / "model" / path.name, uid)

    with Worker.start(SandboxLimits(snippet_timeout=30), prepare=prepare) as worker:
        worker.begin_card("cards/many.md")
        assert worker.execute(f"import os\nlen(os.listdir({str(worker.root / 'model')!r}))").value == "600"


# ---- the next card's process, forked ahead (a spare) ------------------------------------------------------------

def card_pid(worker: Worker) -> int:
    return int(worker.execute("import os\nos.getpid()").value)


def test_the_next_cards_process_is_forked_ahead_and_survives_the_sweeps():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.begin_card("cards/a.md")
        first = card_pid(worker)
        assert worker.spare_ready()
        spare = worker.spare
        assert spare not in (0, first, worker.process.pid)
        worker.execute("import subprocess\nsubprocess.Popen(['sleep', '60'])")  # a leftover: the sweep kills it
        assert worker.spare == spare and Path(f"/proc/{spare}").exists()
        worker.begin_card("cards/b.md")
        assert card_pid(worker) == spare  # the spare became the card
        assert worker.execute("6 * 7").value == "42"
        assert worker.discarded == []


def test_a_spare_is_discarded_and_replaced_when_the_runtime_changes():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.runtime_code("import sys\nsys.modelhub_model = 'first'")
        worker.begin_card("cards/a.md")
        assert worker.execute("import sys\nsys.modelhub_model").value == "'first'"
        assert worker.spare_ready()
        stale = worker.spare
        worker.runtime_code("import sys\nsys.modelhub_model = 'second'")  # e.g. another model loaded
        worker.begin_card("cards/b.md")
        assert worker.execute("import sys\nsys.modelhub_model").value == "'second'"
        assert card_pid(worker) != stale
        assert not Path(f"/proc/{stale}").exists()  # killed and reaped by the parent


def test_a_card_that_kills_its_own_process_leaves_the_next_card_working():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        for name in ("a", "b", "c"):
            worker.begin_card(f"cards/{name}.md")
            cell = worker.execute("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
            assert "killed (SIGKILL)" in cell.error["message"]
        worker.begin_card("cards/next.md")
        assert worker.execute("6 * 7").value == "42"
        assert worker.alive


def anon_huge_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def kernel_collapses_memory() -> bool:
    region = mmap.mmap(-1, 8 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    region.write(b"x" * (8 << 20))
    try:
        region.madvise(25)  # MADV_COLLAPSE
    except OSError:
        return False
    finally:
        region.close()
    return True


@pytest.mark.skipif(not kernel_collapses_memory(), reason="this kernel has no MADV_COLLAPSE (Linux 6.1+)")
def test_after_runtime_code_cards_inherit_the_parents_memory_in_2_mib_pages():
    """What the runtime loads is collapsed into huge pages before the next card's process is forked: fewer
    page-table entries to copy at the fork and to tear down when the card ends (the next card waits for that)."""
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.runtime_code("model = bytearray(64 << 20)\nfor i in range(0, len(model), 4096):\n    model[i] = 1")
        worker.begin_card("cards/a.md")
        assert anon_huge_kib(worker.process.pid) >= 32 << 10
        assert anon_huge_kib(card_pid(worker)) >= 32 << 10  # shared with the card's process, not copied
        assert worker.execute("6 * 7").value == "42"


def test_cards_inherit_every_pattern_the_runtime_compiled():
    """Imports compile more regular expressions than ``re`` keeps by default (512): the ones dropped first were
    compiled again in every card's fresh process."""
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.runtime_code("import re\nfirst = re.compile('modelhub-first-[0-9]+')\n"
                            "for i in range(2000):\n    re.compile(f'pattern-{i}-[a-z]+')")
        worker.begin_card("cards/a.md")
        assert worker.execute("import re\n('modelhub-first-[0-9]+' in {key[1] for key in re._cache})").value == "True"


def test_a_card_whose_process_exits_mid_cell_says_how_and_keeps_what_it_printed_natively():
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        worker.begin_card("cards/a.md")
        cell = worker.execute("import os\nos.write(1, b'last words\\n')\nos._exit(3)")
        assert cell.error["message"] == "the card's process exited with status 3"
        assert cell.stdout == "last words\n"
        worker.begin_card("cards/b.md")
        assert worker.execute("6 * 7").value == "42"


def test_a_card_holds_no_descriptor_of_the_command_pipe():
    """The warm parent forwards each card its commands on a channel of its own: a card cannot read the next card's
    commands, nor a command meant for the parent."""
    with Worker.start(SandboxLimits(snippet_timeout=30)) as worker:
        pipe = os.fstat(worker.command_fd).st_ino
        worker.begin_card("cards/a.md")
        held = worker.execute("import os\nfds = [f'/proc/self/fd/{fd}' for fd in os.listdir('/proc/self/fd')]\n"
                              "sorted({os.stat(fd).st_ino for fd in fds if os.path.exists(fd)})").value
        assert str(pipe) not in held.strip("[]").split(", ")
        assert worker.execute("6 * 7").value == "42"
