"""ONNX Runtime: the artifact's files (``*.onnx`` and any tokenizer files) appear in the card's working folder and,
for tokenizers named by hub id, in an offline hub cache."""

from __future__ import annotations

import os
from pathlib import Path

from .. import hfcache
from .base import Runtime, WorkerPlan, missing_module, stage_artifact
from ...settings import ExecuteSection

WARMUP = '''
import numpy
import onnxruntime
for path in {models!r}:
    onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
'''


class OnnxRuntime(Runtime):
    name = "onnx"
    needs_artifact = True
    distributions = ("onnxruntime", "onnx", "numpy", "tokenizers", "transformers")
    description = "ONNX Runtime (CPU execution provider)"

    def unavailable_reason(self, settings: ExecuteSection) -> str | None:
        missing = missing_module("onnxruntime", "numpy")
        if missing:
            return f"{missing} is not installed here (pip install onnxruntime numpy)"
        return None

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        hf_home = root / "hf"
        plan = WorkerPlan(env=hfcache.offline_env(hf_home))
        if artifact is None:
            return plan
        plan.card_files = stage_artifact(root, artifact, uid)
        if artifact.is_dir():
            hfcache.lay_out_model(hf_home / "hub", aliases, artifact, revision, uid)
        models = sorted(str(Path(folder, name)) for folder, _, names in os.walk(root / "artifact", followlinks=True)
                        for name in names if name.endswith(".onnx"))
        if models:
            plan.warmup = WARMUP.format(models=models)
        return plan

