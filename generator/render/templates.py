"""The jinja2 environment for the page templates in the repository's ``templates/`` folder.

Autoescaping is on: card values are escaped unless a view already made them safe HTML (sanitised Markdown).
``templates/theme`` holds the material overrides and static assets; ``templates/docs`` the hand-written pages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def templates_dir(configured: str | Path | None = None, base: Path | None = None) -> Path:
    """The templates folder: the configured one (relative to ``base``), else the one shipped with modelhub."""
    if configured:
        path = Path(configured)
        if not path.is_absolute() and base is not None:
            path = base / path
        return path
    return DEFAULT_TEMPLATES


@lru_cache(maxsize=4)
def environment(folder: str | Path = DEFAULT_TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    return env


def render(name: str, folder: str | Path = DEFAULT_TEMPLATES, **context) -> str:
    return environment(str(folder)).get_template(name).render(**context)
