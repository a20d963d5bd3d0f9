"""Site build and catalog search at 1,000 and 10,000 cards, side by side with plain mkdocs-material on the same pages.

The synthetic catalogs replicate the reference corpus (/work/shared/corpus/jsl) with unique names. For each size:

- modelhub: ``build_site`` (the whole pipeline, offline, frozen, then mkdocs with the plugin) in a child process:
  wall time, pipeline vs site time, peak memory (each process's max RSS, their sum, and the proportional set size
  of the build's processes together sampled every 0.5 s), site size, catalog index size, and in headless chromium
  the catalog's first-load bytes (every file it fetched, gzip-compressed as a static host would send it), the time
  to a usable catalog and the query-to-results latency (``window.mhCatalog.lastQueryMs``: input event to rendered
  results, term-shard and docs-chunk fetches included).
- modelhub again, incrementally: a rebuild with no change, then a rebuild after one card was edited (the build
  cache and the site folder of the full build are reused), each in its own child process.
- baseline: the same cards as plain pages of mkdocs-material with the built-in search plugin, built under a timeout.
  The fair baseline keeps the pages out of the nav (``nav`` lists the home page only), as modelhub keeps its model
  pages out of the nav; ``--baseline-in-nav`` puts every page in the nav instead (mkdocs' default, much slower).
  When it finishes, the same browser measurements on its search.

Targets at 10,000 cards: catalog first load <= 300 KB compressed, query to results <= 50 ms. Prints one JSON object
and writes it to benchmarks/out/bench_site.json. Numbers depend on the machine's load; the run records it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.corpus import card_files  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
QUERIES = ["albert", "bert base", "ner clinical", "german", "deidentify", "embeddings 300", "sentiment", "xyzzy"]
BASELINE_YML = """site_name: Baseline
{nav}theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions:
  - tables
  - attr_list
  - admonition
  - pymdownx.superfences
  - pymdownx.highlight
"""


# ---- synthetic catalog --------------------------------------------------------------------------------------
def make_catalog(target: Path, count: int) -> Path:
    """``count`` cards copied round-robin from the corpus, each with a unique file name and ``name:``."""
    sources = card_files()
    target.mkdir(parents=True, exist_ok=True)
    texts = [(p.stem, p.read_bytes()) for p in sources]
    for n in range(count):
        stem, data = texts[n % len(texts)]
        copy = n // len(texts)
        data = re.sub(rb"(?m)^name: *(\S+)", lambda m: b"name: " + m.group(1) + f"_v{copy}".encode(), data, count=1)
        (target / f"{stem}_v{copy}.md").write_bytes(data)
    return target


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def gzip_bytes(folder: Path) -> tuple[int, int]:
    raw = packed = 0
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 6))
    return raw, packed


# ---- child processes (so peak memory is the build's own) -----------------------------------------------------
def child_modelhub(cards: str, site: str, jobs: str = "0") -> None:
    import resource

    from generator.render.build import build_site

    started = time.perf_counter()
    result = build_site([Path(cards)], site, offline=True, mode="frozen", jobs=int(jobs) or None)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
    workers = result.stats.processes if result.stats else 0
    print(json.dumps({"wall_s": wall, "peak_rss_mb": max(own, worker), "parent_peak_rss_mb": own,
                      "worker_peak_rss_mb": worker, "processes": workers,
                      "peak_rss_all_processes_mb_upper_bound": own + worker * workers,
                      "timings": result.timings, "stats": result.stats.__dict__ if result.stats else None,
                      "cards": result.cards}))


def child_baseline(project: str) -> None:
    import resource

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    started = time.perf_counter()
    config = load_config(config_file=str(Path(project) / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    wall = time.perf_counter() - started
    print(json.dumps({"wall_s": wall, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


class MemorySampler(threading.Thread):
    """The proportional set size (PSS: each shared page split between the processes sharing it) of a process and
    its children, summed, every ``every`` seconds, with its peak: the memory a build's processes take together.
    Linux only (``/proc/<pid>/smaps_rollup``); elsewhere it reports nothing."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kb, self.processes_at_peak, self.samples = 0, 0, 0
        self._stop_event = threading.Event()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out = [pid]
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
                children = handle.read().split()
        except OSError:
            return out
        for child in children:
            out += MemorySampler._tree(int(child))
        return out

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            pids = self._tree(self.pid)
            total = sum(self._pss_kb(pid) for pid in pids)
            self.samples += 1
            if total > self.peak_kb:
                self.peak_kb, self.processes_at_peak = total, len(pids)

    def stop(self) -> dict:
        self._stop_event.set()
        self.join()
        if not self.samples or not self.peak_kb:
            return {}
        return {"peak_pss_all_processes_mb": round(self.peak_kb / 1024, 1), "processes_at_pss_peak":
                self.processes_at_peak, "pss_samples": self.samples}


