"""--executor and --address: the local executor is the default; ray without the ray package, or --address without
ray, is a usage error (exit 2) that says what to do."""

from __future__ import annotations

import sys

import pytest

from generator.cli import main
from generator.executors import ExecutorUnavailable, LocalExecutor, make_executor
from tests.conftest import seed


class Doubler:
    def run_group(self, items):
        for item in items:
            yield item * 2

    def lost(self, item, reason):
        return None


def test_the_local_executor_runs_groups_in_order_and_pairs_each_item_with_its_result():
    pairs = list(LocalExecutor().map_groups(Doubler(), [[1, 2], [], [3]]))
    assert pairs == [(1, 2), (2, 4), (3, 6)]


def test_the_default_is_local():
    assert make_executor().name == "local"


def test_an_address_without_ray_is_refused():
    with pytest.raises(ExecutorUnavailable, match="--address is for --executor ray"):
        make_executor("local", "ray://head:10001")


@pytest.mark.parametrize("command", ["run", "bench", "build"])
def test_ray_not_installed_is_a_usage_error_saying_how_to_install_it(command, monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError, as where it is not installed
    args = [command, str(seed(0)), "--executor", "ray"]
    if command == "build":
        args += ["--site-dir", str(tmp_path / "site")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "ray package, which is not installed" in err and "pip install 'modelhub[ray]'" in err
    assert not (tmp_path / "site").exists()
