from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path

import pytest

from generator.render.build import build_site

from .catalog import make_catalog

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser); skips where it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """One site, built once per session from the test catalog, as ``modelhub build`` builds it (offline)."""
    root = tmp_path_factory.mktemp("catalog")
    info = make_catalog(root)
    site = root / "site"
    result = build_site([info["cards"]], site, offline=True, mode="frozen")
    return {**info, "root": root, "site": site, "result": result}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextlib.contextmanager
def serving(folder: Path):
    """``folder`` on a real HTTP server on 127.0.0.1 (static files only, like any host); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_server(built_site):
    with serving(built_site["site"]) as base:
        yield base


def page_path(site: Path, url: str) -> Path:
    return site / (url + "index.html" if url.endswith("/") or url == "" else url)
