from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from generator.render.build import build_site

from .catalog import make_catalog


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


@pytest.fixture(scope="session")
def site_server(built_site):
    """The built site on a real HTTP server on 127.0.0.1 (static files only, like any host)."""
    handler = functools.partial(_QuietHandler, directory=str(built_site["site"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def page_path(site: Path, url: str) -> Path:
    return site / (url + "index.html" if url.endswith("/") or url == "" else url)
