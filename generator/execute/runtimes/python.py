"""Plain Python: the snippet runs as written; the card's artifact, if any, appears in the working folder."""

from __future__ import annotations

from pathlib import Path

from .base import Runtime, WorkerPlan, stage_artifact
from ...settings import ExecuteSection


class PythonRuntime(Runtime):
    name = "python"
    needs_artifact = False
    distributions = ("numpy",)
    description = "the standard interpreter of this environment"

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        if artifact is None:
            return WorkerPlan()
        return WorkerPlan(card_files=stage_artifact(root, artifact, uid))

