"""Execution rules (MH620-MH625): what the card shows versus what its example really does."""

from __future__ import annotations

import pytest

from generator.card import parse_card
from generator.checks import check_cards
from generator.execute.plan import plan_card
from generator.records import RunReason

CARD = """---
modelhub: 1
name: greeter
runtime: python
---

# Greeter

```python
print("hello, world")
```

## Results

```text
{results}
```
"""


def card(results: str = "hello, world", text: str | None = None):
    return parse_card(text if text is not None else CARD.replace("{results}", results), "cards/greeter.md")


def run(status: str = "ok", **extra):
    """A run record as the execute stage hands it over (``example_line``: its plan's first block)."""
    base = {"status": status, "reason": None, "runtime": "python", "date": "2025-01-02", "results_text": None,
            "cells": [{"line": 10, "stdout": "hello, world\n", "stderr": "", "value": None, "error": None}],
            "example_line": 10}
    if status == "ok":
        base["results_text"] = "hello, world"
    base.update(extra)
    return base


def findings(the_card, the_run, code=None):
    found = check_cards([the_card], runs={the_card.path: the_run} if the_run is not None else None)[the_card.path]
    return [f for f in found if f.code.startswith("MH62") and (code is None or f.code == code)]


def test_no_findings_when_the_block_is_what_the_example_prints():
    assert findings(card(), run()) == []


def test_a_differing_block_is_mh620_at_the_block_line():
    [finding] = findings(card("hello, moon"), run())
    assert finding.code == "MH620" and finding.severity == "warning"
    assert finding.line == 16
    assert "differs from the output of the example run on 2025-01-02 (2 lines)" in finding.message
    assert "modelhub run --mode auto --write cards/greeter.md" in finding.hint


def test_a_card_without_a_results_block_gets_mh621():
    text = CARD.split("## Results")[0]
    [finding] = findings(card(text=text), run())
    assert (finding.code, finding.line) == ("MH621", 10)


def test_a_failing_example_is_an_mh622_error_at_the_failing_line():
    failed = run("failed", reason="line 9: NameError: name 'x' is not defined",
                 cells=[{"line": 9, "stdout": "", "stderr": "", "value": None,
                         "error": {"type": "NameError", "message": "name 'x' is not defined", "line": 9}}])
    [finding] = findings(card(), failed)
    assert (finding.code, finding.severity, finding.line) == ("MH622", "error", 9)
    assert "NameError" in finding.message


@pytest.mark.parametrize("status, code, words", [
    ("stale", "MH623", "stored results are out of date: the example code changed"),
    ("missing", "MH624", "never been run"),
    ("not_executed", "MH625", "runtime sparknlp unavailable: pyspark is not installed"),
])
def test_runs_that_cannot_vouch_for_the_block_are_reported(status, code, words):
    reasons = {"stale": "stored results are out of date: the example code changed",
               "not_executed": "runtime sparknlp unavailable: pyspark is not installed here"}
    the_run = run(status, reason=reasons.get(status), results_text=None)
    [finding] = findings(card(), the_run)
    assert finding.code == code
    assert words in finding.message
    assert finding.line == 10


def test_the_line_is_the_first_block_of_the_execute_stages_plan():
    """MH623-MH625 point at the block the runtime plan starts with, as the execute stage hands it over."""
    [finding] = findings(card(), run("missing", example_line=12, results_text=None))
    assert (finding.code, finding.line) == ("MH624", 12)
    [finding] = findings(card(), run("missing", example_line=None, results_text=None))
    assert finding.line == card().body_line  # no runnable block: the card's body


def test_cards_with_nothing_to_run_are_not_nagged():
    no_example = CARD.replace("```python", "```scala").replace('print("hello, world")', 'println("hello, world")')
    opted_out = CARD.replace("runtime: python\n", "runtime: python\nexecute: false\n")
    for text in (no_example, opted_out):
        plan = plan_card(card(text=text))
        the_run = run("not_executed", reason=plan.blocked, results_text=None, reason_code=plan.blocked_code)
        assert findings(card(text=text), the_run) == []


def test_the_rule_reads_the_reason_code_not_the_words_of_the_reason():
    """MH625 never matches execute's message text: the code the stage hands over decides."""
    [finding] = findings(card(), run("not_executed", reason="the card has no Python example to run",
                                     results_text=None, reason_code=RunReason.RUNTIME_UNAVAILABLE))
    assert finding.code == "MH625"
    assert findings(card(), run("not_executed", reason="runtime python unavailable", results_text=None,
                                reason_code=RunReason.OPTED_OUT)) == []


def test_without_a_run_record_the_rules_are_skipped():
    assert findings(card("anything"), None) == []
