"""modelhub's defaults, installed as ``generator.templates``: page templates (``*.html.j2``, ``partials/``), the
material overrides and static assets (``theme/``), the hand-written pages (``docs/``) and the mkdocs configuration a
catalog without its own ``mkdocs.yml`` is built with (``mkdocs.yml``). A catalog's own ``templates/`` folder, when
it has one, is searched first and may override any of these files by name."""
