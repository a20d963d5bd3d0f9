"""Keras Hub on Keras 3 with the torch backend: snippets load presets by name, offline, from a kagglehub cache.

A snippet's ``from_preset("albert_base_en_uncased")`` makes keras-hub look the name up in its registry and ask
kagglehub for the Kaggle handle it finds there. The preset a catalog mirrors (``[mirrors]`` maps that handle to a
preset folder or zip, see modelhub.toml) is laid out in the worker's private home under the handle the installed
keras-hub resolves (see ``kerashub``), so the snippet runs exactly as written, with the network namespace in force.
Presets a snippet loads that nobody mirrors are reported "not available offline: preset not mirrored". A card's own
artifact (a preset folder or zip) is laid out the same way under the preset names its snippets load.

keras-hub is installed without its declared dependencies (they pull tensorflow-text, and so tensorflow, which the
torch backend never imports; see requirements/no-deps.txt): where a module it does import is missing, the card is
"not executed" with that module's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import kerashub
from .base import Runtime, WorkerPlan, missing_module
from ...settings import ExecuteSection

WARMUP = """
import torch
torch.set_num_threads(1)
import keras
import keras_hub
"""
# The mirrored preset's size, checked against its config instantiated without weights (shown with the results).
COUNT_CHECK = """
try:
    import json, sys
    _count = keras_hub.models.Backbone.from_preset({name!r}, load_weights=False).count_params()
    _said = json.load(open(keras_hub.src.utils.preset_utils.get_file({name!r}, "metadata.json"))).get("parameter_count")
    print(f"warm-up: the mirrored {name} config, instantiated without weights, has {{_count:,}} backbone parameters"
          + (", as its metadata.json says" if _said == _count else f"; its metadata.json says {{_said}}"),
          file=sys.stderr)
except Exception as error:
    print(f"warm-up could not instantiate {name} without weights: {{type(error).__name__}}: {{error}}", file=sys.stderr)
"""
# Keras keeps its own seed generator for the life of the process; each card reseeds it from the sandbox's seeded
# Python RNG, so a card's weights and outputs do not depend on the cards the worker ran before.
PRELUDE = ("import keras\nimport keras_hub\nimport numpy as np\nfrom keras import ops\n"
           "keras.utils.set_random_seed(__import__('random').getrandbits(31))\n")
NOT_MIRRORED = "not available offline: preset not mirrored"


class KerasHubRuntime(Runtime):
    name = "keras-hub"
    needs_artifact = False
    distributions = ("keras-hub", "keras", "torch", "kagglehub", "sentencepiece", "tokenizers", "numpy")
    description = "Keras Hub on Keras 3, torch backend (CPU)"

    def unavailable_reason(self, settings: ExecuteSection) -> str | None:
        missing = [module for module in kerashub.RUNTIME_MODULES if missing_module(module)]
        if not missing:
            return None
        names = ", ".join(missing)
        return (f"{names} {'is' if len(missing) == 1 else 'are'} not installed here (`make setup` installs the "
                "keras extra from requirements/lock.txt, then keras-hub --no-deps from requirements/no-deps.txt)")

    def model_names(self, code: str) -> list[str]:
        return kerashub.preset_names(code)

    def mirrored_models(self, names: list[str], mirrors: Iterable[str]) -> dict[str, str]:
        """Preset name -> the Kaggle handle a ``[mirrors]`` entry maps (its variation is the preset's name)."""
        found: dict[str, str] = {}
        for prefix in mirrors:
            variation = kerashub.variation_of(prefix)
            if variation in names and variation not in found:
                found[variation] = prefix.strip()
        return found

    def unavailable_model(self, name: str) -> str:
        return f"preset {name} {NOT_MIRRORED}"

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        cache = root / "kaggle"
        (cache / ".kaggle").mkdir(parents=True)
        plan = WorkerPlan(env=kerashub.offline_env(cache), warmup=WARMUP)
        if artifact is None:
            return plan
        if not artifact.is_dir():
            plan.notes.append(f"the artifact {artifact.name} is a file; a Keras preset is a folder (or a zip of one)")
            return plan
        try:
            registry = kerashub.preset_registry()
        except kerashub.KerasHubError as error:
            plan.notes.append(str(error))
            return plan
        for name in aliases:
            entry = registry.get(name)
            if entry is None:
                continue
            try:
                kerashub.lay_out_preset(cache, entry.handle, artifact, uid)
            except kerashub.KerasHubError as error:
                plan.notes.append(f"preset {name}: {error}")
                continue
            plan.notes.append(kerashub.provenance_note(entry, artifact))
            plan.warmup += COUNT_CHECK.format(name=entry.name)
        return plan

    def prelude(self, card: Any) -> str | None:
        """Keras API pages assume ``import keras, keras_hub`` and numpy as ``np`` (the names the snippet checks
        count as provided; see generator/vocab/data/runtimes.yaml)."""
        return PRELUDE

