"""Package layout only (everything else is in pyproject.toml).

The top-level ``templates/`` folder stays the one source of the default templates, theme assets, hand-written pages
and the default mkdocs configuration; the wheel installs it as the package ``generator.templates`` (its folders as
its sub-packages). pyproject.toml's ``packages.find`` cannot add packages that live outside ``generator/``.
"""

from setuptools import find_namespace_packages, setup

EXCLUDE = ["*__pycache__*"]

setup(
    packages=[*find_namespace_packages(include=["generator", "generator.*"], exclude=EXCLUDE), "generator.templates",
              *(f"generator.templates.{name}" for name in find_namespace_packages(where="templates", exclude=EXCLUDE))],
    package_dir={"generator.templates": "templates"},
)
