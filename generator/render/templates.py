"""The jinja2 environment for the page templates: a catalog's own folder first, then modelhub's defaults.

The defaults are the package ``generator.templates`` (the repository's top-level ``templates/`` folder, installed
with the wheel): ``theme/`` holds the material overrides and static assets, ``theme_root/`` the theme files at the
site's root that only a catalog which is the whole site uses (its 404 page), ``docs/`` the hand-written pages and
``mkdocs.yml`` the default site configuration. Autoescaping is on: card values are escaped unless a view already
made them safe HTML (sanitised Markdown).

Compiled templates are kept between builds in jinja's per-user bytecode cache (a private folder in the temporary
directory, keyed by each template's source): a rebuild does not compile the model page and theme templates again.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import jinja2

DEFAULT_TEMPLATES = Path(str(files("generator.templates")))
DEFAULT_MKDOCS_YML = DEFAULT_TEMPLATES / "mkdocs.yml"


def search_path(custom: str | Path | None = None) -> tuple[str, ...]:
    """Where templates are looked up: a catalog's own folder first (it may override any template), then ours."""
    folders = [str(custom)] if custom else []
    return tuple(folders + [str(DEFAULT_TEMPLATES)])


@lru_cache(maxsize=1)
def bytecode_cache() -> jinja2.BytecodeCache:
    """The bytecode cache of every template environment of a build, modelhub's and mkdocs' theme."""
    return jinja2.FileSystemBytecodeCache()


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """jinja's environment, with ``value.key`` on a dict looked up as an item first when ``key`` is no attribute of
    a dict (``items``, ``get``, ... stay the methods). jinja tries the attribute first and catches the
    AttributeError: the page's views are dicts, and those exceptions were a fifth of a model page's rendering."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@lru_cache(maxsize=4)
def environment(folders: tuple[str, ...] | str = (str(DEFAULT_TEMPLATES),)) -> jinja2.Environment:
    if isinstance(folders, str):
        folders = (folders,)
    env = _Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
        bytecode_cache=bytecode_cache(),
    )
    return env


def render(name: str, folders: tuple[str, ...] | str | Path = (str(DEFAULT_TEMPLATES),), **context) -> str:
    key = (str(folders),) if isinstance(folders, (str, Path)) else tuple(folders)
    return environment(key).get_template(name).render(**context)
