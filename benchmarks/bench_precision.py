"""Precision of the checker on the reference corpus: findings grouped by rule, and a reviewed sample of them.

Every finding on the corpus (MODELHUB_CORPUS) and the shipped cards is counted by code and severity. The file
benchmarks/precision/verdicts.json is a committed sample of findings that a maintainer reviewed by reading the
card's line: each entry names the card file, the code and the line, says whether the finding is true, and why in
one line. The run matches the sample against the findings produced now:

- precision = true / (true + false) over the sampled findings still produced (goal >= 0.97);
- false errors = sampled error-severity findings judged false (goal 0);
- gone = sampled findings no longer produced (a fixed false positive, or a lost true one: read the list);
- unreviewed = codes that fire with no finding of theirs in the sample.

``--sample N`` prints up to N unreviewed findings per code as verdict stubs to review and add. Prints one JSON
object and writes it to benchmarks/out/bench_precision.json; exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import card_files  # noqa: E402
from generator.checks.runner import check_paths  # noqa: E402

VERDICTS = REPO / "benchmarks" / "precision" / "verdicts.json"
GOAL_PRECISION = 0.97


def key(file: str, code: str, line: int) -> tuple[str, str, int]:
    return Path(file).name, code, int(line)


def run_checks(paths: list[Path]) -> list[dict]:
    findings = []
    for item in check_paths(paths, jobs=1):
        for finding in item.findings:
            findings.append({"file": Path(finding.path).name, "code": finding.code, "severity": finding.severity,
                             "line": finding.line, "message": finding.message})
    return findings


def load_verdicts(path: Path = VERDICTS) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data:
        if entry.get("verdict") not in ("true", "false") or not entry.get("reason"):
            raise SystemExit(f"{path}: every verdict needs verdict true|false and a reason: {entry}")
    return data


def measure(findings: list[dict], verdicts: list[dict]) -> dict:
    produced = {key(f["file"], f["code"], f["line"]): f for f in findings}
    by_code: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_code[finding["code"]][finding["severity"]] += 1
    true = false = false_errors = 0
    per_code: dict[str, Counter] = defaultdict(Counter)
    gone, false_list = [], []
    for entry in verdicts:
        found = produced.get(key(entry["file"], entry["code"], entry["line"]))
        if found is None:
            gone.append(entry)
            continue
        per_code[entry["code"]][entry["verdict"]] += 1
        if entry["verdict"] == "true":
            true += 1
        else:
            false += 1
            false_list.append({**entry, "severity": found["severity"], "message": found["message"]})
            false_errors += found["severity"] == "error"
    reviewed = {entry["code"] for entry in verdicts}
    sampled = true + false
    return {
        "cards": len({f["file"] for f in findings}),
        "findings": len(findings),
        "by_code": {code: dict(counts) for code, counts in sorted(by_code.items())},
        "sampled": sampled,
        "true": true,
        "false": false,
        "precision": round(true / sampled, 4) if sampled else None,
        "false_errors": false_errors,
        "goal": {"precision": GOAL_PRECISION, "false_errors": 0},
        "per_code": {code: dict(counts) for code, counts in sorted(per_code.items())},
        "false_findings": false_list,
        "gone": gone,
        "unreviewed_codes": sorted(set(by_code) - reviewed),
    }


def candidates(findings: list[dict], verdicts: list[dict], per_code: int) -> list[dict]:
    """Up to ``per_code`` unreviewed findings per code, spread over the code's findings (deterministic)."""
    done = {key(e["file"], e["code"], e["line"]) for e in verdicts}
    by_code: dict[str, list[dict]] = defaultdict(list)
    for finding in sorted(findings, key=lambda f: (f["code"], f["file"], f["line"])):
        if key(finding["file"], finding["code"], finding["line"]) not in done:
            by_code[finding["code"]].append(finding)
    picked = []
    for code, items in sorted(by_code.items()):
        step = max(1, len(items) // per_code)
        picked += [{"file": f["file"], "code": code, "line": f["line"], "verdict": "?", "reason": "",
                    "message": f["message"]} for f in items[::step][:per_code]]
    return picked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, metavar="N", help="print up to N unreviewed findings per code")
    args = parser.parse_args()
    findings = run_checks(card_files())
    verdicts = load_verdicts()
    if args.sample:
        print(json.dumps(candidates(findings, verdicts, args.sample), indent=1, ensure_ascii=False))
        return 0
    result = measure(findings, verdicts)
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_precision.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))
    met = result["precision"] is not None and result["precision"] >= GOAL_PRECISION and result["false_errors"] == 0
    print(f"precision {result['precision']} over {result['sampled']} reviewed findings, "
          f"{result['false_errors']} false errors: goal {'met' if met else 'MISSED'}", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
