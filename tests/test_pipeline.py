"""The pipeline: registered stages run in order, and ``only`` chooses among them however it is given."""

from __future__ import annotations

from generator.pipeline import stages


def test_only_as_a_generator_chooses_every_stage_it_names():
    names = ["bench", "artifacts", "check"]
    assert [stage.name for stage in stages(iter(names))] == ["artifacts", "bench", "check"]
    assert [stage.name for stage in stages(name for name in names)] == ["artifacts", "bench", "check"]


def test_without_only_every_registered_stage_runs_in_order():
    orders = [stage.order for stage in stages()]
    assert orders == sorted(orders) and {"artifacts", "execute", "bench", "check"} <= {s.name for s in stages()}
