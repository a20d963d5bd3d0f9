"""Which files under a folder are cards: Markdown by default, or the [cards] include/exclude globs."""

from __future__ import annotations

from generator.cards_on_disk import is_card, iter_card_paths
from generator.cli import main
from tests.conftest import seed


def _tree(root, names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def test_only_markdown_files_are_cards_and_hidden_folders_are_not_entered(tmp_path):
    _tree(tmp_path, ("b.md", "a.markdown", "sub/c.txt", "sub/d.csv", ".hidden/e.md", "sub/.venv/f.md", ".g.md",
                     "requirements.txt", "model/vocab.txt", "model/README.md", "deep/er/h.md"))
    found = [p.relative_to(tmp_path).as_posix() for p in iter_card_paths([tmp_path])]
    assert found == ["b.md", "deep/er/h.md", "model/README.md"]


def test_configured_globs_choose_the_cards(tmp_path):
    _tree(tmp_path, ("a.md", "b.markdown", "drafts/c.md", "models/x/README.md", "models/x/notes.md"))
    found = [p.relative_to(tmp_path).as_posix() for p in iter_card_paths(
        [tmp_path], include=["**/*.md", "**/*.markdown"], exclude=["drafts/**", "models/*/notes.md"])]
    assert found == ["a.md", "b.markdown", "models/x/README.md"]


def test_glob_rules():
    assert is_card("a.md") and is_card("x/y/a.md") and not is_card("a.md.txt")
    assert is_card("top.md", include=["*.md"]) and not is_card("x/top.md", include=["*.md"])
    assert not is_card("x/a.md", exclude=["x/*"]) and is_card("x/y/a.md", exclude=["x/*"])
    assert is_card("card-1.md", include=["card-[0-9].md"]) and not is_card("card-a.md", include=["card-[0-9].md"])


def test_files_are_kept_as_given_even_when_missing(tmp_path):
    missing = tmp_path / "nope.md"
    assert list(iter_card_paths([missing])) == [missing]


def test_check_and_parse_never_read_a_models_text_files(tmp_path, capsys):
    cards = tmp_path / "cards"
    (cards / "model").mkdir(parents=True)
    (cards / "one.md").write_bytes(seed(1).read_bytes())
    (cards / "requirements.txt").write_text("torch==2.13.0\n")
    (cards / "model" / "vocab.txt").write_text("[PAD]\n[UNK]\n")
    main(["check", str(cards), "--format", "json"])
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["cards"] == 1 and {f["path"] for f in report["findings"]} == {str(cards / "one.md")}
    assert main(["parse", str(cards), "--format", "json"]) == 0
    assert [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()] == [str(cards / "one.md")]
    (tmp_path / "modelhub.toml").write_text('[cards]\ninclude = ["**/*.md", "**/*.txt"]\nexclude = ["model/**"]\n')
    main(["check", str(cards), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["cards"] == 2  # one.md and requirements.txt, not the vocabulary
