"""Run the pipeline, then mkdocs with the modelhub plugin: the one function behind ``modelhub build``.

Kept apart from the command so the benchmark and the tests build sites the same way the command does.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, load_config
from ..pipeline import BuildContext, CardRecord, run_pipeline, stages
from .templates import DEFAULT_TEMPLATES

BUNDLED_MKDOCS_YML = DEFAULT_TEMPLATES.parent / "mkdocs.yml"


class SiteBuildError(RuntimeError):
    """The site cannot be built; the message says what to change."""


@dataclass
class SiteBuild:
    records: list[CardRecord]
    site_dir: Path
    mkdocs_yml: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def severities(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for record in self.records:
            for finding in record.findings:
                severity = getattr(finding, "severity", None)
                if severity in counts:
                    counts[severity] += 1
        return counts


def find_mkdocs_yml(explicit: str | Path | None, config: Config) -> Path:
    """The mkdocs configuration: the one given, else mkdocs.yml in the working folder or the catalog's root,
    else the one shipped with modelhub."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SiteBuildError(f"{path}: no such mkdocs configuration file")
        return path
    for folder in (Path.cwd(), config.root):
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    return BUNDLED_MKDOCS_YML


def build_site(paths: Iterable[str | Path], site_dir: str | Path, *, mode: str = "frozen", offline: bool = False,
               mkdocs_yml: str | Path | None = None, config: Config | None = None, quiet: bool = True,
               records: list[CardRecord] | None = None, only: Iterable[str] | None = None) -> SiteBuild:
    """Build the site for the cards under ``paths`` into ``site_dir``.

    ``records`` skips the pipeline (already run by the caller); ``only`` limits the stages it runs.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import MkDocsException

    paths = [Path(p) for p in paths]
    only = None if only is None else list(only)  # read twice: the stages to run, then whether checks ran
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SiteBuildError(f"{', '.join(missing)}: no such file or folder")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:  # a broken modelhub.toml (read here, or by a stage's own table) is a message, not a traceback
        config = config or load_config(paths[0] if paths else None)
        if records is None:
            records = run_pipeline(paths, BuildContext(config, mode=mode, offline=offline, quiet=quiet), only=only)
    except ConfigError as error:
        raise SiteBuildError(str(error)) from error
    timings["pipeline"] = time.perf_counter() - started
    checked = any(stage.name == "check" for stage in stages(only))

    yml = find_mkdocs_yml(mkdocs_yml, config)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site_dir = Path(site_dir).resolve()
    try:
        mk_config = load_mkdocs_config(config_file=str(yml), site_dir=str(site_dir))
    except MkDocsException as error:
        raise SiteBuildError(f"{yml}: {error}") from error
    plugin = mk_config.plugins.get("modelhub")
    if plugin is None:
        raise SiteBuildError(f"{yml}: the modelhub plugin is not enabled; add `- modelhub` under `plugins:`")
    plugin.preset(records, paths, checked, config)
    step = time.perf_counter()
    mk_config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(mk_config)
    except MkDocsException as error:
        raise SiteBuildError(str(error)) from error
    finally:
        mk_config.plugins.on_shutdown()
    timings["mkdocs"] = time.perf_counter() - step
    timings.update({f"render.{k}": v for k, v in plugin.timings.items()})
    timings["total"] = time.perf_counter() - started
    return SiteBuild(records, site_dir, yml, timings)


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """mkdocs logs through ``logging``; outside its own CLI nothing prints them, so show warnings (or info)."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_modelhub", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._modelhub = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
