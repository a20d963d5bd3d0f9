"""Hugging Face transformers / sentence-transformers: snippets name the model by hub id or card name and get the
verified artifact through an isolated, offline hub cache (see ``hfcache``)."""

from __future__ import annotations

from pathlib import Path

from .. import hfcache
from .base import Runtime, WorkerPlan, missing_module
from ...settings import ExecuteSection

WARMUP = '''
import os, sys
import torch
import transformers
torch.set_num_threads(1)
name = {name!r}
snapshot = {snapshot!r}
try:
    if os.path.exists(os.path.join(snapshot, "modules.json")):
        from sentence_transformers import SentenceTransformer
        SentenceTransformer(name).encode(["warm-up"])
    else:
        transformers.AutoConfig.from_pretrained(name)
        try:
            transformers.AutoTokenizer.from_pretrained(name)
        except Exception:
            pass
        transformers.AutoModel.from_pretrained(name)
except Exception as error:  # the card's own code will show the real error; warming up is best effort
    print(f"warm-up could not load {{name}}: {{type(error).__name__}}: {{error}}", file=sys.stderr)
try:  # the CA bundle is parsed once per worker, not once per card: huggingface_hub builds a new HTTP client in
    import httpcore2  # every forked process (each card's), and parsing the bundle costs about 70 ms
    _parse_ca_bundle = httpcore2.default_ssl_context
    _context = _parse_ca_bundle()

    def _default_ssl_context(*, _trust_env=True, _parse=_parse_ca_bundle, _context=_context):
        if _trust_env and (os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR")):
            return _parse(_trust_env=_trust_env)
        return _context

    httpcore2.default_ssl_context = _default_ssl_context
except Exception:
    pass
'''


class TransformersRuntime(Runtime):
    name = "transformers"
    needs_artifact = True
    distributions = ("transformers", "torch", "sentence-transformers", "huggingface-hub", "tokenizers",
                     "safetensors", "numpy")
    description = "Hugging Face transformers and sentence-transformers on PyTorch (CPU)"

    def unavailable_reason(self, settings: ExecuteSection) -> str | None:
        missing = missing_module("transformers", "torch")
        if missing:
            return f"{missing} is not installed here (install the ml extra: pip install 'modelhub[ml]')"
        return None

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        hf_home = root / "hf"
        plan = WorkerPlan(env=hfcache.offline_env(hf_home))
        if artifact is None:
            return plan
        if not artifact.is_dir():
            plan.notes.append(f"the artifact {artifact.name} is a file; transformers needs a model folder")
            return plan
        laid_out = hfcache.lay_out_model(hf_home / "hub", aliases, artifact, revision, uid)
        skipped = [name for name in aliases if name not in laid_out]
        if skipped:
            plan.notes.append("not usable as hub ids: " + ", ".join(skipped))
        if laid_out:
            snapshot = hfcache.repo_folder(hf_home / "hub", laid_out[0]) / "snapshots" / revision
            plan.warmup = WARMUP.format(name=laid_out[0], snapshot=str(snapshot))
        return plan