def run_child(args: list[str], timeout: float) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_MKDOCS_2_WARNING": "1"}  # the plugin's `quiet` defaults on
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env, cwd=str(REPO)) as process:
        sampler = MemorySampler(process.pid)
        sampler.start()
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            sampler.stop()
            return {"finished": False, "note": f"did not finish in {timeout:.0f} s"}
        memory = sampler.stop()
    if process.returncode != 0:
        return {"finished": False, "note": f"failed (exit {process.returncode}): {stderr.strip()[-600:]}"}
    data = json.loads(stdout.strip().splitlines()[-1])
    data.update(memory)
    data["finished"] = True
    data["process_wall_s"] = time.perf_counter() - started
    return data


# ---- browser measurements ------------------------------------------------------------------------------------
class StaticServer:
    """``python -m http.server`` in its own process, as a separate static host would be (not a thread competing
    with the browser driver for this process's GIL)."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the static server did not start")

    def shutdown(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def serve(folder: Path) -> StaticServer:
    return StaticServer(folder)


def _local_file(site: Path, base: str, url: str) -> Path | None:
    path = url[len(base):].split("?", 1)[0].split("#", 1)[0]
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def first_load(page, site: Path, base: str, urls: list[str]) -> dict:
    files = {}
    for url in urls:
        local = _local_file(site, base, url)
        if local is not None:
            files[url[len(base):]] = local
    raw = sum(p.stat().st_size for p in files.values())
    packed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files.values())
    return {"requests": len(files), "bytes": raw, "gzip_bytes": packed,
            "files": sorted(files)}


@contextlib.contextmanager
def opened(site: Path):
    """Headless chromium on ``site`` served by its own process; yields (page, base URL, every URL requested)."""
    from playwright.sync_api import sync_playwright

    server = serve(site)
    base = f"http://127.0.0.1:{server.port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            urls: list[str] = []
            page.on("request", lambda request: urls.append(request.url))
            try:
                yield page, base, urls
            finally:
                browser.close()
    finally:
        server.shutdown()


def measure_modelhub_browser(site: Path) -> dict:
    with opened(site) as (page, base, urls):
        started = time.perf_counter()
        page.goto(base)
        page.wait_for_selector("#mh-catalog[data-mh-ready='true']", timeout=120_000)
        ready_ms = (time.perf_counter() - started) * 1000
        load = first_load(page, site, base, urls)
        latencies = {"cold": [], "warm": []}
        complete = {"cold": [], "warm": []}
        counts = {}
        for phase in ("cold", "warm"):
            for query in QUERIES:
                for text in (query, ""):
                    before = page.evaluate("[window.mhCatalog.renders, window.mhCatalog.completes]")
                    page.fill("#mh-query", text)
                    page.wait_for_function(f"window.mhCatalog.renders > {before[0]} && "
                                           f"window.mhCatalog.completes > {before[1]}", timeout=60_000)
                    if text:
                        latencies[phase].append(page.evaluate("window.mhCatalog.lastQueryMs"))
                        complete[phase].append(page.evaluate("window.mhCatalog.lastCompleteMs"))
                        counts[query] = page.evaluate("window.mhCatalog.lastCount")
        facet_ms = []
        for _ in range(3):
            for _click in range(2):  # select the first language, then clear it again
                renders = page.evaluate("window.mhCatalog.renders")
                page.locator(".mh-facet[data-facet='language'] label").first.click()
                page.wait_for_function(f"window.mhCatalog.renders > {renders}", timeout=60_000)
                facet_ms.append(page.evaluate("window.mhCatalog.lastQueryMs"))
    return {
        "first_load": load, "ready_ms": round(ready_ms, 1),
        "query_ms": {phase: {"median": round(statistics.median(values), 2), "max": round(max(values), 2),
                             "all": [round(v, 2) for v in values]} for phase, values in latencies.items()},
        "query_with_titles_ms": {phase: {"median": round(statistics.median(values), 2), "max": round(max(values), 2)}
                                 for phase, values in complete.items()},
        "facet_click_ms": {"median": round(statistics.median(facet_ms), 2), "max": round(max(facet_ms), 2)},
        "results_per_query": counts,
    }


def measure_baseline_browser(site: Path) -> dict:
    with opened(site) as (page, base, urls):
        started = time.perf_counter()
        page.goto(base)
        page.wait_for_function(
            "document.querySelector('.md-search-result__meta') && "
            "!/Initializing/i.test(document.querySelector('.md-search-result__meta').textContent)",
            timeout=300_000)
        ready_ms = (time.perf_counter() - started) * 1000
        load = first_load(page, site, base, urls)
        # material renders results into .md-search-result__list; a MutationObserver stamps each change
        page.evaluate("""() => {
            window.__mutations = 0;
            new MutationObserver(() => { window.__mutations++; window.__lastMutation = performance.now(); })
                .observe(document.querySelector('.md-search-result'), {childList: true, subtree: true,
                                                                      characterData: true});
        }""")
        times = []
        page.click(".md-search__input")
        for query in QUERIES:
            page.fill(".md-search__input", "")
            page.press(".md-search__input", "End")
            page.wait_for_timeout(300)
            before = page.evaluate("window.__t0 = performance.now(), window.__mutations")
            page.fill(".md-search__input", query)
            page.press(".md-search__input", "End")  # material searches on key events, not on input
            try:
                page.wait_for_function(f"window.__mutations > {before}", timeout=10_000)
            except Exception:  # nothing re-rendered: no time to report for this query
                continue
            page.wait_for_timeout(300)  # let the rendering settle, then take the last change
            times.append(page.evaluate("window.__lastMutation - window.__t0"))
    return {"first_load": load, "search_ready_ms": round(ready_ms, 1),
            "query_ms": {"median": round(statistics.median(times), 1) if times else None,
                         "max": round(max(times), 1) if times else None, "measured": len(times),
                         "all": [round(t, 1) for t in times]}}


def unreplicated_estimate(site: Path, load: dict) -> dict:
    """The replicated catalog compresses better than a real one (every card appears N times, side by side).
    Estimate the first load for N *distinct* cards: gzip bytes per card of list.json and columns.json measured on one
    copy of each corpus card (221 rows compress worse per row than 10,000 would, so this errs high), times N."""
    index = site / "catalog-index"
    listed = json.loads((index / "list.json").read_text(encoding="utf-8"))
    columns = json.loads((index / "columns.json").read_text(encoding="utf-8"))
    rows = [i for i, name in enumerate(listed["n"]) if name.endswith("_v0")] or list(range(len(listed["n"])))
    count = len(listed["n"])

    def per_row(data) -> float:
        return len(gzip.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 6)) / len(rows)

    list_each = per_row({key: [values[i] for i in rows] for key, values in listed.items()})
    columns_each = per_row({key: [values[i] for i in rows] for key, values in columns.items()})
    measured_index = sum(len(gzip.compress((index / name).read_bytes(), 6)) for name in ("list.json", "columns.json"))
    estimate = load["gzip_bytes"] - measured_index + (list_each + columns_each) * count
    return {"distinct_cards_sampled": len(rows), "list_gzip_bytes_per_card": round(list_each, 2),
            "columns_gzip_bytes_per_card": round(columns_each, 2), "gzip_bytes": round(estimate)}


# ---- one size -------------------------------------------------------------------------------------------------
def edit_one_card(cards: Path) -> Path:
    """Change one card's title, as an author would."""
    path = sorted(cards.glob("*.md"))[len(list(cards.glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: *", "title: Edited ", text, count=1) if "\ntitle:" in text
                    else text + "\n\nEdited.\n", encoding="utf-8")
    return path


def bench_size(count: int, work: Path, baseline_timeout: float, skip_baseline: bool, jobs: int = 0,
               in_nav: bool = False, repeat: int = 1, browser: bool = True, keep: bool = False) -> dict:
    catalog = work / f"catalog-{count}"
    cards = make_catalog(catalog / "cards", count)
    result: dict = {"cards": count}
    # ``repeat`` full builds, each into its own site folder with its own cache (the catalog's configuration keeps
    # the cache in the scratch folder; artifacts are not fetched). Nothing is deleted until the end: on a file
    # system that skips recently freed inodes (ext4 without a journal), files made just after many were deleted
    # cost several times more, and a full build makes 30,000 of them.
    full = []
    for run in range(max(1, repeat)):
        (catalog / "modelhub.toml").write_text(f'cache_dir = ".modelhub-cache-{run}"\n[artifacts]\noffline = true\n',
                                               encoding="utf-8")
        site = work / f"site-{count}-{run}"
        full.append(run_child(["--child-modelhub", str(cards), str(site), str(jobs)], timeout=3 * 3600))
        if not full[-1].get("finished"):
            break
    modelhub = result["modelhub"] = _median_run(full)  # the rebuilds below use the last build's site and cache
    if modelhub.get("finished"):
        unchanged = [run_child(["--child-modelhub", str(cards), str(site), str(jobs)], timeout=3600)
                     for _ in range(repeat)]
        edited = []
        for _ in range(repeat):
            edit_one_card(cards)
            edited.append(run_child(["--child-modelhub", str(cards), str(site), str(jobs)], timeout=3600))
        result["modelhub_rebuild_unchanged"] = _median_run(unchanged)
        result["modelhub_rebuild_one_edited"] = _median_run(edited)
        index_raw, index_gz = gzip_bytes(site / "catalog-index")
        modelhub["site_bytes"] = folder_bytes(site)
        modelhub["site_files"] = sum(1 for p in site.rglob("*") if p.is_file())
        modelhub["catalog_index"] = {"bytes": index_raw, "gzip_bytes": index_gz,
                                     "files": sum(1 for p in (site / "catalog-index").rglob("*") if p.is_file())}
        try:
            if not browser:
                raise RuntimeError("skipped (--skip-browser)")
            modelhub["browser"] = measure_modelhub_browser(site)
            modelhub["browser"]["first_load"]["estimate_without_replication"] = unreplicated_estimate(
                site, modelhub["browser"]["first_load"])
        except Exception as error:  # report, do not hide
            modelhub["browser"] = {"error": repr(error)}
    if not skip_baseline:
        project = work / f"baseline-{count}"
        docs = project / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        for path in cards.glob("*.md"):
            shutil.copyfile(path, docs / path.name)
        (docs / "index.md").write_text("# Baseline\n\nEvery card as a plain page.\n", encoding="utf-8")
        nav = "" if in_nav else "nav:\n  - index.md\nvalidation:\n  nav:\n    omitted_files: ignore\n"
        (project / "mkdocs.yml").write_text(BASELINE_YML.format(nav=nav), encoding="utf-8")
        baseline = run_child(["--child-baseline", str(project)], timeout=baseline_timeout)
        baseline["pages_in_nav"] = in_nav
        result["baseline_mkdocs_material"] = baseline
        if baseline.get("finished") and modelhub.get("finished"):
            result["baseline_over_modelhub"] = round(baseline["wall_s"] / modelhub["wall_s"], 2)
        out = project / "site"
        if baseline.get("finished"):
            baseline["site_bytes"] = folder_bytes(out)
            index = out / "search" / "search_index.json"
            if index.is_file():
                data = index.read_bytes()
                baseline["search_index"] = {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, 6))}
            try:
                if not browser:
                    raise RuntimeError("skipped (--skip-browser)")
                baseline["browser"] = measure_baseline_browser(out)
            except Exception as error:
                baseline["browser"] = {"error": repr(error)}
        if not keep:
            shutil.rmtree(project, ignore_errors=True)
    if not keep:
        for run in range(max(1, repeat)):
            shutil.rmtree(work / f"site-{count}-{run}", ignore_errors=True)
        shutil.rmtree(catalog, ignore_errors=True)
    return result


