"""Catalog configuration: ``[tool.modelhub]`` in pyproject.toml or a ``modelhub.toml`` file.

``load_config`` finds the file; ``Config.settings`` is its content validated into typed tables
(``generator.settings``), the only way the code reads configuration. A wrong value is a ``ConfigError`` naming the
file, the line, the dotted key and the expected form.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings import ConfigError, Settings, parse_settings

__all__ = ["Config", "ConfigError", "environment_cache_dir", "load_config"]


@dataclass
class Config:
    root: Path  # the folder the configuration file is in; relative paths in it are relative to this
    # The table as read: validated once, into ``settings``, which is what code reads; kept only to hand the
    # configuration to worker processes and to fingerprint it.
    data: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    prefix: str = ""  # where the table sits in the file: "tool.modelhub" in a pyproject.toml
    settings: Settings = field(init=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.data = self.data or {}
        self.settings = parse_settings(self.data, self.source, self.prefix)

    def path(self, value: str | Path) -> Path:
        """A path from the configuration, resolved against the configuration file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.root / path)

    @property
    def cache_dir(self) -> Path:
        return self.path(self.settings.cache_dir)


def environment_cache_dir() -> Path:
    """Where facts of the installed environment (not of a catalog) are kept for every catalog built with it:
    ``$XDG_CACHE_HOME/modelhub``, by default ``~/.cache/modelhub``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelhub"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 (byte {error.start}): save the file as UTF-8, as TOML requires"
                          ) from error


def load_config(start: str | Path | None = None) -> Config:
    """Find the nearest modelhub.toml or pyproject.toml with [tool.modelhub], walking up from ``start``."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        own = folder / "modelhub.toml"
        if own.is_file():
            data = _read_toml(own)
            nested = data.get("tool", {}).get("modelhub") if isinstance(data.get("tool"), dict) else None
            if isinstance(nested, dict):
                return Config(folder, nested, own, "tool.modelhub")
            return Config(folder, data, own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "modelhub" in tool:
                if not isinstance(tool["modelhub"], dict):
                    raise ConfigError(f"{pyproject}: tool.modelhub must be a table, e.g. [tool.modelhub]")
                return Config(folder, tool["modelhub"], pyproject, "tool.modelhub")
    return Config(here, {}, None)
