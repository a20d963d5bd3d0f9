"""The keras-hub runtime runs the Keras API page for real: offline, in the sandbox's network namespace, on the
mirrored stand-in preset; each example block gets its own outcome; the runtime says precisely what is missing."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from generator.card import parse_card
from generator.execute import runtimes
from generator.execute.plan import plan_card
from generator.execute.runner import Executor, worker_for_runtime
from generator.execute.runtimes.keras_hub import NOT_MIRRORED
from generator.execute.sandbox import SandboxLimits, network_isolation
from tests.conftest import seed

from .conftest import write_config

REPO = Path(__file__).resolve().parents[2]
STANDIN = REPO / "cards" / "artifacts" / "albert_base_en_uncased_standin.zip"
HANDLE_KEY = "kaggle://keras/albert/keras/albert_base_en_uncased/5"  # the catalog's mirror entry (modelhub.toml)
KERAS_PAGE = "albert-text-classifier.md"
LIMITS = {"snippet_timeout": 120, "card_timeout": 400}

needs_keras_hub = pytest.mark.skipif(
    runtimes.get_runtime("keras-hub").unavailable_reason({}) is not None, reason="keras-hub is not installed here")


def keras_catalog(root: Path) -> Path:
    """A catalog with the Keras page and the shipped mirror of its preset; returns the card."""
    (root / "cards" / "artifacts").mkdir(parents=True)
    shutil.copy(STANDIN, root / "cards" / "artifacts" / STANDIN.name)
    card = root / "cards" / KERAS_PAGE
    shutil.copy(seed(3), card)
    write_config(root, LIMITS, f'\n[tool.modelhub.mirrors]\n"{HANDLE_KEY}" = "cards/artifacts/{STANDIN.name}"\n')
    return card


def test_the_mirror_entry_in_the_tests_is_the_catalogs_own():
    assert f'"{HANDLE_KEY}" = "cards/artifacts/{STANDIN.name}"' in (REPO / "modelhub.toml").read_text()


def test_missing_modules_are_named_with_how_to_install_them(monkeypatch):
    from generator.execute.runtimes import keras_hub

    monkeypatch.setattr(keras_hub, "missing_module", lambda name: name if name in ("grain", "kagglehub") else None)
    reason = keras_hub.KerasHubRuntime().unavailable_reason({})
    assert reason.startswith("kagglehub, grain are not installed here")
    assert "requirements/no-deps.txt" in reason


def test_the_keras_page_plan_runs_examples_and_says_why_the_other_blocks_do_not_run():
    card = parse_card(seed(3).read_bytes(), str(seed(3)))
    plan = plan_card(card, mirrors=[HANDLE_KEY])
    assert plan.runtime_name == "keras-hub" and plan.independent
    assert plan.artifact_url == HANDLE_KEY and plan.aliases[0] == "albert_base_en_uncased"
    lines = {cell.line: cell.code for cell in plan.cells}
    skipped = plan.skipped
    gemma = next(line for line, code in lines.items() if "gemma_2b_en" in code)
    assert skipped[gemma] == (f"preset gemma_2b_en {NOT_MIRRORED}; preset bert_base_en {NOT_MIRRORED}")
    signatures = [line for line, code in lines.items() if code.lstrip().startswith(("keras_nlp.", "AlbertText"))]
    assert signatures and all(skipped[line].startswith("an API signature") for line in signatures)
    examples = [line for line in lines if line not in skipped]
    assert len(examples) == 3  # raw strings, preprocessed integers, custom vocabulary


def test_without_a_mirror_every_preset_block_is_not_available_offline():
    card = parse_card(seed(3).read_bytes(), str(seed(3)))
    plan = plan_card(card, mirrors=["kaggle://keras/gemma/keras/gemma_7b_en/2"])  # a preset no block loads
    assert plan.artifact_url is None
    assert sum(NOT_MIRRORED in reason for reason in plan.skipped.values()) == 3


@needs_keras_hub
@pytest.mark.slow
def test_the_keras_page_runs_for_real_and_a_second_run_executes_nothing(tmp_path):
    from generator.config import load_config

    card_path = keras_catalog(tmp_path)
    card = parse_card(card_path.read_bytes(), str(card_path))
    config = load_config(tmp_path)
    executor = Executor(config, "force")
    run = executor.run([card])[str(card_path)]
    by_line = {cell["line"]: cell for cell in run["cells"]}
    first, integers, custom = sorted(by_line)
    assert by_line[first]["error"] is None and "sparse_categorical_accuracy" in by_line[first]["stdout"]
    assert by_line[integers]["error"] is None and "loss" in by_line[integers]["stdout"]
    assert by_line[custom]["error"]["type"] == "NameError" and "'io'" in by_line[custom]["error"]["message"]
    assert run["status"] == "failed" and "NameError: name 'io' is not defined" in run["reason"]
    assert any(NOT_MIRRORED in skip["reason"] for skip in run["skipped"])
    assert run["versions"]["keras"] and run["versions"]["keras-hub"]
    assert run["sandbox"]["network"] == network_isolation()
    notes = run["sandbox"]["notes"]
    assert any("small stand-in preset" in note and "not the published weights" in note for note in notes)
    assert any("instantiated without weights, has 3,584 backbone parameters, as its metadata.json says" in note
               for note in notes)
    stored = json.loads(card_path.with_name("albert-text-classifier.results.json").read_text())
    assert stored["key"] == run["key"] and stored["inputs"]["artifact_url"] == HANDLE_KEY

    again = Executor(config, "auto")
    second = again.run([card])[str(card_path)]
    assert again.counts["cells"] == 0 and again.counts["workers"] == 0 and second["cached"]
    assert second["cells"] == run["cells"]


@needs_keras_hub
@pytest.mark.slow
@pytest.mark.skipif(network_isolation() != "namespace", reason="network namespaces are not permitted here")
def test_no_request_leaves_the_sandbox_while_the_preset_loads(tmp_path, listener):
    from generator.artifacts import materialize
    from generator.config import load_config

    keras_catalog(tmp_path)
    preset = materialize(HANDLE_KEY, config=load_config(tmp_path))
    probe = f'''
import socket, sys
attempts = []
sys.addaudithook(lambda event, args: attempts.append(event) if event.startswith(("socket.", "http.")) else None)
import keras_hub
classifier = keras_hub.models.AlbertTextClassifier.from_preset("albert_base_en_uncased", num_classes=4)
loaded = classifier.count_params()
during_load = list(attempts)
interfaces = sorted(line.split(":")[0].strip() for line in open("/proc/self/net/dev").readlines()[2:])
try:
    socket.create_connection(("127.0.0.1", {listener.port}), timeout=2).close()
    reached = True
except OSError:
    reached = False
print({{"attempts": during_load, "loaded": loaded, "interfaces": interfaces, "reached": reached}})
'''
    with worker_for_runtime("keras-hub", preset, aliases=["albert_base_en_uncased"],
                            limits=SandboxLimits(network="namespace", snippet_timeout=120)) as worker:
        assert worker.hello["network"] == "namespace"
        worker.begin_card("probe.md")
        cell = worker.execute(probe)
    assert cell.error is None, cell.error
    seen = eval(cell.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's dict literal
    assert seen["loaded"] > 0  # the stand-in preset loaded through keras-hub and kagglehub ...
    assert [event for event in seen["attempts"] if event != "socket.__new__"] == []  # ... without one request
    assert seen["interfaces"] == ["lo"] and seen["reached"] is False
    assert listener.accepted == []


@needs_keras_hub
@pytest.mark.slow
def test_the_presets_table_is_checked_against_keras_hubs_registry(tmp_path):
    from generator.execute.kerashub import registry_facts
    from generator.checks import CheckContext, check_card

    text = seed(3).read_text(encoding="utf-8")
    wrong = text.replace("| albert_large_en_uncased             | 17.68M ", "| albert_large_en_uncased             | 19.68M ")
    assert wrong != text
    for source, expected in ((text, []), (wrong, ["albert_large_en_uncased"])):
        path = tmp_path / KERAS_PAGE
        path.write_text(source, encoding="utf-8")
        card = parse_card(path.read_bytes(), str(path))
        presets = registry_facts([card])[str(path)]
        assert set(presets) == {preset.name for preset in card.presets}
        found = [f for f in check_card(card, CheckContext(facts={"presets": presets})) if f.code == "MH511"]
        assert [f.message.split()[1] for f in found] == expected
    assert "preset registry" in found[0].message and "17,683,968" in found[0].message
