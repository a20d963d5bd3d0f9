"""Catalog configuration: ``[tool.modelhub]`` in pyproject.toml or a ``modelhub.toml`` file.

Each subsystem reads its own table (``rules``, ``mirrors``, ``artifacts``, ``execute``, ``bench``, ``site``) through
``Config.section``, so adding a setting never touches this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration file that cannot be read; the message names the file and what to fix."""


@dataclass
class Config:
    root: Path  # the folder the configuration file is in; relative paths in it are relative to this
    data: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.source}: [tool.modelhub.{name}] must be a table, not {type(value).__name__}")
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def path(self, value: str | Path) -> Path:
        """A path from the configuration, resolved against the configuration file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.root / path)

    @property
    def cache_dir(self) -> Path:
        return self.path(self.data.get("cache_dir", ".modelhub-cache"))


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
            return Config(folder, data.get("tool", {}).get("modelhub", data), own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            if "modelhub" in data.get("tool", {}):
                return Config(folder, data["tool"]["modelhub"], pyproject)
    return Config(here, {}, None)
