"""Which files under a folder are cards."""

from __future__ import annotations

from generator.cards_on_disk import iter_card_paths


def test_folders_expand_to_sorted_card_files_and_hidden_folders_are_not_entered(tmp_path):
    for name in ("b.md", "a.markdown", "sub/c.txt", "sub/d.csv", ".hidden/e.md", "sub/.venv/f.md", ".g.md"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_card_paths([tmp_path])]
    assert found == ["a.markdown", "b.md", "sub/c.txt"]


def test_files_are_kept_as_given_even_when_missing(tmp_path):
    missing = tmp_path / "nope.md"
    assert list(iter_card_paths([missing])) == [missing]
