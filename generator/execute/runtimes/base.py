"""What every runtime provides, and the helpers they share."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...card import Card
from .. import sandbox
from ...settings import ExecuteSection


@dataclass
class WorkerPlan:
    """Everything a worker for one (runtime, artifact) needs, prepared in its folder before it starts."""

    env: dict[str, str] = field(default_factory=dict)
    warmup: str | None = None  # run once per worker in the runtime's own namespace (imports, model load)
    card_files: dict[str, Path] = field(default_factory=dict)  # exposed in every card's working folder
    notes: list[str] = field(default_factory=list)


def installed_versions(distributions: tuple[str, ...]) -> dict[str, str]:
    """Versions of the installed distributions among ``distributions`` (read from metadata; nothing imported)."""
    found = {"python": platform.python_version()}
    for name in distributions:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def missing_module(*modules: str) -> str | None:
    """The first of ``modules`` that cannot be imported, or None."""
    for module in modules:
        try:
            if importlib.util.find_spec(module) is None:
                return module
        except (ImportError, ValueError):
            return module
    return None


def expose_tree(source: Path, target_dir: Path, uid: int | None) -> dict[str, Path]:
    """Expose the entries of ``source`` (a folder, or one file) inside ``target_dir``; returns name -> target."""
    exposed = {}
    entries = sorted(source.iterdir()) if source.is_dir() else [source]
    for entry in entries:
        exposed[entry.name] = target_dir / entry.name
        sandbox.expose(entry, target_dir / entry.name, uid)
    return exposed


def stage_artifact(root: Path, artifact: Path, uid: int | None) -> dict[str, Path]:
    """Expose the artifact's entries in the worker's ``artifact`` folder; returns them as card files."""
    staged = root / "artifact"
    staged.mkdir()
    return expose_tree(artifact, staged, uid)


class Runtime:
    """A way of running snippets. Subclasses set the class attributes and override what differs."""

    name = "python"
    needs_artifact = False  # True: the card cannot run without its artifact (the model)
    distributions: tuple[str, ...] = ("numpy",)  # their versions are part of the cache key
    description = ""

    def unavailable_reason(self, settings: ExecuteSection) -> str | None:
        """Why this runtime cannot run on this machine (precise, with what to install), or None."""
        return None

    def versions(self) -> dict[str, str]:
        """Library versions (read once per process: metadata lookups are slow at catalog scale)."""
        cached = self.__dict__.get("_versions")
        if cached is None:
            cached = self.__dict__["_versions"] = installed_versions(self.distributions)
        return dict(cached)

    def plan(self, root: Path, uid: int | None, artifact: Path | None, aliases: list[str],
             revision: str, settings: ExecuteSection | None = None) -> WorkerPlan:
        """Lay out what the worker needs under ``root`` (a model cache, files) and say how to start it.

        ``aliases`` are the names snippets may use for the model (hub id, card names); ``revision`` is a stable
        40-hex id of the artifact's content.
        """
        return WorkerPlan(card_files={artifact.name: artifact} if artifact is not None else {})

    def model_names(self, code: str) -> list[str]:
        """Names of models a snippet loads by name (e.g. Keras presets), in order; none by default."""
        return []

    def mirrored_models(self, names: list[str], mirrors: Iterable[str]) -> dict[str, str]:
        """For the model ``names`` a card loads, the URL of each one a ``[mirrors]`` prefix serves (name -> URL)."""
        return {}

    def unavailable_model(self, name: str) -> str:
        """Why a snippet that loads the model ``name`` is not run (no mirror serves it offline)."""
        return f"model {name} is not available offline"

    def prelude(self, card: Card) -> str | None:
        """Code run in each card's namespace before its first snippet (imports the card dialect assumes)."""
        return None
