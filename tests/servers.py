"""A real HTTP server on 127.0.0.1 that serves artifacts the way object stores do, and misbehaves on request.

It speaks HTTP/1.1 with keep-alive, honours ``Range`` (206 + Content-Range, 416 when unsatisfiable), answers HEAD,
sends ETag and Last-Modified and returns 304 to matching conditional requests. Faults are injected per path:

    server.add("/m.zip", data)                 # or a Path; served with ETag/Last-Modified
    server.fault("/m.zip", "500", times=2)     # fail twice, then serve normally
    server.fault("/m.zip", "stall", seconds=5) # send headers, then nothing for 5 s
    kinds: "404", "500", "stall", "truncate", "wrong-content", "redirect-loop", "redirect" (to=path or url),
           "head-405", "ignore-range"

``ArtifactServer(latency=0.02)`` delays every answer, to stand in for a distant object store in benchmarks.
Every request is logged (method, path, headers, status, body bytes sent) so tests can assert what went over the wire.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FAULTS = ("404", "500", "stall", "truncate", "wrong-content", "redirect-loop", "redirect", "head-405",
          "ignore-range")
BODY_FAULTS = {"stall", "truncate", "wrong-content", "ignore-range"}  # a HEAD has no body: they wait for a GET


@dataclass
class Served:
    data: bytes
    etag: str
    last_modified: float
    content_type: str = "application/octet-stream"


@dataclass
class Fault:
    kind: str
    times: int | None = None  # None: always; otherwise the number of requests it still applies to
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    sent: int = 0  # body bytes written


class ArtifactServer:
    """Serves registered bytes under URL paths; see the module docstring for faults."""

    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self.latency = latency  # seconds added before every answer, like a distant object store
        self.files: dict[str, Served] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()
        server = ThreadingHTTPServer((host, 0), _handler_for(self))
        server.daemon_threads = True
        self.httpd = server
        self.host = host
        self.port = server.server_address[1]
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    # ---- setup --------------------------------------------------------------------------------------------
    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{_clean(path)}"

    def add(self, path: str, data: bytes | str | Path, *, content_type: str = "application/octet-stream",
            last_modified: float | None = None) -> str:
        """Serve ``data`` (bytes, or the contents of a file) at ``path``; returns its URL."""
        if isinstance(data, (str, Path)):
            data = Path(data).read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        with self.lock:
            self.files[_clean(path)] = Served(data, etag, last_modified or time.time(), content_type)
        return self.url(path)

    def add_tree(self, prefix: str, directory: str | Path) -> str:
        """Serve every file under ``directory`` below ``prefix``; returns the URL of the prefix (with a slash)."""
        directory = Path(directory)
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            self.add(f"{_clean(prefix).rstrip('/')}/{file.relative_to(directory).as_posix()}", file)
        return self.url(_clean(prefix).rstrip("/") + "/")

    def fault(self, path: str, kind: str, times: int | None = None, **options: Any) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULTS}")
        with self.lock:
            self.faults.setdefault(_clean(path), []).append(Fault(kind, times, options))

    def clear_faults(self, path: str | None = None) -> None:
        with self.lock:
            if path is None:
                self.faults.clear()
            else:
                self.faults.pop(_clean(path), None)

    # ---- inspection ---------------------------------------------------------------------------------------
    def requests_for(self, path: str) -> list[Logged]:
        with self.lock:
            return [entry for entry in self.log if entry.path == _clean(path)]

    def bytes_sent(self, path: str | None = None) -> int:
        with self.lock:
            return sum(e.sent for e in self.log if path is None or e.path == _clean(path))

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _take_faults(self, path: str, method: str) -> list[Fault]:
        with self.lock:
            active = []
            for fault in self.faults.get(path, []):
                if fault.kind == "head-405" and method != "HEAD":
                    continue
                if fault.kind in BODY_FAULTS and method == "HEAD":
                    continue
                if fault.times is None or fault.times > 0:
                    active.append(fault)
                    if fault.times is not None:
                        fault.times -= 1
            return active


def _clean(path: str) -> str:
    return "/" + path.lstrip("/")


def _handler_for(server: ArtifactServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait on delayed ACKs

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        # ---- one request ------------------------------------------------------------------------------------
        def _serve(self, head: bool) -> None:
            path = self.path.split("?", 1)[0]
            entry = Logged(self.command, path, {k: v for k, v in self.headers.items()})
            with server.lock:
                server.log.append(entry)
            if server.latency:
                server._stop.wait(server.latency)
            faults = {f.kind: f for f in server._take_faults(path, self.command)}
            served = server.files.get(path)
            if "404" in faults or (served is None and not {"redirect", "redirect-loop"} & set(faults)):
                return self._simple(entry, 404, b"not found\n", head)
            if "500" in faults:
                return self._simple(entry, 500, b"internal error\n", head)
            if "head-405" in faults:
                return self._simple(entry, 405, b"", head=True, extra={"Allow": "GET"})
            if "redirect-loop" in faults:
                return self._simple(entry, 302, b"", head, extra={"Location": path})
            if "redirect" in faults:
                target = faults["redirect"].options["to"]
                location = target if "://" in target else server.url(target)
                return self._simple(entry, 302, b"", head, extra={"Location": location})
            assert served is not None
            data = served.data
            if "wrong-content" in faults:
                data = hashlib.sha256(data).digest() * (len(data) // 32 + 1)
                data = data[:len(served.data)]
            if self._not_modified(served):
                return self._simple(entry, 304, b"", head=True, extra=self._validators(served))
            start, end, status = 0, len(data) - 1, 200
            wanted = self.headers.get("Range")
            if wanted and "ignore-range" not in faults:
                parsed = _parse_range(wanted, len(data))
                if parsed is None:
                    return self._simple(entry, 416, b"", head,
                                        extra={"Content-Range": f"bytes */{len(data)}"})
                start, end = parsed
                status = 206
            body = data[start:end + 1]
            headers = {"Content-Type": served.content_type, "Accept-Ranges": "bytes", **self._validators(served)}
            if status == 206:
                headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self.send_response(status)
            entry.status = status
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            if "truncate" in faults or "stall" in faults:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if head:
                return
            if "stall" in faults:
                seconds = float(faults["stall"].options.get("seconds", 5))
                half = body[: len(body) // 2] if faults["stall"].options.get("after_half") else b""
                self._write(entry, half)
                server._stop.wait(seconds)
                self._write(entry, body[len(half):])
                return
            if "truncate" in faults:
                keep = int(faults["truncate"].options.get("keep", len(body) // 2))
                self._write(entry, body[:keep])
                return
            self._write(entry, body)

        def _write(self, entry: Logged, chunk: bytes) -> None:
            try:
                self.wfile.write(chunk)
                self.wfile.flush()
                entry.sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _simple(self, entry: Logged, status: int, body: bytes, head: bool,
                    extra: dict[str, str] | None = None) -> None:
            entry.status = status
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if not head and body:
                self._write(entry, body)

        def _validators(self, served: Served) -> dict[str, str]:
            return {"ETag": served.etag, "Last-Modified": email.utils.formatdate(served.last_modified, usegmt=True)}

        def _not_modified(self, served: Served) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return served.etag in [tag.strip() for tag in if_none_match.split(",")]
            since = self.headers.get("If-Modified-Since")
            if since:
                parsed = email.utils.parsedate_to_datetime(since)
                return int(served.last_modified) <= int(parsed.timestamp())
            return False

    return Handler


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """A single ``bytes=`` range as (first, last) inclusive, or None when it cannot be satisfied."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length <= 0 or size == 0:
            return None
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


@pytest.fixture
def artifact_server() -> Iterator[ArtifactServer]:
    """A fresh loopback artifact server per test."""
    server = ArtifactServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def second_server() -> Iterator[ArtifactServer]:
    """Another server, reached as ``localhost`` rather than 127.0.0.1: a different host for redirect tests."""
    server = ArtifactServer()
    server.host = "localhost"
    try:
        yield server
    finally:
        server.close()