def _median_run(runs: list[dict]) -> dict:
    """The run with the median wall time, with every run's wall time beside it."""
    done = sorted((r for r in runs if r.get("finished")), key=lambda r: r["wall_s"])
    if not done:
        return runs[0] if runs else {}
    chosen = dict(done[len(done) // 2])
    chosen["all_wall_s"] = [round(r["wall_s"], 2) for r in runs if r.get("finished")]
    return chosen


# Issue 16's targets: (full build s, rebuild unchanged s, rebuild one edited card s, peak RSS MB) by size
BUILD_TARGETS = {10_000: (25, 3, 3, 600), 50_000: (120, None, None, 1000)}


def build_targets(size: dict) -> dict:
    """Each measured figure of one size beside its target (when the issue sets one for that size)."""
    full = size.get("modelhub") or {}
    unchanged = size.get("modelhub_rebuild_unchanged") or {}
    edited = size.get("modelhub_rebuild_one_edited") or {}
    limits = BUILD_TARGETS.get(size["cards"], (None,) * 4)
    figures = {"full_build_s": full.get("wall_s"), "rebuild_unchanged_s": unchanged.get("wall_s"),
               "rebuild_one_edited_s": edited.get("wall_s"),
               "peak_rss_mb": full.get("peak_rss_all_processes_mb_upper_bound")}
    out: dict = {"cards": size["cards"]}
    for (name, value), limit in zip(figures.items(), limits):
        out[name] = round(value, 2) if value is not None else None
        if limit is not None:
            out[name + "_target"] = limit
            out[name + "_met"] = value is not None and value <= limit
    # peak_rss_mb (what the target is held to) adds every process's peak, so the pages a worker shares with the
    # building process count twice; the sampled proportional set size of the processes together counts them once
    out["peak_pss_all_processes_mb"] = full.get("peak_pss_all_processes_mb")
    if size.get("baseline_over_modelhub") is not None:
        out["baseline_out_of_nav_over_modelhub"] = size["baseline_over_modelhub"]
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-modelhub":
        return child_modelhub(*sys.argv[2:5])
    if len(sys.argv) > 1 and sys.argv[1] == "--child-baseline":
        return child_baseline(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated catalog sizes (default 1000,10000)")
    parser.add_argument("--baseline-timeout", type=float, default=600,
                        help="seconds the plain mkdocs-material build may take before it is stopped (default 600)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--baseline-in-nav", action="store_true",
                        help="baseline with every page in the nav (mkdocs' default) instead of out of it")
    parser.add_argument("--jobs", type=int, default=0, help="modelhub build --jobs (default: every core)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="full builds (each into a new site folder and cache), then rebuilds (unchanged, then one "
                             "edited card) measured per size; the median of each is reported")
    parser.add_argument("--skip-browser", action="store_true", help="no chromium measurements")
    parser.add_argument("--work", help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true",
                        help="leave the catalogs and sites in the scratch folder (give --work): deleting 100,000 "
                             "files slows the next minutes' file creation on some file systems, and a later run "
                             "would measure that")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="modelhub-bench-site-"))
    report = {"benchmark": "site", "corpus_cards": len(card_files()), "cpu_count": os.cpu_count(),
              "load_average_at_start": os.getloadavg(), "sizes": []}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        report["sizes"].append(bench_size(size, work, args.baseline_timeout, args.skip_baseline, args.jobs,
                                          args.baseline_in_nav, args.repeat, not args.skip_browser, args.keep))
        print(json.dumps(report["sizes"][-1]), file=sys.stderr)
    report["load_average_at_end"] = os.getloadavg()
    largest = report["sizes"][-1]
    browser = (largest.get("modelhub") or {}).get("browser") or {}
    if "first_load" in browser:
        report["targets"] = {
            "cards": largest["cards"],
            "first_load_gzip_kb": round(browser["first_load"]["gzip_bytes"] / 1000, 1),
            "first_load_gzip_kb_estimate_distinct_cards": round(
                browser["first_load"]["estimate_without_replication"]["gzip_bytes"] / 1000, 1),
            "first_load_target_kb": 300,
            "query_ms_median_cold": browser["query_ms"]["cold"]["median"],
            "query_ms_max": max(browser["query_ms"]["cold"]["max"], browser["query_ms"]["warm"]["max"]),
            "query_target_ms": 50,
        }
        report["targets"]["meets_first_load"] = max(
            report["targets"]["first_load_gzip_kb"], report["targets"]["first_load_gzip_kb_estimate_distinct_cards"]) <= 300
        report["targets"]["meets_query"] = report["targets"]["query_ms_max"] <= 50
    report["build_targets"] = [build_targets(size) for size in report["sizes"]]
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_site.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    if not args.work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
