"""Progress of run and bench: the card and its model, done/total and an ETA; off a terminal, plain periodic lines."""

from __future__ import annotations

import io

from rich.console import Console

from generator.execute.progress import clock, model_label, run_progress

RUN = {"status": "ok", "executed": True, "runtime": "transformers",
       "inputs": {"artifact_url": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"}}
BENCH = {"status": "measured", "runtime": "onnx", "inputs": {"url": "artifacts/model.zip"}}


def test_the_model_is_named_by_its_artifact_else_its_runtime():
    assert model_label(RUN) == "all-MiniLM-L6-v2"
    assert model_label(BENCH) == "model.zip"
    assert model_label({"runtime": "python", "inputs": {"artifact_url": None}}) == "python"
    assert model_label({}) == "no model"


def test_clock():
    assert (clock(5), clock(75), clock(3725)) == ("0:05", "1:15", "1:02:05")


def test_off_a_terminal_lines_come_every_interval_and_at_the_end_with_done_total_and_eta():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)
    with run_progress(console, label="running examples", interval=3600) as (on_start, on_card):
        on_start(3)
        on_card("cards/a.md", RUN)
        on_card("cards/b.md", RUN)
        assert out.getvalue() == ""  # the interval has not passed: nothing yet
        on_card("cards/c.md", BENCH)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("running examples: 3/3 cards, 0:00 elapsed, ETA done")
    assert "(last: cards/c.md (model.zip): measured)" in lines[0]


def test_with_a_zero_interval_every_card_gets_a_line_with_an_eta():
    out = io.StringIO()
    with run_progress(Console(file=out, force_terminal=False, width=200), label="bench", interval=0) as (start, card):
        start(2)
        card("cards/a.md", RUN)
        card("cards/b.md", RUN)
    first, second = out.getvalue().splitlines()
    assert first.startswith("bench: 1/2 cards") and "ETA 0:00" in first and "cards/a.md (all-MiniLM-L6-v2): ok" in first
    assert second.startswith("bench: 2/2 cards") and "ETA done" in second


def test_on_a_terminal_each_card_is_printed_with_its_model():
    out = io.StringIO()
    with run_progress(Console(file=out, force_terminal=True, width=200)) as (on_start, on_card):
        on_start(1)
        on_card("cards/a.md", RUN)
    assert "cards/a.md (all-MiniLM-L6-v2, executed)" in out.getvalue()


def test_disabled_progress_prints_nothing(capsys):
    with run_progress(enabled=False, interval=0) as (on_start, on_card):
        on_start(1)
        on_card("cards/a.md", RUN)
    assert capsys.readouterr() == ("", "")
