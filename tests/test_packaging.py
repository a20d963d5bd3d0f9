"""modelhub as a package: the wheel, installed in a new virtualenv outside the repository, does everything.

The wheel is built from a copy of the sources (``python -m build --wheel --no-isolation``), installed with
``pip install --no-deps --no-index`` into a fresh venv, and the locked dependencies are made visible to that venv
by a ``.pth`` file naming this environment's site-packages (nothing is downloaded; the checkout's own editable
install is not loaded, since a ``.pth`` line adds a folder without running the ``.pth`` files in it). Every
command then runs from a working folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.builders import build_tiny_albert_classifier
from tests.serving import get, running_server, wait_for

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("generator", "templates", "setup.py", "pyproject.toml", "README.md")
SECOND_CARD = """---
modelhub: 1
name: shouting_detector_en
title: Shouting detector
date: 2026-11-30
author: catalog tests
task: Text Classification
language: en
license: mit
runtime: python
labels: [calm, shouting]
---

## Description

Says whether a sentence is written in capitals.

## How to use

```python
def classify(text):
    letters = [c for c in text if c.isalpha()]
    return "shouting" if letters and all(c.isupper() for c in letters) else "calm"


print(classify("STOP THAT NOW"))
```

## Results

```text
shouting
```
"""


def _sh(*command: str | Path, cwd: Path, env: dict[str, str] | None = None, expect: int = 0,
        timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == expect, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    _sh(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", base / "dist", source, cwd=base)
    [built] = (base / "dist").glob("modelhub-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict[str, str]:
    """The environment of a new venv with only the wheel installed, plus the locked dependencies via a .pth."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    _sh(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    python = folder / "bin" / "python"
    _sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel,
        cwd=folder.parent)
    purelib = Path(_sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=folder.parent).stdout.strip())
    (purelib / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env.update(PATH=f"{folder / 'bin'}{os.pathsep}{env.get('PATH', '')}", NO_MKDOCS_2_WARNING="1",
               OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", VENV=str(folder))
    return env


@pytest.fixture
def outside(tmp_path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    assert REPO not in work.parents
    return work


def test_the_wheel_carries_every_template_theme_asset_page_and_the_default_mkdocs_configuration(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"generator/templates/{path.relative_to(REPO / 'templates').as_posix()}"
               for path in (REPO / "templates").rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    for name in ("generator/templates/mkdocs.yml", "generator/templates/docs/about.md",
                 "generator/templates/theme/main.html", "generator/templates/theme/assets/modelhub/catalog.js",
                 "generator/templates/model.html.j2", "generator/scaffold/catalog.yml",
                 "generator/vocab/data/languages.yaml", "generator/execute/child.py"):
        assert name in names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("cards/", "tests/"))]
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode("utf-8")
    assert "modelhub = generator.cli:main" in entry_points
    assert "modelhub = generator.render.plugin:ModelhubPlugin" in entry_points


def test_modelhub_in_the_new_venv_is_the_wheel_not_the_checkout(venv, outside):
    python = Path(venv["VENV"]) / "bin" / "python"
    done = _sh(python, "-c", "import generator, generator.render.templates as t; print(generator.__file__); "
                             "print(t.DEFAULT_TEMPLATES); print(t.DEFAULT_MKDOCS_YML.is_file())", cwd=outside, env=venv)
    module, templates, config = done.stdout.split()
    assert Path(module).is_relative_to(venv["VENV"]) and Path(templates).is_relative_to(venv["VENV"])
    assert config == "True"


def test_init_a_catalog_add_a_card_check_run_and_build_it_outside_the_repository(venv, outside):
    _sh("modelhub", "init", "catalog", cwd=outside, env=venv)
    catalog = outside / "catalog"
    (catalog / "cards" / "shouting-detector.md").write_text(SECOND_CARD, encoding="utf-8")
    _sh("modelhub", "check", "--strict", "cards", cwd=catalog, env=venv)
    run = _sh("modelhub", "run", "cards", "--check", cwd=catalog, env=venv, timeout=300)
    assert "2 ok" in run.stdout + run.stderr
    _sh("modelhub", "build", cwd=catalog, env=venv)
    site = catalog / "site"
    assert 'id="mh-catalog"' in (site / "index.html").read_text(encoding="utf-8")
    for slug, title in (("example-keyword-sentiment", "Example keyword sentiment classifier"),
                        ("shouting-detector", "Shouting detector")):
        page = (site / "models" / slug / "index.html").read_text(encoding="utf-8")
        assert title in page and "Verified" in page and "assets/modelhub/modelhub.css" in page
    for asset in ("assets/modelhub/catalog.js", "assets/modelhub/modelhub.css", "assets/modelhub/model.js",
                  "catalog-index/meta.json", "about/index.html", "404.html", "sitemap.xml"):
        assert (site / asset).is_file(), asset
    records = json.loads((site / "models.json").read_text(encoding="utf-8"))["models"]
    assert sorted(record["name"] for record in records) == ["example_keyword_sentiment_en", "shouting_detector_en"]


def test_every_other_command_works_from_the_wheel(venv, outside, tmp_path):
    _sh("modelhub", "init", "catalog", cwd=outside, env=venv)
    catalog = outside / "catalog"
    card = catalog / "cards" / "example-keyword-sentiment.md"
    parsed = json.loads(_sh("modelhub", "parse", card, "--format", "json", cwd=catalog, env=venv).stdout)
    assert parsed["name"] == "example_keyword_sentiment_en" and parsed["dialect"] == "native"
    schema = json.loads(_sh("modelhub", "schema", cwd=catalog, env=venv).stdout)
    assert schema["type"] == "object" and "name" in schema["properties"]
    assert "MH301" in _sh("modelhub", "check", "--list-rules", cwd=catalog, env=venv).stdout
    model = build_tiny_albert_classifier(tmp_path / "tiny-albert", labels=("no", "yes"))
    facts = json.loads(_sh("modelhub", "inspect", model, "--format", "json", cwd=catalog, env=venv).stdout)
    assert facts["labels"] == ["no", "yes"]
    _sh("modelhub", "new", "--from", model, "--name", "tiny_albert_en", "--task", "Text Classification",
        "--license", "mit", "-o", catalog / "cards" / "tiny-albert.md", cwd=catalog, env=venv)
    assert "name: tiny_albert_en" in (catalog / "cards" / "tiny-albert.md").read_text(encoding="utf-8")
    _sh("modelhub", "bench", card, "--mode", "auto", cwd=catalog, env=venv, timeout=300)
    with running_server(["modelhub", "serve"], cwd=catalog, env=venv) as base:
        page = f"{base}models/example-keyword-sentiment/"
        assert wait_for(lambda: "Example keyword sentiment classifier" in (get(page) or ""), 120)
        card.write_text(card.read_text(encoding="utf-8").replace(
            "title: Example keyword sentiment classifier", "title: Renamed while serving", 1), encoding="utf-8")
        assert wait_for(lambda: "Renamed while serving" in (get(page) or ""), 120), "no rebuild after the edit"
