"""mkdocs with the modelhub plugin (which runs the pipeline over the cards): the one function behind ``modelhub build``.

Kept apart from the command so the benchmark and the tests build sites the same way the command does.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cards_on_disk import no_cards_message
from ..config import Config, ConfigError, load_config
from ..errors import UsageError
from ..executors.shard import Shard
from . import uptodate
from .buildcache import CardScan, scan_cards
from .incremental import WorkStats
from .templates import DEFAULT_MKDOCS_YML


class SiteBuildError(UsageError, RuntimeError):
    """The site cannot be built; the message says what to change."""


@dataclass
class SiteBuild:
    cards: int
    site_dir: Path
    mkdocs_yml: Path
    severities: dict[str, int] = field(default_factory=dict)  # findings by severity over every card
    stats: WorkStats | None = None
    timings: dict[str, float] = field(default_factory=dict)


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
    return DEFAULT_MKDOCS_YML


def raw_mkdocs_config(yml: Path) -> dict[str, Any]:
    """``yml`` as mkdocs reads it, before validation: INHERIT merged, ``!ENV`` tags resolved."""
    from mkdocs.utils.yaml import yaml_load

    with yml.open("rb") as handle:
        return yaml_load(handle) or {}


def plugin_options(yml: Path, **options: Any) -> dict[str, Any]:
    """The ``plugins`` of ``yml`` with ``options`` set on the modelhub entry, in mkdocs' mapping form.

    Given to mkdocs' ``load_config`` (which puts it in place of the file's plugins), it is how ``modelhub build``
    and ``modelhub serve`` hand their command line to the plugin: as the plugin's own validated options, read again
    on every ``serve`` rebuild (the mapping form, unlike a list, is not consumed by being read).
    """
    plugins = raw_mkdocs_config(yml).get("plugins") or []
    entries = list(plugins.items()) if isinstance(plugins, dict) else [
        next(iter(entry.items())) if isinstance(entry, dict) else (entry, None) for entry in plugins]
    names = [name for name, _ in entries]
    if "modelhub" not in names:
        raise SiteBuildError(f"{yml}: the modelhub plugin is not enabled; add `- modelhub` under `plugins:`")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SiteBuildError(f"{yml}: plugins listed more than once: {', '.join(twice)}; list each plugin once")
    return {name: {**(value or {}), **options} if name == "modelhub" else value for name, value in entries}


def build_site(paths: Iterable[str | Path], site_dir: str | Path, *, mode: str | None = None, offline: bool = False,
               mkdocs_yml: str | Path | None = None, config: Config | None = None, quiet: bool = True,
               jobs: int | None = None, cache: bool = True, executor: str = "local",
               address: str | None = None, shard: Shard | None = None) -> SiteBuild:
    """Build the site for the cards under ``paths`` into ``site_dir``: mkdocs with the modelhub plugin, which runs
    the pipeline over the cards (``mode``, default: the configuration's ``execute.mode``; ``offline``) with
    ``config``'s folder as the catalog root, in ``jobs`` processes (default: every core); ``cache=False`` ignores and
    keeps no build cache. Execution and benchmarks run on ``executor`` (``local`` or ``ray`` at ``address``, see
    ``generator.executors``); with ``shard``, only that shard's cards execute and benchmark, and every card is
    rendered (the others from their stored results)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import MkDocsException

    paths = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SiteBuildError(f"{', '.join(missing)}: no such file or folder")
    started = time.perf_counter()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site_dir = Path(site_dir).resolve()
    try:  # a broken modelhub.toml (read here, or by a stage's own table) is a message, not a traceback
        config = config or load_config(paths[0] if paths else None)
        if shard is not None:  # a usage error before anything is built
            shard.require_execution(mode or config.settings.execute.mode)
        scan = scan_cards(paths, config)  # read by the up-to-date check and by the record pass
        if not scan.paths:
            raise SiteBuildError(no_cards_message(paths, config.settings.cards.include))
        yml = find_mkdocs_yml(mkdocs_yml, config)
        plugins = plugin_options(yml, cards=[str(p) for p in paths], root=str(config.root), mode=mode,
                                 offline=offline, quiet=quiet, jobs=jobs, cache=cache, executor=executor,
                                 address=address, shard=str(shard) if shard else None)
        mk_config = load_mkdocs_config(config_file=str(yml), site_dir=str(site_dir), plugins=plugins)
    except ConfigError as error:
        raise SiteBuildError(str(error)) from error
    except MkDocsException as error:
        raise SiteBuildError(f"{yml}: {error}") from error
    plugin = mk_config.plugins["modelhub"]
    plugin.scan = scan
    stamp = _input_stamp(yml, mk_config, plugins["modelhub"], config, scan, mode) if cache else None
    cache_folder = config.cache_dir / "build"
    last = uptodate.last_build(cache_folder, site_dir) if stamp is not None else None
    if stamp is not None:
        known = uptodate.unchanged(last, site_dir, stamp)
        if known is not None:  # nothing it reads changed, nothing it wrote was touched: the site stands
            for path, error in known.failed:
                logging.getLogger("mkdocs.plugins.modelhub").error(
                    "modelhub: %s: the model page could not be rendered: %s", path, error)
            total = time.perf_counter() - started
            return SiteBuild(known.cards, site_dir, yml, dict(known.severities),
                             WorkStats(cards=known.cards, pages_kept=known.pages, pages_failed=len(known.failed)),
                             {"pipeline": 0.0, "total": total, "mkdocs": total, "up_to_date": 1.0})
        uptodate.forget(cache_folder, site_dir)
    mk_config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(mk_config)
    except (MkDocsException, ConfigError) as error:
        raise SiteBuildError(str(error)) from error
    finally:
        mk_config.plugins.on_shutdown()
    timings = {f"render.{k}": v for k, v in plugin.timings.items()}
    timings["pipeline"] = plugin.timings.get("pipeline", 0.0)
    timings["total"] = time.perf_counter() - started
    timings["mkdocs"] = timings["total"] - timings["pipeline"]
    catalog = plugin.catalog
    severities = plugin.work.severities() if plugin.work else {"error": 0, "warning": 0, "info": 0}
    stats = plugin.work.stats if plugin.work else None
    cards = len(catalog) if catalog is not None else 0
    if stamp is not None:
        pages = stats.pages_written + stats.pages_kept if stats else 0
        # the pages' stamps as the build knows them: those it kept are as the last build recorded them, unless the
        # last build had these very inputs (then the site had changed since: every file is looked at again)
        previous = last.files if last is not None and last.stamp != stamp else {}
        known, sealed = plugin.work.site_stamps(previous) if plugin.work else ({}, set())
        uptodate.remember(cache_folder, site_dir, stamp, uptodate.Outcome(cards, severities, pages, plugin.failed),
                          known, sealed)
    return SiteBuild(cards, site_dir, yml, severities, stats, timings)


def _input_stamp(yml: Path, mk_config: Any, options: dict[str, Any], config: Config, scan: CardScan,
                 mode: str | None) -> str | None:
    """The input stamp of a build (``uptodate.input_stamp``), or None for a build that executes cards."""
    if (mode or config.settings.execute.mode) in ("auto", "force"):
        return None
    from .cardwork import fingerprint
    from .templates import search_path

    raw = raw_mkdocs_config(yml)
    here = yml.parent
    folders = [mk_config.docs_dir, mk_config.theme.custom_dir, str(config.root / "templates"), *search_path(),
               *(str(here / value) for value in [options.get("templates")] if value),
               *(str(here / hook) for hook in raw.get("hooks") or [] if isinstance(hook, str)),
               *mk_config.watch]
    chosen = {k: v for k, v in options.items() if k not in ("jobs", "quiet")}  # they change how, not what
    return uptodate.input_stamp(raw_mkdocs=raw, options={"yml": str(yml), "plugin": chosen},
                                folders=[str(f) for f in folders if f], scan=scan, fingerprint=fingerprint(config, (), [mode]))


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """mkdocs logs through ``logging``; outside its own CLI nothing prints them, so show warnings (or info)."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_modelhub", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._modelhub = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
