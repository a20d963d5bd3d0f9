"""Modes and the store: frozen never executes, auto executes what is missing or stale, force executes everything;
failures are stored with their tracebacks; unchanged cards cost nothing the second time."""

from __future__ import annotations

import pytest

from generator.card import read_card
from generator.execute import store
from generator.execute.runner import Executor, results_text, stale_reasons, version_changes

GOOD = """
---
name: adder
runtime: python
---

# Adder

```python
numbers = [1, 2, 3]
print("sum:", sum(numbers))
```

```python
max(numbers)
```
"""

BROKEN = """
---
name: broken
---

# Broken

```python
values = {}
values["missing"]
```
"""


def run(catalog, mode, *names):
    executor = Executor(catalog.config, mode)
    runs = executor.run([read_card(catalog.cards / name) for name in names])
    return runs, executor.counts


def test_auto_runs_a_card_and_stores_its_output(catalog):
    path = catalog.card("adder.md", GOOD)
    runs, counts = run(catalog, "auto", "adder.md")
    result = runs[str(path)]
    assert result["status"] == "ok"
    assert result["results_text"] == "sum: 6\n3"
    assert [cell["line"] for cell in result["cells"]] == [9, 14]
    assert counts["cards"] == 1 and counts["cells"] == 2
    stored = store.read_stored(path)
    assert stored["results_text"] == "sum: 6\n3"
    assert stored["runtime"] == "python" and "python" in stored["versions"]
    assert stored["hardware"]["cores"] >= 1 and stored["date"]


def test_a_second_auto_run_executes_nothing(catalog):
    catalog.card("adder.md", GOOD)
    run(catalog, "auto", "adder.md")
    runs, counts = run(catalog, "auto", "adder.md")
    assert counts == {"cards": 0, "cells": 0, "workers": 0, "cached": 1}
    assert next(iter(runs.values()))["cached"] is True


def test_force_executes_again(catalog):
    catalog.card("adder.md", GOOD)
    run(catalog, "auto", "adder.md")
    _, counts = run(catalog, "force", "adder.md")
    assert counts["cards"] == 1


def test_frozen_never_executes_and_reports_missing_results(catalog):
    path = catalog.card("adder.md", GOOD)
    runs, counts = run(catalog, "frozen", "adder.md")
    assert counts["cards"] == 0
    assert runs[str(path)]["status"] == "missing"
    assert not store.results_path(path).exists()


def test_frozen_reads_stored_results_and_marks_them_stale_when_the_code_changes(catalog):
    path = catalog.card("adder.md", GOOD)
    run(catalog, "auto", "adder.md")
    assert run(catalog, "frozen", "adder.md")[0][str(path)]["status"] == "ok"
    catalog.card("adder.md", GOOD.replace("[1, 2, 3]", "[1, 2, 3, 4]"))
    result = run(catalog, "frozen", "adder.md")[0][str(path)]
    assert result["status"] == "stale"
    assert result["reason"] == "stored results are out of date: the example code changed"
    assert result["results_text"] == "sum: 6\n3"  # still shown, marked stale


def test_auto_reruns_a_stale_card(catalog):
    path = catalog.card("adder.md", GOOD)
    run(catalog, "auto", "adder.md")
    catalog.card("adder.md", GOOD.replace("[1, 2, 3]", "[1, 2, 3, 4]"))
    runs, counts = run(catalog, "auto", "adder.md")
    assert counts["cards"] == 1
    assert runs[str(path)]["results_text"] == "sum: 10\n4"


def test_editing_prose_does_not_make_results_stale(catalog):
    path = catalog.card("adder.md", GOOD)
    run(catalog, "auto", "adder.md")
    catalog.card("adder.md", GOOD.replace("# Adder", "# Adder\n\nAdds numbers, as you would expect."))
    _, counts = run(catalog, "auto", "adder.md")
    assert counts["cards"] == 0
    assert run(catalog, "frozen", "adder.md")[0][str(path)]["status"] == "ok"


def test_a_failing_example_is_stored_with_its_traceback_at_card_lines(catalog):
    path = catalog.card("broken.md", BROKEN)
    result = run(catalog, "auto", "broken.md")[0][str(path)]
    assert result["status"] == "failed"
    assert result["reason"] == "line 9: KeyError: 'missing'"
    stored = store.read_stored(path)
    error = stored["cells"][0]["error"]
    assert error["line"] == 9
    assert 'File "cards/broken.md", line 9, in <module>' in error["traceback"]
    assert 'values["missing"]' in error["traceback"]


