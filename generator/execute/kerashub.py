"""Lay out a Keras preset as a kagglehub cache, so ``from_preset("<name>")`` resolves offline to files we chose.

keras-hub turns a built-in preset name into a Kaggle handle through its own registry (``BUILTIN_PRESETS``) and asks
kagglehub for the files; kagglehub serves them from ``KAGGLEHUB_CACHE`` without a request when the bundle is there
and marked complete:

    <cache>/models/<owner>/<model>/<framework>/<variation>/<version>/           the preset's files
    <cache>/models/<owner>/<model>/<framework>/<variation>/<version>.complete  the bundle is complete
    <cache>/models/<owner>/<model>/<framework>/<variation>/.complete/<version>/<file>.complete   each file is

The handle is read from the installed keras-hub (``preset_registry``), never written here, so a snippet runs exactly
as a user writes it and keras-hub resolves the name the way it does everywhere else.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..card import Card
from ..config import Config, environment_cache_dir
from ..errors import ExecutionError
from ..records import ArtifactStatus
from . import sandbox

# from_preset("name") / from_preset('name') with a literal first argument: the names a snippet loads.
_FROM_PRESET = re.compile(r"\.from_preset\(\s*(?:preset\s*=\s*)?(['\"])([^'\"\n]+)\1")
_HANDLE = re.compile(r"^kaggle://([\w.\-]+)/([\w.\-]+)/([\w.\-]+)/([\w.\-]+)/(\d+)$")
# What `import keras_hub` and the text models' preset loading import under the torch backend (the distributions of
# the `keras` extra, plus keras-hub itself, installed without its declared dependencies: see requirements/no-deps.txt).
# grain feeds `fit` on Python lists under torch.
RUNTIME_MODULES = ("keras_hub", "keras", "torch", "numpy", "sentencepiece", "tokenizers", "kagglehub", "grain",
                   "absl", "regex", "h5py", "ml_dtypes", "namex", "optree", "rich", "packaging")


class KerasHubError(ExecutionError, RuntimeError):
    """keras-hub cannot be imported here, or a preset cannot be laid out; the message says what to do."""


@dataclass(frozen=True)
class PresetEntry:
    """One row of keras-hub's built-in preset registry."""

    name: str
    handle: str  # kaggle://owner/model/framework/variation/version
    parameters: int | None
    description: str


def preset_names(code: str) -> list[str]:
    """The preset names a snippet passes to ``from_preset`` as string literals, in order, once each."""
    return list(dict.fromkeys(match.group(2).strip() for match in _FROM_PRESET.finditer(code)))


def variation_of(handle: str) -> str | None:
    """The preset name a Kaggle model handle carries (its variation), or None when it is no such handle."""
    match = _HANDLE.match(handle.strip())
    return match.group(4) if match and match.group(4) not in (".", "..") else None


def bundle_folder(cache: Path, handle: str) -> Path:
    """Where kagglehub keeps the files of ``handle`` under ``cache``."""
    match = _HANDLE.match(handle)
    if not match or any(part in (".", "..") for part in match.groups()):
        raise KerasHubError(f"{handle!r} is not a versioned Kaggle model handle (kaggle://owner/model/framework/"
                            "variation/version)")
    owner, model, framework, variation, version = match.groups()
    return cache / "models" / owner / model / framework / variation / version


