"""On the reference corpus: no MH413 on licensed cards, no label finding caused by an average row, and each
finding about a line quotes what that line holds."""

from __future__ import annotations

import re

from generator.card import read_card
from generator.card.benchmark import average_of
from generator.checks.runner import check_paths
from tests.conftest import corpus_files, needs_corpus


@needs_corpus
def test_findings_on_the_corpus_point_at_the_line_they_name():
    files = corpus_files()
    checked = {item.path: item.findings for item in check_paths(files, jobs=1)}
    cards = {str(path): read_card(path) for path in files}
    licensed = [path for path, card in cards.items() if (card.license or "").lower().startswith("licen")]
    assert licensed, "the corpus has licensed cards"
    for path in licensed:
        assert not [f for f in checked[path] if f.code == "MH413"], path
    for path, findings in checked.items():
        lines = cards[path].text.splitlines()
        for finding in findings:
            assert 1 <= finding.line <= max(1, len(lines)), (path, finding)
            text = lines[finding.line - 1] if lines else ""
            if finding.code == "MH412":
                assert not any(average_of(label) for label in re.findall(r"[\w-]+(?: avg)?", finding.message))
            if finding.code == "MH304":  # the line holds the .pretrained(...) call with the name the message quotes
                name = re.search(r"loads `([^`]+)`", finding.message).group(1)
                assert name in text and ("pretrained" in text.lower() or "PretrainedPipeline" in text), finding
            if finding.code in ("MH104", "MH105"):  # the date line
                assert text.startswith("date:"), (path, finding, text)
            if finding.code == "MH101" and "is empty" in finding.message:  # the empty key's own line
                key = re.search(r"`(\w+)`", finding.message).group(1)
                assert text.startswith(f"{key}:"), (path, finding, text)
