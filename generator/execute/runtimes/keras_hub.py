"""Keras Hub: runs only where keras-hub, Keras 3 and a backend (torch, jax or tensorflow) are installed.

Anywhere else the card is reported "not executed" with the missing piece. Presets named in snippets are fetched
from Kaggle by keras-hub, which the sandbox cannot reach; a card's own artifact (a preset folder) is exposed in the
working folder so ``from_preset("./<folder>")`` works offline.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from . import register_runtime
from .base import Runtime, WorkerPlan, missing_module, stage_artifact

BACKENDS = ("torch", "jax", "tensorflow")


class KerasHubRuntime(Runtime):
    name = "keras-hub"
    needs_artifact = False
    distributions = ("keras-hub", "keras", "torch", "jax", "tensorflow")
    description = "Keras Hub on Keras 3"

    def unavailable_reason(self, settings: dict[str, Any]) -> str | None:
        if missing_module("keras_hub"):
            return "keras-hub is not installed here (pip install keras-hub; it needs Keras 3 and a backend)"
        if missing_module("keras"):
            return "keras (3.x) is not installed here (pip install keras)"
        if self.backend() is None:
            return "no Keras backend is installed here (torch, jax or tensorflow)"
        return None

    @staticmethod
    def backend() -> str | None:
        for name in BACKENDS:
            if importlib.util.find_spec(name) is not None:
                return name
        return None

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: dict[str, Any] | None = None) -> WorkerPlan:
        plan = WorkerPlan(env={"KERAS_BACKEND": self.backend() or "torch", "KAGGLEHUB_CACHE": str(root / "kaggle")},
                          warmup="import keras\nimport keras_hub\n")
        if artifact is not None:
            plan.card_files = stage_artifact(root, artifact, uid)
        return plan


register_runtime(KerasHubRuntime())