def lay_out_preset(cache: Path, handle: str, preset_dir: Path, uid: int | None = None) -> Path:
    """Make ``handle`` resolve to the files of ``preset_dir`` through kagglehub's cache; returns the bundle folder."""
    if not (preset_dir / "config.json").is_file():
        raise KerasHubError(f"{preset_dir} is not a Keras preset folder (no config.json)")
    bundle = bundle_folder(cache, handle)
    version = bundle.name
    markers = bundle.parent / ".complete" / version
    for path in sorted(p for p in preset_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(preset_dir)
        sandbox.expose(path, bundle / relative, uid)
        marker = markers / f"{relative.as_posix()}.complete"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("")
    (bundle.parent / f"{version}.complete").write_text("")
    return bundle


def provenance_note(entry: PresetEntry, preset_dir: Path) -> str:
    """Where ``from_preset(entry.name)`` gets its files in the sandbox, said plainly on the page: the published
    preset, or a stand-in when its size differs from what keras-hub's registry says of the published one."""
    try:
        metadata = json.loads((preset_dir / "metadata.json").read_text(encoding="utf-8"))
        count = int(metadata["parameter_count"])
    except (OSError, ValueError, KeyError, TypeError):
        return (f'from_preset("{entry.name}") loads the catalog\'s mirror of {entry.handle}; its metadata.json states '
                "no parameter count, so nothing says whether it is the published preset")
    if entry.parameters is not None and count != entry.parameters:
        return (f'from_preset("{entry.name}") loads a small stand-in preset mirrored for {entry.handle} '
                f"({count:,} backbone parameters), not the published weights ({entry.parameters:,} parameters in "
                "keras-hub's registry): the results come from the stand-in")
    return f'from_preset("{entry.name}") loads the catalog\'s mirror of {entry.handle} ({count:,} parameters)'


def offline_env(cache: Path) -> dict[str, str]:
    """Environment for the sandbox: keras on torch (eager), kagglehub reading only ``cache``, no credentials."""
    return {
        "KERAS_BACKEND": "torch",
        "KAGGLEHUB_CACHE": str(cache),
        "KAGGLE_CONFIG_DIR": str(cache / ".kaggle"),  # an empty folder: never the user's kaggle.json
        "KAGGLEHUB_VERBOSITY": "error",
        "DISABLE_COLAB_CACHE": "true",
        "DISABLE_KAGGLE_CACHE": "true",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # `compile(jit_compile=True)` means torch.compile on this backend: minutes of CPU for a two-sentence fit
        # (342 s measured for the Keras page's first example). The sandbox runs it eagerly instead.
        "TORCHDYNAMO_DISABLE": "1",
    }


_REGISTRY_SCRIPT = """
import json, sys
from keras_hub.src.utils.preset_utils import BUILTIN_PRESETS
json.dump({name: {"handle": entry.get("kaggle_handle"), "parameters": (entry.get("metadata") or {}).get("params"),
                  "description": (entry.get("metadata") or {}).get("description", "")}
           for name, entry in BUILTIN_PRESETS.items()}, sys.stdout)
"""


def keras_hub_version() -> str:
    try:
        return importlib.metadata.version("keras-hub")
    except importlib.metadata.PackageNotFoundError as error:
        raise KerasHubError("keras-hub is not installed here") from error


@lru_cache(maxsize=4)
def preset_registry(python: str = sys.executable, cache: Path | None = None) -> dict[str, PresetEntry]:
    """keras-hub's built-in presets, read from the installed package in a separate interpreter (importing keras
    takes seconds and hundreds of MB that the build never needs again). Raises KerasHubError naming what is missing.

    With ``cache`` (a folder), the registry read once for this interpreter and keras-hub version is kept there, and
    processes building at the same time read it once between them (the others wait for it under a file lock)."""
    if cache is None:
        return _entries(_read_registry(python))
    import fcntl
    import hashlib

    tag = hashlib.sha256(f"{python}\0{keras_hub_version()}".encode()).hexdigest()[:20]
    memo = Path(cache) / f"keras-hub-presets-{tag}.json"
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        lock = open(memo.with_suffix(".lock"), "a")  # noqa: SIM115 - held until the memo is read or written
    except OSError:  # a cache folder we cannot write: read the registry as if there were none
        return _entries(_read_registry(python))
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = _read_registry(python)
            temp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
            temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(temp, memo)
    return _entries(data)


def _read_registry(python: str) -> dict[str, dict]:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env.update({"KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        done = subprocess.run([python, "-c", _REGISTRY_SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KerasHubError(f"could not read keras-hub's preset registry: {error}") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise KerasHubError("`import keras_hub` fails here: " + (lines[-1] if lines else f"exit {done.returncode}"))
    return json.loads(done.stdout)


def _entries(data: dict[str, dict]) -> dict[str, PresetEntry]:
    return {name: PresetEntry(name, str(entry["handle"]), entry["parameters"], entry["description"] or "")
            for name, entry in data.items() if entry.get("handle")}


def registry_facts(cards: list[Card], config: Config | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Keras API pages' presets tables against keras-hub's own registry: card path -> preset -> facts MH511
    compares each row with. Nothing where keras-hub is not installed. The registry is a fact of the installed
    package, not of a catalog: with ``config`` given it is read once per interpreter and keras-hub version into the
    environment cache (``config.environment_cache_dir``), shared by every catalog built here, so a new catalog does
    not pay seconds of ``import keras_hub`` again."""
    pages = [card for card in cards if card.presets and card.dialect == "keras"]
    if not pages:
        return {}
    cache = environment_cache_dir() / "keras-hub" if config is not None else None
    try:
        registry, version = preset_registry(cache=cache), keras_hub_version()
    except KerasHubError:
        return {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for card in pages:
        for preset in card.presets:
            entry = registry.get(preset.name)
            if entry is not None and entry.parameters is not None:
                out.setdefault(card.path, {})[preset.name] = {
                    "status": ArtifactStatus.OK, "parameters": entry.parameters, "url": entry.handle,
                    "origin": {"parameters": f"keras-hub {version}'s preset registry (metadata params)"}}
    return out
