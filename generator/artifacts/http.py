"""HTTP for artifacts: one pooled requests session with timeouts, retries with backoff, a redirect limit,
per-host credentials that never follow a redirect elsewhere, conditional requests, Range reads and resumable,
hashed, size-capped downloads. Every body byte read is counted in a ``Transfer``."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:  # requests is imported when a download starts: a build that downloads nothing does not pay for it
    import requests

from ..errors import ArtifactsError
from .settings import ArtifactSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HEAD_REFUSED = frozenset({403, 405, 501})
CHUNK = 64 * 1024  # small enough that a broken connection loses little of what was already received


class FetchError(ArtifactsError):
    """A fetch that failed for good; ``kind`` is stable (not-found, unreachable, timeout, http, truncated,
    too-large, redirects, range-ignored) and the message says what happened and to whom."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


@dataclass
class Transfer:
    """Bytes and requests spent on one artifact (bodies only; headers are not counted)."""

    bytes: int = 0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, count: int) -> None:
        with self._lock:
            self.bytes += count

    def request(self) -> None:
        with self._lock:
            self.requests += 1


@dataclass
class RemoteInfo:
    url: str  # after redirects
    status: int
    size: int | None
    etag: str | None
    last_modified: str | None
    accepts_ranges: bool

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Shared by every worker thread; requests' Session and its connection pool are safe to share for this use."""

    def __init__(self, settings: ArtifactSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.dead_hosts: dict[str, str] = {}  # host -> why it could not be reached
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        """The HTTP session, made at the first request: a build that only reads the cache never imports requests
        (a tenth of a second in every process that runs the artifacts stage)."""
        if self._session is None:
            with self._session_lock:
                if self._session is None:
                    self._session = self._new_session()
        return self._session

    def _new_session(self) -> requests.Session:
        import requests
        from requests.adapters import HTTPAdapter

        session = requests.Session()
        session.trust_env = False  # no .netrc credentials leaking to artifact hosts
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(4, self.settings.workers * 2), max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = "modelhub-artifacts"
        session.headers["Accept-Encoding"] = "identity"  # byte ranges must address the stored bytes
        return session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    # ---- one request, with retries and redirects ------------------------------------------------------------
    def request(self, method: str, url: str, transfer: Transfer, *, headers: dict[str, str] | None = None,
                stream: bool = False) -> requests.Response:
        """Send ``method`` to ``url`` following at most ``max_redirects`` redirects; credentials (configured per
        host, or user:password in the URL) go only to the host they belong to."""
        url, auth = _split_userinfo(url)
        home = _origin(url)
        for _ in range(self.settings.max_redirects + 1):
            origin = _origin(url)
            downgraded = home[0] == "https" and origin[0] != "https"  # never send secrets in clear text
            send = {**(headers or {}), **({} if downgraded else self.settings.headers_for(origin[1]))}
            response = self._send(method, url, transfer, send, stream, auth if origin == home else None)
            if not response.is_redirect:
                return response
            location = response.headers.get("Location", "")
            response.close()
            url = urljoin(url, location)
        raise FetchError("redirects", f"more than {self.settings.max_redirects} redirects (a redirect loop?) "
                                      f"ending at {url}")

    def _send(self, method: str, url: str, transfer: Transfer, headers: dict[str, str], stream: bool,
              auth: tuple[str, str] | None) -> requests.Response:
        import requests

        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        host = urlsplit(url).netloc
        if host in self.dead_hosts:
            raise FetchError("unreachable", f"{url}: {self.dead_hosts[host]} (earlier in this run; not retried)")
        last: Exception | None = None
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt, last))
            try:
                transfer.request()
                response = self.session.request(method, url, headers=headers, stream=True, timeout=timeout,
                                                allow_redirects=False, auth=auth)
            except requests.ConnectionError as error:
                if _name_unresolved(error):
                    raise self._dead(url, f"cannot resolve host {urlsplit(url).hostname!r} "
                                          f"(no network or DNS?)") from error
                last = error
                continue
            except requests.Timeout as error:
                last = error
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.settings.retries:
                last = _StatusError(response)
                response.close()
                continue
            if not stream:
                try:
                    transfer.add(len(response.content))
                except (requests.ConnectionError, requests.Timeout) as error:
                    last = error
                    continue
            return response
        if isinstance(last, requests.ConnectTimeout):  # the host never answered: give up on it for this run
            raise self._dead(url, f"no connection within {self.settings.connect_timeout:g} s after "
                                  f"{self.settings.retries + 1} attempts (host down or firewalled?)")
        if isinstance(last, requests.Timeout) or "timed out" in str(last).lower():
            raise FetchError("timeout", f"{url}: no answer within {self.settings.read_timeout:g} s "
                                        f"after {self.settings.retries + 1} attempts")
        message = f"connection failed after {self.settings.retries + 1} attempts: {_short(last)}"
        if isinstance(last, requests.ConnectionError):
            raise self._dead(url, message)
        raise FetchError("unreachable", f"{url}: {message}")

    def _dead(self, url: str, reason: str) -> FetchError:
        """Remember a host that cannot be reached, so hundreds of cards on it fail fast instead of each waiting."""
        with self._lock:
            self.dead_hosts.setdefault(urlsplit(url).netloc, reason)
        return FetchError("unreachable", f"{url}: {reason}")

    def _delay(self, attempt: int, last: Exception | None) -> float:
        if isinstance(last, _StatusError) and last.retry_after is not None:
            return min(last.retry_after, 30.0)
        return min(self.settings.backoff * 2 ** (attempt - 1), 30.0)

    # ---- metadata ---------------------------------------------------------------------------------------------
    def head(self, url: str, transfer: Transfer, *, etag: str | None = None,
             last_modified: str | None = None) -> RemoteInfo:
        """Size and validators of ``url``: HEAD, or a one-byte ranged GET when HEAD is refused."""
        conditional = _conditional(etag, last_modified)
        response = self.request("HEAD", url, transfer, headers=conditional)
        if response.status_code in HEAD_REFUSED:
            response = self.request("GET", url, transfer, headers={"Range": "bytes=0-0", **conditional},
                                    stream=True)
            response.close()  # the body (one byte, or everything when Range is ignored) is not needed
        _raise_for_status(response, url)
        size = _total_size(response)
        return RemoteInfo(response.url or url, response.status_code, size, response.headers.get("ETag"),
                          response.headers.get("Last-Modified"),
                          response.headers.get("Accept-Ranges", "").lower() == "bytes"
                          or response.status_code == 206)

    def probe(self, url: str, transfer: Transfer, span: str, *, etag: str | None = None,
              last_modified: str | None = None) -> tuple[RemoteInfo, int, bytes]:
        """Size, validators and a first span of bytes in one request: a ranged GET (``span`` is ``-16384`` for
        the tail, ``0-16383`` for the head) instead of HEAD followed by a GET. Returns (info, offset of the
        bytes, bytes); the bytes are empty when the answer is 304, or when the server ignores Range (then
        ``info.accepts_ranges`` is False and the body was not read)."""
        conditional = _conditional(etag, last_modified)
        response = self.request("GET", url, transfer, headers={"Range": f"bytes={span}", **conditional},
                                stream=True)
        with response:
            if response.status_code == 416 or response.status_code in HEAD_REFUSED:
                return self.head(url, transfer, etag=etag, last_modified=last_modified), 0, b""
            _raise_for_status(response, url)
            info = RemoteInfo(response.url or url, response.status_code, _total_size(response),
                              response.headers.get("ETag"), response.headers.get("Last-Modified"),
                              response.status_code in (206, 304))
            if response.status_code != 206:
                return info, 0, b""
            first = int(response.headers.get("Content-Range", "bytes 0-").split()[1].split("-")[0])
            try:
                data = response.raw.read(decode_content=False)
            except Exception:  # the body broke off: the caller reads the span again through read_range
                data = b""
        transfer.add(len(data))
        return info, first, data

    def read_range(self, url: str, start: int, end: int, transfer: Transfer) -> bytes:
        """Bytes ``start..end`` inclusive, retried when the body breaks off or stalls. Raises
        FetchError('range-ignored') without reading the body when the server answers 200 with the whole file."""
        problem = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.sleep(min(self.settings.backoff * 2 ** (attempt - 1), 30.0))
            response = self.request("GET", url, transfer, headers={"Range": f"bytes={start}-{end}"}, stream=True)
            with response:
                if response.status_code == 200:
                    raise FetchError("range-ignored", f"{url}: the server ignores Range requests")
                _raise_for_status(response, url)
                try:
                    data = response.raw.read(end - start + 1, decode_content=False)
                except Exception as error:  # urllib3 timeout / protocol errors: the body broke off
                    problem = _short(error)
                    continue
            transfer.add(len(data))
            if len(data) == end - start + 1:
                return data
            problem = f"got {len(data)} of {end - start + 1} bytes"
        kind = "timeout" if "timed out" in problem.lower() else "truncated"
        raise FetchError(kind, f"{url}: reading bytes {start}-{end} broke off after {self.settings.retries + 1} "
                               f"attempts ({problem}; read timeout {self.settings.read_timeout:g} s)")

    # ---- whole files ------------------------------------------------------------------------------------------
    def download(self, url: str, part: Path, transfer: Transfer, *, expected_size: int | None,
                 resume_from: int = 0, if_range: str | None = None,
                 on_progress: Callable[[int, int | None], None] | None = None) -> tuple[str, int]:
        """Stream ``url`` into ``part`` (appending after ``resume_from`` existing bytes when the server agrees),
        hashing as it goes. Returns (sha256, size). Broken transfers are resumed up to ``retries`` times."""
        import requests

        digest = hashlib.sha256()
        have = resume_from if part.exists() and part.stat().st_size == resume_from else 0
        if have:
            with part.open("rb") as existing:
                for block in iter(lambda: existing.read(CHUNK), b""):
                    digest.update(block)
        failures = 0
        while True:
            headers = {}
            if have:
                headers["Range"] = f"bytes={have}-"
                if if_range:
                    headers["If-Range"] = if_range
            response = self.request("GET", url, transfer, headers=headers, stream=True)
            with response:
                if response.status_code == 416 and have and have == expected_size:
                    return digest.hexdigest(), have
                _raise_for_status(response, url)
                if response.status_code == 200 and have:  # the server restarts from byte 0
                    have, digest = 0, hashlib.sha256()
                total = _total_size(response) or expected_size
                if total is not None and total > self.settings.max_size:
                    raise FetchError("too-large", f"{url} is {total:,} bytes, over the max_size limit of "
                                                  f"{self.settings.max_size:,} (raise [tool.modelhub.artifacts] "
                                                  f"max_size)")
                try:
                    with part.open("ab" if have else "wb") as out:
                        for block in response.iter_content(CHUNK):
                            out.write(block)
                            digest.update(block)
                            have += len(block)
                            transfer.add(len(block))
                            if on_progress:
                                on_progress(len(block), total)
                            if have > self.settings.max_size:
                                raise FetchError("too-large", f"{url}: more than {self.settings.max_size:,} bytes "
                                                              f"(the max_size limit)")
                except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
                    broke: Exception | None = e
                else:
                    broke = None
            if broke is None and (total is None or have == total):
                return digest.hexdigest(), have
            failures += 1
            if failures > self.settings.retries:
                got = f"got {have:,} of {total:,} bytes" if total else f"got {have:,} bytes"
                raise FetchError("truncated", f"{url}: download broke off ({got}) after "
                                              f"{failures} attempts: {_short(broke) if broke else 'short body'}")
            self.sleep(min(self.settings.backoff * 2 ** (failures - 1), 30.0))


