"""The jinja2 environment for the page templates in the repository's ``templates/`` folder.

Autoescaping is on: card values are escaped unless a view already made them safe HTML (sanitised Markdown).
``templates/theme`` holds the material overrides and static assets; ``templates/docs`` the hand-written pages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def search_path(custom: str | Path | None = None) -> tuple[str, ...]:
    """Where templates are looked up: a catalog's own folder first (it may override any template), then ours."""
    folders = [str(custom)] if custom else []
    return tuple(folders + [str(DEFAULT_TEMPLATES)])


@lru_cache(maxsize=4)
def environment(folders: tuple[str, ...] | str = (str(DEFAULT_TEMPLATES),)) -> jinja2.Environment:
    if isinstance(folders, str):
        folders = (folders,)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    return env


def render(name: str, folders: tuple[str, ...] | str | Path = (str(DEFAULT_TEMPLATES),), **context) -> str:
    key = (str(folders),) if isinstance(folders, (str, Path)) else tuple(folders)
    return environment(key).get_template(name).render(**context)