def test_one_failing_card_does_not_stop_the_others(catalog):
    catalog.card("broken.md", BROKEN)
    catalog.card("adder.md", GOOD)
    runs, _ = run(catalog, "auto", "broken.md", "adder.md")
    assert [r["status"] for r in runs.values()] == ["failed", "ok"]


def test_cards_of_one_runtime_share_a_worker_but_not_globals(catalog):
    catalog.card("adder.md", GOOD)
    catalog.card("peek.md", GOOD.replace("name: adder", "name: peek").replace(
        'numbers = [1, 2, 3]\nprint("sum:", sum(numbers))', "print('numbers' in globals())"))
    runs, counts = run(catalog, "force", "adder.md", "peek.md")
    assert counts["workers"] == 1
    assert runs[str(catalog.cards / "peek.md")]["cells"][0]["stdout"] == "False\n"


def test_not_executed_cards_are_reported_but_never_stored(catalog):
    path = catalog.card("spark.md", "---\nname: s\nruntime: cobol\n---\n\n```python\nprint(1)\n```\n")
    result = run(catalog, "auto", "spark.md")[0][str(path)]
    assert result["status"] == "not_executed"
    assert result["reason"].startswith("unknown runtime 'cobol'")
    assert not store.results_path(path).exists()


def test_an_unreachable_artifact_means_not_executed_with_the_url_error(catalog, artifact_server):
    artifact_server.fault("/gone.zip", "404")
    path = catalog.card("gone.md", f"---\nname: gone\nruntime: transformers\nartifact: {{url: "
                                   f"'{artifact_server.url('/gone.zip')}'}}\n---\n\n```python\nprint(1)\n```\n")
    result = run(catalog, "auto", "gone.md")[0][str(path)]
    assert result["status"] == "not_executed"
    assert result["reason"].startswith("artifact refused, nothing was executed:")
    assert "404" in result["reason"]


def test_the_per_card_time_limit_spans_its_cells(catalog, tmp_path):
    from .conftest import write_config

    write_config(catalog.root, {"snippet_timeout": 30, "card_timeout": 2})
    path = catalog.card("slow.md", "---\nname: slow\n---\n\n```python\nimport time\ntime.sleep(1.5)\n```\n\n"
                                   "```python\ntime.sleep(5)\n```\n\n```python\nprint('never')\n```\n")
    result = run(catalog, "auto", "slow.md")[0][str(path)]
    assert result["status"] == "failed"
    assert "timed out" in result["reason"] or "time limit" in result["reason"]
    assert len(result["cells"]) == 2


def test_results_text_joins_printed_output_and_final_values():
    cells = [{"stdout": "a\n", "value": None}, {"stdout": "", "value": "'b'"}, {"stdout": "c\n", "value": "1"}]
    assert results_text(cells) == "a\n'b'\nc\n1"


@pytest.mark.parametrize("field, old, new, reason", [
    ("code", "a", "b", "the example code changed"),
    ("artifact_url", "u1", "u2", "the artifact URL changed"),
    ("artifact", "d1", "d2", "the artifact content changed"),
    ("versions", {"torch": "1"}, {"torch": "2"}, "library versions changed (torch 1 -> 2)"),
])
def test_stale_reasons_name_what_changed(field, old, new, reason):
    assert stale_reasons({field: old}, {field: new}) == [reason]


def test_version_changes_name_each_library_that_differs_for_runs_and_measurements_alike():
    """One judgement of library changes: stored runs (``stale_reasons``) and stored measurements
    (``bench.stage.stale_reason``) both use it."""
    assert version_changes({"torch": "1", "numpy": "2"}, {"torch": "2", "numpy": "2", "onnx": "1"}) == [
        "onnx - -> 1", "torch 1 -> 2"]
    assert version_changes({"torch": "1"}, {"torch": "1"}) == []


def test_a_worker_near_its_lifetime_cpu_cap_is_replaced_before_the_next_card(catalog):
    from .conftest import write_config

    write_config(catalog.root, {"cpu_per_cell": 2, "cpu_total": 3, "snippet_timeout": 30})
    spin = "import time\nend = time.process_time() + 1.2\nwhile time.process_time() < end:\n    pass\nprint('done')"
    for name in ("one", "two", "three"):
        catalog.card(f"{name}.md", f"---\nname: {name}\nruntime: python\n---\n\n```python\n{spin}\n```\n")
    runs, counts = run(catalog, "force", "one.md", "two.md", "three.md")
    assert [r["status"] for r in runs.values()] == ["ok", "ok", "ok"]
    assert counts["workers"] >= 2
