"""Lay out a model folder as a Hugging Face hub cache, so ``from_pretrained("org/name")`` resolves offline.

    <cache>/models--org--name/refs/main            -> "<revision>"
    <cache>/models--org--name/snapshots/<revision>/  the model's files (read-only mounts of the verified artifact)

A snippet then runs exactly as a user writes it, with the hub id or the card's name, and gets the artifact we
verified: with HF_HUB_OFFLINE=1 the hub library looks only here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from . import sandbox

_REPO_ID = re.compile(r"^[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?$")


def valid_repo_id(name: str) -> bool:
    """Whether huggingface_hub accepts ``name`` as a model id (so a snippet could use it)."""
    return (bool(_REPO_ID.match(name)) and len(name) <= 96 and "--" not in name and ".." not in name
            and not name.startswith(("-", ".")) and not name.endswith(("-", ".")))


def offline_env(hf_home: Path) -> dict[str, str]:
    """Environment that points the hub libraries at ``hf_home`` (the cache lives in ``hf_home/hub``), offline."""
    return {
        "HF_HOME": str(hf_home),
        "HF_HUB_CACHE": str(hf_home / "hub"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }


def repo_folder(cache: Path, repo_id: str) -> Path:
    return cache / ("models--" + repo_id.replace("/", "--"))


def lay_out_model(cache: Path, repo_ids: Iterable[str], model_dir: Path, revision: str,
                  uid: int | None = None) -> list[str]:
    """Make every id in ``repo_ids`` resolve to ``model_dir``; returns the ids laid out (invalid ones skipped)."""
    done = []
    files = [path for path in sorted(model_dir.rglob("*")) if path.is_file()]
    for repo_id in dict.fromkeys(repo_ids):
        if not valid_repo_id(repo_id):
            continue
        folder = repo_folder(cache, repo_id)
        snapshot = folder / "snapshots" / revision
        for path in files:
            sandbox.expose(path, snapshot / path.relative_to(model_dir), uid)
        (folder / "refs").mkdir(parents=True, exist_ok=True)
        (folder / "refs" / "main").write_text(revision)
        done.append(repo_id)
    return done
