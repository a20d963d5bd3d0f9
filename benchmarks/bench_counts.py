"""How often each per-card fact is computed: card parses, artifact resolutions and hashes, runtime plans, rule
passes and record serialisations per card, during ``build --mode auto`` and ``check --artifacts``.

Each fact should be computed once per card by the stage that owns it and read by everything after it. The counts
come from ``cProfile`` call counts of the functions that compute each fact (so a call through any import alias is
counted), with ``--jobs 1`` so every call happens in this process, in its main thread or in the threads it starts
(the artifacts stage inspects artifacts in a thread pool: each thread gets its own profiler). Runs on a copy of the
shipped catalog (or the folder given) in a temporary directory; prints one JSON object and writes it to
``benchmarks/out/counts.json``. ``cards naming an artifact`` says how many cards can resolve, materialise or digest
one at all: a fact computed once for each of them reads that count, not one per card.

``artifact digests`` counts the digests of artifacts as wholes, ``digest.tree_digest`` (what execution and the
benchmarks read as ``LocalArtifact.digest``: one digest of a folder, however many files it holds, or of a file),
whether answered from the digest memo or computed; the per-file hashes a folder digest is made of are not counted
separately. ``file checksums`` counts ``ArtifactCache.local_sha256``, a local file's plain sha256 (a zip before it
is extracted, a file checked against the sha256 its card declares), also whether remembered or computed.

Facts and the functions that compute them are listed in ``FACTS``; a refactor that moves a computation updates the
list (a fact whose functions no longer exist is reported as ``missing``, never silently as zero).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.card import read_card  # noqa: E402
from generator.card.declared import artifact_url  # noqa: E402
from generator.cli import main as cli_main  # noqa: E402

# fact -> functions (path suffix of the module file, function name) whose calls compute it.
FACTS: dict[str, list[tuple[str, str]]] = {
    "card parses": [("generator/card/parser.py", "parse_card")],
    "artifact resolutions": [("generator/artifacts/resolve.py", "resolve")],
    "artifact materialisations": [("generator/artifacts/store.py", "materialize")],
    "artifact digests": [("generator/artifacts/digest.py", "tree_digest")],
    "file checksums": [("generator/artifacts/cache.py", "local_sha256")],
    # the runtime decision itself, whoever makes it (the bench stage once chose its own: 2 per card)
    "runtime plans": [("generator/execute/runtimes/__init__.py", "choose_runtime")],
    "rule passes": [("generator/checks/__init__.py", "check_card")],
    "record serialisations": [("generator/pipeline.py", "to_dict")],
}


def count_calls(argv: list[str]) -> tuple[int, dict[str, int | str]]:
    profile = cProfile.Profile()
    in_threads: list[cProfile.Profile] = []

    def profile_thread(*_: object) -> None:  # the first profiling event of a new thread: give it a profiler
        own = cProfile.Profile()
        in_threads.append(own)
        own.enable()

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        threading.setprofile(profile_thread)
        profile.enable()
        try:
            code = cli_main(argv)
        except SystemExit as exc:  # argparse and friends
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            profile.disable()
            threading.setprofile(None)  # type: ignore[arg-type]
    stats = pstats.Stats(profile, *in_threads).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    counts: dict[str, int | str] = {}
    for fact, functions in FACTS.items():
        found = [(key, value) for key, value in stats.items()
                 if any(key[0].endswith(suffix) and key[2] == name for suffix, name in functions)]
        defined = any(f"def {name}(" in (REPO / suffix).read_text() for suffix, name in functions
                      if (REPO / suffix).exists())
        counts[fact] = sum(value[1] for _, value in found) if found or defined else "missing"
    return code, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cards", nargs="?", default=str(REPO / "cards"), help="catalog folder (default: cards/)")
    args = parser.parse_args()
    source = Path(args.cards).resolve()
    report: dict[str, object] = {"catalog": str(source)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "catalog"
        shutil.copytree(source, work / "cards")
        if source == (REPO / "cards").resolve() and (REPO / "modelhub.toml").exists():
            shutil.copy(REPO / "modelhub.toml", work / "modelhub.toml")
        files = sorted((work / "cards").rglob("*.md"))
        cards = len(files)
        report["cards"] = cards
        report["cards naming an artifact"] = sum(1 for path in files if artifact_url(read_card(path)))
        previous = os.getcwd()
        os.chdir(work)
        try:
            for label, argv in (
                ("build --mode auto", ["build", "cards", "--mode", "auto", "--jobs", "1", "--no-cache", "--quiet",
                                       "--site-dir", str(Path(tmp) / "site")]),
                ("check --artifacts", ["check", "cards", "--artifacts", "--format", "json"]),
            ):
                code, counts = count_calls(argv)
                report[label] = {"exit": code, "calls": counts,
                                 "per card": {fact: (round(n / cards, 2) if isinstance(n, int) else n)
                                              for fact, n in counts.items()}}
        finally:
            os.chdir(previous)
    text = json.dumps(report, indent=1)
    print(text)
    (REPO / "benchmarks" / "out").mkdir(exist_ok=True)
    (REPO / "benchmarks" / "out" / "counts.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
