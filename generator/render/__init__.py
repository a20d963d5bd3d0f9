"""The site: the mkdocs plugin (``plugin``), the per-card work of a build (``incremental``, ``cardwork``), model,
family and catalog pages, and the search index; it reads the pipeline's finished records and writes files."""