class _StatusError(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        value = response.headers.get("Retry-After", "")
        self.retry_after = float(value) if value.strip().isdigit() else None


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _raise_for_status(response: requests.Response, url: str) -> None:
    status = response.status_code
    if status in (200, 206, 304):
        return
    if status in (404, 410):
        raise FetchError("not-found", f"{url}: HTTP {status} (no such artifact; check the Download link)", status)
    if status in (401, 403):
        raise FetchError("forbidden", f"{url}: HTTP {status} (not public; configure credentials for "
                                      f"{urlsplit(url).hostname} or a mirror)", status)
    raise FetchError("http", f"{url}: HTTP {status} {response.reason or ''}".rstrip(), status)


def _total_size(response: requests.Response) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and not content_range.endswith("/*"):
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    if response.status_code == 200 and length and length.isdigit():
        return int(length)
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: user:password from a URL is sent only to this exact origin."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), parts.hostname or "", port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def _split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urlsplit(url)
    if not parts.username:
        return url, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), (parts.username, parts.password or "")


def _name_unresolved(error: BaseException) -> bool:
    """DNS said no: retrying will not help (requests wraps urllib3's NameResolutionError in its message)."""
    text = repr(error)
    return any(sign in text for sign in ("NameResolutionError", "Name or service not known",
                                         "nodename nor servname", "getaddrinfo failed"))


def _short(error: BaseException | None) -> str:
    text = str(error) if error else "unknown error"
    return text if len(text) < 200 else text[:197] + "..."
