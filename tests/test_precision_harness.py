"""The precision harness (benchmarks/bench_precision.py): the committed sample of reviewed findings against what
the checker produces now. On the reference corpus the goal holds: >= 97% of sampled findings true, no false error,
and every sampled finding still produced at its line."""

from __future__ import annotations

from benchmarks.bench_precision import GOAL_PRECISION, candidates, load_verdicts, measure, run_checks
from tests.conftest import needs_corpus, corpus_files, seed_paths


def finding(file: str, code: str, line: int, severity: str = "warning") -> dict:
    return {"file": file, "code": code, "severity": severity, "line": line, "message": f"{code} on {file}"}


def test_precision_counts_true_and_false_and_names_false_errors():
    findings = [finding("a.md", "MH101", 2, "error"), finding("a.md", "MH412", 40), finding("b.md", "MH412", 7),
                finding("b.md", "MH413", 9)]
    verdicts = [
        {"file": "a.md", "code": "MH101", "line": 2, "verdict": "false", "reason": "not a model card"},
        {"file": "a.md", "code": "MH412", "line": 40, "verdict": "true", "reason": "label missing"},
        {"file": "b.md", "code": "MH412", "line": 7, "verdict": "true", "reason": "label missing"},
        {"file": "c.md", "code": "MH304", "line": 3, "verdict": "true", "reason": "wrong name"},
    ]
    result = measure(findings, verdicts)
    assert (result["sampled"], result["true"], result["false"]) == (3, 2, 1)
    assert result["precision"] == round(2 / 3, 4)
    assert result["false_errors"] == 1
    assert [(f["file"], f["severity"]) for f in result["false_findings"]] == [("a.md", "error")]
    assert [g["file"] for g in result["gone"]] == ["c.md"]  # a sampled finding no longer produced is listed
    assert result["unreviewed_codes"] == ["MH413"]
    assert result["by_code"]["MH412"] == {"warning": 2}


def test_candidates_are_unreviewed_and_spread_over_a_code():
    findings = [finding(f"{n:02d}.md", "MH201", 17) for n in range(10)]
    verdicts = [{"file": "00.md", "code": "MH201", "line": 17, "verdict": "true", "reason": "empty"}]
    picked = candidates(findings, verdicts, 3)
    assert [p["file"] for p in picked] == ["01.md", "04.md", "07.md"]
    assert all(p["verdict"] == "?" for p in picked)


@needs_corpus
def test_the_reviewed_sample_meets_the_goal_on_the_reference_corpus():
    result = measure(run_checks(corpus_files() + seed_paths()), load_verdicts())
    assert result["gone"] == [], "sampled findings no longer produced: review and update the verdicts"
    assert result["false_errors"] == 0, result["false_findings"]
    assert result["precision"] >= GOAL_PRECISION, result["false_findings"]
    assert result["sampled"] >= 100
